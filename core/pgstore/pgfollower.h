#pragma once

#include "pgtarget.h"

#include "util/result.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>

class QSocketNotifier;

namespace pimscope {

class EventStore;
class PayloadParser;
class PgConnection;

/**
 * Copies a server's PostgreSQL store into a local capture, where the deliveries are indexed, flagged, filtered,
 * replayed and exported as those received locally. What the capture lacks is read first, in batches by change number
 * (each batch committed locally with the number read up to: a follower stopped, killed or offline for days resumes
 * where it stopped, with no gap and no duplicate); then each commit on the server wakes it (LISTEN/NOTIFY on the
 * connection's socket: no polling). A lost connection is retried every retryMs and said once.
 *
 * Lives in any thread with an event loop (the window gives it one of its own: it waits for the server and for the
 * capture's commits); several followers, in several windows or processes, may follow one server.
 */
class PgFollower : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        /** A first copy only (a capture that follows the store already resumes): from this server id on... */
        std::optional<qint64> sinceId;
        /** ... or from the deliveries received at or after this time (UTC ms). */
        std::optional<qint64> sinceMs;
        int batch = 2000; ///< deliveries read and committed at once
        /**
         * Batches queued to the capture and not yet committed, at most: the capture's writer always has the next one
         * while the follower reads and parses (one batch is about 11 MB of 10-event bodies).
         */
        int inFlight = 3;
        /**
         * A catch-up of this many changes or more copies in the capture's bulk mode (its event indexes built again at
         * the end: see EventStore::beginBulk), as a large log import does.
         */
        qint64 bulkFrom = 20'000;
        int retryMs = 1000; ///< while the server cannot be reached: how often to try it again
    };
    PgFollower(EventStore *capture, PgTarget target, QByteArray password, const Options &options,
               QObject *parent = nullptr);
    ~PgFollower() override;

    /**
     * Connects, checks that the server holds a Pimscope store (nothing is written there, or here, when it does not),
     * finds where this capture's copy of it stands, and starts copying. Every failure names the problem.
     */
    Result<void> start();

    /** The server store's id (its pimscope_meta), once started. */
    QString storeId() const { return m_storeId; }
    /** Whether the capture held a copy of this store already (the copy resumes; the since options are not used). */
    bool resumed() const { return m_resumed; }
    /** The change number the capture's copy is committed up to. */
    qint64 committedRev() const { return m_committedRev; }
    /** Whether the server can be read now. */
    bool connected() const;
    /** Changes copied since start(): new deliveries, and later changes (answer times, connector's answers) of some. */
    qint64 copiedChanges() const { return m_copied; }

    /**
     * Stops copying, from any thread: the statement the follower waits for on the server is cancelled (a server that
     * hangs, a table locked there), so that the follower's thread is soon free to delete it. The batch in flight is
     * still committed to the capture (by the destructor); nothing more is read.
     */
    void cancel();

    /**
     * Reads nothing more and waits for the batches in flight to be committed (false when one failed: failed() said
     * why). The destructor does it too, when nothing could act on what it says any more.
     */
    bool finish();

Q_SIGNALS:
    /**
     * A batch was committed to the capture: `changes` rows read (new deliveries and later changes of copied ones) up to
     * change number `rev`; `lagMs`: from the newest one's commit on the server to its commit here.
     */
    void copied(qint64 changes, qint64 rev, double lagMs);
    /** Everything the server held was copied (said again after each catch-up). */
    void caughtUp(qint64 rev);
    /** The server could not be read any more (`up` false, with why), or can again. */
    void connectionChanged(bool up, const QString &message);
    /** The capture could not store what was read: copying stopped (nothing of that batch is stored). */
    void failed(const QString &message);

private:
    struct InFlight
    {
        quint64 ticket = 0;
        qint64 changes = 0;
        qint64 rev = 0;
        qint64 newestChangeMs = 0;
    };
    /** Connects and checks the store; `lasting` says whether a failure is what the database holds (not transient). */
    Result<void> connectToServer(bool *lasting = nullptr);
    void lose(const QString &why);
    void retry();
    void schedule();
    void fetchMore();
    /**
     * Waits for the oldest batch in flight to be committed, or for all of them; false when one failed (failed() said
     * why).
     */
    bool settle(bool all = false);
    void readable();
    /** At start: whether what is missing is enough for the capture's bulk mode. */
    void considerBulk();
    void endBulk();
    /** Stopped by a failure, or cancelled. */
    bool stopped() const { return m_stopped || m_cancelled; }
    /** The connection in use from now on (none: lost), swapped under the lock cancel() takes. */
    void useConnection(std::unique_ptr<PgConnection> connection);

    EventStore *m_capture;
    PgTarget m_target;
    QByteArray m_password;
    Options m_options;
    std::unique_ptr<PgConnection> m_connection;
    std::mutex m_connectionMutex; ///< m_connection's swaps, against cancel() from another thread
    std::atomic<bool> m_cancelled{false};
    std::unique_ptr<QSocketNotifier> m_notifier;
    std::unique_ptr<PayloadParser> m_parser;
    QTimer m_retry; ///< a child: it moves to the follower's thread with it
    QString m_storeId;
    bool m_hasChangedAt = false; ///< the server's schema has deliveries.changed_at (2 and later)
    bool m_resumed = false;
    bool m_scheduled = false;
    bool m_stopped = false;
    bool m_bulk = false;
    qint64 m_readRev = 0; ///< read and queued up to
    qint64 m_committedRev = 0;
    qint64 m_copied = 0;
    std::deque<InFlight> m_inFlight; ///< oldest first
    QString m_lastSaid; ///< why the server cannot be read, as last said
    /** The tickets the capture could not commit (its writer thread writes them). */
    struct Failures
    {
        std::mutex mutex;
        QHash<quint64, QString> tickets;
    };
    std::shared_ptr<Failures> m_failed = std::make_shared<Failures>();
    QMetaObject::Connection m_failures;
};

} // namespace pimscope
