#pragma once

#include "connection.h"

#include <QThread>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>

struct sqlite3;

namespace pimscope {

/**
 * Copies the write-ahead log into the database file on a thread of its own, so that the writer never waits for
 * a checkpoint's fsync (measured: 30-45 ms each, which showed as the receiver's p99). attach() replaces
 * SQLite's automatic checkpoint on the writer's connection with a hook that wakes this thread once the WAL
 * holds more than a threshold of frames; the checkpoint is PASSIVE, so the writer keeps committing meanwhile.
 */
class Checkpointer : public QThread
{
public:
    explicit Checkpointer(QString path, int thresholdFrames = 2048);
    ~Checkpointer() override;

    /** Installs the WAL hook on the writer's connection (call from the writer thread, before it commits). */
    void attach(sqlite3 *writer);
    void stop();

protected:
    void run() override;

private:
    static int walHook(void *self, sqlite3 *db, const char *dbName, int frames);

    QString m_path;
    int m_threshold;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_wanted = false;
    bool m_stopping = false;
    /**
     * The log's size in frames when the last checkpoint ended (set by this thread, read by the hook). Until the log
     * grew by a quarter of the threshold beyond it, or started over, a commit does not ask for another checkpoint:
     * each pass costs two fsyncs, and a log that cannot start over yet (the writer keeps appending) would otherwise
     * be checkpointed after every commit.
     */
    std::atomic<int> m_logAfterLast = 0;
    /** The last checkpoint copied the whole log as it then was. */
    std::atomic<bool> m_caughtUp = false;
};

} // namespace pimscope
