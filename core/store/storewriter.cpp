#include "storewriter.h"

#include "headercodec.h"
#include "schema.h"

#include "analysis/budgets.h"

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

#include <chrono>
#include <thread>

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

quint64 StoreWriter::push(Job job)
{
    std::lock_guard lock(m_mutex);
    job.ticket = m_nextTicket++;
    m_queue.push_back(std::move(job));
    m_queued.store(true, std::memory_order_relaxed);
    m_lastPush = std::chrono::steady_clock::now();
    m_wake.notify_one();
    return m_queue.back().ticket;
}

StoreWriter::PreparedEvents StoreWriter::PreparedEvents::of(const QList<Event> &events)
{
    PreparedEvents out;
    out.rows.reserve(std::size_t(events.size()));
    const auto add = [&out](const QString &text) -> std::pair<qint32, qint32> {
        if (text.isNull())
            return {-1, 0};
        const auto offset = qint32(out.utf8.size());
        bool ascii = true;
        for (const QChar c : text)
            ascii = ascii && c.unicode() < 0x80;
        if (ascii) {
            out.utf8.resize(offset + text.size());
            char *p = out.utf8.data() + offset;
            for (const QChar c : text)
                *p++ = char(c.unicode());
        } else {
            out.utf8 += text.toUtf8();
        }
        return {offset, qint32(out.utf8.size() - offset)};
    };
    for (const Event &e : events) {
        Row row{textkey::eventIdOf(e.eventId), textkey::subjectOf(e.subjectType, e.subjectId, e.subjectUuid), {}};
        int k = 0;
        for (const QString *text : {&e.eventId, &e.action, &e.author, &e.authorType, &e.pimSource, &e.subjectType,
                                    &e.subjectId, &e.subjectUuid})
            row.text[std::size_t(k++)] = add(*text);
        out.rows.push_back(row);
    }
    return out;
}

quint64 StoreWriter::enqueue(Delivery delivery, bool parsed)
{
    Job job;
    job.parsed = parsed;
    job.delivery = std::move(delivery);
    if (parsed)
        job.prepared = PreparedEvents::of(job.delivery.events);
    return push(std::move(job));
}

quint64 StoreWriter::enqueueIndexingLater(Delivery delivery)
{
    Job job;
    job.parsed = true;
    job.indexLater = true;
    job.delivery = std::move(delivery);
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
    Job job;
    job.kind = Job::SelfAuthor;
    job.text = author;
    return push(std::move(job));
}

quint64 StoreWriter::beginBulk()
{
    Job job;
    job.kind = Job::BeginBulk;
    return push(std::move(job));
}

quint64 StoreWriter::recordAnswer(qint64 deliveryId, double ackMs)
{
    return recordAnswers({AnswerTime{deliveryId, ackMs}});
}

quint64 StoreWriter::recordAnswers(QList<AnswerTime> answers)
{
    Job job;
    job.kind = Job::Answer;
    job.answers = std::move(answers);
    return push(std::move(job));
}

quint64 StoreWriter::prune(Retention retention, qint64 nowMs)
{
    Job job;
    job.kind = Job::Prune;
    job.retention = retention;
    job.nowMs = nowMs;
    return push(std::move(job));
}

quint64 StoreWriter::pushImportJob(int kind, ImportRecord record)
{
    Job job;
    job.kind = Job::Kind(kind);
    job.import = std::move(record);
    return push(std::move(job));
}

quint64 StoreWriter::beginImport(ImportRecord record)
{
    return pushImportJob(Job::BeginImport, std::move(record));
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
    return pushImportJob(Job::FinishImport, std::move(record));
}

quint64 StoreWriter::abortImport(qint64 importId)
{
    ImportRecord record;
    record.id = importId;
    return pushImportJob(Job::AbortImport, std::move(record));
}

quint64 StoreWriter::endBulk()
{
    Job job;
    job.kind = Job::EndBulk;
    return push(std::move(job));
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
    m_sql = std::make_unique<Statements>();
    // The answer-time budget depends on the delivery's format: one CASE built from the table the flagger uses.
    QByteArray budget = "CASE format";
    for (const Format f :
         {Format::Unknown, Format::Akeneo, Format::AkeneoTest, Format::AkeneoEventPlatform, Format::Quable})
        budget += " WHEN " + QByteArray::number(int(f)) + " THEN " + QByteArray::number(budgets::ackBudgetMs(f));
    budget += " END";
    const QByteArray slow = QByteArray::number(int(Flag::SlowAck));
    const QByteArray recordAck = "UPDATE deliveries SET ack_ms = ?1, flags = CASE WHEN ?1 > " + budget
        + " THEN flags | " + slow + " ELSE flags END WHERE id = ?2";
    const QByteArray markEventsSlow = "UPDATE events SET flags = flags | " + slow
        + " WHERE delivery_id = ?1 AND (SELECT flags & " + slow + " FROM deliveries WHERE id = ?1) != 0";
    Statements &sql = *m_sql;
    const std::pair<SqliteStatement *, const char *> statements[] = {
        {&sql.insertDelivery,
         "INSERT INTO deliveries (origin, received_at, method, path, remote, headers, body, body_size, format, "
         "signature, signature_detail, answered_status, ack_ms, event_count, error, warnings, log_level, log_message, "
         "status_code, url, log_file, log_line, flags, indexed, import_id, log_key) "
         "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"},
        {&sql.insertEvent,
         "INSERT INTO events (delivery_id, seq, origin, received_at, event_id, action, event_time, author, "
         "author_type, pim_source, subject_type, subject_id, subject_uuid, flags, payload_offset, payload_length, "
         "event_key, subject_key) "
         "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"},
        {&sql.updateDeliveryFlags, "UPDATE deliveries SET flags = ? WHERE id = ?"},
        {&sql.markIndexed, "UPDATE deliveries SET flags = ?, event_count = ?, warnings = ?, indexed = 1 WHERE id = ?"},
        {&sql.recordAck, recordAck.constData()},
        {&sql.markEventsSlow, markEventsSlow.constData()},
        {&sql.findLogKey, "SELECT 1 FROM deliveries WHERE log_key = ? AND import_id IS NOT ?"},
    };
    for (const auto &[statement, text] : statements) {
        if (!statement->prepare(handle, text))
            return Result<void>::failure(QStringLiteral("cannot prepare the store's statements: ")
                                         + statement->errorString());
    }

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
    // the answers waiting for a commit wait 100-300 ms. Poll every 100 us instead, for up to 5 s as before (by the
    // clock: on a loaded machine 50,000 sleeps of 100 us take far longer than 5 s).
    sqlite3_busy_handler(
        handle,
        [](void *, int tries) -> int {
            thread_local Clock::time_point since;
            if (tries == 0)
                since = Clock::now();
            else if (Clock::now() - since >= std::chrono::seconds(5))
                return 0;
            std::this_thread::sleep_for(std::chrono::microseconds(100));
            return 1;
        },
        nullptr);
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
            if (!m_queue.empty() && !m_stopping && m_queue.size() < groupTarget
                && Clock::now() - lastCommit < busyGap) {
                // Under load, wait a moment for more deliveries to join this commit.
                m_wake.wait_until(lock, Clock::now() + groupDelay,
                                  [this] { return m_queue.size() >= groupTarget || m_stopping; });
            }
            batch.swap(m_queue);
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
    QList<StoredDelivery> stored;
    stored.reserve(qsizetype(batch.size()));
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
        Result<void> r;
        switch (job.kind) {
        case Job::Store:
            r = writeDelivery(job, stored);
            break;
        case Job::SelfAuthor:
            r = applySelfAuthor(job.text);
            break;
        case Job::BeginBulk:
        case Job::EndBulk:
            r = applyBulk(job.kind == Job::BeginBulk);
            break;
        case Job::Answer:
            for (const AnswerTime &a : std::as_const(job.answers)) {
                if (r = applyAnswer(a.deliveryId, a.ackMs); !r)
                    break;
            }
            break;
        case Job::Prune:
            r = applyPrune(job.retention, job.nowMs);
            break;
        case Job::BeginImport:
            r = applyBeginImport(job);
            break;
        case Job::FinishImport:
            r = applyFinishImport(job.import);
            break;
        case Job::AbortImport:
            r = applyAbortImport(job.import.id);
            break;
        }
        if (!r)
            error = r.error();
    }
    if (error.isEmpty() && !db.commit())
        error = db.lastError().text();
    if (error.isEmpty()) {
        m_backlog.insert(m_backlog.end(), m_pendingBacklog.begin(), m_pendingBacklog.end());
        m_pendingBacklog.clear();
        if (!stored.isEmpty())
            Q_EMIT deliveriesStored(stored);
        if (m_prunedDeliveries > 0)
            Q_EMIT pruned(m_prunedDeliveries, m_prunedEvents);
        m_prunedDeliveries = m_prunedEvents = 0;
        if (!m_begunImports.empty() || !m_stagedProgress.empty() || !m_removedImports.empty()) {
            std::lock_guard lock(m_mutex);
            m_importIds.insert(m_begunImports.begin(), m_begunImports.end());
            for (const auto &[id, staged] : m_stagedProgress) {
                ImportProgress &p = m_importProgress[id];
                p.added += staged.added;
                p.events += staged.events;
            }
            for (const auto &[id, deliveries] : m_removedImports)
                m_importProgress.erase(id);
        }
        m_begunImports.clear();
        m_stagedProgress.clear();
        if (m_abortedImport)
            loadFlaggerState(); // it remembered events that are gone
        m_abortedImport = false;
        for (const auto &[id, deliveries] : std::exchange(m_removedImports, {}))
            Q_EMIT importRemoved(id, deliveries);
        return;
    }
    m_prunedDeliveries = m_prunedEvents = 0;
    m_pendingBacklog.clear();
    m_begunImports.clear();
    m_removedImports.clear();
    m_stagedProgress.clear();
    m_abortedImport = false;
    db.rollback();
    {
        // The imports whose lines were in this batch lost some of them: they must not finish as if whole.
        std::lock_guard lock(m_mutex);
        for (const Job &job : batch) {
            if (job.kind == Job::Store && job.delivery.importId > 0
                && m_importProgress[job.delivery.importId].error.isEmpty())
                m_importProgress[job.delivery.importId].error = error;
        }
    }
    qCWarning(lcStore) << "commit failed, nothing of this batch was stored:" << error;
    // The flagger remembered events that are not stored after all; a rolled-back end of a bulk write left the
    // indexes dropped.
    loadFlaggerState();
    if (m_bulkDepth == 0)
        (void)schema::ensureEventIndexes(db);
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

Result<void> StoreWriter::writeDelivery(Job &job, QList<StoredDelivery> &stored)
{
    Delivery &d = job.delivery;
    if (!d.logKey.isEmpty()) {
        SqliteStatement &find = m_sql->findLogKey;
        find.bindBlob(1, d.logKey);
        find.bind(2, d.importId);
        bool ok = false;
        const bool known = find.existsRow(&ok);
        if (!ok)
            return Result<void>::failure(QStringLiteral("cannot look up a log line: ") + find.errorString());
        if (known) {
            stored.append(StoredDelivery{job.ticket, 0, {}, 0});
            return {};
        }
    }
    if (!job.parsed) {
        ParseResult parsed = m_parser->parse(d.body);
        d.format = parsed.format;
        d.events = std::move(parsed.events);
        if (d.error.isNull())
            d.error = parsed.error;
        d.warnings += parsed.warnings;
    }
    d.eventCount = int(d.events.size());
    if (d.bodySize == 0)
        d.bodySize = d.body.size();
    const Flags ownFlags = Flagger::deliveryFlags(d);

    SqliteStatement &qd = m_sql->insertDelivery;
    int i = 1;
    qd.bind(i++, int(d.origin));
    qd.bind(i++, d.receivedAtMs);
    qd.bindText(i++, d.method);
    if (d.path.isNull())
        qd.bindNull(i++);
    else
        qd.bindBlob(i++, d.path); // raw bytes: a request target need not be UTF-8
    qd.bind(i++, d.remote);
    const QByteArray headers = headercodec::encode(d.headers);
    qd.bindBlob(i++, headers);
    qd.bindBlob(i++, d.body);
    qd.bind(i++, d.bodySize);
    qd.bind(i++, int(d.format));
    qd.bind(i++, int(d.signature));
    qd.bind(i++, d.signatureDetail);
    qd.bind(i++, d.answeredStatus);
    qd.bind(i++, d.ackMs);
    qd.bind(i++, d.eventCount);
    qd.bind(i++, d.error);
    qd.bind(i++, d.warnings.isEmpty() ? QString() : d.warnings.join(u'\n'));
    qd.bind(i++, d.logLevel ? std::optional<int>(int(*d.logLevel)) : std::nullopt);
    qd.bind(i++, d.logMessage ? std::optional<int>(int(*d.logMessage)) : std::nullopt);
    qd.bind(i++, d.statusCode);
    qd.bind(i++, d.url);
    qd.bind(i++, d.logFile);
    qd.bind(i++, d.logLine);
    qd.bind(i++, int(ownFlags.toInt()));
    qd.bind(i++, job.indexLater ? 0 : 1); // 0: caught up at the next open if the process dies before indexing
    if (d.importId > 0)
        qd.bind(i++, d.importId);
    else
        qd.bindNull(i++);
    if (d.logKey.isEmpty())
        qd.bindNull(i++);
    else
        qd.bindBlob(i++, d.logKey);
    if (!qd.exec())
        return Result<void>::failure(QStringLiteral("cannot store a delivery: ") + qd.errorString());
    d.id = sqlite3_last_insert_rowid(SqliteStatement::handle(m_connection->db()));
    if (d.importId > 0) {
        ImportProgress &p = m_stagedProgress[d.importId];
        ++p.added;
        p.events += d.eventCount;
    }

    if (job.indexLater) {
        // The events are indexed after the commit (indexBacklog), from the stored body.
        m_pendingBacklog.push_back(d.id);
        stored.append(StoredDelivery{job.ticket, d.id, ownFlags, d.eventCount});
        return {};
    }
    if (job.prepared.rows.size() != std::size_t(d.events.size()))
        job.prepared = PreparedEvents::of(d.events);
    return insertEvents(d, job.prepared, ownFlags, &stored, job.ticket);
}

Result<void> StoreWriter::insertEvents(Delivery &d, const PreparedEvents &prepared, Flags ownFlags,
                                       QList<StoredDelivery> *stored, quint64 ticket)
{
    Flags all = ownFlags;
    SqliteStatement &qe = m_sql->insertEvent;
    sqlite3 *handle = SqliteStatement::handle(m_connection->db());
    for (qsizetype i = 0; i < d.events.size(); ++i) {
        Event &e = d.events[i];
        e.deliveryId = d.id;
        const PreparedEvents::Row &row = prepared.rows[std::size_t(i)];
        e.flags = m_flagger.flagEvent(d, e, row.idKey, row.subjectKey);
        all |= e.flags;
        const auto text = [&](int column, int field) {
            const auto [offset, length] = row.text[std::size_t(field)];
            if (offset < 0)
                qe.bindNull(column);
            else
                qe.bindStaticText(column, prepared.utf8.constData() + offset, length);
        };
        // The columns in the order of the INSERT; the texts in PreparedEvents' order.
        qe.bind(1, d.id);
        qe.bind(2, e.seq);
        qe.bind(3, int(d.origin));
        qe.bind(4, d.receivedAtMs);
        text(5, 0); // event_id
        text(6, 1); // action
        qe.bind(7, e.eventTimeMs);
        for (int field = 2; field < PreparedEvents::textCount; ++field)
            text(6 + field, field); // author (8) ... subject_uuid (13)
        qe.bind(14, int(e.flags.toInt()));
        qe.bind(15, qint64(e.payloadOffset));
        qe.bind(16, qint64(e.payloadLength));
        qe.bind(17, row.idKey);
        qe.bind(18, row.subjectKey);
        if (!qe.exec())
            return Result<void>::failure(QStringLiteral("cannot store an event: ") + qe.errorString());
        e.id = sqlite3_last_insert_rowid(handle);
    }
    if (!stored) {
        // Indexing a stored delivery: its row gets the union of the flags and is marked indexed.
        m_sql->markIndexed.bind(1, int(all.toInt()));
        m_sql->markIndexed.bind(2, int(d.events.size()));
        m_sql->markIndexed.bind(3, d.warnings.isEmpty() ? QString() : d.warnings.join(u'\n'));
        m_sql->markIndexed.bind(4, d.id);
        if (!m_sql->markIndexed.exec())
            return Result<void>::failure(m_sql->markIndexed.errorString());
    } else if (all != ownFlags) {
        m_sql->updateDeliveryFlags.bind(1, int(all.toInt()));
        m_sql->updateDeliveryFlags.bind(2, d.id);
        if (!m_sql->updateDeliveryFlags.exec())
            return Result<void>::failure(m_sql->updateDeliveryFlags.errorString());
    }
    d.flags = all;
    if (stored)
        stored->append(StoredDelivery{ticket, d.id, all, d.eventCount});
    return {};
}

void StoreWriter::loadBacklog()
{
    QSqlQuery q(m_connection->db());
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT id FROM deliveries WHERE indexed = 0 ORDER BY id"))) {
        qCWarning(lcStore) << "cannot find deliveries to index:" << queryError(q);
        return;
    }
    while (q.next())
        m_backlog.push_back(q.value(0).toLongLong());
    std::lock_guard lock(m_mutex);
    m_backlogEmpty = m_backlog.empty();
    m_done.notify_all(); // a flush() waiting since the open may be over
}

void StoreWriter::indexBacklog(qsizetype max, bool yieldToQueue, std::chrono::steady_clock::duration budget)
{
    if (m_backlog.empty())
        return;
    QSqlDatabase &db = m_connection->db();
    // IMMEDIATE: this transaction reads before it writes, and a deferred one would then fail at its first write
    // if another connection (the checkpointer) had moved the log on meanwhile; this way the busy handler waits.
    QSqlQuery begin(db);
    if (!begin.exec(QStringLiteral("BEGIN IMMEDIATE"))) {
        qCWarning(lcStore) << "cannot index events:" << queryError(begin);
        return;
    }
    begin = QSqlQuery();
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT origin, received_at, body, format, signature, answered_status, ack_ms, error, "
                             "log_level, log_message, status_code FROM deliveries WHERE id = ?"));
    qsizetype done = 0;
    QString error;
    const auto deadline = std::chrono::steady_clock::now() + budget;
    for (; done < max && done < qsizetype(m_backlog.size()); ++done) {
        if (done > 0
            && ((yieldToQueue && m_queued.load(std::memory_order_relaxed))
                || std::chrono::steady_clock::now() > deadline))
            break;
        Delivery d;
        d.id = m_backlog[std::size_t(done)];
        q.bindValue(0, d.id);
        if (!q.exec()) {
            error = queryError(q);
            break;
        }
        if (!q.next())
            continue; // gone
        d.origin = Origin(q.value(0).toInt());
        d.receivedAtMs = q.value(1).toLongLong();
        d.body = q.value(2).toByteArray();
        d.format = Format(q.value(3).toInt());
        d.signature = Signature(q.value(4).toInt());
        if (!q.value(5).isNull())
            d.answeredStatus = q.value(5).toInt();
        if (!q.value(6).isNull())
            d.ackMs = q.value(6).toDouble();
        d.error = q.value(7).isNull() ? QString() : q.value(7).toString();
        if (!q.value(8).isNull())
            d.logLevel = LogLevel(q.value(8).toInt());
        if (!q.value(9).isNull())
            d.logMessage = LogMessage(q.value(9).toInt());
        if (!q.value(10).isNull())
            d.statusCode = q.value(10).toInt();
        q.finish();
        // The receiver read only what its answer needed (PayloadParser::Depth::Envelope): the full read adds the
        // events' fields and the warnings about them.
        ParseResult parsed = m_parser->parse(d.body);
        d.events = std::move(parsed.events);
        d.warnings = std::move(parsed.warnings);
        if (auto r = insertEvents(d, PreparedEvents::of(d.events), Flagger::deliveryFlags(d), nullptr, 0); !r) {
            error = r.error();
            break;
        }
    }
    q = QSqlQuery();
    if (error.isEmpty() && db.commit()) {
        m_backlog.erase(m_backlog.begin(), m_backlog.begin() + done);
        Q_EMIT eventsIndexed();
        return;
    }
    db.rollback();
    qCWarning(lcStore) << "indexing events failed, will retry:" << (error.isEmpty() ? db.lastError().text() : error);
    loadFlaggerState();
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
    (void)q.exec(QStringLiteral("PRAGMA threads = 0"));
    (void)q.exec(QStringLiteral("PRAGMA temp_store = MEMORY"));
    (void)q.exec(QStringLiteral("PRAGMA cache_size = -%1").arg(Connection::cacheKiB));
    return built;
}

Result<void> StoreWriter::applyAnswer(qint64 deliveryId, double ackMs)
{
    SqliteStatement &ack = m_sql->recordAck;
    ack.bind(1, ackMs);
    ack.bind(2, deliveryId);
    if (!ack.exec())
        return Result<void>::failure(ack.errorString());
    // No format's budget is below the Akeneo Events API's: a quicker answer is never slow.
    if (ackMs <= budgets::ackBudgetMs(Format::Akeneo))
        return {};
    SqliteStatement &events = m_sql->markEventsSlow;
    events.bind(1, deliveryId);
    if (!events.exec())
        return Result<void>::failure(events.errorString());
    return {};
}

Result<void> StoreWriter::applySelfAuthor(const QString &author)
{
    QSqlQuery q(m_connection->db());
    const int self = int(Flag::Self);
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO settings (key, value) VALUES ('self_author', ?)"));
    q.addBindValue(author);
    if (!q.exec())
        return Result<void>::failure(queryError(q));
    q.prepare(QStringLiteral("UPDATE events SET flags = (flags & ~%1) | (CASE WHEN author = ? THEN %1 ELSE 0 END)")
                  .arg(self));
    q.addBindValue(author.isEmpty() ? QVariant() : QVariant(author));
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

Result<void> StoreWriter::applyPrune(const Retention &retention, qint64 nowMs)
{
    QSqlQuery q(m_connection->db());
    // What retention deletes is gone from the file too (bodies hold product data): SQLite overwrites the deleted
    // content with zeros while pruning, instead of leaving it in free pages until they are reused.
    // The connection's own setting is put back afterwards (Debian's SQLite has it on for every delete already).
    const int before = q.exec(QStringLiteral("PRAGMA secure_delete")) && q.next() ? q.value(0).toInt() : 0;
    q.finish();
    q.exec(QStringLiteral("PRAGMA secure_delete = ON"));
    const auto restore = qScopeGuard([this, before] {
        QSqlQuery(m_connection->db()).exec(QStringLiteral("PRAGMA secure_delete = %1").arg(before));
    });
    // Deliveries whose events are still to be indexed (the backlog) are kept until they are, and so are the lines of
    // an import still running. Imported lines are as old as the import, not as their own time (a log goes back
    // days by nature).
    const QString kept = QStringLiteral(
        "indexed = 1 AND (import_id IS NULL OR import_id IN (SELECT id FROM imports WHERE finished_at IS NOT NULL))");
    const auto deleteWhere = [&](const QString &condition, const QVariantList &bound) -> Result<void> {
        const auto run = [&](const QString &sql) {
            q.prepare(sql);
            for (const QVariant &v : bound)
                q.addBindValue(v);
            return q.exec();
        };
        // A window an import covered is not complete any more once some of its lines are gone.
        if (!run(QStringLiteral("SELECT max(received_at) FROM deliveries WHERE origin = %1 AND %2 AND %3")
                     .arg(int(Origin::Log))
                     .arg(kept, condition))
            || !q.next())
            return Result<void>::failure(queryError(q));
        const QVariant newestLogLine = q.value(0);
        q.finish();
        if (!run(QStringLiteral("DELETE FROM events WHERE delivery_id IN (SELECT id FROM deliveries WHERE %1 AND %2)")
                     .arg(kept, condition)))
            return Result<void>::failure(queryError(q));
        m_prunedEvents += q.numRowsAffected();
        if (!run(QStringLiteral("DELETE FROM deliveries WHERE %1 AND %2").arg(kept, condition)))
            return Result<void>::failure(queryError(q));
        m_prunedDeliveries += q.numRowsAffected();
        if (!newestLogLine.isNull()) {
            q.prepare(QStringLiteral("UPDATE imports SET covers_to = NULL, info_from = NULL, error_from = NULL "
                                     "WHERE info_from <= ? OR error_from <= ?"));
            q.addBindValue(newestLogLine);
            q.addBindValue(newestLogLine);
            if (!q.exec())
                return Result<void>::failure(queryError(q));
        }
        return {};
    };
    if (retention.keepDays > 0) {
        const qint64 cutOff = nowMs - qint64(retention.keepDays) * 86'400'000;
        // Two passes, each through an index (received_at; import_id): an OR of both would scan every delivery.
        if (auto r = deleteWhere(QStringLiteral("received_at < ? AND import_id IS NULL"), {cutOff}); !r)
            return r;
        if (auto r
            = deleteWhere(QStringLiteral("import_id IN (SELECT id FROM imports WHERE finished_at < ?)"), {cutOff});
            !r)
            return r;
    }
    if (retention.keepBytes <= 0)
        return {};
    const auto usedBytes = [&]() -> qint64 {
        QSqlQuery p(m_connection->db());
        qint64 pages = 0, free = 0, size = 0;
        if (p.exec(QStringLiteral("PRAGMA page_count")) && p.next())
            pages = p.value(0).toLongLong();
        if (p.exec(QStringLiteral("PRAGMA freelist_count")) && p.next())
            free = p.value(0).toLongLong();
        if (p.exec(QStringLiteral("PRAGMA page_size")) && p.next())
            size = p.value(0).toLongLong();
        return (pages - free) * size;
    };
    // The oldest deliveries go first, a slice at a time, until the data fits (a slice is about a tenth of what
    // is over the limit, from the average size of a delivery).
    for (qint64 used = usedBytes(); used > retention.keepBytes; used = usedBytes()) {
        QSqlQuery c(m_connection->db());
        if (!c.exec(QStringLiteral("SELECT count(*) FROM deliveries WHERE %1").arg(kept)) || !c.next())
            return Result<void>::failure(queryError(c));
        const qint64 count = c.value(0).toLongLong();
        if (count == 0)
            break;
        const qint64 average = std::max<qint64>(1, used / count);
        const qint64 slice = std::clamp<qint64>((used - retention.keepBytes) / average / 10 + 1, 1, 10'000);
        if (!c.exec(QStringLiteral("SELECT id FROM deliveries WHERE %1 ORDER BY id LIMIT 1 OFFSET %2")
                        .arg(kept)
                        .arg(slice - 1))
            || !c.next())
            return Result<void>::failure(queryError(c));
        if (auto r = deleteWhere(QStringLiteral("id <= ?"), {c.value(0).toLongLong()}); !r)
            return r;
    }
    return {};
}

Result<void> StoreWriter::applyBeginImport(const Job &job)
{
    QSqlQuery q(m_connection->db());
    q.prepare(QStringLiteral("INSERT INTO imports (file, path, pid, started_at) VALUES (?, ?, ?, ?)"));
    q.addBindValue(job.import.file);
    q.addBindValue(job.import.path);
    q.addBindValue(QCoreApplication::applicationPid());
    q.addBindValue(job.import.startedAtMs);
    if (!q.exec())
        return Result<void>::failure(QStringLiteral("cannot record the import: ") + queryError(q));
    m_begunImports.emplace_back(job.ticket, q.lastInsertId().toLongLong());
    return {};
}

Result<void> StoreWriter::applyFinishImport(const ImportRecord &r)
{
    QSqlQuery q(m_connection->db());
    q.prepare(QStringLiteral("UPDATE imports SET finished_at = ?, lines = ?, added = ?, events = ?, first_at = ?, "
                             "last_at = ?, covers_to = ?, info_from = ?, error_from = ? WHERE id = ?"));
    const auto opt
        = [](const std::optional<qint64> &v) { return v ? QVariant(*v) : QVariant(QMetaType(QMetaType::LongLong)); };
    q.addBindValue(opt(r.finishedAtMs));
    q.addBindValue(r.lines);
    q.addBindValue(r.added);
    q.addBindValue(r.events);
    q.addBindValue(opt(r.firstAtMs));
    q.addBindValue(opt(r.lastAtMs));
    q.addBindValue(opt(r.coversToMs));
    q.addBindValue(opt(r.infoFromMs));
    q.addBindValue(opt(r.errorFromMs));
    q.addBindValue(r.id);
    if (!q.exec())
        return Result<void>::failure(QStringLiteral("cannot record the import: ") + queryError(q));
    return {};
}

Result<void> StoreWriter::applyAbortImport(qint64 importId)
{
    QSqlQuery q(m_connection->db());
    const auto run = [&](const char *sql) {
        q.prepare(QString::fromLatin1(sql));
        q.addBindValue(importId);
        return q.exec();
    };
    if (!run("DELETE FROM events WHERE delivery_id IN (SELECT id FROM deliveries WHERE import_id = ?)"))
        return Result<void>::failure(queryError(q));
    const bool hadEvents = q.numRowsAffected() > 0;
    if (!run("DELETE FROM deliveries WHERE import_id = ?"))
        return Result<void>::failure(queryError(q));
    const qint64 deliveries = q.numRowsAffected();
    if (!run("DELETE FROM imports WHERE id = ?"))
        return Result<void>::failure(queryError(q));
    m_removedImports.emplace_back(importId, deliveries);
    m_abortedImport = m_abortedImport || hadEvents;
    return {};
}

namespace {

/** Whether the process that began an import may still be running it (on this machine). */
bool processAlive(qint64 pid, qint64 startedAtMs)
{
    if (pid == QCoreApplication::applicationPid())
        return true; // another store of this process
#if defined(Q_OS_UNIX)
    Q_UNUSED(startedAtMs)
    return pid > 0 && (::kill(pid_t(pid), 0) == 0 || errno == EPERM);
#else
    // No portable check: an import unfinished for a day is taken as abandoned.
    return pid > 0 && QDateTime::currentMSecsSinceEpoch() - startedAtMs < 86'400'000;
#endif
}

} // namespace

void StoreWriter::recoverImports()
{
    QSqlDatabase &db = m_connection->db();
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT id, pid, started_at FROM imports WHERE finished_at IS NULL"))) {
        qCWarning(lcStore) << "cannot read the unfinished imports:" << queryError(q);
        return;
    }
    std::vector<qint64> abandoned;
    while (q.next()) {
        if (!processAlive(q.value(1).toLongLong(), q.value(2).toLongLong()))
            abandoned.push_back(q.value(0).toLongLong());
    }
    q.finish();
    for (const qint64 id : abandoned) {
        if (QSqlQuery begin(db); !begin.exec(QStringLiteral("BEGIN IMMEDIATE")))
            return;
        if (auto r = applyAbortImport(id); !r || !db.commit()) {
            qCWarning(lcStore) << "cannot remove an unfinished import:" << (r ? db.lastError().text() : r.error());
            db.rollback();
        } else {
            qCInfo(lcStore) << "removed import" << id << "left unfinished:" << m_removedImports.back().second
                            << "lines";
        }
    }
    m_removedImports.clear();
    m_abortedImport = false;
}

} // namespace pimscope
