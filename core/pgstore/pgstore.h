#pragma once

#include "pgtarget.h"

#include "store/deliverysink.h"
#include "store/healthscan.h"

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

namespace pimscope {

class PgConnection;
class PayloadParser;

/**
 * The receivers' store on a server: their deliveries committed to PostgreSQL, with the same guarantee as the
 * desktop's capture (nothing answered 2xx before its commit). One writer thread with its own connection commits what
 * is queued in groups (a pipeline: one round trip and one fsync for everything that arrived meanwhile); several
 * receivers, on one machine or several, may write to the same database: each group takes one advisory lock, so ids
 * and change numbers grow in commit order, and a NOTIFY at each commit wakes the followers.
 *
 * While the server cannot be reached every write fails (the receiver answers 503, and the PIM retries where it does):
 * at once when the server refuses connections, within 2 s when its host does not answer; the writer connects again
 * at most every `retryMs` and carries on without a restart. available() tells when it goes down and comes back.
 */
class PgStore : public DeliverySink
{
    Q_OBJECT
public:
    struct Options
    {
        int retryMs = 500; ///< while the server is unreachable: how often to try it again
        int maxGroup = 1000; ///< the most deliveries committed in one transaction
        /**
         * The name of this receiver's queue of ack-mode forwards (forwards.queue): only a receiver of that name sends
         * and resumes them, so that several receivers on one store each send what they took. Stable across restarts
         * (the receive command's default: this host and the port it listens on).
         */
        QString queue;
    };
    /**
     * Connects to `target` (the password given, else libpq's PGPASSWORD or ~/.pgpass), makes it a Pimscope store or
     * checks that it is one (see preparePgStore), and starts the writer. Every failure names the problem; nothing is
     * written to a database that is not a Pimscope store.
     */
    static Result<std::unique_ptr<PgStore>> open(const PgTarget &target, const QByteArray &password,
                                                 const Options &options);
    static Result<std::unique_ptr<PgStore>> open(const PgTarget &target, const QByteArray &password = {})
    {
        return open(target, password, Options{});
    }
    ~PgStore() override;
    PgStore(const PgStore &) = delete;
    PgStore &operator=(const PgStore &) = delete;

    quint64 enqueue(Delivery delivery, bool parsed = false) override;
    quint64 enqueueIndexingLater(Delivery delivery, std::optional<ConnectorAnswer> forward = std::nullopt) override;
    quint64 recordAnswers(QList<AnswerTime> answers) override;
    quint64 recordForwards(QList<ConnectorAnswer> forwards) override;
    bool flush(int timeoutMs = 30000) override;
    QList<SubscriptionHealth> health() const override;
    QString location() const override { return m_target.url(); }
    /** A reader of this receiver's queue (Options::queue) on a connection of its own. */
    Result<std::unique_ptr<ForwardBacklog>> openBacklog() const override;

    /** What this process's writer is called in deliveries.receiver: "HOST pid N". */
    static QString receiverName();
    /** The NOTIFY channel of each commit (no payload: a follower reads what is after the change number it has). */
    static constexpr const char *channel = "pimscope_changes";

Q_SIGNALS:
    /** The server could not be written to (`up` false, with why), or it can again (from the writer thread). */
    void available(bool up, const QString &message);

private:
    struct Job
    {
        enum class Kind { Delivery, Answers, Forwards } kind = Kind::Delivery;
        quint64 ticket = 0;
        Delivery delivery;
        bool parsed = true;
        QList<AnswerTime> answers;
        QList<ConnectorAnswer> forwards;
    };
    PgStore(PgTarget target, QByteArray password, Options options);
    quint64 push(Job job);
    void run();
    void writeGroup(std::vector<Job> &group);
    /** The connection, opened again when it was lost (at most every retryMs); else why not. */
    Result<PgConnection *> connection();
    Result<QList<qint64>> commit(PgConnection &c, std::vector<Job> &group);
    void publishHealth();

    PgTarget m_target;
    QByteArray m_password;
    Options m_options;
    QString m_receiver;
    std::unique_ptr<PgConnection> m_connection; ///< the writer thread's
    qint64 m_lastAttemptMs = 0; ///< the writer's last connection attempt that failed (0: none)
    QString m_downReason; ///< why the server cannot be written to; null while it can
    LiveHealth m_health; ///< the writer thread's
    std::unique_ptr<PayloadParser> m_parser; ///< the writer thread's, for deliveries queued unparsed

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_idle;
    std::deque<Job> m_queue;
    quint64 m_nextTicket = 1;
    bool m_busy = false;
    bool m_stopping = false;
    QList<SubscriptionHealth> m_healthSnapshot;
    std::thread m_thread;
};

} // namespace pimscope
