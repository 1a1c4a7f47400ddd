#include "formats/eventsapi.h"

#include <algorithm>
#include <iterator>

namespace pimscope::parsing {

namespace {

enum class AkeneoSubject { None, Product, ProductModel };

void readAkeneoResource(dom::element data, AkeneoSubject subject, const Where &where, Event &e, QStringList &warnings)
{
    const auto dataObject = readObject(data, where, "data", warnings);
    if (!dataObject)
        return;
    std::optional<dom::element> resource;
    for (const dom::key_value_pair member : *dataObject) {
        if (member.key == "resource") {
            resource = member.value;
            break;
        }
    }
    if (!resource) {
        warnings << QStringLiteral("%1 has no resource").arg(where.path("data"));
        return;
    }
    const auto object = readObject(*resource, where, "data.resource", warnings);
    if (!object || subject == AkeneoSubject::None)
        return;
    bool hasIdentifier = false;
    bool hasUuid = false;
    bool hasCode = false;
    for (const dom::key_value_pair member : *object) {
        if (subject == AkeneoSubject::Product) {
            if (member.key == "identifier" && !hasIdentifier) {
                hasIdentifier = true;
                e.subjectId = readString(member.value, where, "data.resource.identifier", warnings, nullptr, false);
            } else if (member.key == "uuid" && !hasUuid) {
                hasUuid = true;
                e.subjectUuid = readString(member.value, where, "data.resource.uuid", warnings, nullptr, false);
            }
        } else if (member.key == "code" && !hasCode) {
            hasCode = true;
            e.subjectId = readString(member.value, where, "data.resource.code", warnings);
        }
    }
    if (subject == AkeneoSubject::Product && e.subjectId.isNull() && e.subjectUuid.isNull() && !hasIdentifier
        && !hasUuid)
        warnings << QStringLiteral("%1 has neither identifier nor uuid").arg(where.path("data.resource"));
    if (subject == AkeneoSubject::ProductModel && !hasCode)
        warnings << QStringLiteral("%1 has no code").arg(where.path("data.resource"));
}

} // namespace

bool readAkeneoBase(const dom::key_value_pair &member, const Where &where, Members &members, Event &e,
                    std::string_view &action, std::optional<std::string_view> &time, QStringList &warnings)
{
    const std::string_view key = member.key;
    std::string_view raw;
    if (key == "action") {
        if (members.first(Action, key))
            e.action = readString(member.value, where, "action", warnings, &action);
    } else if (key == "event_id") {
        if (members.first(EventId, key))
            e.eventId = readString(member.value, where, "event_id", warnings);
    } else if (key == "event_datetime") {
        if (members.first(DateTime, key) && !readString(member.value, where, "event_datetime", warnings, &raw).isNull())
            time = raw;
    } else if (key == "author") {
        if (members.first(Author, key))
            e.author = readString(member.value, where, "author", warnings);
    } else if (key == "author_type") {
        if (members.first(AuthorType, key))
            e.authorType = readString(member.value, where, "author_type", warnings);
    } else {
        return false;
    }
    return true;
}

void readAkeneoEvent(dom::object object, const Where &where, Event &e, QStringList &warnings)
{
    Members members(where, warnings);
    std::string_view action;
    std::optional<std::string_view> time;
    std::optional<std::string_view> legacyTime;
    dom::element data;
    for (const dom::key_value_pair member : object) {
        const std::string_view key = member.key;
        std::string_view raw;
        if (readAkeneoBase(member, where, members, e, action, time, warnings))
            continue;
        if (key == "event_date") {
            // The pre-release name of event_datetime, still in Akeneo's quick-start sample.
            if (members.first(LegacyDate, key)
                && !readString(member.value, where, "event_date", warnings, &raw).isNull())
                legacyTime = raw;
        } else if (key == "pim_source") {
            if (members.first(PimSource, key))
                e.pimSource = readString(member.value, where, "pim_source", warnings);
        } else if (key == "data") {
            if (members.first(Data, key))
                data = member.value;
        }
    }
    members.require(Action, "action");
    members.require(EventId, "event_id");
    if (!members.seen(DateTime) && !members.seen(LegacyDate))
        members.require(DateTime, "event_datetime");
    members.require(Author, "author");
    members.require(AuthorType, "author_type");
    members.require(PimSource, "pim_source");
    if (members.seen(DateTime))
        readTime(time, where, "event_datetime", e, warnings);
    else
        readTime(legacyTime, where, "event_date", e, warnings);

    AkeneoSubject subject = AkeneoSubject::None;
    if (!e.action.isNull()) {
        constexpr std::string_view productActions[] = {"product.created", "product.updated", "product.removed"};
        constexpr std::string_view modelActions[]
            = {"product_model.created", "product_model.updated", "product_model.removed"};
        if (std::find(std::begin(productActions), std::end(productActions), action) != std::end(productActions)) {
            subject = AkeneoSubject::Product;
        } else if (std::find(std::begin(modelActions), std::end(modelActions), action) != std::end(modelActions)) {
            subject = AkeneoSubject::ProductModel;
        } else {
            warnings << QStringLiteral("%1 %2 is not an Akeneo Events API action")
                            .arg(where.path("action"), shownValue(action));
            if (action.starts_with("product_model."))
                subject = AkeneoSubject::ProductModel;
            else if (action.starts_with("product."))
                subject = AkeneoSubject::Product;
        }
    }
    if (subject == AkeneoSubject::Product)
        e.subjectType = QStringLiteral("product");
    else if (subject == AkeneoSubject::ProductModel)
        e.subjectType = QStringLiteral("product_model");

    if (members.seen(Data))
        readAkeneoResource(data, subject, where, e, warnings);
    else
        members.require(Data, "data");
}

void readAkeneoEnvelope(dom::object root, const Text &text, ParseResult &r, PayloadParser::Depth depth)
{
    r.format = Format::Akeneo;
    int eventsIndex = -1;
    int index = 0;
    dom::element events;
    for (const dom::key_value_pair member : root) {
        if (member.key == "events") {
            if (eventsIndex < 0) {
                eventsIndex = index;
                events = member.value;
            } else {
                r.warnings << QStringLiteral("duplicate \"events\" member; the first one is used");
            }
        } else {
            r.warnings << QStringLiteral("unexpected member %1 next to \"events\"").arg(shownValue(member.key));
        }
        ++index;
    }
    dom::array array;
    if (events.get_array().get(array)) {
        r.error = QStringLiteral("\"events\" is %1, expected an array").arg(typeName(events));
        return;
    }
    if (depth == PayloadParser::Depth::Envelope) {
        countArray(array, "events", r);
    } else {
        const qsizetype rootValue = rootBegin(text.data(), text.size());
        const qsizetype arrayStart = memberValue(text.data(), rootValue, text.size(), eventsIndex);
        readArray(array, elementSpans(text.data(), arrayStart, text.size()), text, "events", readAkeneoEvent, r);
    }
    const auto count = qsizetype(array.size());
    if (count == 0)
        r.warnings << QStringLiteral("\"events\" is empty");
    else if (count > akeneoMaxEvents)
        r.warnings << QStringLiteral("%1 events in one request; Akeneo sends at most %2")
                          .arg(number(count), number(akeneoMaxEvents));
}

} // namespace pimscope::parsing
