#include "healthscan.h"

#include "sqlitestatement.h"

namespace pimscope::healthscan {

bool isNotification(Format format, const QString &firstSubjectType)
{
    return format == Format::AkeneoEventPlatform && firstSubjectType == u"subscription";
}

Result<void> scan(sqlite3 *db, HealthTracker &tracker)
{
    // Indexed deliveries only: the others are recorded as the writer indexes them.
    const QByteArray sql
        = "SELECT d.id, d.path, d.format, d.received_at, d.answered_status, d.ack_ms FROM deliveries d "
          "WHERE d.origin = "
        + QByteArray::number(int(Origin::Receiver))
        + " AND d.indexed = 1 AND d.answered_status IS NOT NULL AND d.format IN ("
        + QByteArray::number(int(Format::Akeneo)) + ", " + QByteArray::number(int(Format::AkeneoEventPlatform)) + ", "
        + QByteArray::number(int(Format::Quable))
        + ") AND (d.format != " + QByteArray::number(int(Format::AkeneoEventPlatform))
        + " OR NOT EXISTS (SELECT 1 FROM events e WHERE e.delivery_id = d.id AND e.subject_type = 'subscription')) "
          "ORDER BY d.id";
    SqliteStatement q;
    if (!q.prepare(db, sql.constData()))
        return Result<void>::failure(QStringLiteral("cannot read the answers: ") + q.errorString());
    bool ok = true;
    while (q.step(&ok))
        tracker.record(q.blob(1), Format(q.int64(2)), q.int64(0), q.int64(3), int(q.int64(4)),
                       q.isNull(5) ? 0.0 : q.real(5));
    if (!ok)
        return Result<void>::failure(QStringLiteral("cannot read the answers: ") + q.errorString());
    return {};
}

} // namespace pimscope::healthscan
