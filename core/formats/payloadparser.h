#pragma once

#include "model/delivery.h"
#include "model/enums.h"
#include "model/event.h"

#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>

namespace pimscope {

/**
 * What PayloadParser::parse() found in one HTTP request body: the payload format and the events it holds.
 *
 * Each event has seq (its index in the request: events[i] of an Akeneo envelope, the element index of an
 * Event Platform batch, 0 for a single-object payload) and payloadOffset/payloadLength, the exact byte slice
 * of the body that holds the event's JSON object. Other Event fields (ids, flags) are left at their defaults.
 *
 * `error` is null when the body is acceptable. Otherwise it says what is wrong and where: the line, column
 * (counted in characters, from 1) and byte offset (from 0) for a JSON syntax or UTF-8 error, the JSON path
 * (e.g. events[3]) for a shape error. A shape error can come with the events that could still be read.
 * `warnings` lists what is odd but not fatal, each naming its JSON path.
 */
struct ParseResult
{
    Format format = Format::Unknown;
    QList<Event> events;
    QString error;
    QStringList warnings;
    bool ok() const { return error.isNull(); }
};

/**
 * What the context of an Akeneo event-subscription log line holds (FACTS.md 1.8): the endpoint URL (as text: real
 * files hold odd values), the status code, the headers (`{name: [values]}`, flattened in order) and the events,
 * from an `events` array (nulls skipped) or the single `event` of a NOTICE line. Each event's payloadOffset is in
 * the line; its seq is its index in the array. An empty context (`[]`) holds nothing.
 */
struct LogContext
{
    QList<Event> events;
    QString url;
    std::optional<int> statusCode;
    Headers headers;
    QString error;
    QStringList warnings;
};

/**
 * Recognises a raw webhook request body (Akeneo Events API, Akeneo "Test" button, Akeneo Event Platform,
 * Quable) and reads its events, using simdjson.
 *
 * The parser owns its simdjson buffers and reuses them between calls for bodies up to retainedCapacity bytes;
 * a larger body gets buffers of its own that are freed before parse() returns. One instance per thread: it is
 * not thread-safe, but instances are independent. parse() never throws and accepts any bytes (empty, binary,
 * invalid UTF-8, truncated, nested deeper than maxDepth); problems are reported in the result.
 *
 * Mapping (the raw bytes of each event stay in the body; nothing is re-serialised):
 * - Akeneo Events API `{"events":[...]}`: event_id, action, event_datetime (or the legacy `event_date`),
 *   author, author_type, pim_source; the subject from data.resource (identifier and uuid for product.*,
 *   code for product_model.*). A single event object without the envelope (pre-release format) is read too.
 * - Akeneo Event Platform (CloudEvents; one object or an array of them): id, type, time, source,
 *   data.author.identifier / data.author.type; the subject from the type and data (see the .cpp).
 * - Quable: uuid, code, created_at, created_by, resource.type / resource.code; pimSource is the scheme and
 *   host of resource.links[rel=self].href.
 * - An empty (or whitespace-only) body is Format::AkeneoTest without events.
 */
class PayloadParser
{
public:
    PayloadParser();
    ~PayloadParser();
    PayloadParser(PayloadParser &&other) noexcept;
    PayloadParser &operator=(PayloadParser &&other) noexcept;
    PayloadParser(const PayloadParser &) = delete;
    PayloadParser &operator=(const PayloadParser &) = delete;

    /** How much of the events parse() reads. */
    enum class Depth {
        Full, ///< every field of every event, with the warnings about them
        /**
         * The format, the error and the events with their seq only: for the events in an array (an Akeneo
         * envelope, an Event Platform batch) neither the byte ranges nor the fields are read, nor warned about.
         * Exactly what the receiver's answer needs, at a fraction of the cost: the store reads the rest later,
         * off the answer's path.
         */
        Envelope,
    };

    /** Parses one request body. The body is only read during the call; the result does not refer to it. */
    ParseResult parse(QByteArrayView body, Depth depth = Depth::Full);

    /**
     * Reads the context of a log line: the JSON text from `contextOffset` to the end of `line`. Errors name the
     * column in the line.
     */
    LogContext parseLogContext(QByteArrayView line, qsizetype contextOffset);

    /** Deepest nesting of arrays and objects accepted (simdjson's limit); deeper bodies are errors. */
    static constexpr int maxDepth = 1024;
    /** Largest body whose parsing buffers are kept for the next call (simdjson needs several times the size). */
    static constexpr qsizetype retainedCapacity = qsizetype(1) << 20;

private:
    struct Private;
    std::unique_ptr<Private> m_d;
};

} // namespace pimscope
