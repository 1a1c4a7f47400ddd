// StoreWriter: the import journal (the imports table: a log file's import begun, finished, or taken out whole).

#include "storewriter.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#if defined(Q_OS_UNIX)
#include <cerrno>
#include <csignal>
#endif

namespace pimscope {

Q_DECLARE_LOGGING_CATEGORY(lcStore)

Result<void> StoreWriter::apply(writerjobs::BeginImport &job, quint64 ticket)
{
    QSqlQuery q(m_connection->db());
    q.prepare(QStringLiteral("INSERT INTO imports (file, path, pid, started_at) VALUES (?, ?, ?, ?)"));
    q.addBindValue(job.record.file);
    q.addBindValue(job.record.path);
    q.addBindValue(QCoreApplication::applicationPid());
    q.addBindValue(job.record.startedAtMs);
    if (!q.exec())
        return Result<void>::failure(QStringLiteral("cannot record the import: ") + q.lastError().text());
    m_batch.begunImports.emplace_back(ticket, q.lastInsertId().toLongLong());
    return {};
}

Result<void> StoreWriter::apply(writerjobs::FinishImport &job, quint64 /*ticket*/)
{
    const ImportRecord &r = job.record;
    QSqlQuery q(m_connection->db());
    q.prepare(QStringLiteral("UPDATE imports SET finished_at = ?, lines = ?, added = ?, events = ?, first_at = ?, "
                             "last_at = ?, covers_to = ?, info_from = ?, error_from = ?, format = ? WHERE id = ?"));
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
    q.addBindValue(int(r.format));
    q.addBindValue(r.id);
    if (!q.exec())
        return Result<void>::failure(QStringLiteral("cannot record the import: ") + q.lastError().text());
    return {};
}

Result<void> StoreWriter::apply(writerjobs::AbortImport &job, quint64 /*ticket*/)
{
    const qint64 importId = job.importId;
    QSqlQuery q(m_connection->db());
    const auto run = [&](const char *sql) {
        q.prepare(QString::fromLatin1(sql));
        q.addBindValue(importId);
        return q.exec();
    };
    if (!run("DELETE FROM events WHERE delivery_id IN (SELECT id FROM deliveries WHERE import_id = ?)"))
        return Result<void>::failure(q.lastError().text());
    const bool hadEvents = q.numRowsAffected() > 0;
    if (!run("DELETE FROM deliveries WHERE import_id = ?"))
        return Result<void>::failure(q.lastError().text());
    const qint64 deliveries = q.numRowsAffected();
    if (!run("DELETE FROM imports WHERE id = ?"))
        return Result<void>::failure(q.lastError().text());
    m_batch.removedImports.emplace_back(importId, deliveries);
    m_batch.removedEvents = m_batch.removedEvents || hadEvents;
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
        qCWarning(lcStore) << "cannot read the unfinished imports:" << q.lastError().text();
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
        writerjobs::AbortImport abort{id};
        if (auto r = apply(abort, 0); !r || !db.commit()) {
            qCWarning(lcStore) << "cannot remove an unfinished import:" << (r ? db.lastError().text() : r.error());
            db.rollback();
        } else {
            qCInfo(lcStore) << "removed import" << id << "left unfinished:" << m_batch.removedImports.back().second
                            << "lines";
        }
    }
    m_batch = {};
}

} // namespace pimscope
