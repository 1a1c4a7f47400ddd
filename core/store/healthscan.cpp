#include "healthscan.h"

#include "sqlitestatement.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

namespace pimscope::healthscan {

bool isNotification(Format format, const QString &firstSubjectType)
{
    return format == Format::AkeneoEventPlatform && firstSubjectType == u"subscription";
}

void notice(HealthTracker &tracker, qint64 deliveryId, qint64 atMs, const QByteArray &notificationJson)
{
    const QJsonObject o = QJsonDocument::fromJson(notificationJson).object();
    const QUrl destination(o.value(u"destination").toString());
    if (!destination.isValid() || !destination.scheme().startsWith(u"http"))
        return;
    const QByteArray path = destination.path(QUrl::FullyEncoded).toUtf8();
    tracker.notice(path.isEmpty() ? QByteArray("/") : path, deliveryId, atMs, o.value(u"notification_type").toString(),
                   o.value(u"reason").toString());
}

Result<void> scan(sqlite3 *db, HealthTracker &tracker)
{
    // Indexed deliveries only: the others are recorded as the writer indexes them. For an Event Platform delivery,
    // its notification JSON when it is a notification webhook (looked up for those deliveries only).
    const QByteArray platform = QByteArray::number(int(Format::AkeneoEventPlatform));
    const QByteArray sql
        = "SELECT d.id, d.path, d.format, d.received_at, d.answered_status, d.ack_ms, CASE WHEN d.format = " + platform
        + " THEN (SELECT substr(d.body, e.payload_offset + 1, e.payload_length) FROM events e WHERE e.delivery_id = "
          "d.id AND e.subject_type = 'subscription') END FROM deliveries d WHERE d.origin = "
        + QByteArray::number(int(Origin::Receiver))
        + " AND d.indexed = 1 AND d.answered_status IS NOT NULL AND d.format IN ("
        + QByteArray::number(int(Format::Akeneo)) + ", " + platform + ", " + QByteArray::number(int(Format::Quable))
        + ") ORDER BY d.id";
    SqliteStatement q;
    if (!q.prepare(db, sql.constData()))
        return Result<void>::failure(QStringLiteral("cannot read the answers: ") + q.errorString());
    bool ok = true;
    while (q.step(&ok)) {
        if (!q.isNull(6))
            notice(tracker, q.int64(0), q.int64(3), q.blob(6));
        else
            tracker.record(q.blob(1), Format(q.int64(2)), q.int64(0), q.int64(3), int(q.int64(4)),
                           q.isNull(5) ? 0.0 : q.real(5));
    }
    if (!ok)
        return Result<void>::failure(QStringLiteral("cannot read the answers: ") + q.errorString());
    return {};
}

} // namespace pimscope::healthscan
