#pragma once

#include <QByteArray>
#include <QFlags>
#include <QString>
#include <QStringList>

#include <optional>

namespace pimscope {

/** Where a delivery came from. Stored as its integer value; exported by name. */
enum class Origin : int { Receiver = 0, Log = 1, Replay = 2 };

/** Payload format detected in a request body (or the format of a log line's events). */
enum class Format : int {
    Unknown = 0, ///< JSON of no known shape, or not JSON at all
    Akeneo = 1, ///< Akeneo Events API envelope {"events":[...]}
    AkeneoTest = 2, ///< the empty-body POST of Akeneo's "Test" button
    AkeneoEventPlatform = 3, ///< Akeneo Event Platform (CloudEvents-like) message
    Quable = 4, ///< Quable webhook notification
};

/** Signature verdict for a delivery. */
enum class Signature : int { Unchecked = 0, Valid = 1, Invalid = 2, Expired = 3, Missing = 4 };

/** Akeneo log levels, ordered by severity so that `level >= warning` is a numeric comparison. */
enum class LogLevel : int { Info = 1, Notice = 2, Warning = 3, Error = 4 };

/** The kind of message of an Akeneo event-subscription log line (or the outcome of a replayed request). */
enum class LogMessage : int {
    Unknown = 0,
    RequestSent = 1,
    EndpointError = 2,
    Timeout = 3,
    RateLimit = 4,
    SameConnection = 5,
    NotSentPermissions = 6,
    PlatformAction = 7, ///< an Event Platform log entry of type action (a subscription created, suspended...)
};

/**
 * How an event compares between an imported PIM log and the captured traffic, by event id (see
 * filter/reconciliation.h). Computed when asked, never stored: it changes as traffic arrives and logs are imported.
 */
enum class Recon : int {
    LoggedSent = 1, ///< received; the log says it was sent (INFO)
    LoggedFailed = 2, ///< received; the log says the request failed (endpoint error or timeout): e.g. answered late
    LoggedNotSent = 3, ///< received; the log says it was not sent (NOTICE)
    MissingFromLog = 4, ///< received at a time the log covers completely, yet the log does not mention it
    Captured = 5, ///< in the log (a request line); the receiver got it
    NotCaptured = 6, ///< in the log (a request line) at a time the receiver was capturing; it never arrived
};

/**
 * Where a delivery's forward to the connector stands (schema v7's forwards table). Stored as its integer value.
 *  - Queued: waiting to be sent (ack mode: in arrival order, or again after a failure, at its next attempt's time);
 *  - Sending: sent, no outcome yet (a forward still Sending when Pimscope starts had its outcome lost: sent again);
 *  - Answered: the connector answered (whatever the status);
 *  - Failed: no answer at all (refused, DNS, TLS, reset, no answer in time); proxy mode's final state;
 *  - GivenUp: ack mode gave up after trying for 24 h.
 */
enum class ForwardState : int { Queued = 0, Sending = 1, Answered = 2, Failed = 3, GivenUp = 4 };

/**
 * What the delivery's sender would make of the connector's answer (SenderProfile::verdictOf): delivered, an endpoint
 * error, a timeout (an answer after its deadline), no answer at all, or an answer that would suspend the subscription
 * (the Event Platform: 404 or 3xx) or disable the webhook (Quable: the third failure in a row). Stored as its value.
 */
enum class ConnectorVerdict : int {
    Sent = 1,
    EndpointError = 2,
    Timeout = 3,
    NoAnswer = 4,
    WouldSuspend = 5,
    WouldDisable = 6,
};

/** Problems flagged on events (and, as a union, on deliveries). Bit values are stored in the database. */
enum class Flag : quint32 {
    Duplicate = 1u << 0, ///< event id seen before
    OutOfOrder = 1u << 1, ///< older than the newest event already stored for the same subject
    Stale = 1u << 2, ///< more than 2 h between event time and receipt
    Self = 1u << 3, ///< authored by the configured "self" author
    BadSignature = 1u << 4, ///< signature invalid, expired or missing
    SlowAck = 1u << 5, ///< answered slower than the source's budget
    Error = 1u << 6, ///< error answer, parse error, ERROR log line, failed replay
};
Q_DECLARE_FLAGS(Flags, Flag)
Q_DECLARE_OPERATORS_FOR_FLAGS(Flags)

/** Every flag, in display order. */
inline constexpr Flag allFlags[]
    = {Flag::Duplicate, Flag::OutOfOrder, Flag::Stale, Flag::Self, Flag::BadSignature, Flag::SlowAck, Flag::Error};

// Names as used in exports and in the filter language. fromName() returns std::nullopt for an unknown name.
QString originName(Origin o);
std::optional<Origin> originFromName(QStringView name);
QStringList originNames();

QString formatName(Format f);
std::optional<Format> formatFromName(QStringView name);
QStringList formatNames();

QString signatureName(Signature s);
std::optional<Signature> signatureFromName(QStringView name);
QStringList signatureNames();

/** Upper case, as in the log file: ERROR, WARNING, NOTICE, INFO. fromName() accepts any case. */
QString logLevelName(LogLevel l);
std::optional<LogLevel> logLevelFromName(QStringView name);
QStringList logLevelNames();

QString logMessageName(LogMessage m);
std::optional<LogMessage> logMessageFromName(QStringView name);
QStringList logMessageNames();

QString reconName(Recon r);
std::optional<Recon> reconFromName(QStringView name);
QStringList reconNames();

QString forwardStateName(ForwardState s);
std::optional<ForwardState> forwardStateFromName(QStringView name);
QStringList forwardStateNames();

QString connectorVerdictName(ConnectorVerdict v);
std::optional<ConnectorVerdict> connectorVerdictFromName(QStringView name);
QStringList connectorVerdictNames();

QString flagName(Flag f);
std::optional<Flag> flagFromName(QStringView name);
QStringList flagNames(Flags flags);
QStringList allFlagNames();

} // namespace pimscope
