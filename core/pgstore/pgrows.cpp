#include "pgrows.h"

#include "pgconnection.h"

#include "formats/payloadparser.h"
#include "store/headercodec.h"

#include <libpq-fe.h>

#include <utility>
#include <vector>

namespace pimscope {

namespace {

/** The columns of pgSelectDeliveries (a namespace of their own: names such as Headers are taken). */
namespace col {
enum : int {
    Id,
    Rev,
    ReceivedAt,
    ChangedAt,
    Method,
    Path,
    Remote,
    Headers,
    Body,
    BodySize,
    FormatColumn,
    SignatureColumn,
    SignatureDetail,
    AnsweredStatus,
    AckMs,
    Error,
    Warnings,
    FTarget,
    FAckMode,
    FState,
    FAttempts,
    FSentAt,
    FFirstByte,
    FEnd,
    FStatus,
    FVerdict,
    FTwice,
    FBodySize,
    FError,
    FHeaders,
    FBody,
    Count,
};
static_assert(int(Id) == int(pgcol::Id) && int(Rev) == int(pgcol::Rev) && int(ChangedAt) == int(pgcol::ChangedAt)
              && int(Count) == int(pgcol::Count));
} // namespace col

/** pgDeliveryOf's work (here, where the column names are looked up before the namespace's own Headers). */
FollowedDelivery deliveryOf(const PgBinaryRow &r, PayloadParser *parser)
{
    using namespace col;

    FollowedDelivery f;
    f.remoteId = r.int64(Id);
    Delivery &d = f.delivery;
    d.id = f.remoteId;
    d.origin = Origin::Receiver;
    d.receivedAtMs = r.int64(ReceivedAt);
    d.method = r.bytes(Method);
    d.path = r.bytes(Path);
    d.remote = r.text(Remote);
    d.headers = headercodec::decode(r.bytes(Headers));
    d.body = r.bytes(Body);
    d.bodySize = r.int64(BodySize);
    d.format = Format(r.int32(FormatColumn));
    d.signature = Signature(r.int32(SignatureColumn));
    d.signatureDetail = r.text(SignatureDetail);
    d.answeredStatus = r.optionalInt(AnsweredStatus);
    d.ackMs = r.optionalDouble(AckMs);
    d.error = r.text(Error);
    if (!r.isNull(Warnings))
        d.warnings = r.text(Warnings).split(u'\n');
    if (parser) {
        // The events read here, as the capture reads the receiver's; the receiver's verdicts (its format, its error)
        // stay.
        ParseResult parsed = parser->parse(d.body);
        d.events = std::move(parsed.events);
        for (const QString &w : std::as_const(parsed.warnings)) {
            if (!d.warnings.contains(w))
                d.warnings.append(w);
        }
    }
    if (!r.isNull(FTarget)) {
        ConnectorAnswer &c = f.forward.emplace();
        c.deliveryId = f.remoteId;
        c.target = r.text(FTarget);
        c.ackMode = r.flag(FAckMode);
        c.state = ForwardState(r.int32(FState));
        c.attempts = r.int32(FAttempts);
        c.sentAtMs = r.optionalInt64(FSentAt);
        c.firstByteMs = r.optionalDouble(FFirstByte);
        c.endMs = r.optionalDouble(FEnd);
        c.status = r.optionalInt(FStatus);
        if (const auto v = r.optionalInt(FVerdict))
            c.verdict = ConnectorVerdict(*v);
        c.possiblyTwice = r.flag(FTwice);
        c.bodySize = r.int64(FBodySize);
        c.error = r.text(FError);
        c.headers = headercodec::decode(r.bytes(FHeaders));
        c.body = r.bytes(FBody);
    }
    return f;
}

} // namespace

bool PgBinaryRow::isNull(int column) const
{
    return PQgetisnull(m_result, m_row, column) == 1;
}

int PgBinaryRow::length(int column) const
{
    return PQgetlength(m_result, m_row, column);
}

const char *PgBinaryRow::value(int column) const
{
    return PQgetvalue(m_result, m_row, column);
}

QByteArray PgBinaryRow::bytes(int column) const
{
    return isNull(column) ? QByteArray() : QByteArray(value(column), length(column));
}

int PgBinaryRow::int32(int column) const
{
    switch (length(column)) {
    case 2:
        return integer<qint16>(column);
    case 4:
        return integer<qint32>(column);
    default:
        return int(integer<qint64>(column));
    }
}

std::optional<double> PgBinaryRow::optionalDouble(int column) const
{
    if (isNull(column))
        return std::nullopt;
    const auto bits = integer<quint64>(column);
    double result = 0;
    std::memcpy(&result, &bits, sizeof result);
    return result;
}

bool PgBinaryRow::flag(int column) const
{
    return !isNull(column) && value(column)[0] != 0;
}

PgBinaryResult::PgBinaryResult(pg_result *result)
    : m_result(result)
{
}

PgBinaryResult::~PgBinaryResult()
{
    PQclear(m_result);
}

PgBinaryResult::PgBinaryResult(PgBinaryResult &&other) noexcept
    : m_result(std::exchange(other.m_result, nullptr))
{
}

int PgBinaryResult::rows() const
{
    return PQntuples(m_result);
}

Result<PgBinaryResult> pgSelectBinary(PgConnection &connection, const char *sql, const QList<QByteArray> &parameters)
{
    std::vector<const char *> values;
    values.reserve(std::size_t(parameters.size()));
    for (const QByteArray &p : parameters)
        values.push_back(p.isNull() ? nullptr : p.constData());
    pg_result *result
        = PQexecParams(connection.raw(), sql, int(values.size()), nullptr, values.data(), nullptr, nullptr, 1);
    if (const QString error = connection.failureOf(result); !error.isNull())
        return Result<PgBinaryResult>::failure(error);
    return PgBinaryResult(result);
}

QByteArray pgSelectDeliveries(bool hasChangedAt, bool withBody, const QByteArray &moreColumns)
{
    const QByteArray changedAt = hasChangedAt ? "coalesce(d.changed_at, d.stored_at)" : "d.stored_at";
    const QByteArray body = withBody ? "d.body" : "''::bytea";
    return "SELECT d.id, d.rev, d.received_at_ms, (extract(epoch FROM " + changedAt
        + ") * 1000)::bigint, d.method, d.path, d.remote, d.headers, " + body
        + ", d.body_size, d.format, d.signature, d.signature_detail, d.answered_status, d.ack_ms, d.error, "
          "d.warnings, f.target, f.ack_mode, f.state, f.attempts, f.sent_at_ms, f.first_byte_ms, f.end_ms, f.status, "
          "f.verdict, f.twice, f.body_size, f.error, f.headers, f.body"
        + moreColumns + " FROM deliveries d LEFT JOIN forwards f ON f.delivery_id = d.id";
}

FollowedDelivery pgDeliveryOf(const PgBinaryRow &row, PayloadParser *parser)
{
    return deliveryOf(row, parser);
}

} // namespace pimscope
