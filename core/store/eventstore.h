#pragma once

#include "connection.h"
#include "deliverysink.h"

#include <memory>

namespace pimscope {

class StoreWriter;
class StoreReader;

/**
 * A capture: one SQLite file (WAL) with a single writer thread and a reading connection for the thread that
 * opened it. Other threads that read create their own StoreReader on the same path.
 *
 * Writes are asynchronous: enqueue() returns a ticket at once; deliveriesStored reports each delivery once
 * it is committed (durable), storeFailed when its batch could not be committed (nothing of it is stored).
 * Both signals are emitted from the writer thread; connect with a context object.
 */
class EventStore : public DeliverySink
{
    Q_OBJECT
public:
    /** The default capture path: the platform's app-data location, e.g. ~/.local/share/pimscope/capture.db. */
    static QString defaultPath();

    /**
     * Opens (or creates, when options allow) the capture at `path` and starts its writer. Fails with a message
     * naming the problem for a file that is not a Pimscope capture, is corrupt, or is from a newer version,
     * without modifying it.
     */
    static Result<std::unique_ptr<EventStore>> open(const QString &path, const StoreOptions &options = {});

    ~EventStore() override;

    const QString &path() const { return m_path; }
    QString location() const override { return m_path; }
    Result<std::unique_ptr<ForwardBacklog>> openBacklog() const override;

    /**
     * Queues a delivery for the writer. Thread-safe. With parsed == false, the writer detects the body's format
     * and extracts its events (the receiver and the log importer parse themselves and pass true).
     */
    quint64 enqueue(Delivery delivery, bool parsed = false) override;

    /**
     * For the receiver: the ticket is reported once the delivery row is committed; its events (which must be the
     * PayloadParser's for its body, at either Depth) are indexed right after, off the answer's path, and its warnings
     * completed then. A forward given (ack mode: queued) is stored with it, in the same transaction.
     */
    quint64 enqueueIndexingLater(Delivery delivery, std::optional<ConnectorAnswer> forward = std::nullopt) override;

    /** Sets the author whose events are flagged `self` (empty: none) and re-flags the stored events. */
    quint64 setSelfAuthor(const QString &author);

    /**
     * Brackets a bulk write such as a log import: the indexes on events are dropped at the start and built
     * again at the end (about twice as fast for large imports; see StoreWriter). Returns tickets.
     */
    quint64 beginBulk();
    quint64 endBulk();

    /**
     * A log import (see StoreWriter::beginImport): records it and waits for its id, which the deliveries of its
     * lines carry. finishImport() records what it read and covers; abortImport() takes it out with everything
     * stored with it (importRemoved() says when).
     */
    Result<qint64> beginImport(const QString &file, const QString &path, qint64 startedAtMs);
    quint64 finishImport(ImportRecord record);
    quint64 abortImport(qint64 importId);
    /** The lines of an import committed so far (see ImportProgress). */
    ImportProgress importProgress(qint64 importId);

    /**
     * Copies changes read from a server's PostgreSQL store (the events' index keys computed in the calling thread):
     * each delivery inserted the first time its server id is seen, a later change of it applied to its row, and the
     * change number read up to recorded in the same transaction. followed() reports the ticket once committed,
     * storeFailed() when it could not be (nothing of it is stored).
     */
    quint64 follow(FollowBatch batch);
    /** The servers' stores this capture follows, and where the copy of each stands. */
    Result<QList<FollowedServer>> followedServers();

    /** Deletes what `retention` does not keep, as of `nowMs` (see Retention); pruned() says how much went. */
    quint64 prune(Retention retention, qint64 nowMs);

    /** Records the answer time of a stored delivery (see StoreWriter::recordAnswer). Thread-safe. */
    quint64 recordAnswer(qint64 deliveryId, double ackMs);
    /** The same for several deliveries, in one job (the receiver gathers what it answered in one pass). */
    quint64 recordAnswers(QList<AnswerTime> answers) override;

    /**
     * Records forwards to the connector and their outcomes (inserted, or replacing the delivery's row). Thread-safe.
     * forwardsStored() reports the ticket once committed, storeFailed() when it could not be.
     */
    quint64 recordForwards(QList<ConnectorAnswer> forwards) override;

    /**
     * Blocks until everything enqueued so far is committed or failed and every event is indexed. For headless
     * commands and tests.
     */
    bool flush(int timeoutMs = 30000) override;
    /** Blocks until the given ticket is committed or failed. */
    bool waitForTicket(quint64 ticket, int timeoutMs = 30000);

    /**
     * Every subscription's health (per receiving path and sender) as of the last commit; kept by the writer as it
     * stores, never by rescanning the capture. healthChanged() tells when it changes.
     */
    QList<SubscriptionHealth> health() const override;

    /** The reading connection of the thread that opened the store. */
    StoreReader &reader() { return *m_reader; }

Q_SIGNALS:
    /**
     * The events of received deliveries were indexed after their commit (deliveriesStored came first). Emitted
     * from the writer thread, like the others.
     */
    void eventsIndexed();
    /** The follow() of these tickets were committed. */
    void followed(const QList<quint64> &tickets);
    /** A prune() deleted this many deliveries and events. */
    void pruned(qint64 deliveries, qint64 events);
    /** An import was taken out (cancelled) with this many deliveries. */
    void importRemoved(qint64 importId, qint64 deliveries);

private:
    EventStore() = default;
    QString m_path;
    std::unique_ptr<StoreWriter> m_writer;
    std::unique_ptr<StoreReader> m_reader;
};

} // namespace pimscope
