// StoreWriter: the events of deliveries committed before them (the receiver commits a delivery's row first, so
// that its answer waits for nothing more; its events are read and indexed in the pauses of the traffic).

#include "storewriter.h"

#include "formats/payloadparser.h"

#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace pimscope {

Q_DECLARE_LOGGING_CATEGORY(lcStore)

void StoreWriter::loadBacklog()
{
    QSqlQuery q(m_connection->db());
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT id FROM deliveries WHERE indexed = 0 ORDER BY id"))) {
        qCWarning(lcStore) << "cannot find deliveries to index:" << q.lastError().text();
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
        qCWarning(lcStore) << "cannot index events:" << begin.lastError().text();
        return;
    }
    begin = QSqlQuery();
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT origin, received_at, body, format, signature, answered_status, ack_ms, error, "
                             "log_level, log_message, status_code, path FROM deliveries WHERE id = ?"));
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
            error = q.lastError().text();
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
        d.path = q.value(11).toByteArray(); // (for the subscription's health)
        q.finish();
        // The receiver read only what its answer needed (PayloadParser::Depth::Envelope): the full read adds the
        // events' fields and the warnings about them.
        ParseResult parsed = m_parser->parse(d.body);
        d.events = std::move(parsed.events);
        d.warnings = std::move(parsed.warnings);
        if (auto r = insertEvents(d, PreparedEvents::of(d.events), Flagger::deliveryFlags(d), true, 0); !r) {
            error = r.error();
            break;
        }
    }
    q = QSqlQuery();
    if (error.isEmpty() && db.commit()) {
        m_backlog.erase(m_backlog.begin(), m_backlog.begin() + done);
        Q_EMIT eventsIndexed();
        publishHealth();
        return;
    }
    db.rollback();
    qCWarning(lcStore) << "indexing events failed, will retry:" << (error.isEmpty() ? db.lastError().text() : error);
    loadFlaggerState();
}

} // namespace pimscope
