// Tunnels: what each program prints read for its public URL (the formats quoted in tests/data/tunnels), and the
// program run as Pimscope's child (played by tunnel_standin, which prints those files): the URL found, the log kept,
// each failure named with the program's last lines (missing, exiting at once, no URL in time, refused), restarts with
// back-off that bring a new URL said as a change, and the program gone within a second when its parent is killed.

#include "stored.h"

#include "receiver/receiver.h"
#include "secrets/memorysecretstore.h"
#include "store/eventstore.h"
#include "store/storereader.h"
#include "tunnel/tunnel.h"
#include "tunnel/tunnelkeeper.h"
#include "tunnel/tunneloutput.h"
#include "tunnel/tunnelprobe.h"

#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <optional>

using namespace pimscope;

class TestTunnel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void urlsFromWhatEachProgramPrints_data();
    void urlsFromWhatEachProgramPrints();
    void cloudflaredIsUpOnceAConnectionIsRegistered();
    void refusalsAreRecognised();
    void runsTheProgramAndFindsTheUrl();
    void missingProgram();
    void exitingAtOnceIsRestartedWithBackOff();
    void noUrlInTime();
    void aRestartWithAnotherUrlIsAChange();
    void refusedAuthtokenStopsTheProgram();
    void ngrokAuthtokenFromTheKeychain();
    void knownUrlAtTheStart();
    void goneWithItsParentKilled();
    void checkedEndToEnd();
    void receiveWithATunnel();

private:
    static QString data(const char *file)
    {
        return QStringLiteral(PIMSCOPE_TEST_DATA_DIR "/tunnels/") + QLatin1StringView(file);
    }
    static TunnelSpec spec(const QString &text);
    /** The stand-in prints `file` (to stdout when `toStdout`), then exits with `exitCode` or stays. */
    void standIn(const QString &file, bool toStdout = false, std::optional<int> exitCode = std::nullopt);
    /** All of a finder's URLs over a file's lines, the line each came at. */
    static QList<std::pair<int, QUrl>> urlsIn(const TunnelSpec &spec, const QString &file);

    std::unique_ptr<QTemporaryDir> m_dir;
    Tunnel::Options m_fast;
};

namespace {

/**
 * Whether the process runs: it exists and is not a zombie (dead, its exit status not collected yet: an orphan waits
 * for whoever adopts it, which in a container may take its time).
 */
bool running(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray text = stat.readAll();
    const qsizetype close = text.lastIndexOf(')'); // after the command's name, which may hold spaces
    const char state = close >= 0 && close + 2 < text.size() ? text[close + 2] : 'X';
    return state != 'Z' && state != 'X';
}

} // namespace

TunnelSpec TestTunnel::spec(const QString &text)
{
    auto s = parseTunnelSpec(text);
    if (!s)
        qFatal("%s", qPrintable(s.error()));
    return *s;
}

void TestTunnel::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_fast = Tunnel::Options{};
    m_fast.firstBackOffMs = 50;
    m_fast.maxBackOffMs = 200;
    for (const char *name : {"PIMSCOPE_STANDIN_OUTPUT", "PIMSCOPE_STANDIN_STDOUT", "PIMSCOPE_STANDIN_EXIT",
                             "PIMSCOPE_STANDIN_EXIT_AFTER_MS", "PIMSCOPE_STANDIN_RUNS", "PIMSCOPE_STANDIN_RECORD"})
        qunsetenv(name);
    qputenv("PIMSCOPE_STANDIN_RUNS", m_dir->filePath(QStringLiteral("runs")).toLocal8Bit());
    qputenv("PIMSCOPE_STANDIN_RECORD", m_dir->filePath(QStringLiteral("record")).toLocal8Bit());
}

void TestTunnel::cleanup()
{
    m_dir.reset();
}

void TestTunnel::standIn(const QString &file, bool toStdout, std::optional<int> exitCode)
{
    qputenv("PIMSCOPE_STANDIN_OUTPUT", file.toLocal8Bit());
    if (toStdout)
        qputenv("PIMSCOPE_STANDIN_STDOUT", "1");
    else
        qunsetenv("PIMSCOPE_STANDIN_STDOUT");
    if (exitCode)
        qputenv("PIMSCOPE_STANDIN_EXIT", QByteArray::number(*exitCode));
    else
        qunsetenv("PIMSCOPE_STANDIN_EXIT");
}

QList<std::pair<int, QUrl>> TestTunnel::urlsIn(const TunnelSpec &spec, const QString &file)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(file));
    TunnelUrlFinder finder(spec);
    QList<std::pair<int, QUrl>> found;
    int n = 0;
    for (const QByteArray &line : f.readAll().split('\n')) {
        ++n;
        if (const auto url = finder.feed(QString::fromUtf8(line)))
            found.append({n, *url});
    }
    return found;
}

void TestTunnel::urlsFromWhatEachProgramPrints_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("url");
    QTest::newRow("cloudflared") << "cloudflared"
                                 << "cloudflared-quick.txt"
                                 << "https://four-dashed-word-url.trycloudflare.com";
    QTest::newRow("cloudflared json") << "cloudflared"
                                      << "cloudflared-quick-json.txt"
                                      << "https://alt-consumption-humor-themselves.trycloudflare.com";
    QTest::newRow("cloudflared 2022") << "cloudflared"
                                      << "cloudflared-quick-2022.txt"
                                      << "https://wise-otter-demo.trycloudflare.com";
    QTest::newRow("cloudflared named") << "cloudflared,name=pim,hostname=hooks.example.com"
                                       << "cloudflared-named.txt"
                                       << "https://hooks.example.com";
    QTest::newRow("ngrok json") << "ngrok"
                                << "ngrok-json.txt"
                                << "https://ab12-203-0-113-7.ngrok-free.app";
    QTest::newRow("ngrok logfmt") << "ngrok"
                                  << "ngrok-logfmt.txt"
                                  << "https://zookeeper-pronto-ship.ngrok-free.dev";
    QTest::newRow("localhost.run") << "ssh:nokey@localhost.run"
                                   << "localhost-run.txt"
                                   << "https://8beaa541ba3dc2.lhr.life";
    QTest::newRow("serveo") << "ssh:me@serveo.net"
                            << "serveo.txt"
                            << "https://gero.serveo.net";
    QTest::newRow("command, first https") << "cmd:'x {port}'"
                                          << "serveo.txt"
                                          << "https://gero.serveo.net";
    QTest::newRow("command, pattern") << "cmd:'x {port}',url-pattern=tunneled with tls termination, (\\S+)"
                                      << "localhost-run.txt"
                                      << "https://8beaa541ba3dc2.lhr.life";
}

void TestTunnel::urlsFromWhatEachProgramPrints()
{
    QFETCH(QString, spec);
    QFETCH(QString, file);
    QFETCH(QString, url);
    const auto found = urlsIn(this->spec(spec), data(file.toLatin1().constData()));
    QVERIFY(!found.isEmpty());
    QCOMPARE(found.front().second, QUrl(url)); // the first one given is the tunnel's, not a page of the service's
}

void TestTunnel::cloudflaredIsUpOnceAConnectionIsRegistered()
{
    // The box is printed before any edge connection exists: the URL counts from the registration line (the last).
    const auto found = urlsIn(spec(QStringLiteral("cloudflared")), data("cloudflared-quick.txt"));
    QCOMPARE(found.size(), 1);
    QCOMPARE(found.front().first, 6);
    // A named tunnel never prints its hostname: the one given, at its first registered connection (line 2).
    const auto named = urlsIn(spec(QStringLiteral("cloudflared,name=pim,hostname=hooks.example.com")),
                              data("cloudflared-named.txt"));
    QCOMPARE(named.front().first, 2);
    // Nothing from a rate-limited request.
    QVERIFY(urlsIn(spec(QStringLiteral("cloudflared")), data("cloudflared-rate-limited.txt")).isEmpty());
}

void TestTunnel::refusalsAreRecognised()
{
    const TunnelUrlFinder ngrok(spec(QStringLiteral("ngrok")));
    QFile f(data("ngrok-authtoken.txt"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().split('\n');
    QVERIFY(!ngrok.problemIn(QString::fromUtf8(lines[0])));
    const auto refused = ngrok.problemIn(QString::fromUtf8(lines[1]));
    QVERIFY(refused);
    QVERIFY2(refused->contains(QStringLiteral("ERR_NGROK_105")), qPrintable(*refused));
    QVERIFY2(refused->contains(QStringLiteral("https://ngrok.com/docs/errors/err_ngrok_105")), qPrintable(*refused));

    const TunnelUrlFinder cloudflared(spec(QStringLiteral("cloudflared")));
    const auto limited = cloudflared.problemIn(
        QStringLiteral("failed to unmarshal quick Tunnel: invalid character 'e' looking for beginning of value"));
    QVERIFY(limited);
    const auto limited429 = cloudflared.problemIn(QStringLiteral(
        "2026-12-07T09:25:34Z ERR Error unmarshaling QuickTunnel response: error code: 1015 error=\"invalid character "
        "'e' looking for beginning of value\" status_code=\"429 Too Many Requests\""));
    QVERIFY(!limited429); // the ERR line alone: the program says it with the next line, and exits
    QVERIFY(
        cloudflared.problemIn(QStringLiteral("quick tunnel provisioning failed with status 429: [1015] rate limited"))
            ->contains(QStringLiteral("rate limited")));
}

void TestTunnel::runsTheProgramAndFindsTheUrl()
{
    standIn(data("cloudflared-quick.txt"));
    Tunnel tunnel(spec(QStringLiteral("cloudflared,program=" PIMSCOPE_TUNNEL_STANDIN)), 8787, m_fast);
    QSignalSpy found(&tunnel, &Tunnel::urlFound);
    tunnel.start();
    QVERIFY(found.wait(10000));
    QCOMPARE(found.front().front().toUrl(), QUrl(QStringLiteral("https://four-dashed-word-url.trycloudflare.com")));
    QCOMPARE(tunnel.state(), Tunnel::State::Up);
    QCOMPARE(tunnel.url(), QUrl(QStringLiteral("https://four-dashed-word-url.trycloudflare.com")));
    // It was started as cloudflared is: `tunnel --no-autoupdate --url http://127.0.0.1:8787`.
    QFile record(m_dir->filePath(QStringLiteral("record")));
    QVERIFY(record.open(QIODevice::ReadOnly));
    const QList<QByteArray> recorded = record.readAll().trimmed().split('\n');
    QCOMPARE(recorded.mid(1), (QList<QByteArray>{"tunnel", "--no-autoupdate", "--url", "http://127.0.0.1:8787"}));
    QCOMPARE(recorded.front().toLongLong(), tunnel.processId());
    // The log: the command, then what it printed (stderr).
    QVERIFY2(tunnel.log().front().startsWith(QStringLiteral("$ " PIMSCOPE_TUNNEL_STANDIN " tunnel --no-autoupdate")),
             qPrintable(tunnel.log().front()));
    QVERIFY(tunnel.log().back().contains(QStringLiteral("Registered tunnel connection")));
    tunnel.stop();
    QCOMPARE(tunnel.state(), Tunnel::State::Stopped);
    QCOMPARE(tunnel.processId(), 0);
}

void TestTunnel::missingProgram()
{
    Tunnel tunnel(spec(QStringLiteral("cloudflared,program=cloudflared-not-installed")), 8787, m_fast);
    QSignalSpy said(&tunnel, &Tunnel::problem);
    tunnel.start();
    QCOMPARE(said.size(), 1);
    const QString message = said.front().front().toString();
    QVERIFY2(message.startsWith(QStringLiteral("cloudflared-not-installed was not found on the PATH: cloudflared is "
                                               "not in Debian")),
             qPrintable(message));
    QCOMPARE(said.front().back().toBool(), false); // not retried
    QCOMPARE(tunnel.state(), Tunnel::State::Stopped);
    QCOMPARE(tunnel.starts(), 0);
    // A path given that is not there.
    Tunnel atPath(spec(QStringLiteral("ngrok,program=/nonexistent/ngrok")), 8787, m_fast);
    QSignalSpy saidAtPath(&atPath, &Tunnel::problem);
    atPath.start();
    QVERIFY2(saidAtPath.front().front().toString().startsWith(QStringLiteral("/nonexistent/ngrok was not found: ")),
             qPrintable(saidAtPath.front().front().toString()));
}

void TestTunnel::exitingAtOnceIsRestartedWithBackOff()
{
    standIn(data("cloudflared-rate-limited.txt"), false, 1);
    Tunnel tunnel(spec(QStringLiteral("cloudflared,program=" PIMSCOPE_TUNNEL_STANDIN)), 8787, m_fast);
    QSignalSpy said(&tunnel, &Tunnel::problem);
    tunnel.start();
    QTRY_VERIFY_WITH_TIMEOUT(said.size() >= 3, 10000);
    const QString first = said.front().front().toString();
    // Said as what the program said (Cloudflare refused), with its last lines; retried after 50 ms, then 100, 200.
    QVERIFY2(first.startsWith(QStringLiteral("Cloudflare gave no quick tunnel (rate limited")), qPrintable(first));
    QVERIFY2(first.contains(QStringLiteral("started again in 0.05 s")), qPrintable(first));
    QVERIFY2(first.contains(QStringLiteral("Its last lines:\n")), qPrintable(first));
    QVERIFY2(first.contains(QStringLiteral("failed to unmarshal quick Tunnel")), qPrintable(first));
    QVERIFY(said.front().back().toBool());
    QVERIFY2(said[1].front().toString().contains(QStringLiteral("started again in 0.1 s")),
             qPrintable(said[1].front().toString()));
    QVERIFY2(said[2].front().toString().contains(QStringLiteral("started again in 0.2 s")),
             qPrintable(said[2].front().toString()));
    QVERIFY(tunnel.starts() >= 3);
    tunnel.stop();

    // A program that exits saying nothing the finder knows: its exit code.
    standIn(data("serveo.txt"), false, 3);
    Tunnel other(spec(QStringLiteral("cloudflared,program=" PIMSCOPE_TUNNEL_STANDIN)), 8787, m_fast);
    QSignalSpy otherSaid(&other, &Tunnel::problem);
    other.start();
    QVERIFY(otherSaid.wait(10000));
    const QString exited = otherSaid.front().front().toString();
    QVERIFY2(exited.startsWith(QStringLiteral(PIMSCOPE_TUNNEL_STANDIN " exited with code 3; started again in")),
             qPrintable(exited));
    QVERIFY2(exited.contains(QStringLiteral("Forwarding HTTP traffic from https://gero.serveo.net")),
             qPrintable(exited));
}

void TestTunnel::noUrlInTime()
{
    standIn(data("ngrok-logfmt.txt")); // no box, no registration: cloudflared would never be up
    m_fast.urlTimeoutMs = 400;
    Tunnel tunnel(spec(QStringLiteral("cloudflared,program=" PIMSCOPE_TUNNEL_STANDIN)), 8787, m_fast);
    QSignalSpy said(&tunnel, &Tunnel::problem);
    tunnel.start();
    QTRY_VERIFY_WITH_TIMEOUT(tunnel.processId() != 0, 5000);
    const qint64 pid = tunnel.processId();
    QVERIFY(said.wait(10000));
    const QString message = said.front().front().toString();
    QVERIFY2(message.startsWith(QStringLiteral(PIMSCOPE_TUNNEL_STANDIN " printed no public URL within 0.4 s")),
             qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("msg=\"started tunnel\"")), qPrintable(message)); // its last lines
    // The program that printed nothing useful was stopped.
    QTRY_VERIFY(!running(pid));
}

void TestTunnel::aRestartWithAnotherUrlIsAChange()
{
    // Each run prints another quick tunnel URL, then exits after a moment (the tunnel dies).
    QFile tmpl(m_dir->filePath(QStringLiteral("runs.txt")));
    QFile original(data("cloudflared-quick.txt"));
    QVERIFY(original.open(QIODevice::ReadOnly) && tmpl.open(QIODevice::WriteOnly));
    tmpl.write(original.readAll().replace("four-dashed-word-url", "run-{run}"));
    tmpl.close();
    standIn(tmpl.fileName(), false, 0);
    qputenv("PIMSCOPE_STANDIN_EXIT_AFTER_MS", "300");
    Tunnel tunnel(spec(QStringLiteral("cloudflared,program=" PIMSCOPE_TUNNEL_STANDIN)), 8787, m_fast);
    QSignalSpy changed(&tunnel, &Tunnel::urlChanged);
    QSignalSpy found(&tunnel, &Tunnel::urlFound);
    tunnel.start();
    QVERIFY(changed.wait(10000));
    QCOMPARE(found.front().front().toUrl(), QUrl(QStringLiteral("https://run-1.trycloudflare.com")));
    QCOMPARE(changed.front()[0].toUrl(), QUrl(QStringLiteral("https://run-1.trycloudflare.com")));
    QCOMPARE(changed.front()[1].toUrl(), QUrl(QStringLiteral("https://run-2.trycloudflare.com")));
    QCOMPARE(tunnel.url(), QUrl(QStringLiteral("https://run-2.trycloudflare.com")));
    tunnel.stop();
}

void TestTunnel::refusedAuthtokenStopsTheProgram()
{
    // ngrok goes on retrying a refused authtoken: Pimscope says why and stops it (started again later).
    standIn(data("ngrok-authtoken.txt"), true);
    Tunnel tunnel(spec(QStringLiteral("ngrok,program=" PIMSCOPE_TUNNEL_STANDIN)), 8787, m_fast);
    QSignalSpy said(&tunnel, &Tunnel::problem);
    tunnel.start();
    QVERIFY(said.wait(10000));
    const QString message = said.front().front().toString();
    QVERIFY2(message.startsWith(QStringLiteral("ngrok refused the tunnel (ERR_NGROK_105")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("lvl=eror msg=\"failed to reconnect session\"")), qPrintable(message));
    tunnel.stop();
}

void TestTunnel::ngrokAuthtokenFromTheKeychain()
{
    // The authtoken kept in the keychain reaches ngrok in its environment: not on its command line, and not in the
    // log even when the program prints it.
    const QByteArray token = "2abcDEFghiJKLmnoPQRstuVWX_6yZabcdefGHIjklMNOpq";
    QFile output(m_dir->filePath(QStringLiteral("ngrok-echo.txt")));
    QVERIFY(output.open(QIODevice::WriteOnly));
    output.write("t=2026-12-07T09:30:40+0000 lvl=dbug msg=\"authtoken\" token={authtoken}\n");
    QFile json(data("ngrok-json.txt"));
    QVERIFY(json.open(QIODevice::ReadOnly));
    output.write(json.readAll());
    output.close();
    standIn(output.fileName(), true);
    MemorySecretStore secrets;
    secrets.insert(QStringLiteral("ngrok-authtoken"), token);
    TunnelKeeper::Options options;
    options.tunnel = m_fast;
    TunnelKeeper keeper(spec(QStringLiteral("ngrok,program=" PIMSCOPE_TUNNEL_STANDIN)), 8787,
                        std::make_shared<ProbeRegistry>(), options);
    keeper.setSecretStore(&secrets);
    QSignalSpy found(&keeper.tunnel(), &Tunnel::urlFound);
    keeper.start();
    QVERIFY(found.wait(10000));
    QFile record(m_dir->filePath(QStringLiteral("record")));
    QVERIFY(record.open(QIODevice::ReadOnly));
    const QByteArray recorded = record.readAll();
    QVERIFY2(recorded.contains(QByteArray("env NGROK_AUTHTOKEN=" + token + "\n")), recorded.constData());
    QCOMPARE(recorded.count(token), 1); // only in the environment, never an argument
    const QString log = keeper.tunnel().log().join(u'\n');
    QVERIFY2(!log.contains(QString::fromLatin1(token)), qPrintable(log));
    QVERIFY2(log.contains(QStringLiteral("token=[hidden]")), qPrintable(log));
    keeper.stop();

    // None in the keychain: no error, ngrok reads its own configuration (no variable set by Pimscope).
    MemorySecretStore empty;
    TunnelKeeper without(spec(QStringLiteral("ngrok,program=" PIMSCOPE_TUNNEL_STANDIN)), 8787,
                         std::make_shared<ProbeRegistry>(), options);
    without.setSecretStore(&empty);
    QSignalSpy said(&without, &TunnelKeeper::said);
    QSignalSpy foundAgain(&without.tunnel(), &Tunnel::urlFound);
    qunsetenv("NGROK_AUTHTOKEN");
    without.start();
    QVERIFY(foundAgain.wait(10000));
    record.close();
    QVERIFY(record.open(QIODevice::ReadOnly));
    QVERIFY(!record.readAll().contains("NGROK_AUTHTOKEN"));
    for (const auto &args : std::as_const(said))
        QVERIFY2(args.at(1).value<TunnelKeeper::Level>() == TunnelKeeper::Level::Info,
                 qPrintable(args.at(0).toString()));
    without.stop();

    // ngrok refusing the token says where to keep one.
    standIn(data("ngrok-authtoken.txt"), true);
    Tunnel refused(spec(QStringLiteral("ngrok,program=" PIMSCOPE_TUNNEL_STANDIN)), 8787, m_fast);
    QSignalSpy problem(&refused, &Tunnel::problem);
    refused.start();
    QVERIFY(problem.wait(10000));
    QVERIFY2(problem.front().front().toString().contains(QStringLiteral("pimscope secret set ngrok-authtoken")),
             qPrintable(problem.front().front().toString()));
    refused.stop();
}

void TestTunnel::knownUrlAtTheStart()
{
    // The user's own server: ssh -N prints nothing when the forward is up; the URL given is the tunnel's once ssh runs.
    standIn(data("serveo.txt")); // whatever it prints is not read for a URL
    Tunnel tunnel(spec(QStringLiteral("ssh:deploy@hooks.example.com,remote-port=9001,url=https://hooks.example.com/pim,"
                                      "program=" PIMSCOPE_TUNNEL_STANDIN)),
                  8787, m_fast);
    QSignalSpy found(&tunnel, &Tunnel::urlFound);
    tunnel.start();
    QVERIFY(found.wait(10000));
    QCOMPARE(tunnel.url(), QUrl(QStringLiteral("https://hooks.example.com/pim")));
    tunnel.stop();
}

void TestTunnel::goneWithItsParentKilled()
{
    // A process runs a Tunnel (the stand-in as its program); killed with SIGKILL, it can clean nothing up: the kernel
    // ends the tunnel program (PR_SET_PDEATHSIG). Five times.
    standIn(data("cloudflared-quick.txt"));
    for (int round = 0; round < 5; ++round) {
        const QString pidFile = m_dir->filePath(QStringLiteral("tunnel-%1.pid").arg(round));
        QProcess parent;
        parent.setProcessChannelMode(QProcess::ForwardedChannels);
        parent.start(QStringLiteral(PIMSCOPE_TUNNEL_STANDIN),
                     {QStringLiteral("--parent"), QStringLiteral("cloudflared,program=" PIMSCOPE_TUNNEL_STANDIN),
                      QStringLiteral("8787"), pidFile});
        QVERIFY(parent.waitForStarted(5000));
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(pidFile) && QFile(pidFile).size() > 0, 10000);
        QFile f(pidFile);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const pid_t child = pid_t(f.readAll().toLongLong());
        QVERIFY(child > 0);
        QVERIFY(running(child));
        QCOMPARE(::kill(pid_t(parent.processId()), SIGKILL), 0);
        QVERIFY(parent.waitForFinished(5000));
        QElapsedTimer t;
        t.start();
        // Gone within a second.
        while (running(child) && t.elapsed() < 1000)
            QTest::qWait(10);
        QVERIFY2(!running(child),
                 qPrintable(
                     QStringLiteral("the tunnel program %1 outlived its parent by %2 ms").arg(child).arg(t.elapsed())));
    }
}

void TestTunnel::checkedEndToEnd()
{
    // The receiver, a cloudflared (the stand-in, which plays Cloudflare's edge too: TLS on a loopback port with a
    // certificate for *.trycloudflare.com, relayed to the receiver), and the probe through the public URL.
    auto store = EventStore::open(m_dir->filePath(QStringLiteral("capture.db")));
    QVERIFY2(store, qPrintable(store.error()));
    auto probes = std::make_shared<ProbeRegistry>();
    ReceiverSettings settings;
    settings.port = 0;
    settings.probes = probes;
    Receiver receiver(store->get(), settings);
    const auto port = receiver.start();
    QVERIFY2(port, qPrintable(port.error()));
    QSignalSpy answered(&receiver, &Receiver::answered);
    quint16 edgePort = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        edgePort = probe.serverPort();
    }
    standIn(data("cloudflared-quick.txt"));
    qputenv("PIMSCOPE_STANDIN_LISTEN", QByteArray::number(edgePort));
    qputenv("PIMSCOPE_STANDIN_CERT", data("tls/server.pem").toLocal8Bit());
    qputenv("PIMSCOPE_STANDIN_KEY", data("tls/server.key").toLocal8Bit());
    Tunnel tunnel(spec(QStringLiteral("cloudflared,program=" PIMSCOPE_TUNNEL_STANDIN)), *port, m_fast);
    QSignalSpy found(&tunnel, &Tunnel::urlFound);
    tunnel.start();
    QVERIFY(found.wait(10000));
    QFile caFile(data("tls/ca.pem"));
    QVERIFY(caFile.open(QIODevice::ReadOnly));
    const QList<QSslCertificate> ca = QSslCertificate::fromData(caFile.readAll());

    // Through the public URL (its host resolved to the edge's port, as the internet would), verified as a PIM would.
    TunnelProbe prober(probes);
    prober.setConnectTo(QStringLiteral("127.0.0.1"), edgePort);
    prober.addCaCertificates(ca);
    QSignalSpy checked(&prober, &TunnelProbe::checked);
    prober.check(tunnel.url());
    QVERIFY(checked.wait(10000));
    auto result = checked.takeFirst().front().value<ProbeResult>();
    QVERIFY2(result.reached, qPrintable(result.message));
    QVERIFY2(result.message.startsWith(QStringLiteral("reachable from the internet, ")), qPrintable(result.message));
    QVERIFY(result.ms > 0);

    // A certificate the PIM would refuse: not reachable, said with TLS's reason.
    TunnelProbe untrusting(probes);
    untrusting.setConnectTo(QStringLiteral("127.0.0.1"), edgePort);
    QSignalSpy refused(&untrusting, &TunnelProbe::checked);
    untrusting.check(tunnel.url());
    QVERIFY(refused.wait(10000));
    result = refused.front().front().value<ProbeResult>();
    QVERIFY(!result.reached);
    QVERIFY2(result.message.startsWith(QStringLiteral("not reachable: the probe through https://four-dashed-word-url."
                                                      "trycloudflare.com found no answer (")),
             qPrintable(result.message));

    // A URL that leads to another Pimscope (whose probes are not these): its receiver answers 404.
    TunnelProbe stranger(std::make_shared<ProbeRegistry>());
    stranger.setConnectTo(QStringLiteral("127.0.0.1"), edgePort);
    stranger.addCaCertificates(ca);
    QSignalSpy elsewhere(&stranger, &TunnelProbe::checked);
    stranger.check(tunnel.url());
    QVERIFY(elsewhere.wait(10000));
    result = elsewhere.front().front().value<ProbeResult>();
    QVERIFY(!result.reached);
    QVERIFY2(result.message.contains(QStringLiteral("answered the probe with 404, but not from this Pimscope")),
             qPrintable(result.message));

    // The tunnel down: nothing listens at the edge any more.
    tunnel.stop();
    prober.check(tunnel.url());
    QVERIFY(checked.wait(10000));
    result = checked.front().front().value<ProbeResult>();
    QVERIFY(!result.reached);
    QVERIFY2(result.message.contains(QStringLiteral("found no answer")), qPrintable(result.message));

    // Probes are not deliveries: nothing stored, nothing shown.
    receiver.stop();
    QVERIFY(store.value()->flush());
    QCOMPARE(test::allDeliveries(store.value()->reader()).size(), 0);
    QCOMPARE(answered.size(), 0);
    for (const char *name : {"PIMSCOPE_STANDIN_LISTEN", "PIMSCOPE_STANDIN_CERT", "PIMSCOPE_STANDIN_KEY"})
        qunsetenv(name);
}

void TestTunnel::receiveWithATunnel()
{
    // `pimscope receive --tunnel` as a process: it prints the public URL once checked through the tunnel, where to
    // paste it; killed with SIGKILL, its tunnel program goes with it within a second.
    const QByteArray bin = qgetenv("PIMSCOPE_BIN");
    QVERIFY2(!bin.isEmpty(), "PIMSCOPE_BIN names the pimscope binary (ctest sets it)");
    quint16 edgePort = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        edgePort = probe.serverPort();
    }
    standIn(data("cloudflared-quick.txt"));
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PIMSCOPE_STANDIN_LISTEN"), QString::number(edgePort));
    env.insert(QStringLiteral("PIMSCOPE_STANDIN_CERT"), data("tls/server.pem"));
    env.insert(QStringLiteral("PIMSCOPE_STANDIN_KEY"), data("tls/server.key"));
    env.insert(QStringLiteral("PIMSCOPE_TUNNEL_CONNECT_TO"), QStringLiteral("127.0.0.1:%1").arg(edgePort));
    env.insert(QStringLiteral("PIMSCOPE_TUNNEL_CA"), data("tls/ca.pem"));
    QProcess pimscope;
    pimscope.setProcessEnvironment(env);
    pimscope.start(QString::fromLocal8Bit(bin),
                   {QStringLiteral("receive"), QStringLiteral("--db"), m_dir->filePath(QStringLiteral("c.db")),
                    QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--tunnel"),
                    QStringLiteral("cloudflared,program=" PIMSCOPE_TUNNEL_STANDIN)});
    QVERIFY(pimscope.waitForStarted(5000));
    QByteArray out;
    QElapsedTimer t;
    t.start();
    while (!out.contains("Quable:") && t.elapsed() < 15000 && pimscope.state() == QProcess::Running) {
        pimscope.waitForReadyRead(200);
        out += pimscope.readAllStandardOutput();
    }
    QVERIFY2(out.contains("\nPublic URL https://four-dashed-word-url.trycloudflare.com (reachable from the internet, "),
             out.constData());
    QVERIFY2(out.contains("  Akeneo Events API: System > Connections > your connection > Event subscription > URL: "
                          "https://four-dashed-word-url.trycloudflare.com\n"),
             out.constData());
    QVERIFY2(out.contains("  Quable: "), out.constData());

    // The tunnel program (the stand-in recorded its pid) dies with pimscope.
    QFile record(m_dir->filePath(QStringLiteral("record")));
    QVERIFY(record.open(QIODevice::ReadOnly));
    const qint64 child = record.readLine().trimmed().toLongLong();
    QVERIFY(running(child));
    QCOMPARE(::kill(pid_t(pimscope.processId()), SIGKILL), 0);
    QVERIFY(pimscope.waitForFinished(5000));
    t.restart();
    while (running(child) && t.elapsed() < 1000)
        QTest::qWait(10);
    QVERIFY2(!running(child),
             qPrintable(QStringLiteral("the tunnel program outlived pimscope by %1 ms").arg(t.elapsed())));

    // A spec it cannot read: a usage error that names the problem, nothing started.
    QProcess bad;
    bad.start(QString::fromLocal8Bit(bin),
              {QStringLiteral("receive"), QStringLiteral("--db"), m_dir->filePath(QStringLiteral("d.db")),
               QStringLiteral("--tunnel"), QStringLiteral("ssh:example.com")});
    QVERIFY(bad.waitForFinished(10000));
    QCOMPARE(bad.exitCode(), 2);
    QVERIFY2(bad.readAllStandardError().contains("--tunnel: ssh needs USER@HOST[:PORT]"), "usage error");
}

QTEST_GUILESS_MAIN(TestTunnel)
#include "tst_tunnel.moc"
