// StoreWriter: retention (Retention: what a capture keeps, by age and by size).

#include "storewriter.h"

#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>

namespace pimscope {

Result<void> StoreWriter::apply(writerjobs::Prune &job, quint64 /*ticket*/)
{
    const Retention &retention = job.retention;
    const qint64 nowMs = job.nowMs;
    m_bulkRemovedOlder = m_bulkRemovedOlder || m_bulkDepth > 0; // (the flag counts' triggers are gone meanwhile)
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
            return Result<void>::failure(q.lastError().text());
        const QVariant newestLogLine = q.value(0);
        q.finish();
        if (!run(QStringLiteral("DELETE FROM events WHERE delivery_id IN (SELECT id FROM deliveries WHERE %1 AND %2)")
                     .arg(kept, condition)))
            return Result<void>::failure(q.lastError().text());
        m_batch.prunedEvents += q.numRowsAffected();
        if (!run(QStringLiteral("DELETE FROM forwards WHERE delivery_id IN (SELECT id FROM deliveries WHERE %1 AND %2)")
                     .arg(kept, condition)))
            return Result<void>::failure(q.lastError().text());
        if (!run(QStringLiteral("DELETE FROM deliveries WHERE %1 AND %2").arg(kept, condition)))
            return Result<void>::failure(q.lastError().text());
        m_batch.prunedDeliveries += q.numRowsAffected();
        if (!newestLogLine.isNull()) {
            q.prepare(QStringLiteral("UPDATE imports SET covers_to = NULL, info_from = NULL, error_from = NULL "
                                     "WHERE info_from <= ? OR error_from <= ?"));
            q.addBindValue(newestLogLine);
            q.addBindValue(newestLogLine);
            if (!q.exec())
                return Result<void>::failure(q.lastError().text());
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
            return Result<void>::failure(c.lastError().text());
        const qint64 count = c.value(0).toLongLong();
        if (count == 0)
            break;
        const qint64 average = std::max<qint64>(1, used / count);
        const qint64 slice = std::clamp<qint64>((used - retention.keepBytes) / average / 10 + 1, 1, 10'000);
        if (!c.exec(QStringLiteral("SELECT id FROM deliveries WHERE %1 ORDER BY id LIMIT 1 OFFSET %2")
                        .arg(kept)
                        .arg(slice - 1))
            || !c.next())
            return Result<void>::failure(c.lastError().text());
        if (auto r = deleteWhere(QStringLiteral("id <= ?"), {c.value(0).toLongLong()}); !r)
            return r;
    }
    return {};
}

} // namespace pimscope
