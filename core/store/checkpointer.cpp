#include "checkpointer.h"

#include "sqlitestatement.h"

#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>

#include <sqlite3.h>

namespace pimscope {

Q_DECLARE_LOGGING_CATEGORY(lcStore)

namespace {

/** Checkpoint passes in a row at most, each copying what the writer appended during the one before. */
constexpr int maxPasses = 8;

} // namespace

Checkpointer::Checkpointer(QString path, int thresholdFrames)
    : m_path(std::move(path))
    , m_threshold(thresholdFrames)
{
    setObjectName(QStringLiteral("pimscope-checkpointer"));
}

Checkpointer::~Checkpointer()
{
    stop();
}

void Checkpointer::attach(sqlite3 *writer)
{
    sqlite3_wal_hook(writer, &Checkpointer::walHook, this);
}

int Checkpointer::walHook(void *self, sqlite3 * /*db*/, const char * /*name*/, int frames)
{
    auto *c = static_cast<Checkpointer *>(self);
    const int last = c->m_logAfterLast.load(std::memory_order_relaxed);
    const bool startedOver = frames < last;
    // Caught up but not started over: the writer's transaction was open during the last pass. What it added is
    // copied at once, so that the log starts over at the next commit rather than growing to a RESTART.
    const bool almost = c->m_caughtUp.load(std::memory_order_relaxed) && frames > last;
    if (frames >= c->m_threshold && (startedOver || almost || frames - last >= c->m_threshold / 4)) {
        std::lock_guard lock(c->m_mutex);
        c->m_wanted = true;
        c->m_wake.notify_one();
    }
    return SQLITE_OK;
}

void Checkpointer::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
        m_wake.notify_all();
    }
    wait();
}

void Checkpointer::run()
{
    // The file exists and is migrated: the writer opened it first.
    auto connection = Connection::open(m_path, Connection::Mode::ReadWrite);
    if (!connection) {
        qCWarning(lcStore) << "checkpoints stay with the writer:" << connection.error();
        return;
    }
    // A RESTART holds the writer's lock while it waits for readers to move on: it polls, and gives up after 100 ms
    // (the writer's answers are waiting), leaving it for the next pass when a reader takes its time. With SQLite's
    // own handler it slept 1, 2, 5, 10 ... ms between tries, the writer waiting all along.
    static constexpr std::chrono::milliseconds busyLimit{100};
    pollWhenBusy(SqliteStatement::handle(connection.value()->db()), busyLimit);
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_wanted || m_stopping; });
            if (m_stopping)
                break;
            m_wanted = false;
        }
        // PASSIVE never makes the writer wait, but the log starts over only when the writer begins a transaction with
        // all of it copied, and a pass that copies and syncs takes milliseconds, during which the writer usually
        // commits again. So passes follow one another while the log grew during the last one (the one that finds it
        // unchanged copies nothing and syncs nothing): the log is then all copied, and the writer's next commit
        // starts it over, without RESTART's wait.
        QSqlQuery q(connection.value()->db());
        const qint64 restartAt = 2 * qint64(m_threshold);
        qint64 walFrames = -1;
        qint64 doneFrames = 0;
        bool failed = false;
        for (int pass = 0; pass < maxPasses; ++pass) {
            if (!q.exec(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)")) || !q.next()) {
                qCWarning(lcStore) << "checkpoint failed:" << q.lastError().text();
                failed = true;
                break;
            }
            const qint64 log = q.value(1).toLongLong();
            doneFrames = q.value(2).toLongLong();
            q.finish();
            const bool grew = log > walFrames;
            walFrames = log;
            // Unchanged (caught up), started over, held back by a reader, or the writer appending faster than the
            // passes copy (RESTART's turn): no pass more would help.
            if (!grew || doneFrames < log || log >= restartAt || pass + 1 == maxPasses)
                break;
        }
        if (failed)
            continue;
        m_logAfterLast.store(int(walFrames), std::memory_order_relaxed);
        m_caughtUp.store(doneFrames == walFrames, std::memory_order_relaxed);
        // Under sustained load the writer may keep appending faster than the passes catch up: when the log still holds
        // twice the threshold, a RESTART copies what was appended meanwhile and makes the writer start the log over.
        // The writer waits for that a few milliseconds (its busy handler polls every 100 us), where a 1 GiB log made
        // it wait hundreds.
        if (walFrames >= restartAt) {
            if (!q.exec(QStringLiteral("PRAGMA wal_checkpoint(RESTART)")))
                qCWarning(lcStore) << "checkpoint failed:" << q.lastError().text();
            q.finish();
        }
    }
}

} // namespace pimscope
