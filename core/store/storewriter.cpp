// StoreWriter: the queue, the thread and the transaction each batch of jobs is applied in; the small jobs (the
// self author, bulk writing, answer times). The other jobs have files of their own: deliveryinsert.cpp,
// backlogindexer.cpp, retention.cpp, importjournal.cpp.

#include "storewriter.h"

#include "headercodec.h"
#include "healthscan.h"
#include "schema.h"
#include "writerstatements.h"

#include "model/senderprofile.h"

#include "formats/payloadparser.h"
#include "util/textkey.h"

#include <sqlite3.h>

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QLoggingCategory>
#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>
#include <chrono>

#if defined(Q_OS_UNIX)
#include <cerrno>
#include <csignal>
#endif

namespace pimscope {

Q_DECLARE_LOGGING_CATEGORY(lcStore)

namespace {

using Clock = std::chrono::steady_clock;

// Group commit under load: when the last commit ended less than busyGap ago, the writer waits up to groupDelay
// for groupTarget jobs before it commits. Every commit rewrites the last pages of the table and of its indexes
// (32 KiB each) however few rows it adds, so commits of one or two deliveries cost the writer and the
// checkpointer several times what larger ones do. tests/bench/receiver_bench.sh: 100 us gave the best rate
// (250 and 500 us batch more but keep the 50 connections waiting longer).
constexpr auto groupDelay = std::chrono::microseconds(100);
constexpr auto busyGap = std::chrono::milliseconds(2);
constexpr std::size_t groupTarget = 32;

// The events of the receiver's deliveries are indexed in the pauses of the traffic (no job for `quiet`): while
// deliveries keep arriving, the CPU (two cores shared with everything else) goes to answering them. A backlog
// that has waited longer than maxWait gets as much of the writer's time as the traffic does, so that it drains.
constexpr auto quiet = std::chrono::milliseconds(2);
constexpr auto maxWait = std::chrono::seconds(3);

QString queryError(const QSqlQuery &q)
{
    return q.lastError().text();
}

} // namespace

StoreWriter::StoreWriter(QString path, StoreOptions options, QObject *parent)
    : QThread(parent)
    , m_path(std::move(path))
    , m_options(options)
{
    setObjectName(QStringLiteral("pimscope-store-writer"));
}

StoreWriter::~StoreWriter()
{
    stop();
}

Result<void> StoreWriter::startWriting()
{
    {
        std::lock_guard lock(m_mutex);
        m_started = true;
    }
    start();
    std::unique_lock lock(m_mutex);
    m_done.wait(lock, [this] { return m_openFinished; });
    if (!m_openError.isEmpty())
        return Result<void>::failure(m_openError);
    return {};
}

quint64 StoreWriter::push(writerjobs::Payload what)
{
    const auto *forwards = std::get_if<writerjobs::RecordForwards>(&what);
    const bool awaited = forwards
        && std::any_of(forwards->forwards.cbegin(), forwards->forwards.cend(),
                       [](const ConnectorAnswer &f) { return !f.ackMode; });
    std::lock_guard lock(m_mutex);
    m_awaited = m_awaited || awaited;
    m_queue.push_back(Job{m_nextTicket++, std::move(what)});
    m_queued.store(true, std::memory_order_relaxed);
    m_lastPush = std::chrono::steady_clock::now();
    m_wake.notify_one();
    return m_queue.back().ticket;
}

quint64 StoreWriter::enqueue(Delivery delivery, bool parsed)
{
    writerjobs::StoreDelivery job;
    job.parsed = parsed;
    if (parsed)
        job.prepared = PreparedEvents::of(delivery.events);
    job.delivery = std::move(delivery);
    return push(std::move(job));
}

quint64 StoreWriter::enqueueIndexingLater(Delivery delivery, std::optional<ConnectorAnswer> forward)
{
    writerjobs::StoreDelivery job;
    job.parsed = true;
    job.indexLater = true;
    job.delivery = std::move(delivery);
    job.forward = std::move(forward);
    return push(std::move(job));
}

bool StoreWriter::waitForIdle(int timeoutMs)
{
    std::unique_lock lock(m_mutex);
    return m_done.wait_for(lock, std::chrono::milliseconds(timeoutMs), [&] {
        return (m_finishedTicket >= m_nextTicket - 1 && m_backlogEmpty) || (m_stopping && !isRunning());
    });
}

quint64 StoreWriter::setSelfAuthor(const QString &author)
{
    return push(writerjobs::SetSelfAuthor{author});
}

quint64 StoreWriter::beginBulk()
{
    return push(writerjobs::Bulk{true});
}

quint64 StoreWriter::recordAnswer(qint64 deliveryId, double ackMs)
{
    return recordAnswers({AnswerTime{deliveryId, ackMs, std::nullopt}});
}

quint64 StoreWriter::recordAnswers(QList<AnswerTime> answers)
{
    return push(writerjobs::RecordAnswers{std::move(answers)});
}

quint64 StoreWriter::recordForwards(QList<ConnectorAnswer> forwards)
{
    return push(writerjobs::RecordForwards{std::move(forwards)});
}

quint64 StoreWriter::follow(FollowBatch batch)
{
    writerjobs::Follow job;
    job.prepared.reserve(std::size_t(batch.rows.size()));
    for (const FollowedDelivery &row : std::as_const(batch.rows))
        job.prepared.push_back(PreparedEvents::of(row.delivery.events));
    job.batch = std::move(batch);
    return push(std::move(job));
}

quint64 StoreWriter::prune(Retention retention, qint64 nowMs)
{
    return push(writerjobs::Prune{retention, nowMs});
}

quint64 StoreWriter::beginImport(ImportRecord record)
{
    return push(writerjobs::BeginImport{std::move(record)});
}

qint64 StoreWriter::importId(quint64 ticket)
{
    std::lock_guard lock(m_mutex);
    const auto it = m_importIds.find(ticket);
    return it == m_importIds.end() ? 0 : it->second;
}

ImportProgress StoreWriter::importProgress(qint64 importId)
{
    std::lock_guard lock(m_mutex);
    const auto it = m_importProgress.find(importId);
    return it == m_importProgress.end() ? ImportProgress{} : it->second;
}

quint64 StoreWriter::finishImport(ImportRecord record)
{
    return push(writerjobs::FinishImport{std::move(record)});
}

quint64 StoreWriter::abortImport(qint64 importId)
{
    return push(writerjobs::AbortImport{importId});
}

quint64 StoreWriter::endBulk()
{
    return push(writerjobs::Bulk{false});
}

bool StoreWriter::waitForTicket(quint64 ticket, int timeoutMs)
{
    std::vector<std::deque<Job>> spent; // freed after the lock is released (declared first, destroyed last)
    std::unique_lock lock(m_mutex);
    const bool done = m_done.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                                      [&] { return m_finishedTicket >= ticket || (m_stopping && !isRunning()); });
    spent.swap(m_spent);
    m_spentJobs = 0;
    return done;
}

quint64 StoreWriter::lastTicket()
{
    std::lock_guard lock(m_mutex);
    return m_nextTicket - 1;
}

void StoreWriter::stop()
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_started)
            return;
        m_stopping = true;
        m_wake.notify_all();
    }
    wait();
}

Result<void> StoreWriter::openConnection()
{
    auto c = Connection::open(m_path, Connection::Mode::ReadWrite, m_options);
    if (!c)
        return Result<void>::failure(c.error());
    m_connection = std::move(c.value());
    QSqlDatabase &db = m_connection->db();
    sqlite3 *handle = SqliteStatement::handle(db);
    if (auto prepared = prepareStatements(); !prepared)
        return prepared;

    // Finish a bulk write that a crash interrupted.
    if (auto r = schema::ensureEventIndexes(db); !r)
        return Result<void>::failure(QStringLiteral("cannot rebuild the indexes: ") + r.error());
    QSqlQuery q(db);
    if (q.exec(QStringLiteral("SELECT value FROM settings WHERE key = 'self_author'")) && q.next())
        m_flagger.setSelfAuthor(q.value(0).toString());
    m_parser = std::make_unique<PayloadParser>();
    m_checkpointer = std::make_unique<Checkpointer>(m_path);
    m_checkpointer->attach(handle);
    // SQLite's default busy handler sleeps 1, 2, 5, 10 ... 100 ms between tries: one short RESTART checkpoint made
    // the answers waiting for a commit wait 100-300 ms. Poll instead, for up to 5 s as before.
    static constexpr std::chrono::milliseconds busyLimit{5000};
    pollWhenBusy(handle, busyLimit);
    m_checkpointer->start();
    return {};
}

void StoreWriter::loadFlaggerState()
{
    m_flagger.clear();
    SqliteStatement q;
    if (!q.prepare(SqliteStatement::handle(m_connection->db()),
                   "SELECT origin, event_key, subject_key, event_time FROM events")) {
        qCWarning(lcStore) << "cannot load stored events for flagging:" << q.errorString();
        return;
    }
    const auto optional = [&q](int column) { return q.isNull(column) ? std::nullopt : std::optional(q.int64(column)); };
    bool ok = true;
    while (q.step(&ok))
        m_flagger.remember(Origin(q.int64(0)), optional(1), optional(2), optional(3));
    if (!ok)
        qCWarning(lcStore) << "cannot load stored events for flagging:" << q.errorString();

    // The attempt chains that a redelivery could still extend: those of the senders that retry, received within the
    // longest chain's span before the newest delivery (through the index on received_at).
    QByteArray formats;
    qint64 spanMs = 0;
    for (const Format f : {Format::AkeneoEventPlatform, Format::Quable}) {
        const SenderProfile &sender = senderProfile(f);
        formats += (formats.isEmpty() ? "" : ",") + QByteArray::number(int(f));
        qint64 span = 0;
        for (int i = 0; i < sender.retries; ++i)
            span += sender.latestRetryAfterMs(i + 1);
        spanMs = std::max(spanMs, span);
    }
    const QByteArray failed = QByteArray::number(int((Flags(Flag::Error) | Flag::SlowAck).toInt()));
    const QByteArray sql = "SELECT e.origin, e.event_key, e.id, e.attempt, d.received_at, d.flags & " + failed
        + " FROM deliveries d JOIN events e ON e.delivery_id = d.id WHERE d.format IN (" + formats
        + ") AND e.event_key IS NOT NULL AND d.received_at >= (SELECT MAX(received_at) FROM deliveries) - "
        + QByteArray::number(spanMs) + " ORDER BY e.id";
    SqliteStatement chains;
    if (!chains.prepare(SqliteStatement::handle(m_connection->db()), sql.constData())) {
        qCWarning(lcStore) << "cannot load the attempt chains:" << chains.errorString();
        return;
    }
    while (chains.step(&ok))
        m_flagger.rememberAttempt(Origin(chains.int64(0)), chains.int64(1), chains.int64(2), int(chains.int64(3)),
                                  chains.int64(4), chains.int64(5) != 0);
    if (!ok)
        qCWarning(lcStore) << "cannot load the attempt chains:" << chains.errorString();
}

void StoreWriter::loadHealth()
{
    m_health.clear();
    if (auto scanned = healthscan::scan(SqliteStatement::handle(m_connection->db()), m_health.tracker()); !scanned)
        qCWarning(lcStore) << scanned.error();
    publishHealth(true);
}

void StoreWriter::publishHealth(bool read)
{
    if (!m_health.tracker().takeChanged())
        return;
    QList<SubscriptionHealth> all = m_health.tracker().all();
    {
        std::lock_guard lock(m_mutex);
        m_healthSnapshot = all;
    }
    Q_EMIT healthChanged(all, read);
}

QList<SubscriptionHealth> StoreWriter::health()
{
    std::lock_guard lock(m_mutex);
    return m_healthSnapshot;
}

void StoreWriter::run()
{
    {
        const auto opened = openConnection();
        std::lock_guard lock(m_mutex);
        m_openError = opened ? QString() : opened.error();
        m_openFinished = true;
        m_done.notify_all();
        if (!opened) {
            m_finishedTicket = ~quint64(0);
            m_backlogEmpty = true;
            return;
        }
    }
    // What the flags and the indexer need from the capture, read after open() has returned: a capture of a million
    // events takes seconds to read, and nothing waits for it but the jobs queued meanwhile (they follow).
    recoverImports();
    loadHealth(); // first: the window shows it as soon as it is read, before the flags' state (a scan of the events)
    loadFlaggerState();
    loadBacklog();
    Clock::time_point backlogSince;
    Clock::time_point lastCommit;
    for (;;) {
        std::deque<Job> batch;
        bool indexNow = false; ///< nothing queued: the backlog's turn
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return !m_queue.empty() || m_stopping || !m_backlog.empty(); });
            if (m_queue.empty() && m_stopping && m_backlog.empty())
                break;
            if (m_queue.empty() && !m_stopping) {
                // Only the backlog is waiting: index once the traffic pauses.
                const auto due = std::min(m_lastPush + quiet, backlogSince + maxWait);
                m_wake.wait_until(lock, due, [this] { return !m_queue.empty() || m_stopping; });
            }
            indexNow = m_queue.empty();
            if (!m_queue.empty() && !m_stopping && !m_awaited && m_queue.size() < groupTarget
                && Clock::now() - lastCommit < busyGap) {
                // Under load, wait a moment for more deliveries to join this commit.
                m_wake.wait_until(lock, Clock::now() + groupDelay,
                                  [this] { return m_queue.size() >= groupTarget || m_stopping; });
            }
            batch.swap(m_queue);
            m_awaited = false;
            m_queued.store(false, std::memory_order_relaxed);
        }
        const bool hadBacklog = !m_backlog.empty();
        if (!batch.empty()) {
            const auto started = Clock::now();
            process(batch);
            lastCommit = Clock::now();
            if (hadBacklog && !m_backlog.empty() && Clock::now() - backlogSince > maxWait) {
                // Busy for a while: index for about as long as the batch took (a delivery at least).
                indexBacklog(std::max<qsizetype>(1, qsizetype(batch.size())), false, Clock::now() - started);
            }
        } else if (indexNow) {
            // A pause: index until something is queued (a delivery arriving meanwhile waits for one delivery's
            // events, a few hundred microseconds, not for the whole chunk).
            indexBacklog(256, true, std::chrono::milliseconds(20));
            backlogSince = Clock::now();
        }
        if (!hadBacklog && !m_backlog.empty())
            backlogSince = Clock::now();
        {
            std::lock_guard lock(m_mutex);
            if (!batch.empty())
                m_finishedTicket = batch.back().ticket;
            m_backlogEmpty = m_backlog.empty();
            m_done.notify_all();
            // A few thousand jobs at most (nobody might be waiting); the import waits every few hundred lines.
            if (m_bulkDepth > 0 && !batch.empty() && m_spentJobs < 4096) {
                m_spentJobs += batch.size();
                m_spent.push_back(std::move(batch));
            }
        }
    }
    m_sql.reset();
    if (m_bulkDepth > 0)
        (void)applyBulk(false);
    if (m_checkpointer) {
        m_checkpointer->stop();
        m_checkpointer.reset();
    }
    m_connection.reset();
}

void StoreWriter::process(std::deque<Job> &batch)
{
    QSqlDatabase &db = m_connection->db();
    m_batch.stored.reserve(qsizetype(batch.size()));
    QString error;
    // IMMEDIATE: a batch may read first (is this log line stored already?), and a deferred transaction would then
    // fail at its first write, without waiting, whenever the checkpointer held the lock (see indexBacklog).
    if (const auto there = checkFileInPlace(); !there)
        error = there.error();
    else if (QSqlQuery begin(db); !begin.exec(QStringLiteral("BEGIN IMMEDIATE")))
        error = queryError(begin);
    for (Job &job : batch) {
        if (!error.isEmpty())
            break;
        const Result<void> r = std::visit([&](auto &what) { return apply(what, job.ticket); }, job.what);
        if (!r)
            error = r.error();
    }
    if (error.isEmpty() && !db.commit())
        error = db.lastError().text();
    if (error.isEmpty())
        committed();
    else
        rolledBack(batch, error);
    m_batch = {};
}

void StoreWriter::committed()
{
    m_backlog.insert(m_backlog.end(), m_batch.backlog.begin(), m_batch.backlog.end());
    if (!m_batch.stored.isEmpty())
        Q_EMIT deliveriesStored(m_batch.stored);
    if (!m_batch.forwards.isEmpty())
        Q_EMIT forwardsStored(m_batch.forwards);
    if (!m_batch.followed.isEmpty())
        Q_EMIT followed(m_batch.followed);
    for (const auto &[ticket, why] : std::as_const(m_batch.refusedFollows))
        Q_EMIT storeFailed({ticket}, why);
    if (m_batch.prunedDeliveries > 0)
        Q_EMIT pruned(m_batch.prunedDeliveries, m_batch.prunedEvents);
    if (!m_batch.begunImports.empty() || !m_batch.importProgress.empty() || !m_batch.removedImports.empty()) {
        std::lock_guard lock(m_mutex);
        m_importIds.insert(m_batch.begunImports.begin(), m_batch.begunImports.end());
        for (const auto &[id, staged] : m_batch.importProgress) {
            ImportProgress &p = m_importProgress[id];
            p.added += staged.added;
            p.events += staged.events;
        }
        for (const auto &[id, deliveries] : m_batch.removedImports)
            m_importProgress.erase(id);
    }
    if (m_batch.removedEvents) {
        loadFlaggerState(); // it remembered events that are gone
        loadHealth();
    }
    for (const auto &[id, deliveries] : m_batch.removedImports)
        Q_EMIT importRemoved(id, deliveries);
    publishHealth();
}

void StoreWriter::rolledBack(const std::deque<Job> &batch, const QString &error)
{
    QSqlDatabase &db = m_connection->db();
    db.rollback();
    {
        // The imports whose lines were in this batch lost some of them: they must not finish as if whole.
        std::lock_guard lock(m_mutex);
        for (const Job &job : batch) {
            const auto *store = std::get_if<writerjobs::StoreDelivery>(&job.what);
            if (store && store->delivery.importId > 0 && m_importProgress[store->delivery.importId].error.isEmpty())
                m_importProgress[store->delivery.importId].error = error;
        }
    }
    qCWarning(lcStore) << "commit failed, nothing of this batch was stored:" << error;
    // The flagger remembered events that are not stored after all; a rolled-back end of a bulk write left the
    // indexes dropped.
    loadFlaggerState();
    loadHealth();
    if (m_bulkDepth == 0) {
        (void)schema::ensureEventIndexes(db);
        // The counts are right while the triggers stand (what they did was rolled back with the rest); only a
        // rolled-back end of a bulk write leaves them dropped: count everything then. (Not at every rollback: the
        // recount needs the write lock, which a rollback for a locked database would wait for twice in vain.)
        if (!schema::flagTriggersPresent(db))
            (void)schema::restoreFlagTriggers(db, std::nullopt);
    }
    QList<quint64> tickets;
    for (const Job &job : batch)
        tickets.append(job.ticket);
    Q_EMIT storeFailed(tickets, error);
}

Result<void> StoreWriter::checkFileInPlace()
{
    if (!m_movedError.isEmpty())
        return Result<void>::failure(m_movedError);
    sqlite3 *handle = SqliteStatement::handle(m_connection->db());
    int moved = 0;
    if (sqlite3_file_control(handle, "main", SQLITE_FCNTL_HAS_MOVED, &moved) != SQLITE_OK || !moved)
        return {};
    // What is committed lives on in the open file even though no name leads to it any more: copy it out once,
    // beside where the capture was, and write nothing more (to the old file or to whatever now has its name).
    const QString rescue = m_path + QStringLiteral(".rescued-")
        + QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss")) + QStringLiteral(".db");
    QString saved;
    SqliteStatement vacuum;
    if (!vacuum.prepare(handle, "VACUUM INTO ?")) {
        saved = QStringLiteral("what it held could not be saved: %1").arg(vacuum.errorString());
    } else {
        vacuum.bind(1, rescue);
        if (vacuum.exec()) {
            QFile::setPermissions(rescue, QFileDevice::ReadOwner | QFileDevice::WriteOwner); // as private as a capture
            saved = QStringLiteral("what it held is saved in %1").arg(rescue);
        } else {
            saved = QStringLiteral("what it held could not be saved in %1: %2").arg(rescue, vacuum.errorString());
        }
    }
    m_movedError
        = QStringLiteral("the capture file %1 was deleted or replaced while Pimscope was running: nothing more "
                         "is stored until it is opened again; %2")
              .arg(m_path, saved);
    qCCritical(lcStore).noquote() << m_movedError;
    return Result<void>::failure(m_movedError);
}

Result<void> StoreWriter::apply(writerjobs::Bulk &job, quint64 /*ticket*/)
{
    return applyBulk(job.begin);
}

Result<void> StoreWriter::applyBulk(bool begin)
{
    QSqlDatabase &db = m_connection->db();
    QSqlQuery q(db);
    if (begin) {
        if (m_bulkDepth++ > 0)
            return {};
        // Without the event indexes every write appends (the deliveries' indexes are in time order, a log line's
        // key too): 8 MiB of page cache do as well as the 64 MiB random keys need, in 56 MiB less memory.
        (void)q.exec(QStringLiteral("PRAGMA cache_size = -8192"));
        // The flag counts' triggers go too (a trigger run per flagged row doubled a large import's time): what the
        // bulk write adds is counted at its end, from the ids it starts after.
        if (!q.exec(QStringLiteral("SELECT (SELECT COALESCE(max(id), 0) FROM events), "
                                   "(SELECT COALESCE(max(id), 0) FROM deliveries)"))
            || !q.next())
            return Result<void>::failure(q.lastError().text());
        m_bulkAfter = {q.value(0).toLongLong(), q.value(1).toLongLong()};
        m_bulkRemovedOlder = false;
        q.finish();
        if (auto dropped = schema::dropFlagTriggers(db); !dropped)
            return dropped;
        return schema::dropEventIndexes(db);
    }
    if (m_bulkDepth == 0 || --m_bulkDepth > 0)
        return {};
    // Building an index sorts every key: with temp_store = MEMORY that sort is held whole in memory (hundreds of MB
    // for a large import); on file, SQLite sorts runs of its cache size and merges them. Runs of 4 MiB build the
    // indexes of 2 million events in 60% of the time 64 MiB runs take (tests/bench/bench_logimport), in 16 MiB.
    (void)q.exec(QStringLiteral("PRAGMA temp_store = FILE"));
    (void)q.exec(QStringLiteral("PRAGMA cache_size = -4096"));
    (void)q.exec(QStringLiteral("PRAGMA threads = 2")); // a helper thread sorts while this one reads (-15%)
    auto built = schema::ensureEventIndexes(db);
    if (built) // (counted in the small cache too: the rows are read once)
        built = schema::restoreFlagTriggers(db, m_bulkRemovedOlder ? std::nullopt : std::optional(m_bulkAfter));
    (void)q.exec(QStringLiteral("PRAGMA threads = 0"));
    (void)q.exec(QStringLiteral("PRAGMA temp_store = MEMORY"));
    (void)q.exec(QStringLiteral("PRAGMA cache_size = -%1").arg(Connection::cacheKiB));
    return built;
}

Result<void> StoreWriter::apply(writerjobs::RecordAnswers &job, quint64 /*ticket*/)
{
    SqliteStatement &ack = m_sql->recordAck;
    SqliteStatement &events = m_sql->markEventsSlow;
    for (const AnswerTime &a : std::as_const(job.answers)) {
        ack.bind(writersql::RecordAck::AckMs, a.ackMs);
        ack.bind(writersql::RecordAck::Id, a.deliveryId);
        if (!ack.exec())
            return Result<void>::failure(ack.errorString());
        bool failedStatus = false;
        if (a.status) {
            const auto r = recordPassedOnStatus(a.deliveryId, *a.status, m_health.awaitedFormat(a.deliveryId));
            if (!r)
                return Result<void>::failure(r.error());
            failedStatus = *r;
        }
        m_flagger.answered(a.deliveryId, a.ackMs, failedStatus);
        m_health.answered(a);
        // In time for every sender: not slow whatever the format.
        if (a.ackMs <= shortestDeadlineMs())
            continue;
        events.bind(writersql::MarkEventsSlow::DeliveryId, a.deliveryId);
        if (!events.exec())
            return Result<void>::failure(events.errorString());
    }
    return {};
}

Result<bool> StoreWriter::recordPassedOnStatus(qint64 deliveryId, int status, std::optional<Format> format)
{
    if (!format) {
        SqliteStatement &q = m_sql->formatOf;
        q.bind(writersql::FormatOf::Id, deliveryId);
        bool ok = true;
        const bool found = q.step(&ok);
        if (!ok)
            return Result<bool>::failure(q.errorString());
        format = found ? Format(q.int64(0)) : Format::Unknown;
        if (found)
            q.reset();
    }
    const bool failed = !senderProfile(*format).isSuccessStatus(status);
    const int error = failed ? int(Flag::Error) : 0;
    SqliteStatement &update = m_sql->passedOnStatus;
    update.bind(writersql::PassedOnStatus::Status, status);
    update.bind(writersql::PassedOnStatus::Flags, error);
    update.bind(writersql::PassedOnStatus::Id, deliveryId);
    if (!update.exec())
        return Result<bool>::failure(update.errorString());
    if (failed) {
        // Its events when they are indexed already (else the indexer reads the status just written).
        SqliteStatement &events = m_sql->markEventsFailed;
        events.bind(writersql::MarkEventsFailed::Flags, error);
        events.bind(writersql::MarkEventsFailed::DeliveryId, deliveryId);
        if (!events.exec())
            return Result<bool>::failure(events.errorString());
    }
    return failed;
}

Result<void> StoreWriter::apply(writerjobs::SetSelfAuthor &job, quint64 /*ticket*/)
{
    const QString &author = job.author;
    QSqlQuery q(m_connection->db());
    const int self = int(Flag::Self);
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO settings (key, value) VALUES ('self_author', ?)"));
    q.addBindValue(author);
    if (!q.exec())
        return Result<void>::failure(queryError(q));
    const QStringList authors = Flagger::selfAuthors(author);
    QStringList marks(authors.size(), QStringLiteral("?"));
    q.prepare(QStringLiteral("UPDATE events SET flags = (flags & ~%1) | (CASE WHEN author IN (%2) THEN %1 ELSE 0 END)")
                  .arg(self)
                  .arg(authors.isEmpty() ? QStringLiteral("NULL") : marks.join(u',')));
    for (const QString &a : authors)
        q.addBindValue(a);
    if (!q.exec())
        return Result<void>::failure(queryError(q));
    // A delivery's flags are its own flags (which never include self) united with its events' flags.
    if (!q.exec(QStringLiteral("UPDATE deliveries SET flags = (flags & ~%1) | COALESCE((SELECT max(%1) FROM events e "
                               "WHERE e.delivery_id = deliveries.id AND (e.flags & %1) != 0), 0)")
                    .arg(self))) {
        return Result<void>::failure(queryError(q));
    }
    m_flagger.setSelfAuthor(author);
    return {};
}

} // namespace pimscope
