// Following a server's PostgreSQL store into a local capture, against a real PostgreSQL (a throwaway cluster started
// here, tests/common/pgcluster.h) and receivers writing to it: what the server holds is copied with its exact bytes,
// verdicts, answer times and connector answers, its events indexed here; what is committed later arrives within a
// second (LISTEN/NOTIFY); a follower stopped, killed mid-copy or offline resumes with no gap and no duplicate; a lost
// server is retried; `pimscope follow` and `pimscope prune --store`, and every wrong use named with nothing written.

#include "pgcluster.h"
#include "rawhttp.h"
#include "testconnector.h"
#include "testutil.h"

#include "filter/sqlcompiler.h"
#include "forward/forwardrule.h"
#include "pgstore/pgconnection.h"
#include "pgstore/pgfollower.h"
#include "pgstore/pgschema.h"
#include "pgstore/pgstore.h"
#include "receiver/receiver.h"
#include "store/eventstore.h"
#include "store/storereader.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace pimscope;
using namespace pimscope::test;

class TestPgFollow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void copiesThenKeepsUp();
    void resumesWithNoGapAndNoDuplicate();
    void connectorAnswersCopied();
    void lagOfALaterChange();
    void followsAStoreOfSchemaOne();
    void firstCopySinceIdAndTime();
    void serverLostAndBack();
    void followCommand();
    void followCommandKilledMidCopy();
    void refusesWhatIsNoStore();
    void pruneOnTheServer();

private:
    QString createDatabase(const QString &name);
    QString sql(const QString &database, const QString &query);
    PgTarget target(const QString &database) const;
    /** `n` deliveries written on the server as a receiver writes them (one statement), each a distinct batch. */
    void fillServer(const QString &database, int n, qint64 receivedAtMs = 0);
    QProcessEnvironment withPassword() const;

    PgCluster m_cluster;
    QTemporaryDir m_dir;
};

void TestPgFollow::initTestCase()
{
    QString error;
    QVERIFY2(m_cluster.start(&error), qPrintable(error));
    qunsetenv("PGPASSWORD");
}

void TestPgFollow::cleanupTestCase()
{
    m_cluster.stop();
}

QString TestPgFollow::createDatabase(const QString &name)
{
    QString error;
    if (!m_cluster.createDatabase(name, &error))
        qFatal("%s", qPrintable(error));
    return name;
}

QString TestPgFollow::sql(const QString &database, const QString &query)
{
    QString error;
    QString out;
    if (!m_cluster.psql(database, query, &error, &out))
        qFatal("%s", qPrintable(error));
    return out;
}

PgTarget TestPgFollow::target(const QString &database) const
{
    auto t = parsePgTarget(m_cluster.url(database));
    if (!t)
        qFatal("%s", qPrintable(t.error()));
    return *t;
}

QProcessEnvironment TestPgFollow::withPassword() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PGPASSWORD"), QLatin1StringView(PgCluster::kPassword));
    return env;
}

void TestPgFollow::fillServer(const QString &database, int n, qint64 receivedAtMs)
{
    QString error;
    if (!fillPgStore(m_cluster, database, n, receivedAtMs, &error))
        qFatal("%s", qPrintable(error));
}

void TestPgFollow::copiesThenKeepsUp()
{
    const QString db = createDatabase(QStringLiteral("live"));
    auto server = PgStore::open(target(db), PgCluster::kPassword);
    QVERIFY2(server, qPrintable(server ? QString() : server.error()));
    ReceiverSettings settings;
    settings.port = 0;
    Receiver receiver(server->get(), settings);
    const auto port = receiver.start();
    QVERIFY(port);
    const QByteArray body = sample("akeneo_batch_example.json");
    for (int i = 0; i < 5; ++i)
        QCOMPARE(postTo(*port, body), 200);

    auto capture = EventStore::open(m_dir.filePath(QStringLiteral("live.db")));
    QVERIFY(capture);
    PgFollower follower(capture->get(), target(db), PgCluster::kPassword, {});
    QSignalSpy caughtUp(&follower, &PgFollower::caughtUp);
    QSignalSpy copied(&follower, &PgFollower::copied);
    QVERIFY(follower.start());
    QVERIFY(!follower.resumed());
    QTRY_VERIFY(!caughtUp.isEmpty());
    QVERIFY((*capture)->flush());
    const auto local = queryCapture(m_dir.filePath(QStringLiteral("live.db")),
                                    QStringLiteral("SELECT count(*), sum(length(body)), sum(event_count), "
                                                   "count(ack_ms) FROM deliveries"));
    QVERIFY(local);
    QCOMPARE(local->at(0).at(0).toInt(), 5);
    QCOMPARE(local->at(0).at(1).toLongLong(), 5 * body.size());
    QVERIFY(local->at(0).at(2).toInt() > 5); // its events read and indexed here
    QCOMPARE(local->at(0).at(3).toInt(), 5); // with their answer times
    QCOMPARE((*capture)->reader().lastId(FilterTarget::Events).value() > 0, true);

    // New commits arrive within a second of their commit, woken by NOTIFY (no polling).
    QElapsedTimer t;
    t.start();
    QCOMPARE(postTo(*port, body), 200);
    QTRY_VERIFY_WITH_TIMEOUT(
        queryCapture(m_dir.filePath(QStringLiteral("live.db")), QStringLiteral("SELECT count(*) FROM deliveries"))
                ->at(0)
                .at(0)
                .toInt()
            == 6,
        1000);
    QVERIFY2(t.elapsed() < 1000, qPrintable(QString::number(t.elapsed())));
    QVERIFY(!copied.isEmpty());
    QVERIFY(copied.last().at(2).toDouble() < 1000); // the lag it reports
    // The answer time, committed on the server after the delivery, reaches its row here.
    QTRY_COMPARE(
        queryCapture(m_dir.filePath(QStringLiteral("live.db")), QStringLiteral("SELECT count(ack_ms) FROM deliveries"))
            ->at(0)
            .at(0)
            .toInt(),
        6);
    receiver.stop();
}

void TestPgFollow::resumesWithNoGapAndNoDuplicate()
{
    const QString db = createDatabase(QStringLiteral("resume"));
    fillServer(db, 300);
    const QString path = m_dir.filePath(QStringLiteral("resume.db"));
    {
        auto capture = EventStore::open(path);
        QVERIFY(capture);
        PgFollower::Options small;
        small.batch = 64;
        PgFollower follower(capture->get(), target(db), PgCluster::kPassword, small);
        QSignalSpy caughtUp(&follower, &PgFollower::caughtUp);
        QVERIFY(follower.start());
        QTRY_VERIFY(!caughtUp.isEmpty());
        QCOMPARE(follower.copiedChanges(), 300);
    }
    // Offline meanwhile: more deliveries, and later changes of some copied before.
    fillServer(db, 200);
    sql(db,
        QStringLiteral("UPDATE deliveries SET ack_ms = 777, rev = nextval('pimscope_rev') WHERE id IN (SELECT id "
                       "FROM deliveries ORDER BY id LIMIT 10)"));
    auto capture = EventStore::open(path);
    QVERIFY(capture);
    PgFollower follower(capture->get(), target(db), PgCluster::kPassword, {});
    QSignalSpy caughtUp(&follower, &PgFollower::caughtUp);
    QVERIFY(follower.start());
    QVERIFY(follower.resumed());
    QTRY_VERIFY(!caughtUp.isEmpty());
    QCOMPARE(follower.copiedChanges(), 210);
    QVERIFY((*capture)->flush());
    const auto local = queryCapture(path,
                                    QStringLiteral("SELECT count(*), count(DISTINCT body), sum(ack_ms = 777) "
                                                   "FROM deliveries"));
    QCOMPARE(local->at(0).at(0).toInt(), 500);
    QCOMPARE(local->at(0).at(1).toInt(), 500);
    QCOMPARE(local->at(0).at(2).toInt(), 10);
    const auto servers = (*capture)->followedServers();
    QVERIFY(servers && servers->size() == 1);
    QCOMPARE(servers->at(0).deliveries, 500);
    QCOMPARE(QString::number(servers->at(0).lastRev), sql(db, QStringLiteral("SELECT max(rev) FROM deliveries")));
}

void TestPgFollow::connectorAnswersCopied()
{
    const QString db = createDatabase(QStringLiteral("connector"));
    auto server = PgStore::open(target(db), PgCluster::kPassword);
    QVERIFY(server);
    TestConnector connector;
    connector.setBehaviour(TestConnector::Behaviour{
        "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 7\r\n\r\nno such", 0, false, false});
    ReceiverSettings settings;
    settings.port = 0;
    settings.forwards = {*parseForwardRule(QStringLiteral("/hook=") + connector.url(QStringLiteral("/in")))};
    Receiver receiver(server->get(), settings);
    const auto port = receiver.start();
    QVERIFY(port);
    QCOMPARE(postTo(*port, sample("akeneo_batch_example.json")), 404);
    QVERIFY((*server)->flush());
    QTRY_COMPARE(sql(db, QStringLiteral("SELECT count(ack_ms) FROM deliveries")), QStringLiteral("1"));

    const QString path = m_dir.filePath(QStringLiteral("connector.db"));
    auto capture = EventStore::open(path);
    PgFollower follower(capture->get(), target(db), PgCluster::kPassword, {});
    QSignalSpy caughtUp(&follower, &PgFollower::caughtUp);
    QVERIFY(follower.start());
    QTRY_VERIFY(!caughtUp.isEmpty());
    QVERIFY((*capture)->flush());
    const auto local = queryCapture(path,
                                    QStringLiteral("SELECT f.status, f.body, f.target, d.answered_status FROM "
                                                   "forwards f JOIN deliveries d ON d.id = f.delivery_id"));
    QVERIFY(local && local->size() == 1);
    QCOMPARE(local->at(0).at(0).toInt(), 404);
    QCOMPARE(local->at(0).at(1).toByteArray(), QByteArray("no such"));
    QCOMPARE(local->at(0).at(2).toString(), connector.url(QStringLiteral("/in")));
    QCOMPARE(local->at(0).at(3).toInt(), 404);
    receiver.stop();
}

void TestPgFollow::lagOfALaterChange()
{
    // Deliveries committed an hour ago: copying them now is an hour late...
    const QString db = createDatabase(QStringLiteral("later"));
    fillServer(db, 3);
    sql(db, QStringLiteral("UPDATE deliveries SET stored_at = now() - interval '1 hour'"));
    auto capture = EventStore::open(m_dir.filePath(QStringLiteral("later.db")));
    QVERIFY(capture);
    PgFollower follower(capture->get(), target(db), PgCluster::kPassword, {});
    QSignalSpy caughtUp(&follower, &PgFollower::caughtUp);
    QSignalSpy copied(&follower, &PgFollower::copied);
    QVERIFY(follower.start());
    QTRY_VERIFY(!caughtUp.isEmpty());
    QVERIFY(!copied.isEmpty());
    QVERIFY2(copied.last().at(2).toDouble() > 3'000'000, qPrintable(copied.last().at(2).toString()));
    // ... but a later change of one of them (its answer time, committed now) is copied at once: the lag is measured
    // from that change, not from the delivery's insert.
    auto server = PgStore::open(target(db), PgCluster::kPassword);
    QVERIFY(server);
    const qint64 first = sql(db, QStringLiteral("SELECT min(id) FROM deliveries")).toLongLong();
    AnswerTime answer;
    answer.deliveryId = first;
    answer.ackMs = 12.5;
    (*server)->recordAnswers({answer});
    QVERIFY((*server)->flush());
    QTRY_COMPARE(copied.last().at(1).toLongLong(),
                 sql(db, QStringLiteral("SELECT max(rev) FROM deliveries")).toLongLong());
    QCOMPARE(copied.last().at(0).toLongLong(), 1);
    QVERIFY2(copied.last().at(2).toDouble() < 5000, qPrintable(copied.last().at(2).toString()));
    QCOMPARE(sql(db, QStringLiteral("SELECT count(changed_at) FROM deliveries")), QStringLiteral("1"));
}

void TestPgFollow::followsAStoreOfSchemaOne()
{
    // A server whose receivers are an older Pimscope (schema 1, no changed_at) is followed as it is: a follower never
    // changes the server's schema.
    const QString db = createDatabase(QStringLiteral("schemaone"));
    {
        auto c = PgConnection::open(target(db), PgCluster::kPassword);
        QVERIFY(c);
        QCOMPARE(preparePgStore(**c, 1).value(), 1);
    }
    sql(db,
        QStringLiteral("INSERT INTO deliveries (rev, received_at_ms, receiver, method, path, headers, body, body_size, "
                       "format, signature) VALUES (nextval('pimscope_rev'), 1765000000000, 'old', 'POST', "
                       "'\\x2f', '\\x', '\\x7b7d', 2, 0, 0)"));
    const QString path = m_dir.filePath(QStringLiteral("schemaone.db"));
    auto capture = EventStore::open(path);
    QVERIFY(capture);
    {
        PgFollower follower(capture->get(), target(db), PgCluster::kPassword, {});
        QSignalSpy caughtUp(&follower, &PgFollower::caughtUp);
        QVERIFY(follower.start());
        QTRY_VERIFY(!caughtUp.isEmpty());
        QCOMPARE(follower.copiedChanges(), 1);
    }
    QCOMPARE(sql(db, QStringLiteral("SELECT value FROM pimscope_meta WHERE key = 'schema_version'")),
             QStringLiteral("1"));
    // A receiver of this Pimscope brings it to the current schema, its rows kept; the follower goes on.
    auto server = PgStore::open(target(db), PgCluster::kPassword);
    QVERIFY2(server, qPrintable(server ? QString() : server.error()));
    QCOMPARE(sql(db, QStringLiteral("SELECT value FROM pimscope_meta WHERE key = 'schema_version'")),
             QString::number(kPgSchemaVersion));
    QCOMPARE(sql(db, QStringLiteral("SELECT count(*), count(changed_at) FROM deliveries")), QStringLiteral("1|0"));
    fillServer(db, 2);
    PgFollower follower(capture->get(), target(db), PgCluster::kPassword, {});
    QSignalSpy caughtUp(&follower, &PgFollower::caughtUp);
    QVERIFY(follower.start());
    QVERIFY(follower.resumed());
    QTRY_VERIFY(!caughtUp.isEmpty());
    QCOMPARE(follower.copiedChanges(), 2);
    QVERIFY((*capture)->flush());
    QCOMPARE(queryCapture(path, QStringLiteral("SELECT count(*) FROM deliveries"))->at(0).at(0).toInt(), 3);
}

void TestPgFollow::firstCopySinceIdAndTime()
{
    // Both since conditions at once (each written into the query only when given): the deliveries from id 3 on that
    // were received at or after T0 + 6 ms (id i was received at T0 + i).
    const QString db = createDatabase(QStringLiteral("since"));
    const qint64 t0 = 1'765'000'000'000;
    fillServer(db, 10, t0);
    const QString path = m_dir.filePath(QStringLiteral("since.db"));
    auto capture = EventStore::open(path);
    QVERIFY(capture);
    PgFollower::Options options;
    options.sinceId = 3;
    options.sinceMs = t0 + 6;
    PgFollower follower(capture->get(), target(db), PgCluster::kPassword, options);
    QSignalSpy caughtUp(&follower, &PgFollower::caughtUp);
    QVERIFY(follower.start());
    QTRY_VERIFY(!caughtUp.isEmpty());
    QVERIFY((*capture)->flush());
    const auto local
        = queryCapture(path, QStringLiteral("SELECT min(received_at) - %1, count(*) FROM deliveries").arg(t0));
    QVERIFY(local);
    QCOMPARE(local->at(0).at(0).toLongLong(), 6);
    QCOMPARE(local->at(0).at(1).toInt(), 5);
}

void TestPgFollow::serverLostAndBack()
{
    const QString db = createDatabase(QStringLiteral("lost"));
    fillServer(db, 10);
    const QString path = m_dir.filePath(QStringLiteral("lost.db"));
    auto capture = EventStore::open(path);
    PgFollower::Options fast;
    fast.retryMs = 200;
    PgFollower follower(capture->get(), target(db), PgCluster::kPassword, fast);
    QSignalSpy caughtUp(&follower, &PgFollower::caughtUp);
    QSignalSpy connection(&follower, &PgFollower::connectionChanged);
    QVERIFY(follower.start());
    QTRY_VERIFY(!caughtUp.isEmpty());

    m_cluster.stop();
    QTRY_VERIFY_WITH_TIMEOUT(!connection.isEmpty(), 5000);
    QCOMPARE(connection.at(0).at(0).toBool(), false);
    QVERIFY(!follower.connected());
    QString error;
    QVERIFY2(m_cluster.startServer(&error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(connection.size() >= 2, 10000);
    QCOMPARE(connection.at(1).at(0).toBool(), true);
    fillServer(db, 5); // committed after the reconnection: woken again
    QTRY_COMPARE(queryCapture(path, QStringLiteral("SELECT count(*) FROM deliveries"))->at(0).at(0).toInt(), 15);
}

void TestPgFollow::followCommand()
{
    const QString db = createDatabase(QStringLiteral("command"));
    fillServer(db, 50);
    const QString path = m_dir.filePath(QStringLiteral("command.db"));
    const auto follow = [this, &path](const QStringList &extra) {
        QProcess p;
        p.setProcessEnvironment(withPassword());
        p.start(binary(), QStringList{QStringLiteral("follow")} + extra + QStringList{QStringLiteral("--db"), path});
        p.waitForFinished(60000);
        return std::tuple{p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
                          QString::fromUtf8(p.readAllStandardError())};
    };
    const QString url = m_cluster.url(db);
    auto [code, out, err] = follow({url, QStringLiteral("--once"), QStringLiteral("--since"), QStringLiteral("11")});
    QVERIFY2(code == 0, qPrintable(err));
    QVERIFY2(out.startsWith(QStringLiteral("Following %1 (store ").arg(url)), qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("Caught up: 40 changes copied")), qPrintable(out)); // ids 11..50
    fillServer(db, 7);
    std::tie(code, out, err) = follow({url, QStringLiteral("--once"), QStringLiteral("--since"), QStringLiteral("1")});
    QVERIFY2(code == 0, qPrintable(err));
    QVERIFY2(out.contains(QStringLiteral("Resuming after change")), qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("Caught up: 7 changes copied")), qPrintable(out));
    QVERIFY2(err.contains(QStringLiteral("--since is for a first copy")), qPrintable(err));
    QCOMPARE(queryCapture(path, QStringLiteral("SELECT count(*) FROM deliveries"))->at(0).at(0).toInt(), 47);

    // Misuse: named, exit 2.
    std::tie(code, out, err) = follow({QStringLiteral("postgresql://pimscope:pw@127.0.0.1/x")});
    QCOMPARE(code, 2);
    QVERIFY2(err.contains(QStringLiteral("no password in the URL")), qPrintable(err));
    std::tie(code, out, err) = follow({url, QStringLiteral("--since"), QStringLiteral("yesterday")});
    QCOMPARE(code, 2);
    QVERIFY2(err.contains(QStringLiteral("--since takes a server delivery id")), qPrintable(err));
}

void TestPgFollow::followCommandKilledMidCopy()
{
    const QString db = createDatabase(QStringLiteral("killed"));
    fillServer(db, 100000); // offline while 100,000 were received
    const QString path = m_dir.filePath(QStringLiteral("killed.db"));
    QProcess p;
    p.setProcessEnvironment(withPassword());
    p.start(binary(), {QStringLiteral("follow"), m_cluster.url(db), QStringLiteral("--db"), path});
    QVERIFY(p.waitForStarted());
    // Killed once part of it is committed.
    QTRY_VERIFY_WITH_TIMEOUT(
        QFile::exists(path) &&
            [&path] {
                const auto n = queryCapture(path, QStringLiteral("SELECT count(*) FROM deliveries"));
                return n && n->at(0).at(0).toInt() > 2000;
            }(),
        30000);
    ::kill(pid_t(p.processId()), SIGKILL);
    QVERIFY(p.waitForFinished(5000));
    const int before = queryCapture(path, QStringLiteral("SELECT count(*) FROM deliveries"))->at(0).at(0).toInt();
    QVERIFY2(before < 100000, qPrintable(QString::number(before)));
    // 100,000 missing: copied in bulk mode, the random-keyed event indexes dropped until the end.
    const QString indexes
        = QStringLiteral("SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE type = "
                         "'index' AND tbl_name = 'events' ORDER BY name)");
    QCOMPARE(queryCapture(path, indexes)->at(0).at(0).toString(), QStringLiteral("events_delivery"));

    QProcess again;
    again.setProcessEnvironment(withPassword());
    again.start(binary(),
                {QStringLiteral("follow"), m_cluster.url(db), QStringLiteral("--db"), path, QStringLiteral("--once")});
    QVERIFY(again.waitForFinished(120000));
    QVERIFY2(again.exitCode() == 0, again.readAllStandardError().constData());
    // No gap, no duplicate.
    const auto local = queryCapture(path, QStringLiteral("SELECT count(*), count(DISTINCT body) FROM deliveries"));
    QCOMPARE(local->at(0).at(0).toInt(), 100000);
    QCOMPARE(local->at(0).at(1).toInt(), 100000);
    // The copy was killed in bulk mode (its event indexes dropped): they are all there again, as in a new capture.
    const QString fresh = m_dir.filePath(QStringLiteral("fresh.db"));
    QVERIFY(EventStore::open(fresh));
    QCOMPARE(queryCapture(path, indexes)->at(0).at(0).toString(), queryCapture(fresh, indexes)->at(0).at(0).toString());
}

void TestPgFollow::refusesWhatIsNoStore()
{
    // An empty database (no receiver wrote to it), a database of another application: said, nothing written there
    // or here.
    const QString empty = createDatabase(QStringLiteral("empty"));
    const QString shop = createDatabase(QStringLiteral("shop"));
    sql(shop, QStringLiteral("CREATE TABLE orders (id int)"));
    for (const QString &db : {empty, shop}) {
        QProcess p;
        p.setProcessEnvironment(withPassword());
        const QString path = m_dir.filePath(db + QStringLiteral("-follower.db"));
        p.start(binary(), {QStringLiteral("follow"), m_cluster.url(db), QStringLiteral("--db"), path});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 1);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains(db == empty ? QStringLiteral("is not a Pimscope store yet (no receiver has written to it")
                                          : QStringLiteral("holds another application's tables (orders)")),
                 qPrintable(err));
        QCOMPARE(sql(db,
                     QStringLiteral("SELECT string_agg(table_name, ',') FROM information_schema.tables WHERE "
                                    "table_schema = 'public'")),
                 db == empty ? QString() : QStringLiteral("orders"));
        const auto followed = queryCapture(path, QStringLiteral("SELECT count(*) FROM followed_servers"));
        QVERIFY(!followed || followed->at(0).at(0).toInt() == 0);
    }
}

void TestPgFollow::pruneOnTheServer()
{
    const QString db = createDatabase(QStringLiteral("prune"));
    const qint64 day = 24 * 3600 * 1000;
    fillServer(db, 30, QDateTime::currentMSecsSinceEpoch() - 10 * day); // ten days old
    fillServer(db, 20);
    QProcess p;
    p.setProcessEnvironment(withPassword());
    p.start(binary(),
            {QStringLiteral("prune"), QStringLiteral("--store"), m_cluster.url(db), QStringLiteral("--keep-days"),
             QStringLiteral("7")});
    QVERIFY(p.waitForFinished(30000));
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    QVERIFY2(p.readAllStandardOutput().startsWith("Deleted 30 deliveries received before "), "output");
    QCOMPARE(sql(db, QStringLiteral("SELECT count(*) FROM deliveries")), QStringLiteral("20"));

    p.start(binary(), {QStringLiteral("prune"), QStringLiteral("--store"), m_cluster.url(db)});
    QVERIFY(p.waitForFinished(30000));
    QCOMPARE(p.exitCode(), 2);
    QVERIFY(p.readAllStandardError().contains("--keep-days N"));
    // A capture and a server at once: refused, nothing deleted in either.
    p.start(binary(),
            {QStringLiteral("prune"), QStringLiteral("--store"), m_cluster.url(db), QStringLiteral("--db"),
             m_dir.filePath(QStringLiteral("prune.db")), QStringLiteral("--keep-days"), QStringLiteral("1")});
    QVERIFY(p.waitForFinished(30000));
    QCOMPARE(p.exitCode(), 2);
    QCOMPARE(p.readAllStandardError().trimmed(),
             QByteArray("pimscope: prune: --db and --store name two stores: give one"));
    QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("prune.db"))));
    QCOMPARE(sql(db, QStringLiteral("SELECT count(*) FROM deliveries")), QStringLiteral("20"));
}

QTEST_GUILESS_MAIN(TestPgFollow)
#include "tst_pgfollow.moc"
