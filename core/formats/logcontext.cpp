#include "formats/logcontext.h"

#include "formats/eventsapi.h"

#include <algorithm>
#include <cstdint>

namespace pimscope::parsing {

namespace {

/** An event as a log context holds it (FACTS.md 1.8): the ids only, not the resource. */
void readLogEvent(dom::object object, const Where &where, Event &e, QStringList &warnings)
{
    Members members(where, warnings);
    std::string_view action;
    std::optional<std::string_view> time;
    for (const dom::key_value_pair member : object) {
        const std::string_view key = member.key;
        if (readAkeneoBase(member, where, members, e, action, time, warnings))
            continue;
        if (key == "product_identifier") {
            // null for a product without an identifier (recent versions): not odd.
            if (members.first(Identifier, key))
                e.subjectId = readString(member.value, where, "product_identifier", warnings, nullptr, false);
        } else if (key == "product_uuid") {
            if (members.first(Uuid, key))
                e.subjectUuid = readString(member.value, where, "product_uuid", warnings, nullptr, false);
        } else if (key == "product_model_code") {
            if (members.first(ModelCode, key))
                e.subjectId = readString(member.value, where, "product_model_code", warnings);
        }
    }
    readTime(time, where, "event_datetime", e, warnings);
    members.require(Action, "action");
    members.require(EventId, "event_id");
    if (members.seen(ModelCode) || e.action.startsWith(QLatin1StringView("product_model.")))
        e.subjectType = QStringLiteral("product_model");
    else if (members.seen(Identifier) || members.seen(Uuid) || e.action.startsWith(QLatin1StringView("product.")))
        e.subjectType = QStringLiteral("product");
}

void readHeaders(dom::element value, Headers &headers, QStringList &warnings)
{
    dom::object object;
    if (value.get_object().get(object)) {
        // PHP writes an empty map as [].
        dom::array empty;
        if (value.get_array().get(empty) || empty.size() != 0)
            warnings << QStringLiteral("headers is %1, expected an object").arg(typeName(value));
        return;
    }
    for (const dom::key_value_pair member : object) {
        const QByteArray name(member.key.data(), qsizetype(member.key.size()));
        std::string_view text;
        dom::array values;
        if (!member.value.get_string().get(text)) {
            headers.append(Header{name, QByteArray(text.data(), qsizetype(text.size()))});
        } else if (!member.value.get_array().get(values)) {
            for (const dom::element v : values) {
                if (!v.get_string().get(text))
                    headers.append(Header{name, QByteArray(text.data(), qsizetype(text.size()))});
                else
                    warnings << QStringLiteral("headers.%1 holds %2, expected strings")
                                    .arg(shownValue(member.key), typeName(v));
            }
        } else {
            warnings << QStringLiteral("headers.%1 is %2, expected an array of strings")
                            .arg(shownValue(member.key), typeName(member.value));
        }
    }
}

} // namespace

void readLogContext(dom::element root, const Text &text, LogContext &c)
{
    dom::object object;
    if (root.get_object().get(object)) {
        dom::array array;
        if (!root.get_array().get(array) && array.size() == 0)
            return; // PHP's empty context
        c.error = QStringLiteral("the context is %1, expected an object").arg(typeName(root));
        return;
    }
    const qsizetype rootValue = rootBegin(text.data(), text.size());
    int index = -1;
    bool seenEvents = false, seenEvent = false;
    for (const dom::key_value_pair member : object) {
        ++index;
        const std::string_view key = member.key;
        if (key == "event_subscription_url") {
            // Kept as text: real files hold odd values (the documentation's sample glues two URLs together).
            c.url = readString(member.value, Where{}, "event_subscription_url", c.warnings);
        } else if (key == "status_code") {
            int64_t status = 0;
            std::string_view digits;
            if (!member.value.get_int64().get(status) && status >= 0 && status <= 999) {
                c.statusCode = int(status);
            } else if (!member.value.get_string().get(digits) && !digits.empty() && digits.size() <= 3
                       && std::all_of(digits.begin(), digits.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
                c.statusCode = toQString(digits).toInt();
            } else if (!member.value.is_null()) {
                c.warnings << QStringLiteral("status_code is %1, expected an HTTP status").arg(typeName(member.value));
            }
        } else if (key == "headers") {
            readHeaders(member.value, c.headers, c.warnings);
        } else if (key == "events" && !seenEvents) {
            seenEvents = true;
            dom::array array;
            if (member.value.get_array().get(array)) {
                c.warnings << QStringLiteral("events is %1, expected an array").arg(typeName(member.value));
                continue;
            }
            const qsizetype arrayStart = memberValue(text.data(), rootValue, text.size(), index);
            const std::vector<Span> spans = elementSpans(text.data(), arrayStart, text.size());
            if (spans.size() != array.size()) {
                c.error = QStringLiteral("internal error: could not locate the events in the line");
                return;
            }
            qsizetype i = 0, nulls = 0;
            for (const dom::element element : array) {
                const Where where{"events", i};
                dom::object eventObject;
                if (!element.get_object().get(eventObject)) {
                    Event e = newEvent(i, spans[std::size_t(i)], text);
                    readLogEvent(eventObject, where, e, c.warnings);
                    c.events.append(std::move(e));
                } else if (element.is_null()) {
                    ++nulls;
                } else {
                    c.warnings << QStringLiteral("%1 is %2, expected an object").arg(where.self(), typeName(element));
                }
                ++i;
            }
            if (nulls)
                c.warnings << QStringLiteral("%1 of the %2 entries of events are null (skipped)")
                                  .arg(number(nulls), number(i));
            if (c.events.size() > akeneoMaxEvents)
                c.warnings << QStringLiteral("%1 events in one request; Akeneo sends at most %2")
                                  .arg(number(c.events.size()), number(akeneoMaxEvents));
        } else if (key == "event" && !seenEvent) {
            seenEvent = true;
            dom::object eventObject;
            if (member.value.get_object().get(eventObject)) {
                if (!member.value.is_null())
                    c.warnings << QStringLiteral("event is %1, expected an object").arg(typeName(member.value));
                continue;
            }
            const qsizetype start = memberValue(text.data(), rootValue, text.size(), index);
            Event e
                = newEvent(qsizetype(c.events.size()), Span{start, skipValue(text.data(), start, text.size())}, text);
            readLogEvent(eventObject, Where{"event", -1}, e, c.warnings);
            c.events.append(std::move(e));
        }
    }
}

} // namespace pimscope::parsing
