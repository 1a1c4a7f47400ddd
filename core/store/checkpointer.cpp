#include "checkpointer.h"

#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>

#include <sqlite3.h>

namespace pimscope {

Q_DECLARE_LOGGING_CATEGORY(lcStore)

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
    if (frames >= c->m_threshold) {
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
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_wanted || m_stopping; });
            if (m_stopping)
                break;
            m_wanted = false;
        }
        // PASSIVE never makes the writer wait. Under sustained load the writer keeps appending, so the log never
        // gets a chance to start over: when it still holds twice the threshold after a PASSIVE pass, a RESTART
        // copies what was appended meanwhile (a few MB) and makes the writer start the log over. The writer waits
        // for that a few milliseconds (its busy handler polls every 100 us), where a 1 GiB log made it wait
        // hundreds.
        QSqlQuery q(connection.value()->db());
        if (!q.exec(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)")) || !q.next()) {
            qCWarning(lcStore) << "checkpoint failed:" << q.lastError().text();
            continue;
        }
        const qint64 walFrames = q.value(1).toLongLong();
        q.finish();
        // A RESTART holds the writer's lock while it waits for readers to move on: wait briefly (the writer's
        // answers are waiting), and leave it for the next pass when a reader takes its time.
        if (walFrames >= 2 * qint64(m_threshold)) {
            (void)q.exec(QStringLiteral("PRAGMA busy_timeout = 100"));
            if (!q.exec(QStringLiteral("PRAGMA wal_checkpoint(RESTART)")))
                qCWarning(lcStore) << "checkpoint failed:" << q.lastError().text();
            q.finish();
            (void)q.exec(QStringLiteral("PRAGMA busy_timeout = 5000"));
        }
    }
}

} // namespace pimscope
