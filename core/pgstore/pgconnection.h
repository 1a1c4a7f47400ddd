#pragma once

#include "pgtarget.h"

#include "util/result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <memory>
#include <optional>

struct pg_cancel;
struct pg_conn;
struct pg_result;

namespace pimscope {

/** A query's rows as text (NULL: no value), for the few reads the store makes this way. */
struct PgRows
{
    QList<QList<std::optional<QByteArray>>> rows;
    qint64 affected = 0; ///< for INSERT, UPDATE, DELETE
};

/**
 * One connection to a PostgreSQL server through libpq, used from one thread at a time. Every failure is one line
 * that names the problem the way the user must act on it: nothing listening there, not a PostgreSQL server, the
 * password refused or missing (and where to give it), TLS refused, no such database, the server's own message
 * otherwise. The password is never in a message.
 */
class PgConnection
{
public:
    /**
     * Connects to `target` (with `password` when not empty; else libpq's PGPASSWORD or ~/.pgpass), and sets the
     * session to UTC.
     */
    static Result<std::unique_ptr<PgConnection>> open(const PgTarget &target, const QByteArray &password = {});
    ~PgConnection();
    PgConnection(const PgConnection &) = delete;
    PgConnection &operator=(const PgConnection &) = delete;

    /** Runs `sql` with text parameters ($1, $2, … ; a null QByteArray is NULL); rows as text. */
    Result<PgRows> exec(const QByteArray &sql, const QList<QByteArray> &parameters = {});
    /** Runs statements without parameters (several, separated by semicolons). */
    Result<void> run(const QByteArray &sql);

    /**
     * The notifications received so far on the channels this connection LISTENs to (their payloads), read without
     * blocking; a lost connection is said.
     */
    Result<QList<QByteArray>> takeNotifications();
    /** The connection's socket, to wait for notifications on (a QSocketNotifier). */
    int socket() const;

    const PgTarget &target() const { return m_target; }
    /** Whether the connection still stands (false once the server closed it or it broke). */
    bool alive() const;
    /** The server's version as libpq reports it, e.g. 150018. */
    int serverVersion() const;
    pg_conn *raw() const { return m_conn; }
    /**
     * Asks the server to cancel what this connection runs now (the statement then fails with "canceling statement due
     * to user request"); nothing when it runs nothing. Safe from any thread while the connection lives, and returns
     * at once: the request (a connection of its own to the server, which may not answer) is made on a thread of its
     * own.
     */
    void cancel() const;

    /** The message of a failed connection in the user's terms (see the class). */
    static QString explainConnectFailure(const PgTarget &target, const QString &libpqMessage, bool passwordGiven);

    /** The connection's last error in words (a lost connection said so). */
    QString lastError() const;
    /** A statement's failure in words, its result cleared; a null string when it succeeded (kept). */
    QString failureOf(pg_result *result) const;

private:
    PgConnection(pg_conn *conn, PgTarget target);

    pg_conn *m_conn;
    /** PQgetCancel's, made with the connection: PQcancel may use it from another thread, which keeps it alive. */
    std::shared_ptr<pg_cancel> m_cancel;
    PgTarget m_target;
};

} // namespace pimscope
