#include "formats/eventplatform.h"

#include <algorithm>
#include <string>

// Akeneo Event Platform mapping (payload shape from Akeneo's "Available events" and "Concepts" pages,
// api.akeneo.com/event-platform/available-events.html and concepts.html; akeneo/pim-api-docs
// content/event-platform/*.md). A message is a CloudEvents 1.0 object:
//   {"specversion":"1.0","id":"018e32f9-…","type":"com.akeneo.pim.v1.product.updated","source":"pim",
//    "subject":"019256aa-…","time":"2024-02-22T17:31:00Z","datacontenttype":"application/json",
//    "dataschema":"https://…schema.json",
//    "data":{"product":{"uuid":"6a9f8486-…"},"author":{"identifier":"admin","type":"user"}}}
// - eventId = id, action = type, eventTimeMs = time, pimSource = source (always "pim" today).
// - author = data.author.identifier, authorType = data.author.type (user, api, job, system, unknown-user-type);
//   both null when data.author is absent (older messages do not carry it).
// - subjectType = the entity word after "com.akeneo.pim.vN." with '-' turned into '_' ("product",
//   "product_model", "attribute_option", "reference_entity_record", ...). That is also the key of the entity
//   object in data (data.product, data.product_model, data.attribute_option, ...).
// - subjectUuid = data.<entity>.uuid (products are identified by UUID only); subjectId = data.<entity>.code
//   (product models and most other entities), else .identifier, else .client_id (apps, connections).
// - The CloudEvents `subject` is not the product: Akeneo documents it as the subscription (PIM) the event

namespace pimscope::parsing {

namespace {

/** "com.akeneo.pim.v1.product-model.deleted" -> "product_model"; empty when the type is not Akeneo's. */
std::string entityOfType(std::string_view type)
{
    constexpr std::string_view prefix = "com.akeneo.pim.v";
    if (!type.starts_with(prefix))
        return {};
    std::size_t i = prefix.size();
    const std::size_t digits = i;
    while (i < type.size() && type[i] >= '0' && type[i] <= '9')
        ++i;
    if (i == digits || i >= type.size() || type[i] != '.')
        return {};
    const std::size_t begin = i + 1;
    const std::size_t end = type.find('.', begin);
    if (end == std::string_view::npos || end == begin)
        return {};
    std::string entity(type.substr(begin, end - begin));
    std::replace(entity.begin(), entity.end(), '-', '_');
    return entity;
}

void readCloudEventData(dom::element data, const std::string &entity, const Where &where, Event &e,
                        QStringList &warnings)
{
    const auto object = readObject(data, where, "data", warnings);
    if (!object)
        return;
    std::optional<dom::element> author;
    std::optional<dom::element> subject;
    for (const dom::key_value_pair member : *object) {
        if (member.key == "author" && !author)
            author = member.value;
        else if (!entity.empty() && member.key == entity && !subject)
            subject = member.value;
    }
    if (author) {
        if (const auto authorObject = readObject(*author, where, "data.author", warnings)) {
            for (const dom::key_value_pair member : *authorObject) {
                if (member.key == "identifier" && e.author.isNull())
                    e.author = readString(member.value, where, "data.author.identifier", warnings);
                else if (member.key == "type" && e.authorType.isNull())
                    e.authorType = readString(member.value, where, "data.author.type", warnings);
            }
        }
    }
    if (entity.empty())
        return;
    const std::string path = "data." + entity;
    if (!subject) {
        warnings << QStringLiteral("%1 has no %2 object").arg(where.path("data"), shownValue(entity));
        return;
    }
    const auto subjectObject = readObject(*subject, where, path.c_str(), warnings);
    if (!subjectObject)
        return;
    QString code;
    QString identifier;
    QString clientId;
    for (const dom::key_value_pair member : *subjectObject) {
        if (member.key == "uuid" && e.subjectUuid.isNull())
            e.subjectUuid = readString(member.value, where, (path + ".uuid").c_str(), warnings, nullptr, false);
        else if (member.key == "code" && code.isNull())
            code = readString(member.value, where, (path + ".code").c_str(), warnings, nullptr, false);
        else if (member.key == "identifier" && identifier.isNull())
            identifier = readString(member.value, where, (path + ".identifier").c_str(), warnings, nullptr, false);
        else if (member.key == "client_id" && clientId.isNull())
            clientId = readString(member.value, where, (path + ".client_id").c_str(), warnings, nullptr, false);
    }
    e.subjectId = !code.isNull() ? code : !identifier.isNull() ? identifier : clientId;
}

} // namespace

void readCloudEvent(dom::object object, const Where &where, Event &e, QStringList &warnings)
{
    enum : unsigned {
        SpecVersion = 1u << 0,
        Id = 1u << 1,
        Type = 1u << 2,
        Source = 1u << 3,
        Time = 1u << 4,
        Data = 1u << 5,
    };
    Members members(where, warnings);
    std::string_view type;
    std::optional<std::string_view> time;
    dom::element data;
    for (const dom::key_value_pair member : object) {
        const std::string_view key = member.key;
        std::string_view raw;
        if (key == "specversion") {
            if (members.first(SpecVersion, key))
                readString(member.value, where, "specversion", warnings);
        } else if (key == "id") {
            if (members.first(Id, key))
                e.eventId = readString(member.value, where, "id", warnings);
        } else if (key == "type") {
            if (members.first(Type, key))
                e.action = readString(member.value, where, "type", warnings, &type);
        } else if (key == "source") {
            if (members.first(Source, key))
                e.pimSource = readString(member.value, where, "source", warnings);
        } else if (key == "time") {
            if (members.first(Time, key) && !readString(member.value, where, "time", warnings, &raw).isNull())
                time = raw;
        } else if (key == "data") {
            if (members.first(Data, key))
                data = member.value;
        }
    }
    members.require(SpecVersion, "specversion");
    members.require(Id, "id");
    members.require(Type, "type");
    members.require(Source, "source");
    members.require(Time, "time");
    readTime(time, where, "time", e, warnings);

    std::string entity;
    if (!e.action.isNull()) {
        entity = entityOfType(type);
        if (entity.empty())
            warnings << QStringLiteral("%1 %2 is not an Akeneo Event Platform type")
                            .arg(where.path("type"), shownValue(type));
        else
            e.subjectType = QString::fromStdString(entity);
    }
    if (members.seen(Data))
        readCloudEventData(data, entity, where, e, warnings);
    else
        members.require(Data, "data");
}

// Notification webhooks (akeneo/pim-api-docs content/event-platform/notification-webhooks.md, read 2026-12-06): when a
// subscription is suspended, revoked or resumed the platform POSTs to the subscriber's notification_webhook_url
//   {"notification_type":"subscription.suspended.system","timestamp":"2026-12-06T09:12:44Z",
//    "subscription_id":"…","subscriber_id":"…","destination":"https://…","events":["com.akeneo.pim.v1.product.updated"],
//    "reason":"Success rate dropped below 90%","subject":"https://acme.cloud.akeneo.com"}
// signed like the events (X-AKENEO-SIGNATURE-PRIMARY, with the notification webhook's own secret). It is one event of
// the subscription: action = notification_type (subscription.suspended.system | .user, subscription.revoked,
// subscription.resumed), eventTimeMs = timestamp, subjectType = "subscription", subjectId = subscription_id,
// author = subscriber_id, pimSource = subject (the PIM's URL). It has no id: eventId stays null. Its "events" is the
// subscription's list of event types, not events (which is why it is recognised before the Events API's envelope).
void readNotification(dom::object object, const Where &where, Event &e, QStringList &warnings)
{
    enum : unsigned {
        Type = 1u << 0,
        Timestamp = 1u << 1,
        Subscription = 1u << 2,
        Subscriber = 1u << 3,
        Subject = 1u << 4,
        Events = 1u << 5,
    };
    Members members(where, warnings);
    std::optional<std::string_view> time;
    for (const dom::key_value_pair member : object) {
        const std::string_view key = member.key;
        std::string_view raw;
        if (key == "notification_type") {
            if (members.first(Type, key))
                e.action = readString(member.value, where, "notification_type", warnings);
        } else if (key == "timestamp") {
            if (members.first(Timestamp, key) && !readString(member.value, where, "timestamp", warnings, &raw).isNull())
                time = raw;
        } else if (key == "subscription_id") {
            if (members.first(Subscription, key))
                e.subjectId = readString(member.value, where, "subscription_id", warnings);
        } else if (key == "subscriber_id") {
            if (members.first(Subscriber, key))
                e.author = readString(member.value, where, "subscriber_id", warnings);
        } else if (key == "subject") {
            if (members.first(Subject, key))
                e.pimSource = readString(member.value, where, "subject", warnings);
        } else if (key == "events") {
            dom::array types;
            if (members.first(Events, key) && member.value.get_array().get(types))
                warnings << QStringLiteral("%1 is %2, not an array of event types")
                                .arg(where.path("events"), typeName(member.value));
        }
    }
    members.require(Type, "notification_type");
    members.require(Timestamp, "timestamp");
    members.require(Subscription, "subscription_id");
    readTime(time, where, "timestamp", e, warnings);
    e.subjectType = QStringLiteral("subscription");
    if (!e.action.isNull() && !e.action.startsWith(u"subscription."))
        warnings << QStringLiteral("%1 %2 is not a subscription notification")
                        .arg(where.path("notification_type"), shownValue(e.action.toStdString()));
}

bool isEventPlatformBatch(dom::array array)
{
    dom::object first;
    dom::element ignored;
    return array.size() > 0 && !array.at(0).get_object().get(first) && !first["specversion"].get(ignored);
}

void readEventPlatformBatch(dom::array array, const Text &text, ParseResult &r, PayloadParser::Depth depth)
{
    r.format = Format::AkeneoEventPlatform;
    if (depth == PayloadParser::Depth::Envelope) {
        countArray(array, "", r);
    } else {
        const qsizetype begin = rootBegin(text.data(), text.size());
        readArray(array, elementSpans(text.data(), begin, text.size()), text, "", readCloudEvent, r);
    }
}

} // namespace pimscope::parsing
