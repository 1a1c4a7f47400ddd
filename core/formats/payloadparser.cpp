#include "payloadparser.h"

#include "formats/eventplatform.h"
#include "formats/eventsapi.h"
#include "formats/json/checker.h"
#include "formats/json/reading.h"
#include "formats/json/spans.h"
#include "formats/logcontext.h"
#include "formats/quable.h"

#include <simdjson.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// How the parser works
//
// 1. simdjson's DOM parser validates the whole body (grammar, UTF-8, depth) and builds a tape; the fields are
//    read from the tape. It is the only full pass over the body on the success path.
// 2. simdjson does not give byte positions, so a small scanner (json/spans) walks the (now known valid) text to
//    find the byte range of each event object.
// 3. Only when simdjson rejects a body does a strict, iterative JSON checker (json/checker) walk it again to find
//    the first problem and its position (line, column, byte), so that errors say exactly what is wrong and where.
//
// One file per format reads its events: eventsapi (Akeneo Events API), eventplatform (Akeneo Event Platform),
// quable (Quable), logcontext (the context of an Akeneo log line); json/reading holds what they share. This file
// recognises the format of a body and hands it to the right one.
//
// Invalid JSON is Format::Unknown, except when the text starts like an Akeneo envelope ({"events") or a
// CloudEvent ({"specversion" or [{"specversion"): then the format is the one it started as, so that a
// truncated delivery of a known PIM still shows where it came from.

namespace pimscope {

namespace dom = simdjson::dom;
using namespace parsing;

static_assert(PayloadParser::maxDepth == int(simdjson::DEFAULT_MAX_DEPTH), "the checker must agree with simdjson");

namespace {

constexpr std::string_view utf8Bom = "\xEF\xBB\xBF";

/** What an invalid body started as (see the comment at the top). */
Format sniffFormat(std::string_view t)
{
    const auto n = qsizetype(t.size());
    const char *p = t.data();
    qsizetype i = skipSpace(p, 0, n);
    auto keyAt
        = [&](qsizetype at, std::string_view key) { return at < n && t.substr(std::size_t(at)).starts_with(key); };
    if (i < n && p[i] == '{') {
        i = skipSpace(p, i + 1, n);
        if (keyAt(i, "\"events\""))
            return Format::Akeneo;
        if (keyAt(i, "\"specversion\""))
            return Format::AkeneoEventPlatform;
    } else if (i < n && p[i] == '[') {
        i = skipSpace(p, i + 1, n);
        if (i < n && p[i] == '{' && keyAt(skipSpace(p, i + 1, n), "\"specversion\""))
            return Format::AkeneoEventPlatform;
    }
    return Format::Unknown;
}

QString describeUnknown(dom::element root)
{
    QString what;
    dom::object object;
    dom::array array;
    if (!root.get_object().get(object)) {
        QStringList keys;
        for (const dom::key_value_pair member : object) {
            if (keys.size() == 5) {
                keys << QStringLiteral("...");
                break;
            }
            keys << shownValue(member.key);
        }
        what = keys.isEmpty() ? QStringLiteral("an empty object")
                              : QStringLiteral("an object with keys %1").arg(keys.join(QStringLiteral(", ")));
    } else if (!root.get_array().get(array)) {
        const std::size_t size = array.size();
        what = size == 0 ? QStringLiteral("an empty array")
                         : QStringLiteral("an array of %1 element%2")
                               .arg(number(qsizetype(size)), size == 1 ? QString() : QStringLiteral("s"));
    } else {
        what = typeName(root);
    }
    return QStringLiteral("JSON of no known PIM format: %1").arg(what);
}

/**
 * Parses `text` with simdjson (with `retained`, or with `oneShot` for a text larger than what it keeps; the root
 * lives as long as the parser used): the root, or false with `error` describing the problem and where.
 */
bool parseText(dom::parser &retained, std::optional<dom::parser> &oneShot, const Text &text, dom::element &root,
               QString &error, QStringList &warnings)
{
    dom::parser *parser = &retained;
    if (text.size() > PayloadParser::retainedCapacity)
        parser = &oneShot.emplace();

    simdjson::error_code code = parser->parse(text.data(), text.json.size()).get(root);
    if (code == simdjson::NUMBER_ERROR) {
        // Valid JSON that simdjson cannot hold (an integer beyond 64 bits, a double beyond its range): blank those
        // numbers out in a copy (same length, so every byte range stays the same) and parse the copy instead.
        std::vector<Span> numbers;
        if (!checkJson(text.json, &numbers)) {
            std::string copy(text.json);
            qsizetype blanked = 0;
            Span first;
            for (const Span &s : numbers) {
                if (!numberOutOfRange(text.json.substr(std::size_t(s.begin), std::size_t(s.end - s.begin))))
                    continue;
                if (blanked++ == 0)
                    first = s;
                copy[std::size_t(s.begin)] = '0';
                std::fill(copy.begin() + s.begin + 1, copy.begin() + s.end, ' ');
            }
            if (blanked && !(code = parser->parse(copy).get(root))) {
                const LineColumn lc = lineColumn(text.json, first.begin);
                warnings << QStringLiteral("number out of range at line %1, column %2 (byte %3): it exceeds 64-bit "
                                           "integers and doubles%4")
                                .arg(number(lc.line), number(lc.column), number(text.base + first.begin),
                                     blanked > 1 ? QStringLiteral(" (and %1 more)").arg(blanked - 1) : QString());
            }
        }
    }
    if (!code)
        return true;
    if (code == simdjson::MEMALLOC) {
        error = QStringLiteral("the body is too large to parse: out of memory (%1 bytes)").arg(number(text.size()));
    } else if (const auto problem = checkJson(text.json, nullptr)) {
        if (text.inLogLine) {
            // Where in the line: the context is its tail.
            const std::string_view line(text.json.data() - text.base, std::size_t(text.base) + text.json.size());
            const LineColumn lc = lineColumn(line, text.base + problem->offset);
            error = QStringLiteral("%1 in the context at column %2 (byte %3): %4")
                        .arg(problem->utf8 ? QStringLiteral("invalid UTF-8") : QStringLiteral("invalid JSON"),
                             number(lc.column), number(text.base + problem->offset), problem->what);
        } else {
            error = describeProblem(text.json, text.base, *problem);
        }
    } else {
        error = QStringLiteral("invalid JSON: %1").arg(QString::fromUtf8(simdjson::error_message(code)));
    }
    return false;
}

void readRoot(dom::element root, const Text &text, ParseResult &r, PayloadParser::Depth depth)
{
    dom::object object;
    if (!root.get_object().get(object)) {
        bool events = false, specVersion = false, type = false, uuid = false, code = false, createdAt = false,
             resource = false, action = false, eventId = false, notificationType = false;
        for (const dom::key_value_pair member : object) {
            const std::string_view key = member.key;
            events |= key == "events";
            specVersion |= key == "specversion";
            type |= key == "type";
            uuid |= key == "uuid";
            code |= key == "code";
            createdAt |= key == "created_at";
            resource |= key == "resource";
            action |= key == "action";
            eventId |= key == "event_id";
            notificationType |= key == "notification_type";
        }
        if (notificationType) {
            // An Event Platform notification webhook: its "events" lists event types, it is not an envelope.
            r.format = Format::AkeneoEventPlatform;
            readSingle(object, text, readNotification, r);
        } else if (events) {
            readAkeneoEnvelope(object, text, r, depth);
        } else if (specVersion && type) {
            r.format = Format::AkeneoEventPlatform;
            readSingle(object, text, readCloudEvent, r);
        } else if (uuid && code && createdAt && resource) {
            r.format = Format::Quable;
            readSingle(object, text, readQuableEvent, r);
        } else if (action && eventId) {
            r.format = Format::Akeneo;
            r.warnings << QStringLiteral("a single Akeneo event without the \"events\" envelope (pre-release format)");
            readSingle(object, text, readAkeneoEvent, r);
        } else {
            r.warnings << describeUnknown(root);
        }
        return;
    }
    dom::array array;
    if (!root.get_array().get(array)) {
        if (isEventPlatformBatch(array)) {
            readEventPlatformBatch(array, text, r, depth);
            return;
        }
    }
    r.warnings << describeUnknown(root);
}

} // namespace

struct PayloadParser::Private
{
    dom::parser parser; // reused for bodies up to retainedCapacity
};

PayloadParser::PayloadParser()
    : m_d(std::make_unique<Private>())
{
}
PayloadParser::~PayloadParser() = default;
PayloadParser::PayloadParser(PayloadParser &&) noexcept = default;
PayloadParser &PayloadParser::operator=(PayloadParser &&) noexcept = default;

LogContext PayloadParser::parseLogContext(QByteArrayView line, qsizetype contextOffset)
{
    LogContext c;
    if (contextOffset < 0 || contextOffset >= line.size())
        return c;
    const QByteArrayView context = line.sliced(contextOffset);
    const Text text{std::string_view(context.data(), std::size_t(context.size())), contextOffset, true};
    if (text.json.size() > simdjson::SIMDJSON_MAXSIZE_BYTES) {
        c.error = QStringLiteral("the context is too large to parse (%1 bytes)").arg(number(context.size()));
        return c;
    }
    dom::element root;
    std::optional<dom::parser> oneShot;
    if (parseText(m_d->parser, oneShot, text, root, c.error, c.warnings))
        readLogContext(root, text, c);
    return c;
}

ParseResult PayloadParser::parse(QByteArrayView body, Depth depth)
{
    ParseResult r;
    if (std::all_of(body.begin(), body.end(), isJsonSpace)) {
        r.format = Format::AkeneoTest;
        return r;
    }

    Text text{std::string_view(body.data(), std::size_t(body.size())), 0};
    if (text.json.starts_with(utf8Bom)) {
        text.json.remove_prefix(utf8Bom.size());
        text.base = qsizetype(utf8Bom.size());
        r.warnings << QStringLiteral("the body starts with a UTF-8 byte order mark");
    }
    if (text.json.size() > simdjson::SIMDJSON_MAXSIZE_BYTES) {
        r.error = QStringLiteral("the body is too large to parse (%1 bytes)").arg(number(body.size()));
        return r;
    }

    dom::element root;
    std::optional<dom::parser> oneShot;
    if (!parseText(m_d->parser, oneShot, text, root, r.error, r.warnings)) {
        r.format = sniffFormat(text.json);
        return r;
    }
    readRoot(root, text, r, depth);
    return r;
}

} // namespace pimscope
