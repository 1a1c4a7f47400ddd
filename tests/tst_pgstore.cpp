// The server's PostgreSQL store, against a real PostgreSQL (a throwaway cluster started here,
// tests/common/pgcluster.h): its URL read with every problem named (a password in it refused); each connection failure
// said the way the user must act on it (nothing listening, not PostgreSQL, the password refused or missing and where to
// give it, no such database, TLS refused); the schema created in an empty database, found again, safe with two
// receivers starting at once; a database of another application and a newer Pimscope's refused with nothing changed.

#include "pgcluster.h"

#include "pgstore/pgconnection.h"
#include "pgstore/pgschema.h"

#include <QTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>

using namespace pimscope;

class TestPgStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void urls_data();
    void urls();
    void createsTheSchemaInAnEmptyDatabase();
    void twoReceiversStartingAtOnce();
    void refusesAnotherApplicationsDatabase();
    void refusesANewerPimscope();
    void passwordFromEachPlace();
    void connectionFailuresNamed();

private:
    PgTarget target(const QString &database, const QString &query = {}) const;
    void createDatabase(const QString &name);

    test::PgCluster m_cluster;
};

void TestPgStore::initTestCase()
{
    QString error;
    QVERIFY2(m_cluster.start(&error), qPrintable(error));
    qunsetenv("PGPASSWORD");
}

void TestPgStore::cleanupTestCase()
{
    m_cluster.stop();
}

PgTarget TestPgStore::target(const QString &database, const QString &query) const
{
    auto t = parsePgTarget(m_cluster.url(database) + query);
    if (!t)
        qFatal("%s", qPrintable(t.error()));
    return *t;
}

void TestPgStore::createDatabase(const QString &name)
{
    QString error;
    QVERIFY2(m_cluster.createDatabase(name, &error), qPrintable(error));
}

void TestPgStore::urls_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("expected"); // the URL read back, or the start of the error
    QTest::addColumn<bool>("valid");
    QTest::newRow("plain") << "postgresql://capture@db.example.com/pimscope"
                           << "postgresql://capture@db.example.com/pimscope" << true;
    QTest::newRow("port, tls") << "postgres://capture@db.example.com:6432/pim?sslmode=verify-full"
                               << "postgresql://capture@db.example.com:6432/pim?sslmode=verify-full" << true;
    QTest::newRow("password") << "postgresql://capture:hunter2@db.example.com/pim"
                              << "no password in the URL (the process list and shell histories would show it)" << false;
    QTest::newRow("no user") << "postgresql://db.example.com/pim"
                             << "'postgresql://db.example.com/pim' names no user" << false;
    QTest::newRow("no database") << "postgresql://u@db.example.com/"
                                 << "'postgresql://u@db.example.com/' names no database" << false;
    QTest::newRow("unknown parameter") << "postgresql://u@h/d?sslmod=require"
                                       << "unknown parameter 'sslmod' in the URL" << false;
    QTest::newRow("bad sslmode") << "postgresql://u@h/d?sslmode=always"
                                 << "sslmode 'always' is not one of disable, allow" << false;
    QTest::newRow("not postgresql") << "mysql://u@h/d"
                                    << "'mysql://u@h/d' is not a postgresql:// URL" << false;
}

void TestPgStore::urls()
{
    QFETCH(QString, url);
    QFETCH(QString, expected);
    QFETCH(bool, valid);
    const auto t = parsePgTarget(url);
    QCOMPARE(bool(t), valid);
    if (valid)
        QCOMPARE(t->url(), expected);
    else
        QVERIFY2(t.error().startsWith(expected), qPrintable(t.error()));
    if (valid) {
        // The password never goes in the secret's name nor in the URL shown; only in the connection string.
        QVERIFY(t->connectionString("s3cret").contains("password='s3cret'"));
        QVERIFY(!t->connectionString().contains("password"));
        QVERIFY(t->connectionString().contains("keepalives_idle=30"));
    }
}

void TestPgStore::createsTheSchemaInAnEmptyDatabase()
{
    createDatabase(QStringLiteral("fresh"));
    auto c = PgConnection::open(target(QStringLiteral("fresh")), test::PgCluster::kPassword);
    QVERIFY2(c, qPrintable(c.error()));
    QVERIFY(c.value()->serverVersion() >= 150000);
    const auto made = preparePgStore(**c);
    QVERIFY2(made, qPrintable(made.error()));
    QCOMPARE(*made, kPgSchemaVersion);
    // Found again as it is (nothing to do), from another connection too.
    QCOMPARE(preparePgStore(**c).value(), kPgSchemaVersion);
    auto again = PgConnection::open(target(QStringLiteral("fresh")), test::PgCluster::kPassword);
    QVERIFY2(again, qPrintable(again.error()));
    QCOMPARE(preparePgStore(**again).value(), kPgSchemaVersion);
    QString error;
    QString out;
    QVERIFY2(m_cluster.psql(QStringLiteral("fresh"),
                            QStringLiteral("SELECT value FROM pimscope_meta WHERE key = 'schema_version'"), &error,
                            &out),
             qPrintable(error));
    QCOMPARE(out, QString::number(kPgSchemaVersion));
    QVERIFY2(m_cluster.psql(QStringLiteral("fresh"), QStringLiteral("SELECT count(*) FROM deliveries"), &error, &out),
             qPrintable(error));
    QCOMPARE(out, QStringLiteral("0"));
}

void TestPgStore::twoReceiversStartingAtOnce()
{
    createDatabase(QStringLiteral("raced"));
    const PgTarget t = target(QStringLiteral("raced"));
    QString results[2];
    std::thread runs[2];
    for (int i = 0; i < 2; ++i) {
        runs[i] = std::thread([&t, &out = results[i]] {
            auto c = PgConnection::open(t, test::PgCluster::kPassword);
            if (!c) {
                out = c.error();
                return;
            }
            const auto made = preparePgStore(**c);
            out = made ? QStringLiteral("ok") : made.error();
        });
    }
    for (auto &r : runs)
        r.join();
    QCOMPARE(results[0], QStringLiteral("ok"));
    QCOMPARE(results[1], QStringLiteral("ok"));
}

void TestPgStore::refusesAnotherApplicationsDatabase()
{
    createDatabase(QStringLiteral("shop"));
    QString error;
    QVERIFY2(m_cluster.psql(QStringLiteral("shop"),
                            QStringLiteral("CREATE TABLE customers (id int); CREATE TABLE orders (id int)"), &error),
             qPrintable(error));
    auto c = PgConnection::open(target(QStringLiteral("shop")), test::PgCluster::kPassword);
    QVERIFY2(c, qPrintable(c.error()));
    const auto refused = preparePgStore(**c);
    QVERIFY(!refused);
    QVERIFY2(refused.error().startsWith(QStringLiteral("the database shop at 127.0.0.1:%1 holds another "
                                                       "application's tables (customers, orders): not a Pimscope "
                                                       "store, nothing was changed")
                                            .arg(m_cluster.port())),
             qPrintable(refused.error()));
    QString out;
    QVERIFY2(m_cluster.psql(QStringLiteral("shop"),
                            QStringLiteral("SELECT string_agg(table_name, ',' ORDER BY table_name) FROM "
                                           "information_schema.tables WHERE table_schema = 'public'"),
                            &error, &out),
             qPrintable(error));
    QCOMPARE(out, QStringLiteral("customers,orders")); // untouched

    // A pimscope_meta of something else is no Pimscope store either.
    QVERIFY2(m_cluster.psql(QStringLiteral("shop"),
                            QStringLiteral("CREATE TABLE pimscope_meta (key text, value text); INSERT INTO "
                                           "pimscope_meta VALUES ('application', 'other')"),
                            &error),
             qPrintable(error));
    const auto foreign = preparePgStore(**c);
    QVERIFY(!foreign);
    QVERIFY2(foreign.error().contains(QStringLiteral("is not a Pimscope store")), qPrintable(foreign.error()));
}

void TestPgStore::refusesANewerPimscope()
{
    createDatabase(QStringLiteral("newer"));
    auto c = PgConnection::open(target(QStringLiteral("newer")), test::PgCluster::kPassword);
    QVERIFY2(c, qPrintable(c.error()));
    QVERIFY(preparePgStore(**c));
    QString error;
    QVERIFY2(m_cluster.psql(QStringLiteral("newer"),
                            QStringLiteral("UPDATE pimscope_meta SET value = '99' WHERE key = 'schema_version'"),
                            &error),
             qPrintable(error));
    const auto refused = preparePgStore(**c);
    QVERIFY(!refused);
    QVERIFY2(refused.error().contains(
                 QStringLiteral("was made by a newer Pimscope (schema 99; this one knows %1)").arg(kPgSchemaVersion)),
             qPrintable(refused.error()));
}

void TestPgStore::passwordFromEachPlace()
{
    createDatabase(QStringLiteral("pw"));
    const PgTarget t = target(QStringLiteral("pw"));
    // None anywhere: said with where to give one.
    auto none = PgConnection::open(t);
    QVERIFY(!none);
    QVERIFY2(none.error().startsWith(QStringLiteral("PostgreSQL at 127.0.0.1:%1 asks pimscope for a password: set "
                                                    "PGPASSWORD, a line of ~/.pgpass")
                                         .arg(m_cluster.port())),
             qPrintable(none.error()));
    QVERIFY(none.error().contains(
        QStringLiteral("pimscope secret set postgresql:pimscope@127.0.0.1:%1/pw").arg(m_cluster.port())));
    // The wrong one (as the keychain would give it): refused, and the password is not in the message.
    auto wrong = PgConnection::open(t, "not-the-password");
    QVERIFY(!wrong);
    QVERIFY2(wrong.error().startsWith(QStringLiteral("PostgreSQL at 127.0.0.1:%1 refused the password of pimscope "
                                                     "(the keychain's")
                                          .arg(m_cluster.port())),
             qPrintable(wrong.error()));
    QVERIFY(!wrong.error().contains(QStringLiteral("not-the-password")));
    // PGPASSWORD, then ~/.pgpass (HOME is the test's own).
    qputenv("PGPASSWORD", test::PgCluster::kPassword);
    QVERIFY(PgConnection::open(t));
    qunsetenv("PGPASSWORD");
    QFile pgpass(QDir::home().filePath(QStringLiteral(".pgpass")));
    QVERIFY(pgpass.open(QIODevice::WriteOnly));
    pgpass.write(QStringLiteral("127.0.0.1:%1:pw:pimscope:%2\n")
                     .arg(m_cluster.port())
                     .arg(QLatin1StringView(test::PgCluster::kPassword))
                     .toUtf8());
    pgpass.close();
    pgpass.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    auto fromFile = PgConnection::open(t);
    QVERIFY2(fromFile, qPrintable(fromFile.error()));
    QFile::remove(pgpass.fileName());
}

void TestPgStore::connectionFailuresNamed()
{
    // Nothing listening.
    quint16 closed = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        closed = probe.serverPort();
    }
    auto refused = PgConnection::open(*parsePgTarget(QStringLiteral("postgresql://u@127.0.0.1:%1/d").arg(closed)));
    QVERIFY(!refused);
    QCOMPARE(refused.error(),
             QStringLiteral("nothing listens at 127.0.0.1:%1 (is PostgreSQL running there, on that "
                            "port?)")
                 .arg(closed));

    // Something that is not PostgreSQL (an HTTP server): it answers the first bytes with an HTTP error.
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    QVERIFY(listener >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    QCOMPARE(::bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address), 0);
    QCOMPARE(::listen(listener, 4), 0);
    socklen_t length = sizeof address;
    ::getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length);
    const quint16 httpPort = ntohs(address.sin_port);
    std::thread http([listener] {
        for (int i = 0; i < 2; ++i) { // libpq may try TLS first, then plain
            const int peer = ::accept(listener, nullptr, nullptr);
            if (peer < 0)
                return;
            char buffer[256];
            (void)::recv(peer, buffer, sizeof buffer, 0);
            const char answer[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            (void)::send(peer, answer, sizeof answer - 1, MSG_NOSIGNAL);
            ::close(peer);
        }
    });
    auto notPg = PgConnection::open(
        *parsePgTarget(QStringLiteral("postgresql://u@127.0.0.1:%1/d?sslmode=disable").arg(httpPort)));
    ::shutdown(listener, SHUT_RDWR);
    ::close(listener);
    http.join();
    QVERIFY(!notPg);
    QVERIFY2(notPg.error().startsWith(QStringLiteral("127.0.0.1:%1 does not answer as PostgreSQL does (another "
                                                     "service on that port?)")
                                          .arg(httpPort)),
             qPrintable(notPg.error()));

    // No such database.
    auto missing = PgConnection::open(target(QStringLiteral("nosuch")), test::PgCluster::kPassword);
    QVERIFY(!missing);
    QVERIFY2(missing.error().startsWith(
                 QStringLiteral("PostgreSQL at 127.0.0.1:%1 has no database nosuch").arg(m_cluster.port())),
             qPrintable(missing.error()));

    // TLS asked for, and this server offers none.
    auto tls = PgConnection::open(target(QStringLiteral("postgres"), QStringLiteral("?sslmode=require")),
                                  test::PgCluster::kPassword);
    QVERIFY(!tls);
    QVERIFY2(tls.error().startsWith(QStringLiteral("PostgreSQL at 127.0.0.1:%1 does not offer TLS, which sslmode asks "
                                                   "for")
                                        .arg(m_cluster.port())),
             qPrintable(tls.error()));
}

QTEST_GUILESS_MAIN(TestPgStore)
#include "tst_pgstore.moc"
