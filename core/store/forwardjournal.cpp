// StoreWriter: the forwards to the connector (the forwards table of schema v7), one row per forwarded delivery.

#include "headercodec.h"
#include "storewriter.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace pimscope {

namespace {

template<typename T>
QVariant optional(const std::optional<T> &v, QMetaType::Type type)
{
    return v ? QVariant::fromValue(*v) : QVariant(QMetaType(type));
}

} // namespace

Result<void> StoreWriter::writeForward(const ConnectorAnswer &f)
{
    QSqlQuery q(m_connection->db());
    q.prepare(QStringLiteral(
        "INSERT INTO forwards (delivery_id, target, ack_mode, state, attempts, sent_at, first_byte_ms, end_ms, status, "
        "headers, body, body_size, error, verdict, twice, next_at, request_headers) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        // An upsert, not a REPLACE: the counting triggers see an update (a REPLACE's delete fires no trigger).
        "ON CONFLICT (delivery_id) DO UPDATE SET target = excluded.target, ack_mode = excluded.ack_mode, "
        "state = excluded.state, attempts = excluded.attempts, sent_at = excluded.sent_at, "
        "first_byte_ms = excluded.first_byte_ms, end_ms = excluded.end_ms, status = excluded.status, "
        "headers = excluded.headers, body = excluded.body, body_size = excluded.body_size, error = excluded.error, "
        "verdict = excluded.verdict, twice = excluded.twice, next_at = excluded.next_at, "
        "request_headers = excluded.request_headers"));
    q.addBindValue(f.deliveryId);
    q.addBindValue(f.target);
    q.addBindValue(int(f.ackMode));
    q.addBindValue(int(f.state));
    q.addBindValue(f.attempts);
    q.addBindValue(optional(f.sentAtMs, QMetaType::LongLong));
    q.addBindValue(optional(f.firstByteMs, QMetaType::Double));
    q.addBindValue(optional(f.endMs, QMetaType::Double));
    q.addBindValue(optional(f.status, QMetaType::Int));
    q.addBindValue(f.status ? QVariant(headercodec::encode(f.headers)) : QVariant(QMetaType(QMetaType::QByteArray)));
    q.addBindValue(f.status ? QVariant(f.body) : QVariant(QMetaType(QMetaType::QByteArray)));
    q.addBindValue(f.bodySize);
    q.addBindValue(f.error.isNull() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(f.error));
    q.addBindValue(f.verdict ? QVariant(int(*f.verdict)) : QVariant(QMetaType(QMetaType::Int)));
    q.addBindValue(int(f.possiblyTwice));
    q.addBindValue(optional(f.nextAttemptAtMs, QMetaType::LongLong));
    const bool queued = f.state == ForwardState::Queued || f.state == ForwardState::Sending;
    q.addBindValue(queued ? QVariant(headercodec::encode(f.requestHeaders))
                          : QVariant(QMetaType(QMetaType::QByteArray)));
    if (!q.exec())
        return Result<void>::failure(QStringLiteral("cannot record a forward: ") + q.lastError().text());
    return {};
}

Result<void> StoreWriter::apply(writerjobs::RecordForwards &job, quint64 ticket)
{
    for (const ConnectorAnswer &f : std::as_const(job.forwards)) {
        if (auto r = writeForward(f); !r)
            return r;
    }
    m_batch.forwards.append(ticket);
    return {};
}

} // namespace pimscope
