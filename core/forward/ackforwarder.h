#pragma once

#include "forwarder.h"
#include "forwardrule.h"

#include "model/connectoranswer.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <deque>
#include <memory>

namespace pimscope {

class DeliverySink;
class ForwardBacklog;

/** A committed delivery whose forward (ack mode) was queued with it. */
struct AckForward
{
    ConnectorAnswer row; ///< as stored: Queued, the target, the headers to send
    QByteArray method;
    QByteArray path; ///< the receiving path: which rule it goes by
    QByteArray body;
    bool bodyLoaded = false; ///< else read from the store before it is sent (a long queue, or one resumed)
    bool gone = false; ///< its delivery is no longer in the store (deleted by retention): dropped from the queue
    Format sender = Format::Unknown;
    qint64 receivedAtMs = 0;
    // The queue's own state of it.
    bool durable = false; ///< its row says Sending (committed): it may be sent
    bool marking = false; ///< being marked Sending
    bool inFlight = false;
};

/**
 * Ack mode's forwards, after Pimscope answered the PIM itself. Per rule, in arrival order, at most the rule's
 * concurrency in flight (1: strictly in order). Durable: a forward is queued in the delivery's own transaction; before
 * a forward is sent its row says Sending (a window of the next ones at a time, one commit for them); its outcome is
 * recorded after. So after a crash or a kill, what was Sending had its outcome lost: it is sent again, marked possibly
 * received twice; what was Queued is sent as if nothing happened.
 *
 * A connector that answers has answered, whatever the status (its verdict is recorded). One that gives no answer
 * (refused, reset, TLS, no answer within the timeout) is tried again with back-off, from 1 s doubling to 60 s, the
 * rule's queue waiting meanwhile; 24 h after the delivery was received the forward is given up.
 *
 * The queue is kept where the deliveries are (DeliverySink::openBacklog): the desktop's capture, or a server's
 * PostgreSQL store, where each receiver has a queue of its own (PgStore::Options::queue). Lives in the receiver's
 * thread.
 */
class AckForwarder : public QObject
{
    Q_OBJECT
public:
    static constexpr qint64 giveUpAfterMs = qint64{24} * 3600 * 1000;
    static constexpr int firstBackOffMs = 1000;
    static constexpr int maxBackOffMs = 60'000;
    /** Forwards marked Sending with one commit. */
    static constexpr int sendingWindow = 64;
    /** Bodies kept in memory while a rule's queue is at most this long (read from the store beyond). */
    static constexpr qsizetype bodiesInMemory = 10'000;

    AckForwarder(DeliverySink *store, QList<ForwardRule> rules, int timeoutMs, QObject *parent = nullptr);
    ~AckForwarder() override;

    /**
     * Reads what an earlier run left queued or sending (the sending ones are sent again, possibly received twice)
     * and starts sending; the rows whose path no ack rule covers any more are left as they are (counted in the
     * result).
     */
    Result<int> resume();
    /** A delivery just committed with its queued forward. */
    void add(AckForward forward);
    /** Forwards not done yet, of every rule. */
    qsizetype waiting() const;
    /** Forwards sent whose outcome is awaited. */
    int inFlight() const { return m_forwarder.inFlight(); }
    /**
     * Before a stop: nothing more is sent, and what was marked Sending without being sent is recorded Queued again,
     * so that the next run does not take it for possibly received twice.
     */
    void release();

Q_SIGNALS:
    /** A forward's attempt ended (answered, failed for now, or given up): its row as recorded. */
    void attempted(const pimscope::ConnectorAnswer &forward);
    void problem(const QString &message);

private:
    struct Queue
    {
        ForwardRule rule;
        std::deque<AckForward> items; ///< in arrival order
        int inFlight = 0;
        int marking = 0; ///< items being marked Sending (one commit awaited)
        int noAnswers = 0; ///< attempts in a row that got no answer: the back-off
        bool paused = false;
        QTimer *resumeTimer = nullptr;
        int failuresInARow = 0; ///< the connector's failures under the sender's rules, for its verdict
    };

    void pump(Queue &q);
    void markSending(Queue &q);
    void send(Queue &q, AckForward &f);
    void done(Queue *q, qint64 deliveryId, const HttpAnswer &answer);
    void onMarked(const QList<quint64> &tickets);
    void onFailed(const QList<quint64> &tickets, const QString &error);
    /** The markings of these tickets ended (Sending committed, or not): their queues. */
    QList<Queue *> settleMarking(const QList<quint64> &tickets, bool committed);
    void record(const ConnectorAnswer &row);
    /** The queue's forwards marked Sending but not sent, recorded Queued again (to be marked before they are sent). */
    void unmark(Queue &q);
    /** The bodies of these items, read from the store (a delivery no longer there: the item is marked gone). */
    Result<void> loadBodies(QList<AckForward *> items);
    /** The store's queue, opened for this thread at first use. */
    Result<ForwardBacklog *> backlog();
    Queue *queueFor(QByteArrayView path);
    /** The item of `deliveryId` in its queue, or the queue's end. */
    static std::deque<AckForward>::iterator find(Queue &q, qint64 deliveryId);

    DeliverySink *m_store;
    std::unique_ptr<ForwardBacklog> m_reader; ///< this thread's: the bodies of resumed and long queues
    Forwarder m_forwarder;
    std::vector<std::unique_ptr<Queue>> m_queues; ///< one per ack rule, in the rules' order
    QList<ForwardRule> m_rules; ///< the queues' rules, in the same order (forwardRuleFor's list)
    QHash<quint64, std::pair<Queue *, QList<qint64>>> m_marking; ///< ticket -> the queue and deliveries it marks
    bool m_released = false;
};

} // namespace pimscope
