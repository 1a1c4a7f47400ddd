#pragma once

// A throwaway PostgreSQL cluster for the tests: Debian's initdb and pg_ctl (postgresql, the newest version installed
// under /usr/lib/postgresql) in a folder of its own, on a free loopback port, no Unix socket, passwords checked
// (scram-sha-256) for TCP. PostgreSQL refuses to run as root: run as root, the cluster runs as `nobody`, in a folder
// under /tmp that nobody may enter. Stopped (immediate) and removed with the object.

#include "pgstore/pgstore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>

namespace pimscope::test {

class PgCluster
{
public:
    /** The superuser's name and password. */
    static constexpr const char *kUser = "pimscope";
    static constexpr const char *kPassword = "cluster-password";

    PgCluster() = default;
    ~PgCluster() { stop(); }

    /** initdb, then start; false with the reason in `error`. */
    bool start(QString *error)
    {
        const QString bin = binDir();
        if (bin.isEmpty()) {
            *error = QStringLiteral("no PostgreSQL server under /usr/lib/postgresql (.ci/install-deps installs "
                                    "postgresql)");
            return false;
        }
        m_bin = bin;
        m_dir = std::make_unique<QTemporaryDir>(QStringLiteral("/tmp/pimscope-pg-XXXXXX"));
        if (!m_dir->isValid()) {
            *error = QStringLiteral("cannot make a folder for the cluster");
            return false;
        }
        ::chmod(QFile::encodeName(m_dir->path()).constData(), 0755);
        if (::geteuid() == 0) {
            const passwd *nobody = ::getpwnam("nobody");
            if (!nobody) {
                *error = QStringLiteral("running as root, the cluster needs the user nobody");
                return false;
            }
            m_uid = nobody->pw_uid;
            m_gid = nobody->pw_gid;
            if (::chown(QFile::encodeName(m_dir->path()).constData(), m_uid, m_gid) != 0) {
                *error = QStringLiteral("cannot give the cluster's folder to nobody");
                return false;
            }
        }
        QFile pw(m_dir->filePath(QStringLiteral("pwfile")));
        if (!pw.open(QIODevice::WriteOnly)) {
            *error = QStringLiteral("cannot write the password file");
            return false;
        }
        pw.write(kPassword);
        pw.close();
        if (m_uid != 0 && ::chown(QFile::encodeName(pw.fileName()).constData(), m_uid, m_gid) != 0) {
            *error = QStringLiteral("cannot give the password file to nobody");
            return false;
        }
        if (!runTool(QStringLiteral("initdb"),
                     {QStringLiteral("-D"), dataDir(), QStringLiteral("-U"), QLatin1StringView(kUser),
                      QStringLiteral("--pwfile=") + pw.fileName(), QStringLiteral("--auth=scram-sha-256"),
                      QStringLiteral("--encoding=UTF8"), QStringLiteral("--locale=C"), QStringLiteral("-N")},
                     error))
            return false;
        QFile::remove(pw.fileName());
        m_port = freePort();
        return startServer(error);
    }

    /** Starts the server again after stop(). */
    bool startServer(QString *error)
    {
        return runTool(QStringLiteral("pg_ctl"),
                       {QStringLiteral("-D"), dataDir(), QStringLiteral("-w"), QStringLiteral("-t"),
                        QStringLiteral("60"), QStringLiteral("-l"), m_dir->filePath(QStringLiteral("server.log")),
                        QStringLiteral("-o"),
                        QStringLiteral("-c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c port=%1 "
                                       "-c fsync=off -c max_connections=50")
                            .arg(m_port),
                        QStringLiteral("start")},
                       error);
    }

    void stop()
    {
        if (!m_dir || !QFile::exists(dataDir() + QStringLiteral("/postmaster.pid")))
            return;
        QString ignored;
        runTool(QStringLiteral("pg_ctl"),
                {QStringLiteral("-D"), dataDir(), QStringLiteral("-m"), QStringLiteral("immediate"),
                 QStringLiteral("-w"), QStringLiteral("stop")},
                &ignored);
    }

    quint16 port() const { return m_port; }
    /** A URL of the cluster for `database` (created by createDatabase first). */
    QString url(const QString &database) const
    {
        return QStringLiteral("postgresql://%1@127.0.0.1:%2/%3")
            .arg(QLatin1StringView(kUser))
            .arg(m_port)
            .arg(database);
    }
    /** Creates an empty database. */
    bool createDatabase(const QString &name, QString *error)
    {
        return psql(QStringLiteral("postgres"), QStringLiteral("CREATE DATABASE \"%1\"").arg(name), error);
    }
    /** Runs `sql` in `database` with psql as the superuser. */
    bool psql(const QString &database, const QString &sql, QString *error, QString *output = nullptr)
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PGPASSWORD"), QLatin1StringView(kPassword));
        p.setProcessEnvironment(env);
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(m_bin + QStringLiteral("/psql"),
                {QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-A"), QStringLiteral("-t"),
                 QStringLiteral("-v"), QStringLiteral("ON_ERROR_STOP=1"), QStringLiteral("-h"),
                 QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(m_port), QStringLiteral("-U"),
                 QLatin1StringView(kUser), QStringLiteral("-d"), database, QStringLiteral("-c"), sql});
        if (!p.waitForFinished(60000) || p.exitCode() != 0) {
            *error = QStringLiteral("psql: %1").arg(QString::fromLocal8Bit(p.readAll()));
            return false;
        }
        if (output)
            *output = QString::fromLocal8Bit(p.readAll()).trimmed();
        return true;
    }
    /**
     * An interactive psql on `database` as the superuser, its statements written to its standard input (to hold a
     * transaction open: a lock, say); it ends when its input is closed.
     */
    std::unique_ptr<QProcess> session(const QString &database) const
    {
        auto p = std::make_unique<QProcess>();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PGPASSWORD"), QLatin1StringView(kPassword));
        p->setProcessEnvironment(env);
        p->setProcessChannelMode(QProcess::MergedChannels);
        p->start(m_bin + QStringLiteral("/psql"),
                 {QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-A"), QStringLiteral("-t"),
                  QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(m_port),
                  QStringLiteral("-U"), QLatin1StringView(kUser), QStringLiteral("-d"), database});
        return p;
    }
    QString serverLog() const
    {
        QFile f(m_dir->filePath(QStringLiteral("server.log")));
        return f.open(QIODevice::ReadOnly) ? QString::fromLocal8Bit(f.readAll()) : QString();
    }

private:
    QString dataDir() const { return m_dir->filePath(QStringLiteral("data")); }

    static QString binDir()
    {
        // psql is in every version's bin folder of Debian's postgresql-client too; the server's initdb decides.
        QStringList versions = QDir(QStringLiteral("/usr/lib/postgresql")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        std::sort(versions.begin(), versions.end(),
                  [](const QString &a, const QString &b) { return a.toInt() > b.toInt(); });
        for (const QString &v : versions) {
            const QString bin = QStringLiteral("/usr/lib/postgresql/%1/bin").arg(v);
            if (QFile::exists(bin + QStringLiteral("/initdb")))
                return bin;
        }
        return {};
    }

    static quint16 freePort()
    {
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        return probe.serverPort();
    }

    bool runTool(const QString &tool, const QStringList &args, QString *error)
    {
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.setWorkingDirectory(m_dir->path());
        if (m_uid != 0) {
            const uid_t uid = m_uid;
            const gid_t gid = m_gid;
            p.setChildProcessModifier([uid, gid] {
                // The unprivileged user PostgreSQL insists on; a failure leaves the tool to refuse root.
                ::setgroups(0, nullptr);
                if (::setgid(gid) != 0 || ::setuid(uid) != 0)
                    ::_exit(126);
            });
        }
        p.start(m_bin + u'/' + tool, args);
        if (!p.waitForFinished(120000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
            *error = QStringLiteral("%1 failed: %2").arg(tool, QString::fromLocal8Bit(p.readAll()));
            return false;
        }
        return true;
    }

    QString m_bin;
    std::unique_ptr<QTemporaryDir> m_dir;
    uid_t m_uid = 0;
    gid_t m_gid = 0;
    quint16 m_port = 0;
};

/**
 * Makes `database` a Pimscope store as a receiver does (PgStore::open), then writes `n` Events API requests of one
 * event each into it as a receiver writes them (one statement: fast; a NOTIFY in the same transaction), each a
 * distinct product and event id, received from `receivedAtMs` on (0: now).
 */
inline bool fillPgStore(PgCluster &cluster, const QString &database, int n, qint64 receivedAtMs, QString *error)
{
    auto target = parsePgTarget(cluster.url(database));
    if (!target) {
        *error = target.error();
        return false;
    }
    if (auto store = PgStore::open(*target, PgCluster::kPassword); !store) {
        *error = store.error();
        return false;
    }
    const qint64 at = receivedAtMs > 0 ? receivedAtMs : QDateTime::currentMSecsSinceEpoch();
    QString first;
    if (!cluster.psql(database, QStringLiteral("SELECT coalesce(max(id), 0) + 1 FROM deliveries"), error, &first))
        return false;
    return cluster.psql(
        database,
        QStringLiteral(
            "INSERT INTO deliveries (rev, received_at_ms, receiver, method, path, headers, body, body_size, format, "
            "signature, answered_status, ack_ms) SELECT nextval('pimscope_rev'), %1 + g, 'test', 'POST', "
            "'\\x2f686f6f6b'::bytea, convert_to('Content-Type: application/json' || chr(10), 'UTF8'), b, length(b), "
            "%2, 0, 200, 1.5 FROM generate_series(%4, %4 + %3 - 1) g, LATERAL (SELECT "
            "convert_to('{\"events\":[{\"action\":\"product.updated\",\"event_id\":\"' || md5(g::text)::uuid || "
            "'\",\"event_datetime\":\"2026-12-01T10:00:00+00:00\",\"author\":\"julia\",\"author_type\":\"ui\","
            "\"pim_source\":\"staging\",\"data\":{\"resource\":{\"identifier\":\"sku-' || g || '\"}}}]}', 'UTF8') "
            "AS b) body; SELECT pg_notify('pimscope_changes', '')")
            .arg(at)
            .arg(int(Format::Akeneo))
            .arg(n)
            .arg(first),
        error);
}

} // namespace pimscope::test
