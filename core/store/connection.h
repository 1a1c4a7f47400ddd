#pragma once

#include "util/result.h"

#include <QSqlDatabase>
#include <QString>

#include <chrono>
#include <memory>
#include <optional>

struct sqlite3;

namespace pimscope {

/**
 * Replaces SQLite's busy handler on `handle` (sleeps of 1, 2, 5, 10 ... 100 ms between tries) with a poll every
 * 100 us, for up to `limit` by the clock (on a loaded machine, limit / 100 us sleeps take far longer than `limit`).
 * A lock held a few milliseconds is then waited for a few milliseconds, not up to 100 more. `limit` is read at each
 * wait: it must live as long as the connection (a constant).
 */
void pollWhenBusy(sqlite3 *handle, const std::chrono::milliseconds &limit);

/** How a capture database is opened. */
struct StoreOptions
{
    /** A path that does not exist yet becomes a new, empty capture. When false, a missing file is an error. */
    bool createIfMissing = true;
    /**
     * synchronous=FULL: a commit also survives a power cut. The default, NORMAL in WAL mode, survives the
     * process being killed (kill -9), which is what "durable" means for a capture.
     */
    bool synchronousFull = false;
    /**
     * PRAGMA secure_delete for the connection's own deletes; unset: SQLite's build default (on in Debian's
     * libsqlite3). Pruning overwrites what it deletes whatever this says, then puts this setting back; the tests turn
     * it off to prove that pruning does not rely on the default.
     */
    std::optional<bool> secureDelete;
};

/**
 * One Qt Sql connection to a capture file, owned by the thread that created it (Qt Sql connections must
 * never be shared between threads). Closes and removes the connection when destroyed.
 */
class Connection
{
public:
    enum class Mode { ReadOnly, ReadWrite };
    /** The page cache of a connection, in KiB (PRAGMA cache_size = -cacheKiB). */
    static constexpr int cacheKiB = 65536;

    /**
     * Opens `path` in the calling thread. ReadWrite creates the file when allowed and brings its schema to
     * the current version (WAL, foreign keys off, busy timeout); ReadOnly never writes. In both modes the file
     * is first inspected without writing: a file that is not a Pimscope capture, is corrupt or comes from a
     * newer Pimscope gets an error naming the problem and is left untouched.
     */
    static Result<std::unique_ptr<Connection>> open(const QString &path, Mode mode, const StoreOptions &options = {});

    ~Connection();
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;

    QSqlDatabase &db() { return m_db; }
    const QString &path() const { return m_path; }

    /** Checks a capture file without writing to it (see open()). A missing file is fine when allowMissing. */
    static Result<void> inspect(const QString &path, bool allowMissing);

private:
    Connection() = default;
    QString m_name;
    QString m_path;
    QSqlDatabase m_db;
};

} // namespace pimscope
