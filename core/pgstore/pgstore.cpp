#include "pgstore.h"

#include "pgbacklog.h"
#include "pgconnection.h"
#include "pgschema.h"

#include "formats/payloadparser.h"
#include "store/headercodec.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QSysInfo>

#include <libpq-fe.h>

namespace pimscope {

namespace {

constexpr qint64 kMaxGroupBytes = qint64{16} * 1024 * 1024; ///< bodies in one transaction, at most (about)

const char *const kInsertDelivery
    = "INSERT INTO deliveries (rev, received_at_ms, receiver, method, path, remote, headers, body, body_size, format, "
      "signature, signature_detail, answered_status, ack_ms, error, warnings) VALUES (nextval('pimscope_rev'), $1, $2, "
      "$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id";
const char *const kRecordAnswer = "UPDATE deliveries SET ack_ms = $2, answered_status = COALESCE($3, answered_status), "
                                  "rev = nextval('pimscope_rev'), changed_at = now() WHERE id = $1";
/**
 * A forward's row: a delivery's committed before ($1 its id), or ($1 = 0) the one inserted just before in the same
 * transaction (ack mode queues the forward with its delivery). `queue` ($2) is set when the row is made, never changed.
 */
#define PIMSCOPE_FORWARD_INSERT                                                                                        \
    "INSERT INTO forwards (delivery_id, queue, target, ack_mode, state, attempts, sent_at_ms, first_byte_ms, end_ms, " \
    "status, verdict, twice, body_size, error, headers, body, next_at, request_headers) VALUES "                       \
    "(coalesce(nullif($1::bigint, 0), currval(pg_get_serial_sequence('deliveries', 'id'))), $2, $3, $4, $5, $6, $7, "  \
    "$8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
const char *const kQueueForward = PIMSCOPE_FORWARD_INSERT;
/** A forward's later state or outcome (or a proxy-mode forward's answer): the delivery's row changes with it. */
const char *const kRecordForward
    = "WITH f AS (" PIMSCOPE_FORWARD_INSERT
      " ON CONFLICT (delivery_id) DO UPDATE SET target = EXCLUDED.target, ack_mode = EXCLUDED.ack_mode, state = "
      "EXCLUDED.state, attempts = EXCLUDED.attempts, sent_at_ms = EXCLUDED.sent_at_ms, first_byte_ms = "
      "EXCLUDED.first_byte_ms, end_ms = EXCLUDED.end_ms, status = EXCLUDED.status, verdict = EXCLUDED.verdict, twice = "
      "EXCLUDED.twice, body_size = EXCLUDED.body_size, error = EXCLUDED.error, headers = EXCLUDED.headers, body = "
      "EXCLUDED.body, next_at = EXCLUDED.next_at, request_headers = EXCLUDED.request_headers RETURNING delivery_id) "
      "UPDATE deliveries SET rev = nextval('pimscope_rev'), changed_at = now() "
      "WHERE id IN (SELECT delivery_id FROM f)";
#undef PIMSCOPE_FORWARD_INSERT

/** A statement's parameters: text ones, and bytes sent as they are (binary format: bytea). */
class Parameters
{
public:
    void text(QByteArray value) { add(std::move(value), 0); }
    void text(const QString &value) { add(value.isNull() ? QByteArray() : value.toUtf8(), 0); }
    /** A text that is never NULL (an empty one stays empty). */
    void nonNull(const QString &value)
    {
        const QByteArray utf8 = value.toUtf8();
        add(utf8.isNull() ? QByteArray("") : utf8, 0);
    }
    void number(qint64 value) { add(QByteArray::number(value), 0); }
    void number(double value) { add(QByteArray::number(value, 'g', 17), 0); }
    template<typename T>
    void optional(const std::optional<T> &value)
    {
        if (value)
            number(*value);
        else
            null();
    }
    void flag(bool value) { add(value ? QByteArray("t") : QByteArray("f"), 0); }
    void bytes(QByteArray value) { add(value.isNull() ? QByteArray("") : std::move(value), 1); }
    /** Bytes, NULL when null. */
    void bytesOrNull(QByteArray value) { add(std::move(value), 1); }
    void null() { add(QByteArray(), 0); }

    /** Sends `sql` with them in the connection's pipeline. */
    bool send(pg_conn *conn, const char *sql)
    {
        std::vector<const char *> values;
        std::vector<int> lengths;
        values.reserve(m_values.size());
        lengths.reserve(m_values.size());
        for (const QByteArray &v : m_values) {
            values.push_back(v.isNull() ? nullptr : v.constData());
            lengths.push_back(int(v.size()));
        }
        return PQsendQueryParams(conn, sql, int(m_values.size()), nullptr, values.data(), lengths.data(),
                                 m_formats.data(), 0)
            == 1;
    }

private:
    void add(QByteArray value, int format)
    {
        m_values.push_back(std::move(value));
        m_formats.push_back(format);
    }
    std::vector<QByteArray> m_values;
    std::vector<int> m_formats;
};

void sendDelivery(pg_conn *conn, const Delivery &d, const QString &receiver, bool &ok)
{
    Parameters p;
    p.number(d.receivedAtMs);
    p.text(receiver);
    p.nonNull(QString::fromLatin1(d.method));
    p.bytes(d.path);
    p.nonNull(d.remote);
    p.bytes(headercodec::encode(d.headers));
    p.bytes(d.body);
    p.number(d.bodySize);
    p.number(qint64(d.format));
    p.number(qint64(d.signature));
    p.text(d.signatureDetail);
    p.optional(d.answeredStatus ? std::optional<qint64>(*d.answeredStatus) : std::nullopt);
    p.optional(d.ackMs);
    p.text(d.error);
    p.text(d.warnings.isEmpty() ? QString() : d.warnings.join(u'\n'));
    ok = ok && p.send(conn, kInsertDelivery);
}

void sendAnswer(pg_conn *conn, const AnswerTime &a, bool &ok)
{
    Parameters p;
    p.number(a.deliveryId);
    p.number(a.ackMs);
    p.optional(a.status ? std::optional<qint64>(*a.status) : std::nullopt);
    ok = ok && p.send(conn, kRecordAnswer);
}

void sendForward(pg_conn *conn, const char *sql, const ConnectorAnswer &c, const QString &queue, bool &ok)
{
    Parameters p;
    p.number(c.deliveryId);
    p.text(queue.isEmpty() ? QString() : queue);
    p.text(c.target);
    p.flag(c.ackMode);
    p.number(qint64(c.state));
    p.number(qint64(c.attempts));
    p.optional(c.sentAtMs);
    p.optional(c.firstByteMs);
    p.optional(c.endMs);
    p.optional(c.status ? std::optional<qint64>(*c.status) : std::nullopt);
    p.optional(c.verdict ? std::optional<qint64>(qint64(*c.verdict)) : std::nullopt);
    p.flag(c.possiblyTwice);
    p.number(c.bodySize);
    p.text(c.error);
    p.bytes(headercodec::encode(c.headers));
    p.bytes(c.body);
    p.optional(c.nextAttemptAtMs);
    // Ack mode's headers to send, as the PIM sent them, while the forward waits (as a capture keeps them).
    const bool waiting = c.state == ForwardState::Queued || c.state == ForwardState::Sending;
    p.bytesOrNull(waiting ? headercodec::encode(c.requestHeaders) : QByteArray());
    ok = ok && p.send(conn, sql);
}

/**
 * A writer's session: a lock held longer than 5 s (another receiver's transaction stuck on a dead network) fails this
 * group, answered 503, rather than every receiver waiting; the server notices a vanished receiver as the receiver
 * notices a vanished server (keepalives, unacknowledged data), so that the lock it held is released.
 */
Result<std::unique_ptr<PgConnection>> openWriter(const PgTarget &target, const QByteArray &password)
{
    auto c = PgConnection::open(target, password);
    if (!c)
        return c;
    if (const auto set = (*c)->run("SET lock_timeout = '5s'; SET tcp_keepalives_idle = 30; SET tcp_keepalives_interval "
                                   "= 10; SET tcp_keepalives_count = 3; SET tcp_user_timeout = 60000");
        !set)
        return Result<std::unique_ptr<PgConnection>>::failure(set.error());
    return c;
}

/** The target with a short connect timeout, for attempts while the server is down (requests wait for them). */
PgTarget quickToFail(PgTarget target)
{
    for (const auto &[key, value] : target.parameters) {
        if (key == u"connect_timeout")
            return target;
    }
    target.parameters.append({QStringLiteral("connect_timeout"), QStringLiteral("2")});
    return target;
}

} // namespace

PgStore::PgStore(PgTarget target, QByteArray password, Options options)
    : m_target(std::move(target))
    , m_password(std::move(password))
    , m_options(std::move(options))
    , m_receiver(receiverName())
{
}

Result<std::unique_ptr<PgStore>> PgStore::open(const PgTarget &target, const QByteArray &password,
                                               const Options &options)
{
    using R = Result<std::unique_ptr<PgStore>>;
    auto connection = openWriter(target, password);
    if (!connection)
        return R::failure(connection.error());
    if (const auto prepared = preparePgStore(**connection); !prepared)
        return R::failure(prepared.error());
    std::unique_ptr<PgStore> store(new PgStore(target, password, options));
    store->m_connection = std::move(*connection);
    store->m_thread = std::thread([s = store.get()] { s->run(); });
    return {std::move(store)};
}

PgStore::~PgStore()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

QString PgStore::receiverName()
{
    return QStringLiteral("%1 pid %2").arg(QSysInfo::machineHostName()).arg(QCoreApplication::applicationPid());
}

quint64 PgStore::push(Job job)
{
    quint64 ticket = 0;
    {
        std::lock_guard lock(m_mutex);
        ticket = m_nextTicket++;
        job.ticket = ticket;
        m_queue.push_back(std::move(job));
    }
    m_wake.notify_one();
    return ticket;
}

quint64 PgStore::enqueue(Delivery delivery, bool parsed)
{
    Job job;
    job.delivery = std::move(delivery);
    job.parsed = parsed;
    return push(std::move(job));
}

quint64 PgStore::enqueueIndexingLater(Delivery delivery, std::optional<ConnectorAnswer> forward)
{
    Job job;
    job.delivery = std::move(delivery);
    if (forward) // ack mode: in its receiver's queue (Options::queue), committed with the delivery
        job.forwards.append(std::move(*forward));
    return push(std::move(job));
}

quint64 PgStore::recordAnswers(QList<AnswerTime> answers)
{
    Job job;
    job.kind = Job::Kind::Answers;
    job.answers = std::move(answers);
    return push(std::move(job));
}

quint64 PgStore::recordForwards(QList<ConnectorAnswer> forwards)
{
    Job job;
    job.kind = Job::Kind::Forwards;
    job.forwards = std::move(forwards);
    return push(std::move(job));
}

Result<std::unique_ptr<ForwardBacklog>> PgStore::openBacklog() const
{
    auto backlog = PgBacklog::open(m_target, m_password, m_options.queue);
    if (!backlog)
        return Result<std::unique_ptr<ForwardBacklog>>::failure(backlog.error());
    return {std::unique_ptr<ForwardBacklog>(std::move(*backlog))};
}

bool PgStore::flush(int timeoutMs)
{
    std::unique_lock lock(m_mutex);
    return m_idle.wait_for(lock, std::chrono::milliseconds(timeoutMs), [this] { return m_queue.empty() && !m_busy; });
}

QList<SubscriptionHealth> PgStore::health() const
{
    std::lock_guard lock(m_mutex);
    return m_healthSnapshot;
}

void PgStore::run()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
        if (m_queue.empty())
            break; // stopping, with everything written
        std::vector<Job> group;
        int deliveries = 0;
        qint64 bytes = 0;
        while (!m_queue.empty() && deliveries < m_options.maxGroup && bytes < kMaxGroupBytes) {
            Job &next = m_queue.front();
            if (next.kind == Job::Kind::Delivery) {
                ++deliveries;
                bytes += next.delivery.body.size();
            }
            group.push_back(std::move(next));
            m_queue.pop_front();
        }
        m_busy = true;
        lock.unlock();
        writeGroup(group);
        lock.lock();
        m_busy = false;
        if (m_queue.empty())
            m_idle.notify_all();
    }
    m_idle.notify_all();
}

Result<PgConnection *> PgStore::connection()
{
    using R = Result<PgConnection *>;
    if (m_connection) {
        pg_conn *raw = m_connection->raw();
        // What the server said meanwhile (a shutdown's goodbye) is read: a lost connection is known before writing.
        if (PQstatus(raw) == CONNECTION_OK)
            (void)PQconsumeInput(raw);
        if (PQstatus(raw) == CONNECTION_OK)
            return m_connection.get();
        m_connection.reset();
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (!m_downReason.isNull() && now - m_lastAttemptMs < m_options.retryMs)
        return R::failure(m_downReason);
    m_lastAttemptMs = now;
    // While it is down, an attempt gives up within 2 s: the requests queued meanwhile wait for it (answered 503).
    auto opened = openWriter(m_downReason.isNull() ? m_target : quickToFail(m_target), m_password);
    if (!opened) {
        const bool wasUp = m_downReason.isNull();
        m_downReason = opened.error();
        if (wasUp)
            Q_EMIT available(false, m_downReason);
        return R::failure(m_downReason);
    }
    m_connection = std::move(*opened);
    if (!m_downReason.isNull()) {
        m_downReason = QString();
        Q_EMIT available(true, QStringLiteral("PostgreSQL at %1 can be written to again").arg(m_target.address()));
    }
    return m_connection.get();
}

Result<QList<qint64>> PgStore::commit(PgConnection &c, std::vector<Job> &group)
{
    using R = Result<QList<qint64>>;
    pg_conn *conn = c.raw();
    if (PQenterPipelineMode(conn) != 1)
        return R::failure(QStringLiteral("PostgreSQL at %1: cannot send (%2)")
                              .arg(m_target.address(), QString::fromUtf8(PQerrorMessage(conn)).trimmed()));
    // One implicit transaction up to the sync: the lock, the rows, the NOTIFY, committed at once.
    const QByteArray lock = QByteArray::number(kPgWriteLock);
    const char *lockValue = lock.constData();
    bool ok
        = PQsendQueryParams(conn, "SELECT pg_advisory_xact_lock($1)", 1, nullptr, &lockValue, nullptr, nullptr, 0) == 1;
    // Whether each statement sent is an insert, whose id is read back.
    std::vector<bool> inserting{false};
    int inserts = 0;
    for (Job &job : group) {
        switch (job.kind) {
        case Job::Kind::Delivery:
            if (!job.parsed) {
                if (!m_parser)
                    m_parser = std::make_unique<PayloadParser>();
                ParseResult parsed = m_parser->parse(job.delivery.body, PayloadParser::Depth::Envelope);
                job.delivery.format = parsed.format;
                job.delivery.events = std::move(parsed.events);
                job.delivery.error = parsed.error;
                job.delivery.warnings = parsed.warnings;
                job.parsed = true;
            }
            sendDelivery(conn, job.delivery, m_receiver, ok);
            ++inserts;
            inserting.push_back(true);
            for (ConnectorAnswer &f : job.forwards) { // ack mode: queued with it
                f.deliveryId = 0;
                sendForward(conn, kQueueForward, f, m_options.queue, ok);
                inserting.push_back(false);
            }
            break;
        case Job::Kind::Answers:
            for (const AnswerTime &a : std::as_const(job.answers)) {
                sendAnswer(conn, a, ok);
                inserting.push_back(false);
            }
            break;
        case Job::Kind::Forwards:
            for (const ConnectorAnswer &f : std::as_const(job.forwards)) {
                sendForward(conn, kRecordForward, f, m_options.queue, ok);
                inserting.push_back(false);
            }
            break;
        }
    }
    const char *channelValue = channel;
    ok = ok && PQsendQueryParams(conn, "SELECT pg_notify($1, '')", 1, nullptr, &channelValue, nullptr, nullptr, 0) == 1;
    inserting.push_back(false);
    ok = ok && PQpipelineSync(conn) == 1;
    if (!ok)
        return R::failure(c.lastError());

    // Each statement's result, then the sync's; the first failure is what is said.
    QString failure;
    QList<qint64> ids;
    ids.reserve(inserts);
    for (const bool insert : inserting) {
        pg_result *result = PQgetResult(conn);
        if (!result) // the connection is gone
            return R::failure(c.lastError());
        const ExecStatusType status = PQresultStatus(result);
        if (insert && status == PGRES_TUPLES_OK && PQntuples(result) == 1)
            ids.append(QByteArray(PQgetvalue(result, 0, 0)).toLongLong());
        if (failure.isNull() && status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
            failure = c.failureOf(result);
        else
            PQclear(result);
        while (pg_result *extra = PQgetResult(conn)) // the end of this statement's results (null)
            PQclear(extra);
    }
    pg_result *sync = PQgetResult(conn);
    const bool synced = sync && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
    PQclear(sync);
    if (!failure.isNull())
        return R::failure(failure);
    if (!synced || PQexitPipelineMode(conn) != 1)
        return R::failure(c.lastError());
    if (ids.size() != inserts)
        return R::failure(QStringLiteral("PostgreSQL at %1 gave %2 ids for %3 deliveries")
                              .arg(m_target.address())
                              .arg(ids.size())
                              .arg(inserts));
    return ids;
}

void PgStore::writeGroup(std::vector<Job> &group)
{
    QList<quint64> tickets;
    tickets.reserve(qsizetype(group.size()));
    for (const Job &job : group)
        tickets.append(job.ticket);
    auto c = connection();
    if (!c) {
        Q_EMIT storeFailed(tickets, c.error());
        return;
    }
    auto ids = commit(**c, group);
    if (!ids) {
        if (PQstatus((*c)->raw()) != CONNECTION_OK) {
            // Lost: whether the last commit went through cannot be known; it is answered as failed (never a 2xx
            // for what may not be stored), and the next write connects again.
            m_connection.reset();
            m_lastAttemptMs = QDateTime::currentMSecsSinceEpoch();
            m_downReason = ids.error();
            Q_EMIT available(false, m_downReason);
        } else if (PQpipelineStatus((*c)->raw()) != PQ_PIPELINE_OFF) {
            m_connection.reset(); // not in a state to reuse: the next write connects again
        }
        Q_EMIT storeFailed(tickets, ids.error());
        return;
    }
    QList<StoredDelivery> stored;
    QList<quint64> forwardTickets;
    qsizetype next = 0;
    for (Job &job : group) {
        switch (job.kind) {
        case Job::Kind::Delivery: {
            StoredDelivery s;
            s.ticket = job.ticket;
            s.id = ids->at(next++);
            s.eventCount = int(job.delivery.events.size());
            stored.append(s);
            job.delivery.id = s.id;
            m_health.stored(job.delivery);
            break;
        }
        case Job::Kind::Answers:
            for (const AnswerTime &a : std::as_const(job.answers))
                m_health.answered(a);
            break;
        case Job::Kind::Forwards:
            forwardTickets.append(job.ticket);
            break;
        }
    }
    if (!stored.isEmpty())
        Q_EMIT deliveriesStored(stored);
    if (!forwardTickets.isEmpty())
        Q_EMIT forwardsStored(forwardTickets);
    publishHealth();
}

void PgStore::publishHealth()
{
    if (!m_health.tracker().takeChanged())
        return;
    QList<SubscriptionHealth> all = m_health.tracker().all();
    {
        std::lock_guard lock(m_mutex);
        m_healthSnapshot = all;
    }
    Q_EMIT healthChanged(all, false);
}

} // namespace pimscope
