#pragma once

#include "formats/json/spans.h"
#include "formats/payloadparser.h"
#include "model/event.h"

#include <simdjson.h>

#include <QString>
#include <QStringList>

#include <optional>
#include <string_view>
#include <vector>

// What every format's reader uses: value helpers for messages, the place of a value (events[3].data), typed member
// readers that warn instead of failing, and the loops over the event objects of a body.

namespace pimscope::parsing {

namespace dom = simdjson::dom;

inline QString number(qsizetype n)
{
    return QString::number(n);
}

/** The text of a JSON string: present but empty stays distinguishable from absent (empty, not null). */
QString toQString(std::string_view s);

/** A value shown inside a message: quoted, cut after 60 bytes. */
QString shownValue(std::string_view s);

/** "an array", "a number", "null"...: the type of a value, for messages. */
QString typeName(dom::element e);

/** Names a place in the payload for messages: events[3], [3] (an element of a root array) or the root object. */
struct Where
{
    const char *array = nullptr; ///< "events", "" for a root array, nullptr for the root object itself
    qsizetype index = 0;

    QString self() const
    {
        if (!array)
            return QStringLiteral("the body");
        if (index < 0)
            return QString::fromLatin1(array); // a member holding one object, e.g. a log context's event
        return QLatin1StringView(array) + u'[' + number(index) + u']';
    }
    QString path(const char *field) const
    {
        if (!array)
            return QString::fromLatin1(field);
        return self() + u'.' + QLatin1StringView(field);
    }
};

/**
 * Reads a member that should hold a string. JSON null gives a null QString (with a warning when nullIsOdd); any
 * other type gives a null QString and a warning naming the path and the type found. `raw` receives the text.
 */
QString readString(dom::element v, const Where &where, const char *field, QStringList &warnings,
                   std::string_view *raw = nullptr, bool nullIsOdd = true);

/** Reads an object member; a warning when it has another type. */
std::optional<dom::object> readObject(dom::element v, const Where &where, const char *field, QStringList &warnings);

/** Sets e.eventTimeMs from an ISO-8601 text; a warning when it is not one. */
void readTime(std::optional<std::string_view> text, const Where &where, const char *field, Event &e,
              QStringList &warnings);

/** Tracks which of a fixed set of members were seen, warning about duplicates (the first one is used). */
class Members
{
public:
    Members(const Where &where, QStringList &warnings)
        : m_where(where)
        , m_warnings(warnings)
    {
    }

    /** True the first time `bit` is seen. */
    bool first(unsigned bit, std::string_view key)
    {
        if (m_seen & bit) {
            m_warnings << QStringLiteral("%1 has a duplicate %2 member; the first one is used")
                              .arg(m_where.self(), shownValue(key));
            return false;
        }
        m_seen |= bit;
        return true;
    }
    bool seen(unsigned bit) const { return m_seen & bit; }
    void require(unsigned bit, const char *name)
    {
        if (!(m_seen & bit))
            m_warnings << QStringLiteral("%1 has no %2").arg(m_where.self(), QLatin1StringView(name));
    }

private:
    const Where &m_where;
    QStringList &m_warnings;
    unsigned m_seen = 0;
};

/** The parsed body: the JSON text given to simdjson (the body without a BOM) and its offset in the body. */
struct Text
{
    std::string_view json;
    qsizetype base = 0;
    bool inLogLine = false; ///< json is the context of a log line, which starts `base` bytes before it

    const char *data() const { return json.data(); }
    qsizetype size() const { return qsizetype(json.size()); }
};

/** An event at index `seq` whose JSON object is the `span` of `text`. */
Event newEvent(qsizetype seq, Span span, const Text &text);

/** Collects the elements of an event array that are not objects: one is an error, as are several. */
struct NotObjects
{
    qsizetype count = 0;
    QString first;
    void add(const Where &where, dom::element element)
    {
        if (count++ == 0)
            first = QStringLiteral("%1 is %2, expected an object").arg(where.self(), typeName(element));
    }
    void report(ParseResult &r) const
    {
        if (count == 1)
            r.error = first;
        else if (count > 1)
            r.error = QStringLiteral("%1 (%2 elements are not objects)").arg(first, number(count));
    }
};

/** Reads the objects of an array of events, each with its byte range; an element that is not an object is an error. */
template<typename ReadEvent>
void readArray(dom::array array, const std::vector<Span> &spans, const Text &text, const char *arrayName,
               ReadEvent readEvent, ParseResult &r)
{
    const auto size = qsizetype(array.size());
    if (qsizetype(spans.size()) != size) {
        // Cannot happen for text simdjson accepted; never hand out wrong byte ranges if it does.
        r.error = QStringLiteral("internal error: could not locate the events in the body");
        return;
    }
    r.events.reserve(size);
    qsizetype index = 0;
    NotObjects notObjects;
    for (const dom::element element : array) {
        const Where where{arrayName, index};
        dom::object object;
        if (element.get_object().get(object)) {
            notObjects.add(where, element);
        } else {
            Event e = newEvent(index, spans[std::size_t(index)], text);
            readEvent(object, where, e, r.warnings);
            r.events.append(std::move(e));
        }
        ++index;
    }
    notObjects.report(r);
}

/** readArray() for PayloadParser::Depth::Envelope: the same events (their seq only) and the same error. */
void countArray(dom::array array, const char *arrayName, ParseResult &r);

/** Reads a body that is one event object. */
template<typename ReadEvent>
void readSingle(dom::object root, const Text &text, ReadEvent readEvent, ParseResult &r)
{
    const Where where;
    Event e = newEvent(0, rootSpan(text.data(), text.size()), text);
    readEvent(root, where, e, r.warnings);
    r.events.append(std::move(e));
}

} // namespace pimscope::parsing
