#pragma once

#include "model/connectoranswer.h"
#include "model/delivery.h"

#include <QMap>

namespace pimscope {

/** An event as the tables and exports show it: the event with the fields of its delivery it is read with. */
struct EventRecord
{
    Event event;
    Origin origin = Origin::Receiver;
    qint64 receivedAtMs = 0;
    Format format = Format::Unknown;
    Signature signature = Signature::Unchecked;
    std::optional<LogLevel> logLevel;
    std::optional<LogMessage> logMessage;
    std::optional<int> statusCode;
    std::optional<int> answeredStatus;
    std::optional<double> ackMs;
    QByteArray payload; ///< the event's exact JSON bytes
    std::optional<ConnectorSummary> connector; ///< its delivery's forward to the connector, when it was forwarded
};

/** What the writer reports for each committed delivery. */
struct StoredDelivery
{
    quint64 ticket = 0; ///< as returned by EventStore::enqueue
    qint64 id = 0; ///< row id of the delivery; 0 for a log line not stored because its key was there already
    Flags flags;
    int eventCount = 0;
};

/**
 * How much of a capture to keep (0: no limit): the deliveries received more than keepDays ago, then the oldest
 * ones until what is stored fits in keepBytes, are deleted with their events. The file does not shrink (SQLite
 * reuses the freed pages for what arrives next).
 */
struct Retention
{
    int keepDays = 0;
    qint64 keepBytes = 0;
    bool isSet() const { return keepDays > 0 || keepBytes > 0; }
    bool operator==(const Retention &) const = default;
};

/**
 * One log import (the imports table of schema v3): the file, when, what it added, and the windows it covers
 * completely (the PIM keeps ERROR and WARNING lines for 72 h and only the last 100 INFO and NOTICE lines), which
 * the reconciliation with the captured traffic needs. Unknown windows are empty.
 */
struct ImportRecord
{
    qint64 id = 0;
    QString file; ///< the file's name
    QString path; ///< its absolute path when it was imported
    qint64 startedAtMs = 0;
    std::optional<qint64> finishedAtMs; ///< unset while importing
    int lines = 0; ///< entries read (blank lines are not entries)
    int added = 0; ///< entries stored (the others were there from an earlier import)
    qint64 events = 0; ///< events in the entries added
    std::optional<qint64> firstAtMs; ///< time of the file's first and last dated lines
    std::optional<qint64> lastAtMs;
    std::optional<qint64> coversToMs;
    std::optional<qint64> infoFromMs;
    std::optional<qint64> errorFromMs;
    Format format = Format::Akeneo; ///< whose log: the Events API's file or the Event Platform's Logs API
};

/** What the committed lines of an import added so far, and the error of a batch of its lines that failed. */
struct ImportProgress
{
    int added = 0; ///< lines stored (not skipped as imported before)
    qint64 events = 0; ///< their events
    QString error; ///< a batch with some of its lines could not be committed: the import must be aborted
};

/** How long the receiver took to answer a stored delivery (request read -> answer written). */
struct AnswerTime
{
    qint64 deliveryId = 0;
    double ackMs = 0;
    /**
     * The status the PIM got when it is not the one stored with the delivery: a connector's answer passed on (proxy
     * mode), or a 502 when none came. The delivery's answered_status becomes it, flagged error when its sender counts
     * it as failed.
     */
    std::optional<int> status;
};

/** A delivery copied from a server's PostgreSQL store (EventStore::follow). */
struct FollowedDelivery
{
    qint64 remoteId = 0; ///< its id on the server
    Delivery delivery; ///< as the server holds it, its events read (PayloadParser, Full)
    std::optional<ConnectorAnswer> forward; ///< its connector's answer, when it was forwarded
};

/** Changes read from a server's store in change-number order, and the change number read up to. */
struct FollowBatch
{
    QString storeId; ///< the server store's id (its pimscope_meta)
    QString url; ///< the URL it is followed at, for the user
    /**
     * The change number read after: the capture's copy must be committed up to it (by this follower's earlier batches
     * or another's), or the batch is refused, so that a batch after one that failed cannot leave a gap behind it.
     */
    qint64 afterRev = 0;
    qint64 upToRev = 0;
    QList<FollowedDelivery> rows;
};

/** A server's store followed into a capture: where the copy stands. */
struct FollowedServer
{
    QString storeId;
    QString url;
    qint64 lastRev = 0;
    qint64 deliveries = 0; ///< copied into this capture (and still there)
};

/** The live figures of a capture (two scans for the flags; the rest through the index on received_at). */
struct CaptureSummary
{
    qint64 deliveries = 0;
    qint64 events = 0;
    QMap<QString, qint64> eventsByFlag; ///< flag name -> events carrying it
    QMap<QString, qint64> deliveriesByFlag; ///< flag name -> deliveries carrying it
    QMap<QString, qint64> logLinesByMessage; ///< imported log lines by message kind name
    QMap<QString, qint64> logEventsByMessage; ///< their events
    QMap<QString, qint64> eventsByRecon; ///< reconciliation name -> events (only once a log was imported)
    QMap<QString, qint64> deliveriesByRecon;
    qint64 eventsLastMinute = 0; ///< events received in the minute before `now`
    qint64 requestsLastHour = 0; ///< Events API requests received in the hour before `now` (its quota: 4,000)
    std::optional<double> ackMsP99LastHour; ///< their answer-time p99 over that hour (its budget: 500 ms)
    /**
     * The forwards to the connector (forward_counts): forwarded, each verdict's name, waiting (queued or sending),
     * given_up, twice (possibly received twice), accepted_invalid and accepted_expired (the connector's 2xx to a
     * request with an invalid or missing signature, or an expired one).
     */
    QMap<QString, qint64> connector;
    /** The connector's answer-time p99 over the forwards of the deliveries received in the last hour. */
    std::optional<double> connectorMsP99LastHour;
};

/** The values a capture suggests for a composed event's fields (StoreReader::composeSuggestions). */
struct ComposeSuggestions
{
    QStringList identifiers;
    QStringList codes;
    QStringList uuids;
    QStringList authors;
};

/** Counts over a whole capture (pimscope stats). */
struct Statistics
{
    qint64 deliveries = 0;
    qint64 events = 0;
    /** Received deliveries whose events are not indexed yet (the writer does it after their commit). */
    qint64 unindexedDeliveries = 0;
    QMap<QString, qint64> byAction; ///< events
    QMap<QString, qint64> byOrigin; ///< deliveries
    QMap<QString, qint64> byFormat; ///< deliveries
    QMap<QString, qint64> byLogLevel; ///< deliveries (log lines)
    QMap<QString, qint64> byLogMessage; ///< deliveries (log lines and replays)
    QMap<QString, qint64> byFlag; ///< events carrying each flag
    QMap<QString, qint64> deliveriesByFlag;
    QMap<QString, qint64> bySignature; ///< deliveries
    std::optional<double> ackMsP50;
    std::optional<double> ackMsP99;
    std::optional<double> ackMsMax;
    /** The most PIM requests (received deliveries and request log lines) in any sliding hour, and when it starts. */
    qint64 maxDeliveriesRollingHour = 0;
    std::optional<qint64> maxRollingHourStartMs;
    std::optional<qint64> firstReceivedMs;
    std::optional<qint64> lastReceivedMs;
};

} // namespace pimscope
