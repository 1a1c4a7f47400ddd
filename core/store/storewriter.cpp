#include "storewriter.h"

#include "headercodec.h"
#include "schema.h"

#include "analysis/budgets.h"

#include "formats/payloadparser.h"

#include <sqlite3.h>

#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <chrono>

namespace pimscope {

Q_DECLARE_LOGGING_CATEGORY(lcStore)

namespace {

QString queryError(const QSqlQuery &q) { return q.lastError().text(); }

} // namespace

StoreWriter::StoreWriter(QString path, StoreOptions options, QObject *parent)
    : QThread(parent), m_path(std::move(path)), m_options(options)
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
    m_wake.notify_one();
    return m_queue.back().ticket;
}

quint64 StoreWriter::enqueue(Delivery delivery, bool parsed)
{
    Job job;
    job.parsed = parsed;
    job.delivery = std::move(delivery);
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
    Job job;
    job.kind = Job::Answer;
    job.delivery.id = deliveryId;
    job.delivery.ackMs = ackMs;
    return push(std::move(job));
}

quint64 StoreWriter::endBulk()
{
    Job job;
    job.kind = Job::EndBulk;
    return push(std::move(job));
}

bool StoreWriter::waitForTicket(quint64 ticket, int timeoutMs)
{
    std::unique_lock lock(m_mutex);
    return m_done.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                           [&] { return m_finishedTicket >= ticket || (m_stopping && !isRunning()); });
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
    m_insertDelivery = std::make_unique<SqliteStatement>();
    m_insertEvent = std::make_unique<SqliteStatement>();
    m_updateDeliveryFlags = std::make_unique<SqliteStatement>();
    m_markIndexed = std::make_unique<SqliteStatement>();
    const bool prepared =
        m_insertDelivery->prepare(handle,
            "INSERT INTO deliveries (origin, received_at, method, path, remote, headers, body, body_size, format, "
            "signature, signature_detail, answered_status, ack_ms, event_count, error, warnings, log_level, log_message, status_code, "
            "url, log_file, log_line, flags) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
        && m_insertEvent->prepare(handle,
            "INSERT INTO events (delivery_id, seq, origin, received_at, event_id, action, event_time, author, "
            "author_type, pim_source, subject_type, subject_id, subject_uuid, flags, payload_offset, payload_length) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
        && m_updateDeliveryFlags->prepare(handle, "UPDATE deliveries SET flags = ? WHERE id = ?")
        && m_markIndexed->prepare(handle, "UPDATE deliveries SET flags = ?, event_count = ?, indexed = 1 WHERE id = ?");
    if (!prepared)
        return Result<void>::failure(QStringLiteral("cannot prepare the store's statements: ")
                                     + m_insertDelivery->errorString());

    // Finish a bulk write that a crash interrupted.
    if (auto r = schema::ensureEventIndexes(db); !r)
        return Result<void>::failure(QStringLiteral("cannot rebuild the indexes: ") + r.error());
    QSqlQuery q(db);
    if (q.exec(QStringLiteral("SELECT value FROM settings WHERE key = 'self_author'")) && q.next())
        m_flagger.setSelfAuthor(q.value(0).toString());
    loadFlaggerState();
    loadBacklog();
    m_parser = std::make_unique<PayloadParser>();
    m_checkpointer = std::make_unique<Checkpointer>(m_path);
    m_checkpointer->attach(handle);
    m_checkpointer->start();
    return {};
}

void StoreWriter::loadFlaggerState()
{
    m_flagger.clear();
    QSqlQuery q(m_connection->db());
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral(
            "SELECT origin, event_id, subject_type, subject_id, subject_uuid, event_time FROM events"))) {
        qCWarning(lcStore) << "cannot load stored events for flagging:" << queryError(q);
        return;
    }
    while (q.next()) {
        const auto origin = Origin(q.value(0).toInt());
        const QVariant time = q.value(5);
        m_flagger.remember(origin, q.value(1).toString(),
                           Flagger::subjectKey(q.value(2).toString(), q.value(3).toString(), q.value(4).toString()),
                           time.isNull() ? std::nullopt : std::optional<qint64>(time.toLongLong()));
    }
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
            return;
        }
    }
    for (;;) {
        std::deque<Job> batch;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return !m_queue.empty() || m_stopping || !m_backlog.empty(); });
            if (m_queue.empty() && m_stopping && m_backlog.empty())
                break;
            batch.swap(m_queue);
        }
        if (!batch.empty()) {
            process(batch);
            // Bound the backlog under a load that never pauses: then every batch also indexes some.
            if (m_backlog.size() > 100000)
                indexBacklog(qsizetype(batch.size()) * 2);
        } else {
            // Nothing queued: index, in chunks small enough (a few ms) that a delivery arriving meanwhile is not
            // kept waiting long. Under a load that keeps the queue busy the backlog grows, and catches up after.
            indexBacklog(16);
        }
        {
            std::lock_guard lock(m_mutex);
            if (!batch.empty())
                m_finishedTicket = batch.back().ticket;
            m_backlogEmpty = m_backlog.empty();
            m_done.notify_all();
        }
    }
    m_insertDelivery.reset();
    m_insertEvent.reset();
    m_updateDeliveryFlags.reset();
    m_markIndexed.reset();
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
    if (!db.transaction())
        error = db.lastError().text();
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
            r = applyAnswer(job.delivery.id, *job.delivery.ackMs);
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
        return;
    }
    m_pendingBacklog.clear();
    db.rollback();
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

Result<void> StoreWriter::writeDelivery(Job &job, QList<StoredDelivery> &stored)
{
    Delivery &d = job.delivery;
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

    SqliteStatement &qd = *m_insertDelivery;
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
    if (!qd.exec())
        return Result<void>::failure(QStringLiteral("cannot store a delivery: ") + qd.errorString());
    d.id = sqlite3_last_insert_rowid(SqliteStatement::handle(m_connection->db()));

    if (job.indexLater) {
        // The events are indexed after the commit (indexBacklog), from the stored body.
        m_pendingBacklog.push_back(d.id);
        stored.append(StoredDelivery{job.ticket, d.id, ownFlags, d.eventCount});
        return {};
    }
    return insertEvents(d, ownFlags, &stored, job.ticket);
}

Result<void> StoreWriter::insertEvents(Delivery &d, Flags ownFlags, QList<StoredDelivery> *stored, quint64 ticket)
{
    Flags all = ownFlags;
    SqliteStatement &qe = *m_insertEvent;
    sqlite3 *handle = SqliteStatement::handle(m_connection->db());
    for (Event &e : d.events) {
        e.deliveryId = d.id;
        e.flags = m_flagger.flagEvent(d, e);
        all |= e.flags;
        int k = 1;
        qe.bind(k++, d.id);
        qe.bind(k++, e.seq);
        qe.bind(k++, int(d.origin));
        qe.bind(k++, d.receivedAtMs);
        qe.bind(k++, e.eventId);
        qe.bind(k++, e.action);
        qe.bind(k++, e.eventTimeMs);
        qe.bind(k++, e.author);
        qe.bind(k++, e.authorType);
        qe.bind(k++, e.pimSource);
        qe.bind(k++, e.subjectType);
        qe.bind(k++, e.subjectId);
        qe.bind(k++, e.subjectUuid);
        qe.bind(k++, int(e.flags.toInt()));
        qe.bind(k++, qint64(e.payloadOffset));
        qe.bind(k++, qint64(e.payloadLength));
        if (!qe.exec())
            return Result<void>::failure(QStringLiteral("cannot store an event: ") + qe.errorString());
        e.id = sqlite3_last_insert_rowid(handle);
    }
    if (!stored) {
        // Indexing a stored delivery: its row gets the union of the flags and is marked indexed.
        m_markIndexed->bind(1, int(all.toInt()));
        m_markIndexed->bind(2, int(d.events.size()));
        m_markIndexed->bind(3, d.id);
        if (!m_markIndexed->exec())
            return Result<void>::failure(m_markIndexed->errorString());
    } else if (all != ownFlags) {
        m_updateDeliveryFlags->bind(1, int(all.toInt()));
        m_updateDeliveryFlags->bind(2, d.id);
        if (!m_updateDeliveryFlags->exec())
            return Result<void>::failure(m_updateDeliveryFlags->errorString());
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
}

void StoreWriter::indexBacklog(qsizetype max)
{
    if (m_backlog.empty())
        return;
    QSqlDatabase &db = m_connection->db();
    if (!db.transaction()) {
        qCWarning(lcStore) << "cannot index events:" << db.lastError().text();
        return;
    }
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT origin, received_at, body, format, signature, answered_status, ack_ms, error, "
                             "log_level, log_message, status_code FROM deliveries WHERE id = ?"));
    qsizetype done = 0;
    QString error;
    for (; done < max && done < qsizetype(m_backlog.size()); ++done) {
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
        d.events = m_parser->parse(d.body).events;
        if (auto r = insertEvents(d, Flagger::deliveryFlags(d), nullptr, 0); !r) {
            error = r.error();
            break;
        }
    }
    q = QSqlQuery();
    if (error.isEmpty() && db.commit()) {
        m_backlog.erase(m_backlog.begin(), m_backlog.begin() + done);
        return;
    }
    db.rollback();
    qCWarning(lcStore) << "indexing events failed, will retry:" << (error.isEmpty() ? db.lastError().text() : error);
    loadFlaggerState();
}

Result<void> StoreWriter::applyBulk(bool begin)
{
    QSqlDatabase &db = m_connection->db();
    if (begin) {
        if (m_bulkDepth++ > 0)
            return {};
        return schema::dropEventIndexes(db);
    }
    if (m_bulkDepth == 0 || --m_bulkDepth > 0)
        return {};
    return schema::ensureEventIndexes(db);
}

Result<void> StoreWriter::applyAnswer(qint64 deliveryId, double ackMs)
{
    // The budget depends on the delivery's format: one CASE built from the same table the flagger uses.
    QString budget = QStringLiteral("CASE format");
    for (const Format f : {Format::Unknown, Format::Akeneo, Format::AkeneoTest, Format::AkeneoEventPlatform, Format::Quable})
        budget += QStringLiteral(" WHEN %1 THEN %2").arg(int(f)).arg(budgets::ackBudgetMs(f));
    budget += QStringLiteral(" END");
    const int slow = int(Flag::SlowAck);
    QSqlQuery q(m_connection->db());
    q.prepare(QStringLiteral("UPDATE deliveries SET ack_ms = ?, flags = CASE WHEN ? > ") + budget
              + QStringLiteral(" THEN flags | %1 ELSE flags END WHERE id = ?").arg(slow));
    q.addBindValue(ackMs);
    q.addBindValue(ackMs);
    q.addBindValue(deliveryId);
    if (!q.exec())
        return Result<void>::failure(queryError(q));
    q.prepare(QStringLiteral("UPDATE events SET flags = flags | %1 WHERE delivery_id = ? AND "
                             "(SELECT flags & %1 FROM deliveries WHERE id = ?) != 0")
                  .arg(slow));
    q.addBindValue(deliveryId);
    q.addBindValue(deliveryId);
    if (!q.exec())
        return Result<void>::failure(queryError(q));
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

} // namespace pimscope
