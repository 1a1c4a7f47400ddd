#pragma once

#include "analysis/subscriptionhealth.h"
#include "forwardbacklog.h"
#include "records.h"

#include <QObject>

#include <memory>
#include <optional>

namespace pimscope {

/**
 * Where a receiver commits what it takes: the desktop's capture (EventStore, SQLite) or a server's PostgreSQL store
 * (PgStore). Writes are asynchronous and thread-safe: each call returns a ticket at once; deliveriesStored reports
 * each delivery once it is committed (durable), storeFailed when it could not be (nothing of it is stored), so that
 * nothing is answered 2xx before its commit. The signals are emitted from the sink's writer thread: connect with a
 * context object.
 */
class DeliverySink : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    /**
     * Queues a delivery. With parsed == false, the sink detects the body's format and extracts its events (the
     * receiver parses itself and passes true).
     */
    virtual quint64 enqueue(Delivery delivery, bool parsed = false) = 0;
    /**
     * For the receiver: the ticket is reported once the delivery row is committed; what it needs beyond its bytes
     * and verdicts (indexing its events) is done after, off the answer's path. A forward given (ack mode: queued) is
     * stored with it, in the same transaction.
     */
    virtual quint64 enqueueIndexingLater(Delivery delivery, std::optional<ConnectorAnswer> forward = std::nullopt) = 0;
    /** The answer times of stored deliveries (the receiver gathers what it answered in one pass). */
    virtual quint64 recordAnswers(QList<AnswerTime> answers) = 0;
    /**
     * Forwards to the connector and their outcomes (inserted, or replacing the delivery's row). forwardsStored()
     * reports the ticket once committed, storeFailed() when it could not be.
     */
    virtual quint64 recordForwards(QList<ConnectorAnswer> forwards) = 0;
    /** Blocks until everything queued so far is committed or failed. For headless commands and tests. */
    virtual bool flush(int timeoutMs = 30000) = 0;
    /**
     * Every subscription's health (per receiving path and sender) from the answers stored; healthChanged() tells when
     * it changes.
     */
    virtual QList<SubscriptionHealth> health() const = 0;
    /** Where it writes, for messages: a file's path, a server's URL. */
    virtual QString location() const = 0;
    /**
     * A reader of ack mode's queue kept here (its own connection, for the calling thread): what this receiver left
     * queued, and the deliveries' bodies.
     */
    virtual Result<std::unique_ptr<ForwardBacklog>> openBacklog() const = 0;

Q_SIGNALS:
    void deliveriesStored(const QList<pimscope::StoredDelivery> &stored);
    void storeFailed(const QList<quint64> &tickets, const QString &error);
    /** The recordForwards() of these tickets were committed. */
    void forwardsStored(const QList<quint64> &tickets);
    /**
     * The subscriptions' health changed (all of it): with what was stored, or `read` from the store once it is opened
     * (those cut-offs happened before).
     */
    void healthChanged(const QList<pimscope::SubscriptionHealth> &health, bool read);
};

} // namespace pimscope
