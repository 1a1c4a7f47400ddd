#include "healthscan.h"

#include "sqlitestatement.h"

#include "model/delivery.h"
#include "model/senderprofile.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

namespace pimscope::healthscan {

void notice(HealthTracker &tracker, qint64 deliveryId, qint64 atMs, const QByteArray &notificationJson)
{
    const QJsonObject o = QJsonDocument::fromJson(notificationJson).object();
    const QUrl destination(o.value(u"destination").toString());
    if (!destination.isValid() || !destination.scheme().startsWith(u"http"))
        return;
    tracker.notice(receivingPath(destination), deliveryId, atMs, o.value(u"notification_type").toString(),
                   o.value(u"reason").toString());
}

Result<void> scan(sqlite3 *db, HealthTracker &tracker)
{
    // Indexed deliveries only: the others are recorded as the writer indexes them. Read through the index of the
    // answers (schema version 6), which holds every column needed: no row is read, but an Event Platform delivery's
    // event, to tell a notification webhook (its JSON is then read from the body).
    static_assert(int(Origin::Receiver) == 0, "deliveries_answers is on origin = 0");
    const QByteArray platform = QByteArray::number(int(Format::AkeneoEventPlatform));
    const QByteArray sql = "SELECT id, path, format, received_at, answered_status, ack_ms FROM deliveries WHERE "
                           "origin = 0 AND indexed = 1 AND answered_status IS NOT NULL AND format IN ("
        + QByteArray::number(int(Format::Akeneo)) + ", " + platform + ", " + QByteArray::number(int(Format::Quable))
        + ") ORDER BY id";
    SqliteStatement q;
    SqliteStatement notification;
    if (!q.prepare(db, sql.constData())
        || !notification.prepare(db,
                                 "SELECT substr(d.body, e.payload_offset + 1, e.payload_length) FROM events e "
                                 "JOIN deliveries d ON d.id = e.delivery_id WHERE e.delivery_id = ? AND "
                                 "e.subject_type = 'subscription'"))
        return Result<void>::failure(QStringLiteral("cannot read the answers: ") + q.errorString()
                                     + notification.errorString());
    bool ok = true;
    while (q.step(&ok)) {
        if (Format(q.int64(2)) == Format::AkeneoEventPlatform) {
            notification.bind(1, q.int64(0));
            const bool isNotice = notification.step();
            const QByteArray json = isNotice ? notification.blob(0) : QByteArray();
            notification.reset();
            if (isNotice) {
                notice(tracker, q.int64(0), q.int64(3), json);
                continue;
            }
        }
        tracker.record(q.blob(1), Format(q.int64(2)), q.int64(0), q.int64(3), int(q.int64(4)),
                       q.isNull(5) ? 0.0 : q.real(5));
    }
    if (!ok)
        return Result<void>::failure(QStringLiteral("cannot read the answers: ") + q.errorString());
    return {};
}

} // namespace pimscope::healthscan

namespace pimscope {

void LiveHealth::clear()
{
    m_tracker.clear();
    m_unanswered.clear();
}

void LiveHealth::stored(const Delivery &d)
{
    if (d.origin != Origin::Receiver)
        return;
    if (isPlatformNotification(d.format, d.events.isEmpty() ? QString() : d.events.front().subjectType)) {
        healthscan::notice(m_tracker, d.id, d.receivedAtMs, d.payload(d.events.front()));
        return;
    }
    if (!d.answeredStatus && d.ackMs)
        return;
    if (d.ackMs) {
        m_tracker.record(d.path, d.format, d.id, d.receivedAtMs, *d.answeredStatus, *d.ackMs);
        return;
    }
    if (m_unanswered.size() > 100'000) // answers that never came (a dropped connection): not kept for ever
        m_unanswered.clear();
    // No status yet: a delivery forwarded in proxy mode, whose status comes with its answer (the connector's).
    m_unanswered.insert(d.id, Unanswered{d.path, d.format, d.receivedAtMs, d.answeredStatus.value_or(-1)});
}

std::optional<Format> LiveHealth::awaitedFormat(qint64 deliveryId) const
{
    const auto it = m_unanswered.constFind(deliveryId);
    return it != m_unanswered.cend() ? std::optional(it->format) : std::nullopt;
}

void LiveHealth::answered(const AnswerTime &answer)
{
    const auto it = m_unanswered.constFind(answer.deliveryId);
    if (it == m_unanswered.cend())
        return;
    if (const int status = answer.status.value_or(it->status); status >= 0)
        m_tracker.record(it->path, it->format, answer.deliveryId, it->atMs, status, answer.ackMs);
    m_unanswered.erase(it);
}

} // namespace pimscope
