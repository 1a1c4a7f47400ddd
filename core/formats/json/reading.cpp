#include "formats/json/reading.h"

#include "util/timeutil.h"

namespace pimscope::parsing {

QString toQString(std::string_view s)
{
    if (s.empty())
        return QStringLiteral("");
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

QString shownValue(std::string_view s)
{
    constexpr std::size_t shown = 60;
    if (s.size() <= shown)
        return u'"' + QString::fromUtf8(s.data(), qsizetype(s.size())) + u'"';
    return u'"' + QString::fromUtf8(s.data(), qsizetype(shown)) + QStringLiteral("...\"");
}

QString typeName(dom::element e)
{
    switch (e.type()) {
    case dom::element_type::ARRAY:
        return QStringLiteral("an array");
    case dom::element_type::OBJECT:
        return QStringLiteral("an object");
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE:
        return QStringLiteral("a number");
    case dom::element_type::STRING:
        return QStringLiteral("a string");
    case dom::element_type::BOOL:
        return QStringLiteral("a boolean");
    case dom::element_type::NULL_VALUE:
        return QStringLiteral("null");
    }
    return QStringLiteral("a value");
}

QString readString(dom::element v, const Where &where, const char *field, QStringList &warnings, std::string_view *raw,
                   bool nullIsOdd)
{
    std::string_view s;
    if (!v.get_string().get(s)) {
        if (raw)
            *raw = s;
        return toQString(s);
    }
    if (v.is_null()) {
        if (nullIsOdd)
            warnings << QStringLiteral("%1 is null, expected a string").arg(where.path(field));
        return {};
    }
    warnings << QStringLiteral("%1 is %2, expected a string").arg(where.path(field), typeName(v));
    return {};
}

std::optional<dom::object> readObject(dom::element v, const Where &where, const char *field, QStringList &warnings)
{
    dom::object o;
    if (!v.get_object().get(o))
        return o;
    warnings << QStringLiteral("%1 is %2, expected an object").arg(where.path(field), typeName(v));
    return std::nullopt;
}

void readTime(std::optional<std::string_view> text, const Where &where, const char *field, Event &e,
              QStringList &warnings)
{
    if (!text)
        return;
    e.eventTimeMs = parseIsoDateTime(*text);
    if (!e.eventTimeMs)
        warnings << QStringLiteral("%1 %2 is not an ISO-8601 date-time").arg(where.path(field), shownValue(*text));
}

Event newEvent(qsizetype seq, Span span, const Text &text)
{
    Event e;
    e.seq = int(seq);
    e.payloadOffset = text.base + span.begin;
    e.payloadLength = span.end - span.begin;
    return e;
}

void countArray(dom::array array, const char *arrayName, ParseResult &r)
{
    r.events.reserve(qsizetype(array.size()));
    qsizetype index = 0;
    NotObjects notObjects;
    for (const dom::element element : array) {
        if (element.is_object()) {
            Event e;
            e.seq = int(index);
            r.events.append(std::move(e));
        } else {
            notObjects.add(Where{arrayName, index}, element);
        }
        ++index;
    }
    notObjects.report(r);
}

} // namespace pimscope::parsing
