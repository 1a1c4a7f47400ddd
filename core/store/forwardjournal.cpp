// StoreWriter: the forwards to the connector (the forwards table of schema v7), one row per forwarded delivery.

#include "headercodec.h"
#include "storewriter.h"

#include "writerstatements.h"

namespace pimscope {

Result<void> StoreWriter::writeForward(const ConnectorAnswer &f)
{
    using P = writersql::ForwardParam;
    SqliteStatement &q = m_sql->upsertForward;
    // Bound as blobs without a copy: they live until exec() returns.
    const QByteArray headers = f.status ? headercodec::encode(f.headers) : QByteArray();
    const bool queued = f.state == ForwardState::Queued || f.state == ForwardState::Sending;
    const QByteArray requestHeaders = queued ? headercodec::encode(f.requestHeaders) : QByteArray();
    q.bind(P::DeliveryId, f.deliveryId);
    q.bind(P::Target, f.target);
    q.bind(P::AckMode, int(f.ackMode));
    q.bind(P::State, int(f.state));
    q.bind(P::Attempts, f.attempts);
    q.bind(P::SentAt, f.sentAtMs);
    q.bind(P::FirstByteMs, f.firstByteMs);
    q.bind(P::EndMs, f.endMs);
    q.bind(P::Status, f.status);
    if (f.status) {
        q.bindBlob(P::Headers, headers);
        q.bindBlob(P::Body, f.body);
    } else {
        q.bindNull(P::Headers);
        q.bindNull(P::Body);
    }
    q.bind(P::BodySize, f.bodySize);
    q.bind(P::Error, f.error); // a null QString binds NULL
    if (f.verdict)
        q.bind(P::Verdict, int(*f.verdict));
    else
        q.bindNull(P::Verdict);
    q.bind(P::Twice, int(f.possiblyTwice));
    q.bind(P::NextAt, f.nextAttemptAtMs);
    if (queued)
        q.bindBlob(P::RequestHeaders, requestHeaders);
    else
        q.bindNull(P::RequestHeaders);
    if (!q.exec())
        return Result<void>::failure(QStringLiteral("cannot record a forward: ") + q.errorString());
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
