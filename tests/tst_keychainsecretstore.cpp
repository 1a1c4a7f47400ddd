#include "secrets/keychainsecretstore.h"
#include "secrets/memorysecretstore.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

#include <cstdio>
#include <memory>

using namespace pimscope;

// Runs inside tests/isolate.sh keyring: a private D-Bus session with an unlocked gnome-keyring, temporary HOME.

namespace {

constexpr int answerTimeoutMs = 20000;

/** The spies of one store, created before any request. */
struct Spies
{
    explicit Spies(SecretStore *store)
        : read(store, &SecretStore::secretRead)
        , written(store, &SecretStore::secretWritten)
        , removed(store, &SecretStore::secretRemoved)
        , failed(store, &SecretStore::secretFailed)
    {
    }
    int total() const { return int(read.count() + written.count() + removed.count() + failed.count()); }
    QSignalSpy read;
    QSignalSpy written;
    QSignalSpy removed;
    QSignalSpy failed;
};

/**
 * The child mode (env TST_KEYCHAIN_CHILD=1): one write and one read against whatever session bus the
 * environment names, each outcome printed as a line "write: failed unavailable: <message>" etc.
 * The parent runs it with an unreachable bus, so that process-wide D-Bus state of the parent stays untouched.
 */
int childMain()
{
    KeychainSecretStore store(QStringLiteral("pimscope-test"));
    int answers = 0;
    const auto answered = [&answers](const char *what, const QString &text) {
        std::printf("%s: %s\n", what, qPrintable(text));
        std::fflush(stdout);
        if (++answers == 2)
            QCoreApplication::exit(0);
    };
    QObject::connect(&store, &SecretStore::secretFailed, &store,
                     [&](const QString &name, SecretStore::ErrorKind kind, const QString &message) {
                         answered(name == u"child-write" ? "write" : "read",
                                  QStringLiteral("failed ") + SecretStore::errorKindName(kind) + QStringLiteral(": ")
                                      + message);
                     });
    QObject::connect(&store, &SecretStore::secretWritten, &store,
                     [&](const QString &) { answered("write", QStringLiteral("ok")); });
    QObject::connect(&store, &SecretStore::secretRead, &store,
                     [&](const QString &, const QByteArray &) { answered("read", QStringLiteral("ok")); });
    QMetaObject::invokeMethod(
        &store,
        [&store] {
            store.write(QStringLiteral("child-write"), QByteArrayLiteral("child-value-never-printed"));
            store.read(QStringLiteral("child-read"));
        },
        Qt::QueuedConnection);
    return QCoreApplication::exec();
}

} // namespace

class TestKeychainSecretStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void writeReadOverwriteRemove();
    void readMissing();
    void removeMissingSucceeds();
    void oddNames_data();
    void oddNames();
    void largeBinaryValue();
    void answersAreAsynchronousAndOrdered();
    void emptyName();
    void servicesAreSeparate();
    void storeDestroyedWithRequestPending();
    void unreachableKeychain_data();
    void unreachableKeychain();
    void memoryStoreSameContract();

private:
    QByteArray readBack(SecretStore &store, const QString &name);
};

void TestKeychainSecretStore::initTestCase()
{
    // Refuse to touch a real desktop keyring: isolate.sh gives us a private session bus and a temporary HOME.
    QVERIFY2(qEnvironmentVariableIsSet("DBUS_SESSION_BUS_ADDRESS"), "run through tests/isolate.sh keyring");
    QVERIFY(QDir::homePath().contains(u"pimscope-test"));
    QCOMPARE(KeychainSecretStore::defaultService(), QStringLiteral("pimscope"));
    QCOMPARE(KeychainSecretStore().service(), QStringLiteral("pimscope"));
}

QByteArray TestKeychainSecretStore::readBack(SecretStore &store, const QString &name)
{
    Spies spies(&store);
    store.read(name);
    if (!QTest::qWaitFor([&] { return spies.total() > 0; }, answerTimeoutMs))
        qFatal("no answer reading %s", qPrintable(name));
    if (spies.read.count() != 1) {
        qWarning("read %s failed: %s", qPrintable(name),
                 spies.failed.isEmpty() ? "?" : qPrintable(spies.failed.first().at(2).toString()));
        return QByteArray();
    }
    const QList<QVariant> args = spies.read.takeFirst();
    if (args.at(0).toString() != name)
        qFatal("answer for another name");
    return args.at(1).toByteArray();
}

void TestKeychainSecretStore::writeReadOverwriteRemove()
{
    KeychainSecretStore store(QStringLiteral("pimscope-test"));
    Spies spies(&store);
    const QString name = QStringLiteral("akeneo-staging");

    store.write(name, QByteArrayLiteral("first-value"));
    QTRY_COMPARE_WITH_TIMEOUT(spies.written.count(), 1, answerTimeoutMs);
    QCOMPARE(spies.written.first().at(0).toString(), name);
    QCOMPARE(readBack(store, name), QByteArrayLiteral("first-value"));

    store.write(name, QByteArrayLiteral("second-value"));
    QTRY_COMPARE_WITH_TIMEOUT(spies.written.count(), 2, answerTimeoutMs);
    QCOMPARE(readBack(store, name), QByteArrayLiteral("second-value"));

    // Another store object on the same service sees the same entry (it is in the keyring, not in the object).
    KeychainSecretStore other(QStringLiteral("pimscope-test"));
    QCOMPARE(readBack(other, name), QByteArrayLiteral("second-value"));

    store.remove(name);
    QTRY_COMPARE_WITH_TIMEOUT(spies.removed.count(), 1, answerTimeoutMs);
    QCOMPARE(spies.removed.first().at(0).toString(), name);
    QVERIFY(spies.failed.isEmpty());

    const qsizetype reads = spies.read.count(); // the readBack() calls above
    store.read(name);
    QTRY_COMPARE_WITH_TIMEOUT(spies.failed.count(), 1, answerTimeoutMs);
    QCOMPARE(spies.failed.first().at(1).value<SecretStore::ErrorKind>(), SecretStore::ErrorKind::Missing);
    QCOMPARE(spies.read.count(), reads);
}

void TestKeychainSecretStore::readMissing()
{
    KeychainSecretStore store(QStringLiteral("pimscope-test"));
    Spies spies(&store);
    store.read(QStringLiteral("never-written"));
    QTRY_COMPARE_WITH_TIMEOUT(spies.failed.count(), 1, answerTimeoutMs);
    const QList<QVariant> args = spies.failed.first();
    QCOMPARE(args.at(0).toString(), QStringLiteral("never-written"));
    QCOMPARE(args.at(1).value<SecretStore::ErrorKind>(), SecretStore::ErrorKind::Missing);
    QCOMPARE(args.at(2).toString(), QStringLiteral("no secret named 'never-written' in the keychain"));
    QCOMPARE(SecretStore::errorKindName(SecretStore::ErrorKind::Missing), QStringLiteral("missing"));
    QCOMPARE(spies.total(), 1);
}

void TestKeychainSecretStore::removeMissingSucceeds()
{
    KeychainSecretStore store(QStringLiteral("pimscope-test"));
    Spies spies(&store);
    store.remove(QStringLiteral("never-written-either"));
    QTRY_COMPARE_WITH_TIMEOUT(spies.removed.count(), 1, answerTimeoutMs);
    QCOMPARE(spies.total(), 1);
}

void TestKeychainSecretStore::oddNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("spaces") << QStringLiteral("with some spaces");
    QTest::newRow("slashes") << QStringLiteral("path/like\\name");
    QTest::newRow("quotes") << QStringLiteral("it's \"quoted\"");
    QTest::newRow("unicode") << QStringLiteral("secr\u00e8te-\u00e9t\u00e9-\u2713-\U0001F511");
    QTest::newRow("newline and tab") << QStringLiteral("line\nbreak\ttab");
    QTest::newRow("punctuation") << QStringLiteral("a:b;c=d&e?f#g%h*[i]{j}");
    QTest::newRow("format specifiers") << QStringLiteral("%s%n%1");
    QTest::newRow("long") << QString(300, u'n');
    QTest::newRow("single character") << QStringLiteral("x");
}

void TestKeychainSecretStore::oddNames()
{
    QFETCH(QString, name);
    KeychainSecretStore store(QStringLiteral("pimscope-test"));
    Spies spies(&store);
    const QByteArray value = "value of " + name.toUtf8();
    store.write(name, value);
    QTRY_COMPARE_WITH_TIMEOUT(spies.written.count(), 1, answerTimeoutMs);
    QCOMPARE(spies.written.first().at(0).toString(), name);
    QCOMPARE(readBack(store, name), value);
    store.remove(name);
    QTRY_COMPARE_WITH_TIMEOUT(spies.removed.count(), 1, answerTimeoutMs);
    QVERIFY(spies.failed.isEmpty());
}

void TestKeychainSecretStore::largeBinaryValue()
{
    KeychainSecretStore store(QStringLiteral("pimscope-test"));
    Spies spies(&store);
    QByteArray value(64 * 1024, '\0');
    for (qsizetype i = 0; i < value.size(); ++i)
        value[i] = char(i % 7 == 0 ? 0 : QRandomGenerator::global()->bounded(256));
    value[0] = '\0';
    value[value.size() - 1] = '\0';
    QVERIFY(value.count('\0') > 9000);
    store.write(QStringLiteral("big"), value);
    QTRY_COMPARE_WITH_TIMEOUT(spies.written.count(), 1, answerTimeoutMs);
    const QByteArray back = readBack(store, QStringLiteral("big"));
    QCOMPARE(back.size(), value.size());
    QVERIFY(back == value);
}

void TestKeychainSecretStore::answersAreAsynchronousAndOrdered()
{
    KeychainSecretStore store(QStringLiteral("pimscope-test"));
    Spies spies(&store);
    QStringList order;
    connect(&store, &SecretStore::secretWritten, this,
            [&](const QString &n) { order << QString(QStringLiteral("w:") + n); });
    connect(&store, &SecretStore::secretRead, this, [&](const QString &n, const QByteArray &v) {
        order << QString(QStringLiteral("r:") + n + u'=' + QString::fromUtf8(v));
    });
    for (int i = 0; i < 5; ++i)
        store.write(QStringLiteral("n%1").arg(i), QByteArray::number(i * 11));
    for (int i = 4; i >= 0; --i)
        store.read(QStringLiteral("n%1").arg(i));
    QCOMPARE(spies.total(), 0); // nothing before the calls returned
    QTRY_COMPARE_WITH_TIMEOUT(spies.total(), 10, answerTimeoutMs);
    QCOMPARE(
        order,
        (QStringList{QStringLiteral("w:n0"), QStringLiteral("w:n1"), QStringLiteral("w:n2"), QStringLiteral("w:n3"),
                     QStringLiteral("w:n4"), QStringLiteral("r:n4=44"), QStringLiteral("r:n3=33"),
                     QStringLiteral("r:n2=22"), QStringLiteral("r:n1=11"), QStringLiteral("r:n0=0")}));
}

void TestKeychainSecretStore::emptyName()
{
    KeychainSecretStore store(QStringLiteral("pimscope-test"));
    Spies spies(&store);
    store.read(QString());
    store.write(QString(), "x");
    store.remove(QString());
    QCOMPARE(spies.total(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(spies.failed.count(), 3, answerTimeoutMs);
    for (const QList<QVariant> &args : std::as_const(spies.failed)) {
        QCOMPARE(args.at(1).value<SecretStore::ErrorKind>(), SecretStore::ErrorKind::Other);
        QCOMPARE(args.at(2).toString(), QStringLiteral("empty secret name"));
    }
}

void TestKeychainSecretStore::servicesAreSeparate()
{
    KeychainSecretStore a(QStringLiteral("pimscope-test-a"));
    KeychainSecretStore b(QStringLiteral("pimscope-test-b"));
    Spies sa(&a);
    Spies sb(&b);
    a.write(QStringLiteral("shared-name"), "in a");
    QTRY_COMPARE_WITH_TIMEOUT(sa.written.count(), 1, answerTimeoutMs);
    b.read(QStringLiteral("shared-name"));
    QTRY_COMPARE_WITH_TIMEOUT(sb.failed.count(), 1, answerTimeoutMs);
    QCOMPARE(sb.failed.first().at(1).value<SecretStore::ErrorKind>(), SecretStore::ErrorKind::Missing);
    QCOMPARE(readBack(a, QStringLiteral("shared-name")), QByteArray("in a"));
}

void TestKeychainSecretStore::storeDestroyedWithRequestPending()
{
    {
        auto store = std::make_unique<KeychainSecretStore>(QStringLiteral("pimscope-test"));
        store->write(QStringLiteral("orphan"), "orphan-value");
        store->read(QStringLiteral("orphan"));
    } // destroyed before any answer
    QTest::qWait(300);
    // The write still reached the keyring; nothing crashed; a new store works.
    KeychainSecretStore store(QStringLiteral("pimscope-test"));
    QCOMPARE(readBack(store, QStringLiteral("orphan")), QByteArray("orphan-value"));
}

void TestKeychainSecretStore::unreachableKeychain_data()
{
    QTest::addColumn<QString>("busAddress"); // empty: unset, and no DISPLAY to autolaunch one
    QTest::newRow("socket that does not exist") << QStringLiteral("unix:path=/nonexistent/pimscope-no-bus");
    QTest::newRow("no session bus at all") << QString();
}

void TestKeychainSecretStore::unreachableKeychain()
{
    QFETCH(QString, busAddress);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("TST_KEYCHAIN_CHILD"), QStringLiteral("1"));
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    if (busAddress.isEmpty())
        env.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));
    else
        env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), busAddress);
    QProcess child;
    child.setProcessEnvironment(env);
    QElapsedTimer timer;
    timer.start();
    child.start(QCoreApplication::applicationFilePath(), {});
    QVERIFY(child.waitForStarted());
    if (!child.waitForFinished(30000)) {
        child.kill();
        child.waitForFinished();
        QFAIL("the child hung with an unreachable keychain");
    }
    const QByteArray out = child.readAllStandardOutput();
    const QByteArray err = child.readAllStandardError();
    QCOMPARE(child.exitStatus(), QProcess::NormalExit);
    QVERIFY2(child.exitCode() == 0, err.constData());
    QVERIFY2(out.contains("write: failed unavailable: keychain unavailable (writing 'child-write'): "),
             out.constData());
    QVERIFY2(out.contains("read: failed unavailable: keychain unavailable (reading 'child-read'): "), out.constData());
    QVERIFY(!out.contains("child-value-never-printed"));
    QVERIFY(!err.contains("child-value-never-printed"));
    QVERIFY2(timer.elapsed() < 15000, "took too long to fail");
}

void TestKeychainSecretStore::memoryStoreSameContract()
{
    MemorySecretStore store;
    Spies spies(&store);
    store.insert(QStringLiteral("seeded"), "s");
    QVERIFY(store.contains(QStringLiteral("seeded")));
    store.write(QStringLiteral("a"), QByteArray("a\0b", 3));
    store.read(QStringLiteral("a"));
    store.read(QStringLiteral("missing"));
    store.remove(QStringLiteral("a"));
    store.remove(QStringLiteral("never"));
    store.read(QString());
    QCOMPARE(spies.total(), 0);
    QTRY_COMPARE(spies.total(), 6);
    QCOMPARE(spies.read.count(), 1);
    QCOMPARE(spies.read.first().at(1).toByteArray(), QByteArray("a\0b", 3));
    QCOMPARE(spies.removed.count(), 2);
    QCOMPARE(spies.failed.count(), 2);
    QCOMPARE(spies.failed.at(0).at(1).value<SecretStore::ErrorKind>(), SecretStore::ErrorKind::Missing);
    QCOMPARE(spies.failed.at(0).at(2).toString(), SecretStore::missingMessage(QStringLiteral("missing")));
    QCOMPARE(spies.failed.at(1).at(1).value<SecretStore::ErrorKind>(), SecretStore::ErrorKind::Other);
    QVERIFY(!store.contains(QStringLiteral("a")));
    QCOMPARE(store.size(), 1);

    store.setUnavailable(true);
    store.read(QStringLiteral("seeded"));
    QTRY_COMPARE(spies.failed.count(), 3);
    QCOMPARE(spies.failed.at(2).at(1).value<SecretStore::ErrorKind>(), SecretStore::ErrorKind::Unavailable);
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    if (qEnvironmentVariableIsSet("TST_KEYCHAIN_CHILD"))
        return childMain();
    TestKeychainSecretStore test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_keychainsecretstore.moc"
