#pragma once

#include "checkpointer.h"
#include "connection.h"
#include "healthscan.h"
#include "records.h"
#include "sqlitestatement.h"
#include "writerjobs.h"

#include "analysis/flagger.h"

#include <QHash>
#include <QList>
#include <QThread>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace pimscope {

class PayloadParser;

/**
 * The single writer of a capture: a thread that owns the only write connection and commits whatever has
 * been queued since its last commit in one transaction (group commit: no fixed tick, so a lone request is
 * committed at once and a burst shares one commit). It parses bodies that arrive unparsed, computes flags,
 * and reports each committed delivery through deliveriesStored, or storeFailed when a commit fails (then
 * nothing of that batch is in the store).
 *
 * enqueue(), setSelfAuthor() and waitForTicket() may be called from any thread. Signals are emitted from the
 * writer thread; connect with a context object to receive them in yours.
 */
class StoreWriter : public QThread
{
    Q_OBJECT
public:
    StoreWriter(QString path, StoreOptions options, QObject *parent = nullptr);
    ~StoreWriter() override;

    /** Starts the thread and opens the write connection; returns its error if it could not. */
    Result<void> startWriting();

    /** Queues a delivery. With parsed == false the writer detects the format and extracts the events. */
    quint64 enqueue(Delivery delivery, bool parsed);

    /**
     * Queues a received delivery whose commit must be quick: only the delivery row is committed for its ticket;
     * its events are indexed right after, whenever the writer has nothing else queued (re-read from the stored
     * body). A crash in between is caught up when the capture is next opened.
     */
    quint64 enqueueIndexingLater(Delivery delivery, std::optional<ConnectorAnswer> forward = std::nullopt);

    /** Blocks until everything queued so far is committed and every event indexed; false on timeout. */
    bool waitForIdle(int timeoutMs);

    /** Sets the author whose events are flagged `self` and re-flags what is stored. Returns a ticket. */
    quint64 setSelfAuthor(const QString &author);

    /**
     * Bulk writing (a log import): from beginBulk() the indexes on events are dropped, and endBulk() builds
     * them again, which is about twice as fast overall for large imports. Reads stay correct in between, only
     * slower. A bulk interrupted by a crash is finished when the capture is next opened. Nested calls count.
     */
    quint64 beginBulk();
    quint64 endBulk();

    /**
     * Records how long the answer to a stored delivery took (known only once it is written, after the commit)
     * and flags it and its events slow_ack when that is over the source's budget.
     */
    quint64 recordAnswer(qint64 deliveryId, double ackMs);
    /** recordAnswer() for several deliveries in one job. */
    quint64 recordAnswers(QList<AnswerTime> answers);

    /**
     * Records forwards to the connector (inserted, or replacing the row of the same delivery): forwardsStored()
     * reports the ticket once committed, storeFailed() when not.
     */
    quint64 recordForwards(QList<ConnectorAnswer> forwards);

    /** Deletes what `retention` does not keep, as of `nowMs` (see Retention); pruned() tells what went. */
    quint64 prune(Retention retention, qint64 nowMs);

    /** Copies changes read from a server's store (see writerjobs::Follow): followed() reports the ticket. */
    quint64 follow(FollowBatch batch);

    /**
     * Log imports. beginImport() adds a row to the imports table (file, path, started_at; the pid is this
     * process's) and, once committed, importId(ticket) gives its id, for the deliveries of its lines. Deliveries
     * with a log key that an earlier import stored are skipped (reported with id 0). finishImport() records what the
     * import read and covers; abortImport() deletes the import and everything stored with it, then reports
     * importRemoved(). An import left unfinished by a process that is gone is removed when a writer opens the
     * capture.
     */
    quint64 beginImport(ImportRecord record);
    /** The id of the import begun with `ticket`, once that ticket is committed; 0 when unknown or failed. */
    qint64 importId(quint64 ticket);
    /** What the committed lines of an import added so far (see ImportProgress). */
    ImportProgress importProgress(qint64 importId);
    quint64 finishImport(ImportRecord record);
    quint64 abortImport(qint64 importId);

    /** Blocks until the job with this ticket was committed or failed; false on timeout. */
    bool waitForTicket(quint64 ticket, int timeoutMs);

    /** The ticket of the newest job queued so far (0: none). */
    quint64 lastTicket();

    /** Commits what is queued, then ends the thread. */
    void stop();

    /** Every subscription's health as of the last commit (see HealthTracker). Thread-safe. */
    QList<SubscriptionHealth> health();

Q_SIGNALS:
    void deliveriesStored(const QList<pimscope::StoredDelivery> &stored);
    void storeFailed(const QList<quint64> &tickets, const QString &error);
    /** The recordForwards() jobs of these tickets were committed. */
    void forwardsStored(const QList<quint64> &tickets);
    /** The follow() jobs of these tickets were committed. */
    void followed(const QList<quint64> &tickets);
    /** Events of deliveries committed earlier were indexed (emitted from the writer thread). */
    void eventsIndexed();
    /** A prune() deleted this many deliveries and events (emitted once committed, only when it deleted some). */
    void pruned(qint64 deliveries, qint64 events);
    /** An import was taken out (cancelled, or left unfinished by a crash) with this many deliveries. */
    void importRemoved(qint64 importId, qint64 deliveries);
    /**
     * The subscriptions' health changed with what was committed (`read` false), or was read from the capture (`read`
     * true: after it opened, which happens after startWriting() returned, or after a rollback): all of it, as health()
     * returns it.
     */
    void healthChanged(const QList<pimscope::SubscriptionHealth> &health, bool read);

protected:
    void run() override;

private:
    using PreparedEvents = writerjobs::PreparedEvents;
    struct Job
    {
        quint64 ticket = 0;
        writerjobs::Payload what;
    };
    /**
     * What the jobs of the batch being committed leave to do once it is committed (or to forget when it is rolled
     * back), in one place: reset after every batch.
     */
    struct BatchState
    {
        QList<StoredDelivery> stored; ///< reported by deliveriesStored once committed
        QList<quint64> forwards; ///< the recordForwards() tickets, reported by forwardsStored
        QList<quint64> followed; ///< the follow() tickets, reported by followed
        /** follow() tickets refused, with why (reported by storeFailed once the rest is committed). */
        QList<std::pair<quint64, QString>> refusedFollows;
        std::vector<qint64> backlog; ///< deliveries stored to be indexed after the commit
        qint64 prunedDeliveries = 0; ///< by the prune jobs
        qint64 prunedEvents = 0;
        std::vector<std::pair<quint64, qint64>> begunImports; ///< ticket -> import id
        std::vector<std::pair<qint64, qint64>> removedImports; ///< import id -> deliveries
        std::map<qint64, ImportProgress> importProgress; ///< by import id: what the batch adds
        bool removedEvents = false; ///< events are gone: the flagger's state is read again
    };

    quint64 push(writerjobs::Payload what);

    // storewriter.cpp: the queue, the thread, the transaction.
    Result<void> openConnection();
    /** The flagger's state, read from what is stored (at open, after a rollback or a removal). */
    void loadFlaggerState();
    /** The health tracker's state, read from what is stored and published (at open: first, see run()). */
    void loadHealth();
    /** healthChanged() when the tracker changed. */
    void publishHealth(bool read = false);
    void process(std::deque<Job> &batch);
    void committed();
    void rolledBack(const std::deque<Job> &batch, const QString &error);
    /**
     * Whether the capture file is still the one that was opened (SQLITE_FCNTL_HAS_MOVED): deleted or replaced, the
     * first time it is noticed, what the open file holds is copied to PATH.rescued-TIME.db, and every write from
     * then on fails with a message saying so (the receiver answers 503).
     */
    Result<void> checkFileInPlace();
    Result<void> apply(writerjobs::SetSelfAuthor &job, quint64 ticket);
    Result<void> apply(writerjobs::Bulk &job, quint64 ticket);
    Result<void> apply(writerjobs::RecordAnswers &job, quint64 ticket);
    /**
     * A passed-on status (AnswerTime::status) as the delivery's answered_status, with error on it and its indexed
     * events when its sender counts it as failed (the format read from the row when not given). Returns whether it
     * failed.
     */
    Result<bool> recordPassedOnStatus(qint64 deliveryId, int status, std::optional<Format> format);
    Result<void> applyBulk(bool begin);

    // deliveryinsert.cpp: a delivery and its events.
    Result<void> prepareStatements();
    Result<void> apply(writerjobs::StoreDelivery &job, quint64 ticket);
    Result<void> insertEvents(Delivery &d, const PreparedEvents &prepared, Flags ownFlags, bool indexing,
                              quint64 ticket);

    // backlogindexer.cpp: the events of deliveries committed before them.
    void loadBacklog();
    /**
     * Indexes the events of up to `max` deliveries of the backlog in one transaction, for about `budget` (at
     * least one delivery); with yieldToQueue, stops early once a job is queued.
     */
    void indexBacklog(qsizetype max, bool yieldToQueue, std::chrono::steady_clock::duration budget);

    // retention.cpp
    Result<void> apply(writerjobs::Prune &job, quint64 ticket);

    // importjournal.cpp
    Result<void> apply(writerjobs::BeginImport &job, quint64 ticket);
    Result<void> apply(writerjobs::FinishImport &job, quint64 ticket);
    Result<void> apply(writerjobs::AbortImport &job, quint64 ticket);

    // followjournal.cpp
    Result<void> apply(writerjobs::Follow &job, quint64 ticket);

    // forwardjournal.cpp
    Result<void> apply(writerjobs::RecordForwards &job, quint64 ticket);
    /** Inserts a forward, or replaces the row of its delivery. */
    Result<void> writeForward(const ConnectorAnswer &forward);
    /** Removes the imports that processes now gone left unfinished (at open). */
    void recoverImports();

    BatchState m_batch;
    QString m_path;
    QString m_movedError; ///< set once the capture file was found deleted or replaced
    StoreOptions m_options;
    std::unique_ptr<Connection> m_connection;
    std::unique_ptr<PayloadParser> m_parser;
    /** The hot path binds straight to SQLite (see SqliteStatement); finalised before the connection closes. */
    struct Statements
    {
        SqliteStatement insertDelivery; ///< parameters: DeliveryParam (deliveryinsert.cpp)
        SqliteStatement insertEvent; ///< parameters: EventParam
        SqliteStatement updateDeliveryFlags;
        SqliteStatement markIndexed; ///< a delivery's events were indexed after its commit
        SqliteStatement recordAck; ///< the answer time, and slow_ack past the format's budget
        SqliteStatement markEventsSlow; ///< slow_ack onto the events of a delivery that has it
        SqliteStatement findLogKey; ///< a log line stored already
        SqliteStatement upsertForward; ///< a forward to the connector, inserted or updated (forwardjournal.cpp)
        SqliteStatement passedOnStatus; ///< the status the PIM got, and error when it failed
        SqliteStatement markEventsFailed; ///< error onto a delivery's indexed events
        SqliteStatement formatOf; ///< a delivery's format
        SqliteStatement insertEdit; ///< what a request Pimscope sent was made from
    };
    std::unique_ptr<Statements> m_sql;
    Flagger m_flagger;
    LiveHealth m_health;
    QList<SubscriptionHealth> m_healthSnapshot; ///< under m_mutex
    int m_bulkDepth = 0;
    std::pair<qint64, qint64> m_bulkAfter; ///< the last event and delivery ids when the bulk write began
    bool m_bulkRemovedOlder = false; ///< retention removed rows during the bulk write: count everything at its end
    std::unique_ptr<Checkpointer> m_checkpointer;
    std::deque<qint64> m_backlog; ///< deliveries stored whose events are not indexed yet (writer thread only)

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_done;
    std::deque<Job> m_queue;
    /**
     * The processed jobs of a bulk write, freed by the thread that waits for them (waitForTicket) rather than by
     * the writer: freeing a large import's deliveries took 8% of the writer's time, the import's critical path.
     */
    std::vector<std::deque<Job>> m_spent;
    std::size_t m_spentJobs = 0;
    quint64 m_nextTicket = 1;
    quint64 m_finishedTicket = 0; ///< every ticket up to this one was committed or failed
    std::map<quint64, qint64> m_importIds; ///< committed beginImport() tickets -> import ids (under m_mutex)
    std::map<qint64, ImportProgress> m_importProgress; ///< by import id (under m_mutex)
    bool m_backlogEmpty = false; ///< mirrors m_backlog.empty() for waitForIdle() (false until it is loaded)
    std::chrono::steady_clock::time_point m_lastPush; ///< when the last job was queued
    /**
     * m_queue holds a proxied forward's answer: the PIM waits for its commit and nothing else is expected to join it
     * soon, so it is committed without the group commit's wait.
     */
    bool m_awaited = false;
    std::atomic<bool> m_queued = false; ///< m_queue is not empty (read without the lock by the indexer)
    bool m_stopping = false;
    bool m_started = false;
    QString m_openError;
    bool m_openFinished = false;
};

} // namespace pimscope
