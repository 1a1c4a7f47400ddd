#include "pgbacklog.h"

#include "pgconnection.h"
#include "pgrows.h"

#include "store/headercodec.h"

#include <QHash>
#include <QStringList>

namespace pimscope {

namespace {

/** A PostgreSQL array literal of numbers: {1,2,3}. */
template<typename List, typename ToNumber>
QByteArray arrayOf(const List &values, ToNumber toNumber)
{
    QByteArray array = "{";
    for (const auto &v : values) {
        if (array.size() > 1)
            array += ',';
        array += QByteArray::number(toNumber(v));
    }
    return array + '}';
}

} // namespace

Result<std::unique_ptr<PgBacklog>> PgBacklog::open(const PgTarget &target, const QByteArray &password,
                                                   const QString &queue)
{
    std::unique_ptr<PgBacklog> backlog(new PgBacklog(target, password, queue));
    auto connection = PgConnection::open(target, password);
    if (!connection)
        return Result<std::unique_ptr<PgBacklog>>::failure(connection.error());
    backlog->m_connection = std::move(*connection);
    return {std::move(backlog)};
}

PgBacklog::PgBacklog(PgTarget target, QByteArray password, QString queue)
    : m_target(std::move(target))
    , m_password(std::move(password))
    , m_queue(std::move(queue))
{
}

PgBacklog::~PgBacklog() = default;

Result<PgBinaryResult> PgBacklog::select(const QByteArray &sql, const QList<QByteArray> &parameters)
{
    // A connection lost while idle (the server restarted) is known lost only once a query fails on it: then one more
    // try on a new one.
    for (int attempt = 0;; ++attempt) {
        if (!m_connection || !m_connection->alive()) {
            auto connection = PgConnection::open(m_target, m_password);
            if (!connection)
                return Result<PgBinaryResult>::failure(connection.error());
            m_connection = std::move(*connection);
        }
        auto result = pgSelectBinary(*m_connection, sql.constData(), parameters);
        if (result || attempt > 0 || m_connection->alive())
            return result;
    }
}

Result<QList<ConnectorAnswer>> PgBacklog::queuedForwards(const QList<ForwardState> &states)
{
    using R = Result<QList<ConnectorAnswer>>;
    // The delivery's columns, then when the forward is due and the headers to send.
    static const QByteArray sql = pgSelectDeliveries(true, false, ", f.next_at, f.request_headers")
        + " WHERE f.ack_mode AND f.queue = $1 AND f.state = ANY($2::smallint[]) ORDER BY d.id";
    const auto result = select(sql, {m_queue.toUtf8(), arrayOf(states, [](ForwardState s) { return int(s); })});
    if (!result)
        return R::failure(result.error());
    QList<ConnectorAnswer> forwards;
    forwards.reserve(result->rows());
    for (int i = 0; i < result->rows(); ++i) {
        const PgBinaryRow row = result->row(i);
        auto f = pgDeliveryOf(row, nullptr).forward;
        if (!f)
            continue;
        f->nextAttemptAtMs = row.optionalInt64(pgcol::Count);
        f->requestHeaders = headercodec::decode(row.bytes(pgcol::Count + 1));
        forwards.append(std::move(*f));
    }
    return forwards;
}

Result<QList<Delivery>> PgBacklog::forwardedDeliveries(const QList<qint64> &ids, bool withBody)
{
    using R = Result<QList<Delivery>>;
    const auto result = select(pgSelectDeliveries(true, withBody) + " WHERE d.id = ANY($1::bigint[])",
                               {arrayOf(ids, [](qint64 id) { return id; })});
    if (!result)
        return R::failure(result.error());
    QHash<qint64, Delivery> byId;
    byId.reserve(result->rows());
    for (int i = 0; i < result->rows(); ++i) {
        Delivery d = pgDeliveryOf(result->row(i), nullptr).delivery;
        const qint64 id = d.id;
        byId.emplace(id, std::move(d));
    }
    QList<Delivery> deliveries;
    deliveries.reserve(byId.size());
    for (const qint64 id : ids) {
        if (auto it = byId.find(id); it != byId.end())
            deliveries.append(std::move(*it));
    }
    return deliveries;
}

} // namespace pimscope
