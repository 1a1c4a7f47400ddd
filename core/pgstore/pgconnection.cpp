#include "pgconnection.h"

#include <libpq-fe.h>

#include <array>
#include <thread>

namespace pimscope {

namespace {

/** libpq's message on one line, without its "connection to server at … failed: " preamble. */
QString oneLine(const QString &message)
{
    QString text = message.trimmed();
    if (const qsizetype failed = text.indexOf(QStringLiteral(" failed: "));
        text.startsWith(QStringLiteral("connection to server")) && failed >= 0)
        text = text.mid(failed + 9);
    text.replace(QStringLiteral("\n\t"), QStringLiteral(" ")).replace(u'\n', u' ');
    return text.simplified();
}

} // namespace

PgConnection::PgConnection(pg_conn *conn, PgTarget target)
    : m_conn(conn)
    , m_cancel(PQgetCancel(conn), [](pg_cancel *c) { PQfreeCancel(c); })
    , m_target(std::move(target))
{
}

PgConnection::~PgConnection()
{
    PQfinish(m_conn);
}

void PgConnection::cancel() const
{
    if (!m_cancel)
        return;
    std::thread([cancel = m_cancel] {
        std::array<char, 256> error{};
        (void)PQcancel(cancel.get(), error.data(), int(error.size())); // a failure: the statement ends on its own
    }).detach();
}

QString PgConnection::explainConnectFailure(const PgTarget &target, const QString &libpqMessage, bool passwordGiven)
{
    const QString said = oneLine(libpqMessage);
    const QString where = target.address();
    if (said.contains(QStringLiteral("Connection refused")))
        return QStringLiteral("nothing listens at %1 (is PostgreSQL running there, on that port?)").arg(where);
    if (said.contains(QStringLiteral("could not translate host name")))
        return QStringLiteral("no such host: %1 (%2)").arg(target.host, said);
    if (said.contains(QStringLiteral("timeout expired")))
        return QStringLiteral("%1 did not answer in time (a firewall, or the wrong address?)").arg(where);
    if (said.contains(QStringLiteral("password authentication failed")))
        return QStringLiteral("PostgreSQL at %1 refused the password of %2%3")
            .arg(where, target.user,
                 passwordGiven ? QStringLiteral(" (the keychain's: pimscope secret set %1)").arg(target.secretName())
                               : QStringLiteral(" (from PGPASSWORD or ~/.pgpass)"));
    if (said.contains(QStringLiteral("no password supplied")))
        return QStringLiteral("PostgreSQL at %1 asks %2 for a password: set PGPASSWORD, a line of ~/.pgpass "
                              "(%3:%4:%5:%2:PASSWORD), or keep it in the keychain with: pimscope secret set %6")
            .arg(where, target.user, target.host)
            .arg(target.port)
            .arg(target.database, target.secretName());
    if (said.contains(QStringLiteral("does not exist")) && said.contains(QStringLiteral("database")))
        return QStringLiteral("PostgreSQL at %1 has no database %2 (create it: createdb -O %3 %2)")
            .arg(where, target.database, target.user);
    if (said.contains(QStringLiteral("server does not support SSL")))
        return QStringLiteral("PostgreSQL at %1 does not offer TLS, which sslmode asks for: turn ssl on in its "
                              "postgresql.conf, or lower sslmode")
            .arg(where);
    if (said.contains(QStringLiteral("SSL")) || said.contains(QStringLiteral("certificate")))
        return QStringLiteral("TLS with %1 failed: %2").arg(where, said);
    if (said.contains(QStringLiteral("invalid response to SSL negotiation"))
        || said.contains(QStringLiteral("expected authentication request from server"))
        || said.contains(QStringLiteral("server closed the connection unexpectedly"))
        || said.contains(QStringLiteral("received invalid response")))
        return QStringLiteral("%1 does not answer as PostgreSQL does (another service on that port?): %2")
            .arg(where, said);
    return QStringLiteral("cannot connect to PostgreSQL at %1: %2").arg(where, said);
}

Result<std::unique_ptr<PgConnection>> PgConnection::open(const PgTarget &target, const QByteArray &password)
{
    using R = Result<std::unique_ptr<PgConnection>>;
    pg_conn *conn = PQconnectdb(target.connectionString(password).constData());
    if (!conn)
        return R::failure(QStringLiteral("cannot connect to PostgreSQL at %1: out of memory").arg(target.address()));
    if (PQstatus(conn) != CONNECTION_OK) {
        const QString message = QString::fromUtf8(PQerrorMessage(conn));
        PQfinish(conn);
        return R::failure(explainConnectFailure(target, message, !password.isEmpty()));
    }
    std::unique_ptr<PgConnection> c(new PgConnection(conn, target));
    if (const auto set = c->run("SET TIME ZONE 'UTC'"); !set)
        return R::failure(set.error());
    return {std::move(c)};
}

bool PgConnection::alive() const
{
    return PQstatus(m_conn) == CONNECTION_OK;
}

int PgConnection::serverVersion() const
{
    return PQserverVersion(m_conn);
}

QString PgConnection::lastError() const
{
    const QString said = oneLine(QString::fromUtf8(PQerrorMessage(m_conn)));
    if (PQstatus(m_conn) != CONNECTION_OK) {
        // libpq's "server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally
        // before or while processing the request.": the first part says it.
        if (said.contains(QStringLiteral("server closed the connection unexpectedly")))
            return QStringLiteral("the connection to PostgreSQL at %1 was lost: the server closed it (stopped, or "
                                  "restarted)")
                .arg(m_target.address());
        return QStringLiteral("the connection to PostgreSQL at %1 was lost: %2").arg(m_target.address(), said);
    }
    return QStringLiteral("PostgreSQL at %1: %2").arg(m_target.address(), said);
}

QString PgConnection::failureOf(pg_result *result) const
{
    const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
        return {};
    QString error = result && PQresultErrorMessage(result)[0] != '\0'
        ? QStringLiteral("PostgreSQL at %1: %2")
              .arg(m_target.address(), oneLine(QString::fromUtf8(PQresultErrorMessage(result))))
        : lastError();
    PQclear(result);
    return error;
}

Result<PgRows> PgConnection::exec(const QByteArray &sql, const QList<QByteArray> &parameters)
{
    using R = Result<PgRows>;
    std::vector<const char *> values;
    std::vector<int> lengths;
    std::vector<int> formats;
    values.reserve(size_t(parameters.size()));
    for (const QByteArray &p : parameters) {
        values.push_back(p.isNull() ? nullptr : p.constData());
        lengths.push_back(int(p.size()));
        formats.push_back(0);
    }
    pg_result *result = PQexecParams(m_conn, sql.constData(), int(parameters.size()), nullptr, values.data(),
                                     lengths.data(), formats.data(), 0);
    if (const QString error = failureOf(result); !error.isNull())
        return R::failure(error);
    PgRows rows;
    const int n = PQntuples(result);
    const int columns = PQnfields(result);
    rows.rows.reserve(n);
    for (int r = 0; r < n; ++r) {
        QList<std::optional<QByteArray>> row;
        row.reserve(columns);
        for (int c = 0; c < columns; ++c) {
            if (PQgetisnull(result, r, c))
                row.append(std::nullopt);
            else
                row.append(QByteArray(PQgetvalue(result, r, c), PQgetlength(result, r, c)));
        }
        rows.rows.append(std::move(row));
    }
    rows.affected = QByteArray(PQcmdTuples(result)).toLongLong();
    PQclear(result);
    return rows;
}

Result<void> PgConnection::run(const QByteArray &sql)
{
    pg_result *result = PQexec(m_conn, sql.constData());
    if (const QString error = failureOf(result); !error.isNull())
        return Result<void>::failure(error);
    PQclear(result);
    return {};
}

Result<QList<QByteArray>> PgConnection::takeNotifications()
{
    if (PQconsumeInput(m_conn) != 1 || PQstatus(m_conn) != CONNECTION_OK)
        return Result<QList<QByteArray>>::failure(lastError());
    QList<QByteArray> payloads;
    while (PGnotify *n = PQnotifies(m_conn)) {
        payloads.append(QByteArray(n->extra));
        PQfreemem(n);
    }
    return payloads;
}

int PgConnection::socket() const
{
    return PQsocket(m_conn);
}

} // namespace pimscope
