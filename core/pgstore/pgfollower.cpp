#include "pgfollower.h"

#include "pgconnection.h"
#include "pgrows.h"
#include "pgschema.h"
#include "pgstore.h"

#include "formats/payloadparser.h"
#include "store/eventstore.h"
#include "store/storereader.h"

#include <QDateTime>
#include <QSocketNotifier>

namespace pimscope {

namespace {

/**
 * The first copy's since conditions on deliveries `d`, their values appended to `parameters` ($3, $4): written only
 * when given, as a condition that holds for every row still makes PostgreSQL's planner, whose statistics lag behind a
 * table just filled, sort every remaining row for each batch rather than walk the rev index (236 ms against 10 ms a
 * batch of 2,000 with 30,000 left).
 */
QByteArray sinceConditions(const PgFollower::Options &options, QList<QByteArray> *parameters)
{
    QByteArray sql;
    if (options.sinceId) {
        parameters->append(QByteArray::number(*options.sinceId));
        sql += " AND d.id >= $" + QByteArray::number(parameters->size());
    }
    if (options.sinceMs) {
        parameters->append(QByteArray::number(*options.sinceMs));
        sql += " AND d.received_at_ms >= $" + QByteArray::number(parameters->size());
    }
    return sql;
}

/**
 * What changed after a change number ($1), oldest first, at most $2 rows, each delivery with its connector's answer:
 * read in binary, so that a catch-up of 100,000 deliveries spends its time storing, not decoding. With when it changed
 * on the server (a store of schema 1 says when each delivery was inserted only).
 */
QByteArray changesSql(bool hasChangedAt, const PgFollower::Options &options, QList<QByteArray> *parameters)
{
    return pgSelectDeliveries(hasChangedAt) + " WHERE d.rev > $1" + sinceConditions(options, parameters)
        + " ORDER BY d.rev LIMIT $2";
}

} // namespace

PgFollower::PgFollower(EventStore *capture, PgTarget target, QByteArray password, const Options &options,
                       QObject *parent)
    : QObject(parent)
    , m_capture(capture)
    , m_target(std::move(target))
    , m_password(std::move(password))
    , m_options(options)
    , m_parser(std::make_unique<PayloadParser>())
    , m_retry(this)
{
    m_retry.setSingleShot(true);
    m_retry.setInterval(m_options.retryMs);
    QObject::connect(&m_retry, &QTimer::timeout, this, &PgFollower::retry);
    // The writer says which batches it could not commit, from its own thread, into a state it shares (a call under
    // way when the follower goes keeps it alive).
    m_failures = QObject::connect(
        m_capture, &EventStore::storeFailed, this,
        [failed = m_failed](const QList<quint64> &tickets, const QString &error) {
            std::lock_guard lock(failed->mutex);
            for (quint64 t : tickets)
                failed->tickets.insert(t, error);
        },
        Qt::DirectConnection);
}

PgFollower::~PgFollower()
{
    m_stopped = true;
    (void)settle(true);
    endBulk();
    QObject::disconnect(m_failures);
}

void PgFollower::considerBulk()
{
    // Counted up to the threshold only, along the rev index (a count of everything missing read the whole table:
    // 0.3 s of the server's time before a catch-up of 100,000 deliveries could start).
    QByteArray sql = "SELECT count(*) FROM (SELECT 1 FROM deliveries d WHERE d.rev > $1";
    QList<QByteArray> parameters{QByteArray::number(m_readRev), QByteArray::number(m_options.bulkFrom)};
    sql += sinceConditions(m_options, &parameters) + " ORDER BY d.rev LIMIT $2) s";
    const auto missing = m_connection->exec(sql, parameters);
    if (!missing || missing->rows.value(0).value(0).value_or(QByteArray()).toLongLong() < m_options.bulkFrom)
        return;
    m_bulk = true;
    m_capture->beginBulk();
}

void PgFollower::endBulk()
{
    if (!m_bulk)
        return;
    m_bulk = false;
    m_capture->waitForTicket(m_capture->endBulk(), 600'000);
}

void PgFollower::cancel()
{
    std::lock_guard lock(m_connectionMutex);
    m_cancelled = true;
    if (m_connection)
        m_connection->cancel();
}

bool PgFollower::finish()
{
    m_stopped = true;
    return settle(true);
}

void PgFollower::useConnection(std::unique_ptr<PgConnection> connection)
{
    std::lock_guard lock(m_connectionMutex);
    m_connection = std::move(connection);
}

bool PgFollower::connected() const
{
    return m_connection != nullptr;
}

Result<void> PgFollower::start()
{
    if (m_cancelled)
        return Result<void>::failure(QStringLiteral("cancelled"));
    if (auto c = connectToServer(); !c)
        return c;
    if (m_cancelled) // while connecting: nothing to cancel on the server yet
        return Result<void>::failure(QStringLiteral("cancelled"));
    // Read on a connection of this thread's own (the follower may live in a thread of its own, the capture's reader
    // in the window's).
    auto reader = StoreReader::open(m_capture->path());
    if (!reader)
        return Result<void>::failure(reader.error());
    const auto servers = (*reader)->followedServers();
    if (!servers)
        return Result<void>::failure(servers.error());
    for (const FollowedServer &s : *servers) {
        if (s.storeId == m_storeId) {
            m_resumed = true;
            m_readRev = m_committedRev = s.lastRev;
        }
    }
    if (m_resumed) {
        m_options.sinceId.reset();
        m_options.sinceMs.reset();
    }
    considerBulk();
    schedule();
    return {};
}

Result<void> PgFollower::connectToServer(bool *lasting)
{
    using R = Result<void>;
    auto opened = PgConnection::open(m_target, m_password);
    if (!opened)
        return R::failure(opened.error());
    PgConnection &c = **opened;
    const auto info = inspectPgStore(c);
    if (lasting) // past this point, what fails is what the database holds, not reaching it
        *lasting = true;
    if (!info)
        return R::failure(info.error());
    if (info->version == 0 || info->storeId.isEmpty())
        return R::failure(QStringLiteral("the database %1 at %2 is not a Pimscope store yet (no receiver has written "
                                         "to it: pimscope receive --store %3)")
                              .arg(m_target.database, m_target.address(), m_target.url()));
    if (!m_storeId.isEmpty() && info->storeId != m_storeId)
        return R::failure(QStringLiteral("%1 holds another Pimscope store than the one followed until now (its id "
                                         "was %2, it is %3): not copied into the same capture")
                              .arg(m_target.url(), m_storeId, info->storeId));
    m_storeId = info->storeId;
    m_hasChangedAt = info->version >= 2;
    // A statement the follower waits for longer than a minute fails (and is read again after retryMs): the bound of a
    // stop whose cancel came between the follower's check and the statement's start (the server drops a cancel that
    // finds nothing running).
    if (auto listening = c.run(QByteArray("SET statement_timeout = 60000; LISTEN ") + PgStore::channel); !listening)
        return listening;
    useConnection(std::move(*opened));
    m_notifier = std::make_unique<QSocketNotifier>(m_connection->socket(), QSocketNotifier::Read);
    QObject::connect(m_notifier.get(), &QSocketNotifier::activated, this, &PgFollower::readable);
    return {};
}

void PgFollower::lose(const QString &why)
{
    if (!m_connection)
        return;
    m_notifier.reset();
    useConnection(nullptr);
    endBulk(); // the capture gets its indexes back while the server is away
    if (m_cancelled) // what failed is the statement cancelled
        return;
    m_lastSaid = why;
    Q_EMIT connectionChanged(false, why);
    m_retry.start();
}

void PgFollower::retry()
{
    if (stopped())
        return;
    bool lasting = false;
    if (const auto c = connectToServer(&lasting); !c) {
        if (lasting) { // what is there is not (or no longer) the store followed: retrying cannot help
            m_stopped = true;
            Q_EMIT failed(c.error());
            return;
        }
        if (c.error() != m_lastSaid) { // a new reason (a password changed meanwhile, say): said
            m_lastSaid = c.error();
            Q_EMIT connectionChanged(false, c.error());
        }
        m_retry.start();
        return;
    }
    m_lastSaid.clear();
    Q_EMIT connectionChanged(true, QStringLiteral("%1 can be read again").arg(m_target.url()));
    schedule();
}

void PgFollower::readable()
{
    if (!m_connection)
        return;
    const auto notified = m_connection->takeNotifications();
    if (!notified) {
        lose(notified.error());
        return;
    }
    if (!notified->isEmpty())
        schedule();
}

void PgFollower::schedule()
{
    if (m_scheduled || stopped())
        return;
    m_scheduled = true;
    QTimer::singleShot(0, this, &PgFollower::fetchMore);
}

bool PgFollower::settle(bool all)
{
    while (!m_inFlight.empty()) {
        const InFlight done = m_inFlight.front();
        m_inFlight.pop_front();
        // A capture busy with something long (a large import's indexes) is waited for, ten minutes at most.
        bool finished = false;
        for (int minute = 0; minute < 10 && !finished; ++minute)
            finished = m_capture->waitForTicket(done.ticket, 60'000);
        QString error;
        {
            std::lock_guard lock(m_failed->mutex);
            error = m_failed->tickets.take(done.ticket);
            // Older tickets are other jobs' (a follower's own are settled in order).
            m_failed->tickets.removeIf([&done](const auto &failure) { return failure.key() < done.ticket; });
        }
        if (!finished)
            error = QStringLiteral("the capture did not commit a batch in 10 minutes");
        if (!error.isNull()) {
            // The later batches are refused by the capture (each must follow a committed one): nothing more is
            // read, and what was not committed is read again by the next follower.
            m_stopped = true;
            m_inFlight.clear();
            m_readRev = m_committedRev;
            endBulk();
            Q_EMIT failed(
                QStringLiteral("the capture could not store what was read from %1: %2").arg(m_target.url(), error));
            return false;
        }
        m_committedRev = done.rev;
        m_copied += done.changes;
        const auto lagMs = double(QDateTime::currentMSecsSinceEpoch() - done.newestChangeMs);
        Q_EMIT copied(done.changes, done.rev, std::max(0.0, lagMs));
        if (!all)
            break;
    }
    return true;
}

void PgFollower::fetchMore()
{
    m_scheduled = false;
    if (stopped() || !m_connection)
        return;
    QList<QByteArray> parameters{QByteArray::number(m_readRev), QByteArray::number(m_options.batch)};
    const QByteArray sql = changesSql(m_hasChangedAt, m_options, &parameters);
    const auto result = pgSelectBinary(*m_connection, sql.constData(), parameters);
    if (!result) {
        lose(result.error());
        return;
    }
    const int rows = result->rows();
    if (rows == 0) {
        if (!settle(true))
            return;
        endBulk(); // the indexes built again once, before the capture is said to be caught up
        Q_EMIT caughtUp(m_committedRev);
        // Notifications that came while the query ran are in libpq's list, not on the socket any more.
        readable();
        return;
    }
    FollowBatch batch;
    batch.storeId = m_storeId;
    batch.url = m_target.url();
    batch.afterRev = m_readRev;
    batch.rows.reserve(rows);
    InFlight next;
    for (int i = 0; i < rows; ++i) {
        const PgBinaryRow row = result->row(i);
        batch.rows.append(pgDeliveryOf(row, m_parser.get()));
        next.rev = row.int64(pgcol::Rev);
        next.newestChangeMs = std::max(next.newestChangeMs, row.int64(pgcol::ChangedAt));
    }
    batch.upToRev = next.rev;
    next.changes = rows;
    // A few batches in flight: the capture commits them while the next is read. Those committed already are said
    // now (their lag is theirs, not the queue's).
    while (!m_inFlight.empty() && m_capture->waitForTicket(m_inFlight.front().ticket, 0)) {
        if (!settle())
            return;
    }
    if (int(m_inFlight.size()) >= std::max(1, m_options.inFlight) && !settle())
        return;
    next.ticket = m_capture->follow(std::move(batch));
    m_inFlight.push_back(next);
    m_readRev = next.rev;
    schedule();
}

} // namespace pimscope
