#pragma once

#include "model/enums.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace pimscope {

/**
 * One entry of the Akeneo Event Platform's Logs API (akeneo/pim-api-docs content/event-platform/logs.md, FACTS.md 1.12
 * AK-EP-LOGS): `log_id`, `log_type` (action | error), `timestamp` (RFC 3339), `subscriber_id`, `subscription_id`,
 * `operation` (failed_to_deliver_event, subscription_suspended_by_the_user, ...), and for errors `error_type`,
 * `error_reason` (a fixed set: destination_timeout, connection_refused, authentication_failed, ...), `error_code`
 * (the endpoint's HTTP status, or 500 for a transport failure), `error_message`, `request` and `response` objects.
 * Delivery errors carry no event id, and errors of one subscription with the same message within 5 minutes are one
 * entry whose timestamp is the last of them.
 *
 * An entry that is not well formed (not JSON, not an object, no timestamp) is still returned with its exact bytes and
 * `error` saying what is wrong, so that nothing of a file is dropped.
 */
struct PlatformLogEntry
{
    QByteArray raw; ///< the entry's exact bytes in the file
    int number = 0; ///< its position in the file, from 1
    int line = 0; ///< the file's line it starts on, from 1
    QString error; ///< why it is not a log entry; null when it is one
    QStringList warnings; ///< odd but usable: a missing member, an unknown log type
    std::optional<qint64> timeMs;
    std::optional<LogLevel> level; ///< error entries: Error; action entries: Info
    LogMessage kind = LogMessage::Unknown; ///< Timeout, EndpointError (another delivery failure), PlatformAction
    // The entry's other members (subscriber_id, error_message, request, ...) are in `raw`, shown as it is.
    QString logId;
    QString operation;
    QString subscriptionId;
    QString errorType;
    QString errorReason;
    std::optional<int> errorCode; ///< as logged
    /** The endpoint's answer: error_code, unless the reason is a transport failure (then the 500 is the platform's). */
    std::optional<int> statusCode;
    QString destination; ///< the subscription's destination URL when the entry names it (an action's response)

    /** A delivery failure: the platform's request to the destination failed (its own error, or no answer). */
    bool deliveryFailed() const { return kind == LogMessage::Timeout || kind == LogMessage::EndpointError; }
};

/** What a Logs API file holds, and how it was laid out. */
struct PlatformLogDocument
{
    std::vector<PlatformLogEntry> entries;
    /** "a list of entries", "a page of the API (its \"data\" array)", "JSON lines", "one entry", "not JSON". */
    QString shape;
};

/**
 * Whether a file that starts with `head` is the Event Platform's JSON rather than an Events API log (whose lines
 * start with a date): its first byte after blanks and a BOM opens a JSON object or array.
 */
bool looksLikePlatformLogs(QByteArrayView head);

/**
 * Reads a Logs API file. The page wrapper of the API's answer is in Akeneo's OpenAPI specification, which could not
 * be checked here, so any common layout is read: a JSON array of entries; an object holding such an array in any
 * member, at the root or one level down (`data`, `items`, `logs`, `_embedded.items`, ...); a single entry; JSON
 * lines, each line an entry or a page (pages fetched one by one and saved line by line). A text that is none of these
 * is one entry with an error naming the first problem (line, column), its bytes kept.
 */
PlatformLogDocument readPlatformLogs(const QByteArray &bytes);

/** The key of an entry across imports (see logLineKey): its time, then its log_id and timestamp, else its bytes. */
QByteArray platformLogKey(const PlatformLogEntry &entry, int occurrence);

} // namespace pimscope
