#include "secrets/keychainsecretstore.h"
#include "signedtarget.h"
#include "testutil.h"

#include <QDeadlineTimer>
#include <QProcess>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <optional>

using namespace pimscope;

// Runs inside tests/isolate.sh keyring: the pimscope binary (env PIMSCOPE_BIN) and this test share a private
// D-Bus session with an unlocked gnome-keyring, so what the command stores can be read back here.

namespace {

using Run = test::PimscopeRun;

/** `pimscope secret ARGS`. */
Run secretCommand(const QStringList &args, const QByteArray &input = QByteArray(),
                  const std::optional<QProcessEnvironment> &env = std::nullopt)
{
    return test::runPimscope(QStringList{QStringLiteral("secret")} + args, input, env);
}

/** What the keychain holds under `name` (service "pimscope"), read in this process; null when missing. */
QByteArray keychainValue(const QString &name)
{
    KeychainSecretStore store;
    QSignalSpy read(&store, &SecretStore::secretRead);
    QSignalSpy failed(&store, &SecretStore::secretFailed);
    store.read(name);
    if (!QTest::qWaitFor([&] { return read.count() + failed.count() > 0; }, 20000))
        qFatal("no keychain answer");
    if (!failed.isEmpty()) {
        if (failed.first().at(1).value<SecretStore::ErrorKind>() != SecretStore::ErrorKind::Missing)
            qFatal("keychain failure: %s", qPrintable(failed.first().at(2).toString()));
        return QByteArray();
    }
    return read.first().at(1).toByteArray();
}

QStringList words(const char *a, const char *b = nullptr, const char *c = nullptr, const char *d = nullptr)
{
    QStringList l;
    for (const char *w : {a, b, c, d}) {
        if (w)
            l.append(QString::fromUtf8(w));
    }
    return l;
}

} // namespace

class TestSecretCommand : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void setCheckDelete();
    void overwrite();
    void trailingNewline_data();
    void trailingNewline();
    void emptyValueRefused_data();
    void emptyValueRefused();
    void usageErrors_data();
    void usageErrors();
    void help();
    void listedAmongCommands();
    void unreachableKeychain();
    void terminalInputIsNotEchoed();
    void replaySignsWithAKeychainSecret();
};

void TestSecretCommand::initTestCase()
{
    QVERIFY(!qgetenv("PIMSCOPE_BIN").isEmpty());
    QVERIFY2(qEnvironmentVariableIsSet("DBUS_SESSION_BUS_ADDRESS"), "run through tests/isolate.sh keyring");
}

void TestSecretCommand::setCheckDelete()
{
    const QByteArray value = "s3cr3t-VALUE-42";
    const QString name = QStringLiteral("akeneo-staging");
    QList<Run> runs;

    runs << secretCommand(words("set", "akeneo-staging"), value + '\n');
    QCOMPARE(runs.last().exitCode, 0);
    QCOMPARE(runs.last().out, QByteArray());
    QCOMPARE(runs.last().err, QByteArray());
    QCOMPARE(keychainValue(name), value);

    runs << secretCommand(words("check", "akeneo-staging"));
    QCOMPARE(runs.last().exitCode, 0);
    QCOMPARE(runs.last().out, QByteArray("set\n"));
    QCOMPARE(runs.last().err, QByteArray());

    runs << secretCommand(words("delete", "akeneo-staging"));
    QCOMPARE(runs.last().exitCode, 0);
    QCOMPARE(runs.last().out, QByteArray());
    QCOMPARE(runs.last().err, QByteArray());
    QVERIFY(keychainValue(name).isNull());

    runs << secretCommand(words("check", "akeneo-staging"));
    QCOMPARE(runs.last().exitCode, 1);
    QCOMPARE(runs.last().out, QByteArray());
    QCOMPARE(runs.last().err, QByteArray("pimscope: secret: no secret named 'akeneo-staging' in the keychain\n"));

    runs << secretCommand(words("delete", "akeneo-staging"));
    QCOMPARE(runs.last().exitCode, 1);
    QCOMPARE(runs.last().err, QByteArray("pimscope: secret: no secret named 'akeneo-staging' in the keychain\n"));

    for (const Run &r : std::as_const(runs)) {
        QVERIFY(!r.out.contains(value));
        QVERIFY(!r.err.contains(value));
    }
}

void TestSecretCommand::overwrite()
{
    QCOMPARE(secretCommand(words("set", "quable"), "Bearer one\n").exitCode, 0);
    QCOMPARE(secretCommand(words("set", "quable"), "Bearer two\n").exitCode, 0);
    QCOMPARE(keychainValue(QStringLiteral("quable")), QByteArray("Bearer two"));
    const Run check = secretCommand(words("check", "quable"));
    QCOMPARE(check.exitCode, 0);
    QVERIFY(!check.out.contains("Bearer"));
    QCOMPARE(secretCommand(words("delete", "quable")).exitCode, 0);
}

void TestSecretCommand::trailingNewline_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("stored");
    QTest::newRow("one newline") << QByteArray("abc\n") << QByteArray("abc");
    QTest::newRow("only one of two newlines") << QByteArray("abc\n\n") << QByteArray("abc\n");
    QTest::newRow("CRLF") << QByteArray("abc\r\n") << QByteArray("abc");
    QTest::newRow("no newline") << QByteArray("abc") << QByteArray("abc");
    QTest::newRow("spaces kept") << QByteArray("  spaced out  \n") << QByteArray("  spaced out  ");
    QTest::newRow("inner newlines kept") << QByteArray("multi\nline\n") << QByteArray("multi\nline");
    QTest::newRow("binary with NUL") << QByteArray("a\0b\xff\n", 5) << QByteArray("a\0b\xff", 4);
}

void TestSecretCommand::trailingNewline()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, stored);
    const Run r = secretCommand(words("set", "newline-test"), input);
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.err, QByteArray());
    QCOMPARE(keychainValue(QStringLiteral("newline-test")), stored);
}

void TestSecretCommand::emptyValueRefused_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::newRow("nothing") << QByteArray();
    QTest::newRow("a newline") << QByteArray("\n");
    QTest::newRow("CRLF") << QByteArray("\r\n");
}

void TestSecretCommand::emptyValueRefused()
{
    QFETCH(QByteArray, input);
    const Run r = secretCommand(words("set", "empty-test"), input);
    QCOMPARE(r.exitCode, 2);
    QCOMPARE(r.out, QByteArray());
    QCOMPARE(r.err, QByteArray("pimscope: secret: set: empty value on standard input; nothing stored\n"));
    QVERIFY(keychainValue(QStringLiteral("empty-test")).isNull());
}

void TestSecretCommand::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("message");
    QTest::newRow("no action") << QStringList() << QByteArray("missing action");
    QTest::newRow("unknown action") << words("show", "x") << QByteArray("unknown action 'show'");
    QTest::newRow("set without name") << words("set") << QByteArray("set: missing NAME");
    QTest::newRow("check without name") << words("check") << QByteArray("check: missing NAME");
    QTest::newRow("delete without name") << words("delete") << QByteArray("delete: missing NAME");
    QTest::newRow("extra argument") << words("set", "a", "b") << QByteArray("unexpected argument 'b'");
    QTest::newRow("empty name") << words("check", "") << QByteArray("empty NAME");
    QTest::newRow("unknown option") << words("check", "x", "--value=oops") << QByteArray("Unknown option");
}

void TestSecretCommand::usageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, message);
    const Run r = secretCommand(args, "never-stored-value\n");
    QCOMPARE(r.exitCode, 2);
    QCOMPARE(r.out, QByteArray());
    QVERIFY2(r.err.startsWith("pimscope: secret: "), r.err.constData());
    QVERIFY2(r.err.contains(message), r.err.constData());
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY(!r.err.contains("never-stored-value"));
}

void TestSecretCommand::help()
{
    const Run r = secretCommand(words("--help"));
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains("set NAME"));
    QVERIFY(r.out.contains("check NAME"));
    QVERIFY(r.out.contains("delete NAME"));
}

void TestSecretCommand::listedAmongCommands()
{
    QProcess p;
    p.start(QString::fromLocal8Bit(qgetenv("PIMSCOPE_BIN")), {QStringLiteral("no-such-command")});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 2);
    const QByteArray err = p.readAllStandardError();
    QVERIFY(err.contains("secret   store or delete a secret in the OS keychain (value from stdin)"));
}

void TestSecretCommand::unreachableKeychain()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QStringLiteral("unix:path=/nonexistent/pimscope-no-bus"));
    env.remove(QStringLiteral("DISPLAY"));
    for (const QStringList &args : {words("set", "offline"), words("check", "offline"), words("delete", "offline")}) {
        const Run r = secretCommand(args, "offline-secret-value\n", env);
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(r.out, QByteArray());
        QVERIFY2(r.err.startsWith("pimscope: secret: keychain unavailable ("), r.err.constData());
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY(!r.err.contains("offline-secret-value"));
    }
}

void TestSecretCommand::terminalInputIsNotEchoed()
{
    // At a terminal `secret set` prompts and reads one line with echo off: the value never shows on the screen.
    int master = -1, slave = -1;
    QVERIFY(::openpty(&master, &slave, nullptr, nullptr, nullptr) == 0);
    const auto closeMaster = qScopeGuard([master] { ::close(master); });
    QProcess p;
    p.setChildProcessModifier([slave] {
        ::setsid();
        ::ioctl(slave, TIOCSCTTY, 0);
        ::dup2(slave, STDIN_FILENO);
        ::dup2(slave, STDOUT_FILENO);
        ::dup2(slave, STDERR_FILENO);
    });
    p.start(QString::fromLocal8Bit(qgetenv("PIMSCOPE_BIN")),
            {QStringLiteral("secret"), QStringLiteral("set"), QStringLiteral("pty-test")});
    QVERIFY(p.waitForStarted());
    ::close(slave);
    QByteArray screen;
    const auto readScreen = [&](int timeoutMs) {
        pollfd fd{master, POLLIN, 0};
        char buffer[4096];
        while (::poll(&fd, 1, timeoutMs) > 0) {
            const ssize_t n = ::read(master, buffer, sizeof buffer);
            if (n <= 0)
                break;
            screen.append(buffer, n);
            timeoutMs = 50;
        }
    };
    for (int i = 0; i < 100 && !screen.contains("then Enter: "); ++i)
        readScreen(100);
    QVERIFY2(screen.contains("Value for secret 'pty-test' (not echoed), then Enter: "), screen.constData());
    const QByteArray typed = "typed-at-a-terminal-42\n";
    QCOMPARE(::write(master, typed.constData(), size_t(typed.size())), ssize_t(typed.size()));
    QVERIFY(p.waitForFinished(20000));
    readScreen(100);
    QCOMPARE(p.exitCode(), 0);
    QVERIFY2(!screen.contains("typed-at-a-terminal-42"), screen.constData());
    QCOMPARE(keychainValue(QStringLiteral("pty-test")), QByteArray("typed-at-a-terminal-42"));
    secretCommand(words("delete", "pty-test"));
}

void TestSecretCommand::replaySignsWithAKeychainSecret()
{
    // `pimscope replay --secret-name` reads the target's secret from the real keychain, and signs with it: a receiver
    // that knows the same secret finds the signature valid.
    QCOMPARE(secretCommand(words("set", "replay-target"), "replay-keychain-value\n").exitCode, 0);
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("c.db"));
    {
        auto source = EventStore::open(db);
        QVERIFY(source);
        source.value()->enqueue(test::receivedDelivery(test::sample("akeneo_batch_example.json"), 1763632800000));
        QVERIFY(source.value()->flush());
    }
    SignatureRule rule;
    rule.akeneoSecret = "replay-keychain-value";
    rule.eventPlatformSecrets = {"replay-secondary-value"}; // an Event Platform connector's rotated secret
    test::SignedTarget target(dir.filePath(QStringLiteral("target.db")), rule);
    const QString to = target.url();

    const QString bin = QString::fromLocal8Bit(qgetenv("PIMSCOPE_BIN"));
    const auto pimscope = [&](const QStringList &args, QByteArray *out) {
        QProcess p;
        p.start(bin, args);
        // The receiver runs on this thread: the event loop turns while the command runs.
        if (!p.waitForStarted(10000))
            return -1;
        for (QDeadlineTimer deadline(60000); p.state() != QProcess::NotRunning && !deadline.hasExpired();)
            QTest::qWait(20);
        if (p.state() != QProcess::NotRunning)
            return -1;
        *out = p.readAllStandardOutput() + p.readAllStandardError();
        return p.exitCode();
    };
    QByteArray out;
    QCOMPARE(pimscope({QStringLiteral("replay"), QStringLiteral("--db"), db, QStringLiteral("--to"), to,
                       QStringLiteral("--secret-name"), QStringLiteral("replay-target"), QStringLiteral("--dry-run")},
                      &out),
             0);
    QVERIFY2(out.contains("X-Akeneo-Request-Signature: "), out.constData());
    QVERIFY(!out.contains("unsigned"));
    QVERIFY(!out.contains("replay-keychain-value"));
    QCOMPARE(pimscope({QStringLiteral("replay"), QStringLiteral("--db"), db, QStringLiteral("--to"), to,
                       QStringLiteral("--secret-name"), QStringLiteral("replay-target")},
                      &out),
             0);
    const QList<Delivery> got = target.received();
    QCOMPARE(got.size(), 1);
    QCOMPARE(got.front().signature, Signature::Valid);
    QCOMPARE(got.front().eventCount, 10);
    QCOMPARE(pimscope({QStringLiteral("replay"), QStringLiteral("--db"), db, QStringLiteral("--to"), to,
                       QStringLiteral("--secret-name"), QStringLiteral("no-such-secret"), QStringLiteral("--dry-run")},
                      &out),
             1);
    QVERIFY2(out.contains("no secret named 'no-such-secret'"), out.constData());

    // The Event Platform's secondary secret from the keychain too: its signature is the one the connector knows.
    QCOMPARE(secretCommand(words("set", "replay-secondary"), "replay-secondary-value\n").exitCode, 0);
    {
        auto source = EventStore::open(db);
        QVERIFY(source);
        source.value()->enqueue(test::receivedDelivery(
            test::readFile(QStringLiteral(PIMSCOPE_TEST_DATA_DIR "/formats/event_platform_single/body")),
            1763632900000));
        QVERIFY(source.value()->flush());
    }
    const QStringList platform = {QStringLiteral("replay"),
                                  QStringLiteral("--db"),
                                  db,
                                  QStringLiteral("--to"),
                                  to,
                                  QStringLiteral("--filter"),
                                  QStringLiteral("format == akeneo-event-platform"),
                                  QStringLiteral("--secret-name"),
                                  QStringLiteral("replay-target"),
                                  QStringLiteral("--secondary-secret-name")};
    QCOMPARE(pimscope(platform + QStringList{QStringLiteral("replay-secondary")}, &out), 0);
    QVERIFY(!out.contains("replay-secondary-value"));
    const QList<Delivery> platformGot = target.received();
    QCOMPARE(platformGot.size(), 2);
    QCOMPARE(platformGot.last().signature, Signature::Valid);
    QCOMPARE(platformGot.last().signatureDetail,
             QStringLiteral("valid: X-AKENEO-SIGNATURE-SECONDARY matches the primary secret"));
    QCOMPARE(pimscope(platform + QStringList{QStringLiteral("no-such-secondary"), QStringLiteral("--dry-run")}, &out),
             1);
    QVERIFY2(out.contains("--secondary-secret-name: no secret named 'no-such-secondary'"), out.constData());
}

QTEST_GUILESS_MAIN(TestSecretCommand)
#include "tst_secretcommand.moc"
