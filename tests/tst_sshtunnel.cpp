// The SSH tunnel for real: Debian's sshd started on a loopback port with a throwaway host key and an authorized user
// key, the real ssh client run by Pimscope with a remote forward to its receiver, the server's HTTPS front played by
// the stand-in's TLS edge (as nginx would proxy the public URL to the forwarded port), and the probe and a signed
// POST going through all of it. Also a public SSH tunnel service (sshd printing localhost.run's announcement on the
// session), a key the server refuses, a forward port already taken, and sshd stopped then started again.

#include "stored.h"

#include "net/httpconnection.h"
#include "receiver/receiver.h"
#include "signing/hmac.h"
#include "store/eventstore.h"
#include "store/storereader.h"
#include "tunnel/tunnelkeeper.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace pimscope;

namespace {

const QByteArray kSecret = "ssh-tunnel-secret";

QString data(const char *file)
{
    return QStringLiteral(PIMSCOPE_TEST_DATA_DIR "/tunnels/") + QLatin1StringView(file);
}

quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        qFatal("no free loopback port");
    return probe.serverPort();
}

bool accepts(quint16 port)
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port);
    return s.waitForConnected(200);
}

/** Waits until something accepts connections on `port`. */
bool waitListening(quint16 port, int ms = 10000)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < ms) {
        if (accepts(port))
            return true;
        QTest::qWait(50);
    }
    return false;
}

QString run(const QString &program, const QStringList &args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    if (!p.waitForFinished(30000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        qFatal("%s %s failed: %s", qPrintable(program), qPrintable(args.join(u' ')), p.readAll().constData());
    return QString::fromLocal8Bit(p.readAll());
}

/** The pids whose parent is `parent`. */
QList<qint64> childrenOf(qint64 parent)
{
    QList<qint64> found;
    for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        bool isPid = false;
        const qint64 pid = entry.toLongLong(&isPid);
        if (!isPid)
            continue;
        QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!stat.open(QIODevice::ReadOnly))
            continue;
        const QByteArray text = stat.readAll();
        const QList<QByteArray> after = text.mid(text.lastIndexOf(')') + 2).split(' ');
        if (after.value(1).toLongLong() == parent)
            found.append(pid);
    }
    return found;
}

/**
 * Debian's sshd on 127.0.0.1:port, in the foreground, for the user running the test: a throwaway host key, one
 * authorized key (both made by ssh-keygen here), keys only, forwarding allowed; a session runs `forceCommand`.
 */
class SshServer
{
public:
    SshServer(const QString &dir, const QString &forceCommand)
        : m_dir(dir)
        , m_port(freePort())
    {
        for (const char *key : {"host_key", "user_key", "other_key"})
            run(QStringLiteral("ssh-keygen"),
                {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"), QStringLiteral("-N"), QString(),
                 QStringLiteral("-C"), QLatin1StringView(key), QStringLiteral("-f"), path(key)});
        QFile::copy(path("user_key.pub"), path("authorized_keys"));
        QFile config(path("sshd_config"));
        if (!config.open(QIODevice::WriteOnly))
            qFatal("cannot write sshd_config");
        config.write(QStringLiteral("ListenAddress 127.0.0.1\n"
                                    "HostKey %1\n"
                                    "AuthorizedKeysFile %2\n"
                                    "PasswordAuthentication no\n"
                                    "KbdInteractiveAuthentication no\n"
                                    "StrictModes no\n"
                                    "UsePAM no\n"
                                    "PidFile none\n"
                                    "AllowTcpForwarding remote\n"
                                    "ForceCommand %3\n")
                         .arg(path("host_key"), path("authorized_keys"), forceCommand)
                         .toLocal8Bit());
    }
    ~SshServer() { stop(); }

    /** Starts sshd; false (its output in `error`) when it does not listen. */
    bool start(QString *error)
    {
        // Run as root, sshd needs its privilege separation directory (which Debian's service creates at boot).
        if (::geteuid() == 0)
            ::mkdir("/run/sshd", 0755);
        m_sshd.setProcessChannelMode(QProcess::MergedChannels);
        m_sshd.start(QStringLiteral("/usr/sbin/sshd"),
                     {QStringLiteral("-D"), QStringLiteral("-e"), QStringLiteral("-f"), path("sshd_config"),
                      QStringLiteral("-p"), QString::number(m_port)});
        if (!m_sshd.waitForStarted(5000) || !waitListening(m_port)) {
            m_sshd.waitForFinished(1000);
            *error = QStringLiteral("sshd (openssh-server: .ci/install-deps installs it) did not listen: %1 %2")
                         .arg(m_sshd.errorString(), QString::fromLocal8Bit(m_sshd.readAll()));
            return false;
        }
        return true;
    }
    /**
     * Stops sshd and every session it runs, as a server going down does: a session's processes outlive the listener
     * otherwise (OpenSSH 10 runs each as sshd-session under it, with a child of its own for the network side).
     */
    void stop()
    {
        if (m_sshd.state() == QProcess::NotRunning)
            return;
        QList<qint64> tree = childrenOf(m_sshd.processId());
        for (qsizetype i = 0; i < tree.size(); ++i)
            tree += childrenOf(tree[i]);
        for (const qint64 pid : std::as_const(tree))
            ::kill(pid_t(pid), SIGKILL);
        m_sshd.kill();
        m_sshd.waitForFinished(5000);
    }
    QString log() { return QString::fromLocal8Bit(m_sshd.readAll()); }

    quint16 port() const { return m_port; }
    QString path(const char *file) const { return m_dir + u'/' + QLatin1StringView(file); }

private:
    QString m_dir;
    quint16 m_port;
    QProcess m_sshd;
};

/** The server's HTTPS front for its public names (the test CA's certificate), relayed to 127.0.0.1:`target`. */
class HttpsFront
{
public:
    explicit HttpsFront(quint16 target)
        : m_port(freePort())
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PIMSCOPE_STANDIN_LISTEN"), QString::number(m_port));
        env.insert(QStringLiteral("PIMSCOPE_STANDIN_CERT"), data("tls/server.pem"));
        env.insert(QStringLiteral("PIMSCOPE_STANDIN_KEY"), data("tls/server.key"));
        m_edge.setProcessEnvironment(env);
        m_edge.start(QStringLiteral(PIMSCOPE_TUNNEL_STANDIN), {QStringLiteral("127.0.0.1:%1").arg(target)});
        if (!m_edge.waitForStarted(5000) || !waitListening(m_port))
            qFatal("the HTTPS front did not listen");
    }
    ~HttpsFront()
    {
        m_edge.kill();
        m_edge.waitForFinished(5000);
    }
    quint16 port() const { return m_port; }

private:
    quint16 m_port;
    QProcess m_edge;
};

QList<QSslCertificate> testCa()
{
    QFile f(data("tls/ca.pem"));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("no test CA");
    return QSslCertificate::fromData(f.readAll());
}

QString userName()
{
    const passwd *pw = ::getpwuid(::geteuid());
    return pw ? QString::fromLocal8Bit(pw->pw_name) : qEnvironmentVariable("USER");
}

} // namespace

class TestSshTunnel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void ownServerCarriesASignedPost();
    void publicServicePrintsItsUrl();
    void refusedKeyAndTakenPortAreNamed();
    void serverRestartedTunnelComesBack();

private:
    /** A keeper for `spec` to the receiver, its probe sent to `frontPort` as the internet would. */
    std::unique_ptr<TunnelKeeper> keeper(const QString &spec, quint16 frontPort);
    QString sshSpec(const QString &options) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<SshServer> m_sshd;
    std::unique_ptr<EventStore> m_store;
    std::unique_ptr<Receiver> m_receiver;
    std::shared_ptr<ProbeRegistry> m_probes;
    quint16 m_receiverPort = 0;
};

void TestSshTunnel::initTestCase()
{
    QVERIFY2(QFile::exists(QStringLiteral("/usr/sbin/sshd")),
             "Debian's openssh-server is needed (.ci/install-deps installs it)");
    QVERIFY2(!QStandardPaths::findExecutable(QStringLiteral("ssh")).isEmpty(),
             "Debian's openssh-client is needed (.ci/install-deps installs it)");
}

void TestSshTunnel::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    // A session prints what localhost.run prints, then stays (as the service's session does).
    m_sshd = std::make_unique<SshServer>(m_dir->path(),
                                         QStringLiteral("cat %1; exec sleep 3600").arg(data("localhost-run.txt")));
    QString error;
    QVERIFY2(m_sshd->start(&error), qPrintable(error));
    auto store = EventStore::open(m_dir->filePath(QStringLiteral("capture.db")));
    QVERIFY2(store, qPrintable(store.error()));
    m_store = std::move(store.value());
    m_probes = std::make_shared<ProbeRegistry>();
    ReceiverSettings settings;
    settings.port = 0;
    settings.probes = m_probes;
    SignatureRule rule;
    rule.akeneoSecret = kSecret;
    settings.signatures.rules = {rule};
    m_receiver = std::make_unique<Receiver>(m_store.get(), settings);
    const auto port = m_receiver->start();
    QVERIFY2(port, qPrintable(port.error()));
    m_receiverPort = *port;
}

void TestSshTunnel::cleanup()
{
    m_receiver.reset();
    m_store.reset();
    if (m_sshd && QTest::currentTestFailed())
        qWarning("sshd said: %s", qPrintable(m_sshd->log()));
    m_sshd.reset();
    m_dir.reset();
}

QString TestSshTunnel::sshSpec(const QString &options) const
{
    return QStringLiteral("ssh:%1@127.0.0.1:%2,identity=%3,known-hosts=%4%5")
        .arg(userName())
        .arg(m_sshd->port())
        .arg(m_sshd->path("user_key"), m_dir->filePath(QStringLiteral("known_hosts")),
             options.isEmpty() ? QString() : u',' + options);
}

std::unique_ptr<TunnelKeeper> TestSshTunnel::keeper(const QString &spec, quint16 frontPort)
{
    auto parsed = parseTunnelSpec(spec);
    if (!parsed)
        qFatal("%s", qPrintable(parsed.error()));
    TunnelKeeper::Options options;
    options.tunnel.firstBackOffMs = 100;
    options.tunnel.maxBackOffMs = 400;
    options.settleRetryMs = 200;
    auto k = std::make_unique<TunnelKeeper>(*parsed, m_receiverPort, m_probes, options);
    k->probe().setConnectTo(QStringLiteral("127.0.0.1"), frontPort);
    k->probe().addCaCertificates(testCa());
    return k;
}

void TestSshTunnel::ownServerCarriesASignedPost()
{
    // The user's server: sshd listens for the tunnel on a port of its own, its HTTPS front serves that port at
    // https://hooks.example.com/ (the public URL given in the spec).
    const quint16 remote = freePort();
    HttpsFront front(remote);
    auto k = keeper(sshSpec(QStringLiteral("remote-port=%1,url=https://hooks.example.com/").arg(remote)), front.port());
    QSignalSpy reachable(k.get(), &TunnelKeeper::reachable);
    QStringList said;
    connect(k.get(), &TunnelKeeper::said, this, [&said](const QString &m, TunnelKeeper::Level) { said << m; });
    k->start();
    QVERIFY2(reachable.wait(20000), qPrintable(said.join(u'\n') + u'\n' + k->tunnel().log().join(u'\n')));
    QCOMPARE(reachable.front().front().toUrl(), QUrl(QStringLiteral("https://hooks.example.com/")));
    QVERIFY2(said.filter(QStringLiteral("Public URL https://hooks.example.com/ (reachable from the internet, ")).size()
                 == 1,
             qPrintable(said.join(u'\n')));
    // ssh remembered the server's host key in the file given, not in the user's own known_hosts.
    QFile knownHosts(m_dir->filePath(QStringLiteral("known_hosts")));
    QVERIFY(knownHosts.open(QIODevice::ReadOnly));
    QVERIFY(knownHosts.readAll().contains("ssh-ed25519"));

    // A PIM's signed POST through the public URL, its HTTPS front, sshd's forward and ssh to the receiver.
    const QByteArray body = R"({"events":[{"action":"product.created","event_id":"ssh-1","event_datetime":)"
                            R"("2026-12-07T05:00:00+00:00","author":"julia","author_type":"ui","pim_source":)"
                            R"("staging","data":{"resource":{"identifier":"tunnelled"}}}]})";
    const QByteArray ts = QByteArray::number(QDateTime::currentSecsSinceEpoch());
    HttpConnection pim(QUrl(QStringLiteral("https://hooks.example.com/akeneo")), false);
    pim.setConnectTo(QStringLiteral("127.0.0.1"), front.port());
    pim.addCaCertificates(testCa());
    QSignalSpy answered(&pim, &HttpConnection::answered);
    pim.post({{"Content-Type", "application/json"},
              {"X-Akeneo-Request-Timestamp", ts},
              {"X-Akeneo-Request-Signature", akeneoSignature(kSecret, ts, body)}},
             body);
    QVERIFY(answered.wait(10000));
    const auto answer = answered.front().front().value<HttpAnswer>();
    QVERIFY2(answer.status == 200, qPrintable(answer.error));
    QVERIFY(m_store->flush());
    const QList<Delivery> stored = test::allDeliveries(m_store->reader());
    QCOMPARE(stored.size(), 1); // the probes are not deliveries
    QCOMPARE(stored.front().body, body);
    QCOMPARE(stored.front().path, QByteArray("/akeneo"));
    QCOMPARE(stored.front().signature, Signature::Valid);
    k->stop();
}

void TestSshTunnel::publicServicePrintsItsUrl()
{
    // No url=: the session's output gives it, as localhost.run prints it (its announcement, tests/data/tunnels).
    const quint16 remote = freePort();
    HttpsFront front(remote);
    auto k = keeper(sshSpec(QStringLiteral("remote-port=%1").arg(remote)), front.port());
    QSignalSpy reachable(k.get(), &TunnelKeeper::reachable);
    k->start();
    QVERIFY2(reachable.wait(20000), qPrintable(k->tunnel().log().join(u'\n')));
    QCOMPARE(reachable.front().front().toUrl(), QUrl(QStringLiteral("https://8beaa541ba3dc2.lhr.life")));
    QVERIFY(k->tunnel().log().contains(QStringLiteral("authenticated as anonymous user")));
    k->stop();
}

void TestSshTunnel::refusedKeyAndTakenPortAreNamed()
{
    // A key the server does not authorize: the login refused, said with what to do, started again later.
    {
        auto k = keeper(sshSpec({}).replace(QStringLiteral("user_key"), QStringLiteral("other_key"))
                            + QStringLiteral(",remote-port=%1,url=https://hooks.example.com/").arg(freePort()),
                        freePort());
        QSignalSpy problem(&k->tunnel(), &Tunnel::problem);
        k->start();
        QVERIFY(problem.wait(15000));
        const QString message = problem.front().front().toString();
        QVERIFY2(message.contains(QStringLiteral("refused the login (")) && message.contains(u"Permission denied")
                     && message.contains(QStringLiteral("identity=PATH")),
                 qPrintable(message));
        QCOMPARE(problem.front().at(1).toBool(), true); // retried
        k->stop();
    }
    // The forward's port on the server already taken (by another tunnel there): named, not taken for up.
    const quint16 remote = freePort();
    HttpsFront front(remote);
    auto first
        = keeper(sshSpec(QStringLiteral("remote-port=%1,url=https://hooks.example.com/").arg(remote)), front.port());
    QSignalSpy reachable(first.get(), &TunnelKeeper::reachable);
    first->start();
    QVERIFY(reachable.wait(20000));
    auto second
        = keeper(sshSpec(QStringLiteral("remote-port=%1,url=https://hooks.example.com/").arg(remote)), front.port());
    QSignalSpy problem(&second->tunnel(), &Tunnel::problem);
    second->start();
    QVERIFY(problem.wait(15000));
    const QString message = problem.front().front().toString();
    QVERIFY2(message.contains(QStringLiteral("would not listen on port %1 for the tunnel").arg(remote)),
             qPrintable(message));
    second->stop();
    first->stop();
}

void TestSshTunnel::serverRestartedTunnelComesBack()
{
    // The server goes (a reboot): ssh ends, Pimscope starts it again with back-off until the server is back, and the
    // URL is checked again through it.
    const quint16 remote = freePort();
    HttpsFront front(remote);
    auto k = keeper(sshSpec(QStringLiteral("remote-port=%1,url=https://hooks.example.com/").arg(remote)), front.port());
    QSignalSpy reachable(k.get(), &TunnelKeeper::reachable);
    QSignalSpy problem(&k->tunnel(), &Tunnel::problem);
    k->start();
    QVERIFY(reachable.wait(20000));
    const qint64 firstSsh = k->tunnel().processId();
    m_sshd->stop();
    QVERIFY(problem.wait(15000));
    QVERIFY(k->reachableUrl().isEmpty()); // not said reachable while down
    QTest::qWait(600); // a restart or two against no server
    QString error;
    QVERIFY2(m_sshd->start(&error), qPrintable(error));
    reachable.clear();
    QVERIFY2(reachable.wait(20000), qPrintable(k->tunnel().log().join(u'\n')));
    QVERIFY(k->tunnel().processId() != firstSsh);
    QCOMPARE(k->reachableUrl(), QUrl(QStringLiteral("https://hooks.example.com/")));
    k->stop();
}

QTEST_GUILESS_MAIN(TestSshTunnel)
#include "tst_sshtunnel.moc"
