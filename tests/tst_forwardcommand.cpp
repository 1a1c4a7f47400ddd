// `pimscope receive --forward` as a real process (issue #20): what it prints, its usage errors, and kill -9 under load
// in each mode, with a connector written for the test (tests/common/testconnector.h) and PIM-like clients; ack mode
// also with its queue on a server's PostgreSQL store (a throwaway cluster, tests/common/pgcluster.h).

#include "pgcluster.h"
#include "rawhttp.h"
#include "testconnector.h"
#include "testutil.h"

#include "model/enums.h"

#include <QAtomicInteger>
#include <QElapsedTimer>
#include <QHash>
#include <QMutex>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <csignal>

using namespace pimscope;
using namespace pimscope::test;

namespace {

/** Rows of one query on the capture, on a connection of its own (closed again). */
QList<QVariantList> rows(const QString &db, const QString &sql)
{
    return queryCapture(db, sql).value_or(QList<QVariantList>{});
}

/**
 * Four PIM-like keep-alive clients posting distinct Events API batches to `port` as fast as they are answered, until
 * `stop`; the bodies answered 2xx are kept in `acknowledged`.
 */
class Load
{
public:
    Load(quint16 port, QAtomicInteger<int> &counter)
    {
        for (int c = 0; c < 4; ++c) {
            m_threads.append(QThread::create([this, port, &counter] {
                QTcpSocket s;
                s.connectToHost(QHostAddress::LocalHost, port);
                if (!s.waitForConnected(5000))
                    return;
                QByteArray buffer;
                while (!m_stop) {
                    const QByteArray body = distinctBatch(counter.fetchAndAddOrdered(1));
                    s.write(request("POST", "/akeneo", body));
                    const Response r = readResponse(s, buffer, 3000);
                    if (r.status == 0)
                        return; // killed
                    if (r.status >= 200 && r.status < 300) {
                        QMutexLocker lock(&m_mutex);
                        m_acknowledged.insert(body);
                    }
                }
            }));
            m_threads.last()->start();
        }
    }
    ~Load() { stop(); }
    void stop()
    {
        m_stop = true;
        for (QThread *t : std::as_const(m_threads)) {
            t->wait(10000);
            delete t;
        }
        m_threads.clear();
    }
    QSet<QByteArray> acknowledged()
    {
        QMutexLocker lock(&m_mutex);
        return m_acknowledged;
    }

private:
    std::atomic<bool> m_stop = false;
    QList<QThread *> m_threads;
    QMutex m_mutex;
    QSet<QByteArray> m_acknowledged;
};

/** A stored delivery as the kill tests check it: its body, its forward's state (-1: none) and twice mark. */
struct StoredForward
{
    QByteArray body;
    int state = -1;
    bool twice = false;
};

/**
 * After kill -9s under load in ack mode and a last run: every delivery answered 2xx is stored, each stored one has
 * its forward answered, and the connector got each exactly once unless it is marked possibly received twice (then at
 * most once more per kill); nothing else. Said with qInfo; QVERIFY failures end the calling test.
 */
void verifyForwardedOnce(const QSet<QByteArray> &acknowledged, const QList<StoredForward> &stored,
                         const TestConnector &connector, int kills)
{
    QHash<QByteArray, bool> twice; // body -> possibly received twice
    for (const StoredForward &r : stored) {
        QVERIFY2(r.state >= 0, "a stored delivery has no forward");
        QCOMPARE(r.state, int(ForwardState::Answered));
        twice.insert(r.body, r.twice);
    }
    for (const QByteArray &body : acknowledged)
        QVERIFY2(twice.contains(body), "a delivery answered 2xx is missing from the store");
    QHash<QByteArray, int> received;
    for (const TestConnector::Request &r : connector.requests())
        ++received[r.body];
    int marked = 0;
    for (auto it = twice.cbegin(); it != twice.cend(); ++it) {
        const int n = received.value(it.key());
        marked += it.value() ? 1 : 0;
        // Marked: sent again after each kill that caught it in flight, so once more per such kill at most.
        if (it.value())
            QVERIFY2(n >= 1 && n <= kills + 1, qPrintable(QStringLiteral("forwarded %1 times").arg(n)));
        else
            QVERIFY2(n == 1, qPrintable(QStringLiteral("forwarded %1 times, not marked possibly twice").arg(n)));
    }
    for (auto it = received.cbegin(); it != received.cend(); ++it)
        QVERIFY2(twice.contains(it.key()), "the connector got a delivery that is not in the store");
    QVERIFY2(twice.size() > 20, "the load did not get going");
    qInfo("%lld deliveries stored over %d kills, each forwarded once (%d marked possibly received twice)",
          qint64(twice.size()), kills, marked);
}

} // namespace

class TestForwardCommand : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void forwardsAndSaysSo();
    void usageErrors_data();
    void usageErrors();
    void proxySurvivesKill9UnderLoad();
    void ackForwardsEachDeliveryOnceAcrossKill9s();
    void ackOnAServerStoreAcrossKill9s();
};

void TestForwardCommand::forwardsAndSaysSo()
{
    TestConnector connector;
    connector.setBehaviour({"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"});
    QTemporaryDir dir;
    QProcess p;
    const QString url = startReceive(p,
                                     {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--db"),
                                      dir.filePath(QStringLiteral("c.db")), QStringLiteral("--forward"),
                                      QStringLiteral("/=%1").arg(connector.url())});
    QVERIFY2(!url.isEmpty(), p.readAllStandardError().constData());
    QTRY_VERIFY(p.canReadLine());
    QCOMPARE(p.readLine().trimmed(),
             QStringLiteral("Forwarding / to %1 (proxy: the PIM gets the connector's answer)")
                 .arg(connector.url())
                 .toUtf8());
    QCOMPARE(postTo(url, sample("akeneo_batch_example.json"), "/akeneo"), 202);
    QTRY_VERIFY(p.canReadLine());
    const QByteArray line = p.readLine();
    QVERIFY2(line.contains(" 202 akeneo 10 events ") && line.contains("  -> connector 202 in ")
                 && line.contains(" ms: "),
             line.constData());
    ::kill(pid_t(p.processId()), SIGTERM);
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
}

void TestForwardCommand::usageErrors_data()
{
    QTest::addColumn<QString>("rule");
    QTest::addColumn<QString>("message");
    QTest::newRow("no url") << QStringLiteral("/akeneo") << QStringLiteral("--forward: ");
    QTest::newRow("not http") << QStringLiteral("/=ftp://example.com/") << QStringLiteral("--forward: ");
    QTest::newRow("unknown option") << QStringLiteral("/=http://localhost:3000/,retries=3")
                                    << QStringLiteral("--forward: ");
}

void TestForwardCommand::usageErrors()
{
    QFETCH(QString, rule);
    QFETCH(QString, message);
    QProcess p;
    p.start(binary(),
            {QStringLiteral("receive"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
             QStringLiteral("--forward"), rule});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 2);
    const QByteArray err = p.readAllStandardError();
    QVERIFY2(err.contains(message.toUtf8()), err.constData());
}

void TestForwardCommand::proxySurvivesKill9UnderLoad()
{
    TestConnector connector;
    connector.setBehaviour({"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"});
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("c.db"));
    QAtomicInteger<int> counter = 0;
    QSet<QByteArray> acknowledged;
    const quint32 seed = QRandomGenerator::global()->generate();
    qInfo("kill moments from seed %u", seed);
    QRandomGenerator moments(seed);
    for (int round = 0; round < 10; ++round) {
        QProcess p;
        const QString url
            = startReceive(p,
                           {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--db"), db,
                            QStringLiteral("--forward"), QStringLiteral("/=%1").arg(connector.url())});
        QVERIFY2(!url.isEmpty(), p.readAllStandardError().constData());
        Load load(quint16(QUrl(url).port()), counter);
        QThread::msleep(moments.bounded(50, 500));
        ::kill(pid_t(p.processId()), SIGKILL);
        load.stop();
        QVERIFY(p.waitForFinished(5000));
        acknowledged.unite(load.acknowledged());
        // Every delivery the PIM got a 2xx for (the connector's) is in the capture, and the file is sound.
        QCOMPARE(rows(db, QStringLiteral("PRAGMA integrity_check")).value(0).value(0).toString(), QStringLiteral("ok"));
        QSet<QByteArray> stored;
        for (const QVariantList &r : rows(db, QStringLiteral("SELECT body FROM deliveries")))
            stored.insert(r.value(0).toByteArray());
        for (const QByteArray &body : std::as_const(acknowledged))
            QVERIFY2(stored.contains(body), "a delivery answered 2xx is missing from the capture");
    }
    QVERIFY2(acknowledged.size() > 20, "the load did not get going");
    qInfo("%lld deliveries answered 2xx over 10 kills, all stored", qint64(acknowledged.size()));
}

void TestForwardCommand::ackForwardsEachDeliveryOnceAcrossKill9s()
{
    TestConnector connector;
    connector.setBehaviour({"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"});
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("c.db"));
    const QStringList args{QStringLiteral("--listen"),  QStringLiteral("127.0.0.1:0"),
                           QStringLiteral("--db"),      db,
                           QStringLiteral("--forward"), QStringLiteral("/=%1,mode=ack").arg(connector.url())};
    QAtomicInteger<int> counter = 0;
    QSet<QByteArray> acknowledged;
    const quint32 seed = QRandomGenerator::global()->generate();
    qInfo("kill moments from seed %u", seed);
    QRandomGenerator moments(seed);
    for (int round = 0; round < 10; ++round) {
        QProcess p;
        const QString url = startReceive(p, args);
        QVERIFY2(!url.isEmpty(), p.readAllStandardError().constData());
        Load load(quint16(QUrl(url).port()), counter);
        QThread::msleep(moments.bounded(50, 500));
        ::kill(pid_t(p.processId()), SIGKILL);
        load.stop();
        QVERIFY(p.waitForFinished(5000));
        acknowledged.unite(load.acknowledged());
        QCOMPARE(rows(db, QStringLiteral("PRAGMA integrity_check")).value(0).value(0).toString(), QStringLiteral("ok"));
    }
    // A last run, without load, forwards what the kills left queued or in flight.
    QProcess p;
    QVERIFY(!startReceive(p, args).isEmpty());
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 60000
           && rows(db, QStringLiteral("SELECT count(*) FROM forwards WHERE state <= 1")).value(0).value(0).toInt() > 0)
        QThread::msleep(100);
    ::kill(pid_t(p.processId()), SIGTERM);
    QVERIFY(p.waitForFinished(10000));

    QList<StoredForward> stored;
    for (const QVariantList &r : rows(db,
                                      QStringLiteral("SELECT d.body, f.state, f.twice FROM deliveries d "
                                                     "LEFT JOIN forwards f ON f.delivery_id = d.id")))
        stored.append(
            {r.value(0).toByteArray(), r.value(1).isNull() ? -1 : r.value(1).toInt(), r.value(2).toInt() == 1});
    verifyForwardedOnce(acknowledged, stored, connector, 10);
}

void TestForwardCommand::ackOnAServerStoreAcrossKill9s()
{
    PgCluster cluster;
    QString error;
    QVERIFY2(cluster.start(&error) && cluster.createDatabase(QStringLiteral("ack"), &error), qPrintable(error));
    TestConnector connector;
    connector.setBehaviour({"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"});
    const QStringList args{QStringLiteral("--listen"),    QStringLiteral("127.0.0.1:0"),
                           QStringLiteral("--store"),     cluster.url(QStringLiteral("ack")),
                           QStringLiteral("--forward"),   QStringLiteral("/=%1,mode=ack").arg(connector.url()),
                           QStringLiteral("--ack-queue"), QStringLiteral("one")};
    qputenv("PGPASSWORD", PgCluster::kPassword);
    const auto query = [&cluster](const QString &sql) {
        QString out;
        QString failed;
        if (!cluster.psql(QStringLiteral("ack"), sql, &failed, &out))
            qFatal("%s", qPrintable(failed));
        return out;
    };
    QAtomicInteger<int> counter = 0;
    QSet<QByteArray> acknowledged;
    const quint32 seed = QRandomGenerator::global()->generate();
    qInfo("kill moments from seed %u", seed);
    QRandomGenerator moments(seed);
    constexpr int kills = 5;
    for (int round = 0; round < kills; ++round) {
        QProcess p;
        const QString url = startReceive(p, args);
        QVERIFY2(!url.isEmpty(), p.readAllStandardError().constData());
        Load load(quint16(QUrl(url).port()), counter);
        QThread::msleep(moments.bounded(100, 600));
        ::kill(pid_t(p.processId()), SIGKILL);
        load.stop();
        QVERIFY(p.waitForFinished(5000));
        acknowledged.unite(load.acknowledged());
    }
    // A last run, without load, forwards what the kills left queued or in flight.
    QProcess p;
    QVERIFY(!startReceive(p, args).isEmpty());
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 60000 && query(QStringLiteral("SELECT count(*) FROM forwards WHERE state <= 1")) != u"0")
        QThread::msleep(100);
    ::kill(pid_t(p.processId()), SIGTERM);
    QVERIFY(p.waitForFinished(10000));
    qunsetenv("PGPASSWORD");

    QList<StoredForward> stored;
    const QString table = query(QStringLiteral("SELECT convert_from(d.body, 'UTF8'), coalesce(f.state, -1), "
                                               "coalesce(f.twice, false) FROM deliveries d LEFT JOIN forwards f ON "
                                               "f.delivery_id = d.id"));
    for (const QString &line : table.split(u'\n', Qt::SkipEmptyParts)) {
        const QStringList columns = line.split(u'|');
        QCOMPARE(columns.size(), 3);
        stored.append({columns[0].toUtf8(), columns[1].toInt(), columns[2] == u"t"});
    }
    verifyForwardedOnce(acknowledged, stored, connector, kills);
}

QTEST_GUILESS_MAIN(TestForwardCommand)
#include "tst_forwardcommand.moc"
