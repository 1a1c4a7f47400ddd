#pragma once

#include <QString>
#include <QVariantList>
#include <QtGlobal>

#include <memory>
#include <vector>

namespace pimscope {

/** A filter syntax or type error: where it is in the filter text (QChar offsets from 0) and what is wrong. */
struct FilterError
{
    qsizetype position = -1; ///< -1 when there is no error
    qsizetype length = 0; ///< how many QChars to underline, at least 1 for an error (0 at the end of the text)
    QString message; ///< complete sentence for people, naming the position ("... at 12 ...")
};

namespace filter {

/**
 * The fields of the filter language, after alias resolution. The parser knows their names and value types;
 * the SQL compiler knows their columns.
 */
enum class Field : quint8 {
    Id,
    DeliveryId,
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
    Subject, ///< subject_id or subject_uuid
    Flags,
    Attempt, ///< 1, or 2.. for a retry of a sender that retries
    RetryOf, ///< the id of a retry's first attempt
    Payload,
    Text, ///< anywhere: the event payload (on deliveries also body, error, url, path)
    Format,
    Signature,
    LogLevel,
    LogMessage,
    StatusCode,
    Status, ///< status_code, else answered_status
    Method,
    Path,
    Remote,
    Headers,
    Body,
    BodySize,
    AnsweredStatus,
    AckMs,
    EventCount,
    Error,
    Warnings,
    SignatureDetail,
    Url,
    LogFile,
    LogLine,
    Recon, ///< computed: how the event compares between imported logs and the captured traffic
    // The forward to the connector (schema v7's forwards table; NULL for a delivery not forwarded).
    ConnectorStatus,
    ConnectorMs, ///< from sending to the answer's end
    ConnectorVerdict,
    ForwardState,
    ConnectorTwice, ///< 1: sent again after a stop mid-request, possibly received twice
};

/** What a field's values are, which decides the operators it accepts and how values are read. */
enum class ValueType : quint8 {
    Text, ///< == != ~ matches in < <= > >= (lexicographic)
    Integer, ///< == != < <= > >= in; values are whole numbers
    Duration, ///< like Integer; values are durations (500ms, 2s, 5m, 2h, 1d) or plain milliseconds
    Time, ///< like Integer; values are ISO date-times (UTC without a zone) or epoch milliseconds
    Enum, ///< == != in by name, ~ and matches against the names; < > only when ordered (log_level)
    Flags, ///< == != in ~ matches against flag names: a bit test
    AnyText, ///< the pseudo-field `text`: ~ and matches only
};

/**
 * What an atom tests, after the parser resolved the values. `negated` inverts the whole atom with two-valued
 * logic: a negated atom is true whenever the positive one is not true (NULL included).
 */
enum class CompareOp : quint8 {
    Eq, ///< values: one (QString, qint64 or double by the field's type)
    Lt, ///< values: one
    Le, ///< values: one
    Gt, ///< values: one
    Ge, ///< values: one
    In, ///< values: one or more
    Contains, ///< values: one QString, case-insensitive substring
    Matches, ///< values: one QString, a valid QRegularExpression pattern
    HasAnyFlag, ///< values: one qint64 bit mask (non-zero)
};

/**
 * One node of a parsed filter. And/Or hold two or more children, Not exactly one; Compare and Constant are
 * leaves. A normalized tree (see SqlCompiler::normalize) has no Not nodes, no nested And in And (or Or in Or)
 * and no Constant below the root.
 */
struct Node
{
    enum class Kind : quint8 { And, Or, Not, Compare, Constant };

    Kind kind = Kind::Constant;
    qsizetype position = 0; ///< where the node starts in the filter text
    qsizetype length = 0;

    std::vector<std::unique_ptr<Node>> children; // And, Or, Not

    // Compare
    Field field = Field::Text;
    CompareOp op = CompareOp::Eq;
    bool negated = false;
    QVariantList values;

    // Constant
    bool constant = true;
};

using NodePtr = std::unique_ptr<Node>;

} // namespace filter
} // namespace pimscope
