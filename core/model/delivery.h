#pragma once

#include "enums.h"
#include "event.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

class QUrl;

namespace pimscope {

/** One HTTP header as it was on the wire (or in a log line's context): bytes, not re-encoded. */
struct Header
{
    QByteArray name;
    QByteArray value;
    friend bool operator==(const Header &, const Header &) = default;
};
using Headers = QList<Header>;

/** What the tables show of a delivery's forward to the connector (model/connectoranswer.h has all of it). */
struct ConnectorSummary
{
    std::optional<int> status;
    std::optional<double> ms; ///< from sending to the answer's end
    std::optional<ConnectorVerdict> verdict;
    ForwardState state = ForwardState::Queued;
    friend bool operator==(const ConnectorSummary &, const ConnectorSummary &) = default;
};

/**
 * What a request Pimscope sent was made from (Edit and send, New event, `pimscope send`): stored beside it (the edits
 * table) so that the Compare tab can show what was changed.
 */
struct EditSource
{
    qint64 eventId = 0; ///< the capture's event it was edited from (0: none)
    qint64 deliveryId = 0; ///< the capture's delivery it was edited from (an event's, or one edited whole; 0: none)
    QString templateKey; ///< a template it was composed from, SENDER:TYPE (null: none)
    QStringList faults; ///< the deliberate faults it was sent with, by name (compose/composer.h)
    bool handEdited = false; ///< its body or headers were changed by hand
    friend bool operator==(const EditSource &, const EditSource &) = default;
};

/**
 * One thing the PIM sent or tried to send: an HTTP request the receiver got (origin Receiver), a line of an
 * imported PIM log file (origin Log) or a request Pimscope sent (origin Replay).
 *
 * The raw body and the headers (in wire order, duplicates kept) are kept exactly as received; the events are
 * slices of the body. For a log line, `body` holds the line's text and the events are slices of it.
 */
struct Delivery
{
    qint64 id = 0; ///< store row id, 0 until stored
    Origin origin = Origin::Receiver;
    qint64 receivedAtMs = 0; ///< UTC milliseconds since the epoch (a log line's own time)

    QByteArray method;
    QByteArray path;
    QString remote; ///< peer address and port
    Headers headers;
    QByteArray body;
    qint64 bodySize = 0; ///< size in bytes as received or declared (an over-limit body is not kept)

    Format format = Format::Unknown;
    Signature signature = Signature::Unchecked;
    QString signatureDetail; ///< why the verdict, e.g. how far off the timestamp was; null when none
    std::optional<int> answeredStatus; ///< the status the receiver answered with
    std::optional<double> ackMs; ///< how long the answer took (or a replay's latency)
    QString error; ///< parse or transport error, null when none
    QStringList warnings; ///< what is odd but not fatal (e.g. 11 events in one Akeneo request)

    // Imported log lines and replay results.
    std::optional<LogLevel> logLevel;
    std::optional<LogMessage> logMessage;
    std::optional<int> statusCode; ///< the status the endpoint answered, as the PIM (or the replayer) saw it
    QString url; ///< the endpoint URL of a log line or a replay
    QString logFile;
    std::optional<int> logLine;
    qint64 importId = 0; ///< the import a log line came with (0: none)
    /**
     * What identifies a log line across imports (24 bytes, see logLineKey): a delivery whose key an earlier import
     * stored is not stored again. Empty for anything but log lines.
     */
    QByteArray logKey;

    Flags flags; ///< the delivery's own flags united with its events' flags
    std::optional<ConnectorSummary> connector; ///< read with it: its forward to the connector, when it was forwarded
    /** A request Pimscope sent: what it was made from (written with it; read by StoreReader::editSource). */
    std::optional<EditSource> editSource;
    int eventCount = 0; ///< number of events (the events list may not be loaded)
    QList<Event> events;

    /** The event's JSON bytes, a slice of the body. */
    QByteArray payload(const Event &e) const { return body.mid(e.payloadOffset, e.payloadLength); }
};

/**
 * The path a receiver stores for a request to `url` (Delivery::path): its path and query, fully encoded, "/" for no
 * path. What pairs a URL the PIM names (a destination, a log's URL) with the captured traffic.
 */
QByteArray receivingPath(const QUrl &url);

/** The first value of a header, compared case-insensitively; null when absent. */
QByteArray headerValue(const Headers &headers, QByteArrayView name);

} // namespace pimscope
