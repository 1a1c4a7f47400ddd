#pragma once

// The parameters of StoreWriter's prepared statements, by name: each statement's SQL names its parameters
// (:origin, ...), SqliteStatement::prepare() checks them against these lists once, and the code binds by the enums
// below, whose values are the parameters' numbers in the same order.

#include <iterator>

namespace pimscope::writersql {

/** INSERT INTO deliveries: one parameter per column, named as the column. */
struct DeliveryParam
{
    enum : int {
        Origin = 1,
        ReceivedAt,
        Method,
        Path,
        Remote,
        Headers,
        Body,
        BodySize,
        Format,
        Signature,
        SignatureDetail,
        AnsweredStatus,
        AckMs,
        EventCount,
        Error,
        Warnings,
        LogLevel,
        LogMessage,
        StatusCode,
        Url,
        LogFile,
        LogLine,
        Flags,
        Indexed,
        ImportId,
        LogKey,
    };
};
inline constexpr const char *deliveryParams[] = {
    ":origin",
    ":received_at",
    ":method",
    ":path",
    ":remote",
    ":headers",
    ":body",
    ":body_size",
    ":format",
    ":signature",
    ":signature_detail",
    ":answered_status",
    ":ack_ms",
    ":event_count",
    ":error",
    ":warnings",
    ":log_level",
    ":log_message",
    ":status_code",
    ":url",
    ":log_file",
    ":log_line",
    ":flags",
    ":indexed",
    ":import_id",
    ":log_key",
};
static_assert(std::size(deliveryParams) == DeliveryParam::LogKey);

/** INSERT INTO events: one parameter per column, named as the column. */
struct EventParam
{
    enum : int {
        DeliveryId = 1,
        Seq,
        Origin,
        ReceivedAt,
        EventId,
        Action,
        EventTime,
        Author,
        AuthorType,
        PimSource,
        SubjectType,
        SubjectId,
        SubjectUuid,
        Flags,
        PayloadOffset,
        PayloadLength,
        EventKey,
        SubjectKey,
        Attempt,
        RetryOf,
    };
};
inline constexpr const char *eventParams[] = {
    ":delivery_id",    ":seq",        ":origin",       ":received_at", ":event_id",
    ":action",         ":event_time", ":author",       ":author_type", ":pim_source",
    ":subject_type",   ":subject_id", ":subject_uuid", ":flags",       ":payload_offset",
    ":payload_length", ":event_key",  ":subject_key",  ":attempt",     ":retry_of",
};
static_assert(std::size(eventParams) == EventParam::RetryOf);
/** The text columns of an event in PreparedEvents' order. */
inline constexpr int eventTextParams[]
    = {EventParam::EventId,   EventParam::Action,      EventParam::Author,    EventParam::AuthorType,
       EventParam::PimSource, EventParam::SubjectType, EventParam::SubjectId, EventParam::SubjectUuid};

/** UPDATE deliveries SET flags (the union of its events'). */
struct UpdateFlags
{
    enum : int { Flags = 1, Id };
};
inline constexpr const char *updateFlagsParams[] = {":flags", ":id"};

/** A delivery's events were indexed after its commit. */
struct MarkIndexed
{
    enum : int { Flags = 1, EventCount, Warnings, Id };
};
inline constexpr const char *markIndexedParams[] = {":flags", ":event_count", ":warnings", ":id"};

/** The answer time, and slow_ack past the format's budget. */
struct RecordAck
{
    enum : int { AckMs = 1, Id };
};
inline constexpr const char *recordAckParams[] = {":ack_ms", ":id"};

/** slow_ack onto the events of a delivery that has it. */
struct MarkEventsSlow
{
    enum : int { DeliveryId = 1 };
};
inline constexpr const char *markEventsSlowParams[] = {":delivery_id"};

/** A log line stored already (by another import). */
struct FindLogKey
{
    enum : int { LogKey = 1, ImportId };
};
inline constexpr const char *findLogKeyParams[] = {":log_key", ":import_id"};

/** INSERT INTO forwards ... ON CONFLICT DO UPDATE (forwardjournal.cpp): one parameter per column, named as it. */
struct ForwardParam
{
    enum : int {
        DeliveryId = 1,
        Target,
        AckMode,
        State,
        Attempts,
        SentAt,
        FirstByteMs,
        EndMs,
        Status,
        Headers,
        Body,
        BodySize,
        Error,
        Verdict,
        Twice,
        NextAt,
        RequestHeaders,
    };
};
inline constexpr const char *forwardParams[] = {
    ":delivery_id", ":target",  ":ack_mode",        ":state", ":attempts",  ":sent_at", ":first_byte_ms",
    ":end_ms",      ":status",  ":headers",         ":body",  ":body_size", ":error",   ":verdict",
    ":twice",       ":next_at", ":request_headers",
};
static_assert(std::size(forwardParams) == ForwardParam::RequestHeaders);

/** The status the PIM got (a connector's, passed on), with error when its sender counts it as failed. */
struct PassedOnStatus
{
    enum : int { Status = 1, Flags, Id };
};
inline constexpr const char *passedOnStatusParams[] = {":status", ":flags", ":id"};

/** error onto the indexed events of a delivery whose passed-on status failed. */
struct MarkEventsFailed
{
    enum : int { Flags = 1, DeliveryId };
};
inline constexpr const char *markEventsFailedParams[] = {":flags", ":delivery_id"};

/** INSERT INTO edits: what a request Pimscope sent was made from (schema v9). */
struct EditParam
{
    enum : int { DeliveryId = 1, SourceEvent, SourceDelivery, Template, Faults, HandEdited };
};
inline constexpr const char *editParams[]
    = {":delivery_id", ":source_event", ":source_delivery", ":template", ":faults", ":hand_edited"};
static_assert(std::size(editParams) == EditParam::HandEdited);

/** A delivery's format. */
struct FormatOf
{
    enum : int { Id = 1 };
};
inline constexpr const char *formatOfParams[] = {":id"};

} // namespace pimscope::writersql
