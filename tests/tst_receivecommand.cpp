#include "testutil.h"

#include "receiver/signatureverifier.h"
#include "signing/hmac.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <csignal>

using namespace pimscope;
using namespace pimscope::test;

class TestReceiveCommand : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void receivesAndStopsCleanly();
    void secretFromTheEnvironment();
    void portInUseIsAnError();
    void usageErrors_data();
    void usageErrors();
    void warnsWhenReachableFromTheNetwork();
    void warnsOfAnswersThatCutSubscriptionsOff();
    void quableRetriesToAFailingConnector();
    void alwaysSucceedSparesASender();
    void eventPlatformSubscriptionsCutOff();
    void survivesKill9UnderLoad();
    void secretsFromTheKeychainPerPathPrefix();
    void missingKeychainSecretIsAnError();
};

void TestReceiveCommand::receivesAndStopsCleanly()
{
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("c.db"));
    QProcess p;
    const QString url
        = startReceive(p, {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--db"), db});
    QVERIFY2(url.startsWith(QStringLiteral("http://127.0.0.1:")),
             qPrintable(url + QString::fromUtf8(p.readAllStandardError())));
    QVERIFY(url.endsWith(u'/'));
    QVERIFY(QUrl(url).port() > 0);
    QCOMPARE(postTo(url, sample("akeneo_batch_example.json")), 200);
    QCOMPARE(postTo(url, "not json"), 400);
    // One line per delivery: time, status, format, events, ms.
    QElapsedTimer t;
    t.start();
    QByteArray out;
    while (out.count('\n') < 2 && t.elapsed() < 5000) {
        p.waitForReadyRead(100);
        out += p.readAllStandardOutput();
    }
    const QList<QByteArray> lines = out.trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines[0].contains(" 200 akeneo 10 events "), lines[0].constData());
    QVERIFY2(lines[1].contains(" 400 unknown 0 events "), lines[1].constData());
    ::kill(pid_t(p.processId()), SIGTERM);
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 0);

    QProcess stats;
    stats.start(binary(), {QStringLiteral("stats"), QStringLiteral("--db"), db});
    QVERIFY(stats.waitForFinished(10000));
    const QJsonObject s = QJsonDocument::fromJson(stats.readAllStandardOutput()).object();
    QCOMPARE(s.value(u"deliveries").toInt(), 2);
    QCOMPARE(s.value(u"events").toInt(), 10);
}

void TestReceiveCommand::secretFromTheEnvironment()
{
    // --secret-env names a variable; its value verifies Akeneo signatures and is stored nowhere.
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("c.db"));
    const QByteArray secret = "env-secret-4f2a9c81d7";
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PIMSCOPE_TEST_RECEIVE_SECRET"), QString::fromLatin1(secret));
    p.setProcessEnvironment(env);
    const QString url
        = startReceive(p,
                       {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--db"), db,
                        QStringLiteral("--secret-env"), QStringLiteral("PIMSCOPE_TEST_RECEIVE_SECRET")});
    QVERIFY2(!url.isEmpty(), p.readAllStandardError().constData());
    const QByteArray body = sample("akeneo_batch_example.json");
    const QByteArray ts = QByteArray::number(QDateTime::currentSecsSinceEpoch());
    const auto signedWith = [&](const QByteArray &key) -> QByteArray {
        return "X-Akeneo-Request-Timestamp: " + ts + "\r\nX-Akeneo-Request-Signature: " + akeneoSignature(key, ts, body)
            + "\r\n";
    };
    QCOMPARE(postTo(url, body, "/hook", signedWith(secret)), 200);
    QCOMPARE(postTo(url, body, "/hook", signedWith("another-secret")), 401);
    ::kill(pid_t(p.processId()), SIGTERM);
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
    for (const QString &file : QDir(dir.path()).entryList(QDir::Files))
        QVERIFY2(!readFile(dir.filePath(file)).contains(secret), qPrintable(file));
}

void TestReceiveCommand::portInUseIsAnError()
{
    QTcpServer taken;
    QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
    QTemporaryDir dir;
    QProcess p;
    p.start(binary(),
            {QStringLiteral("receive"), QStringLiteral("--listen"),
             QStringLiteral("127.0.0.1:%1").arg(taken.serverPort()), QStringLiteral("--db"),
             dir.filePath(QStringLiteral("c.db"))});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 1);
    const QByteArray err = p.readAllStandardError();
    QVERIFY2(err.contains("address is already in use") || err.contains("already in use"), err.constData());
    QCOMPARE(err.count('\n'), 1);
    QVERIFY(p.readAllStandardOutput().isEmpty());
}

void TestReceiveCommand::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");
    QTest::newRow("bad listen") << QStringList{QStringLiteral("--listen"), QStringLiteral("nowhere")} << 2
                                << "--listen must be HOST:PORT";
    QTest::newRow("bad status") << QStringList{QStringLiteral("--status"), QStringLiteral("42")} << 2 << "--status";
    QTest::newRow("bad delay") << QStringList{QStringLiteral("--delay-ms"), QStringLiteral("soon")} << 2
                               << "--delay-ms";
    QTest::newRow("cert without key") << QStringList{QStringLiteral("--tls-cert"), QStringLiteral("x.pem")} << 2
                                      << "go together";
    QTest::newRow("unreadable cert") << QStringList{QStringLiteral("--tls-cert"), QStringLiteral("/nonexistent/c.pem"),
                                                    QStringLiteral("--tls-key"), QStringLiteral("/nonexistent/k.pem")}
                                     << 1 << "cannot read --tls-cert";
    QTest::newRow("empty secret env") << QStringList{QStringLiteral("--secret-env"),
                                                     QStringLiteral("PIMSCOPE_NO_SUCH_VAR")}
                                      << 2 << "PIMSCOPE_NO_SUCH_VAR is empty or not set";
}

void TestReceiveCommand::usageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    QTemporaryDir dir;
    QProcess p;
    p.start(binary(),
            QStringList{QStringLiteral("receive"), QStringLiteral("--db"), dir.filePath(QStringLiteral("c.db"))}
                + args);
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), exitCode);
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(err.contains(message), qPrintable(err));
    QCOMPARE(err.count(u'\n'), 1);
}

void TestReceiveCommand::warnsWhenReachableFromTheNetwork()
{
    QTemporaryDir dir;
    QProcess p;
    const QString url = startReceive(p,
                                     {QStringLiteral("--listen"), QStringLiteral("0.0.0.0:0"), QStringLiteral("--db"),
                                      dir.filePath(QStringLiteral("c.db"))});
    QVERIFY(url.startsWith(QStringLiteral("http://0.0.0.0:")));
    p.waitForReadyRead(200);
    QVERIFY(p.readAllStandardError().contains("reachable from the network"));
    ::kill(pid_t(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
}

void TestReceiveCommand::warnsOfAnswersThatCutSubscriptionsOff()
{
    QTemporaryDir dir;
    const auto errorsOf = [&dir](const QStringList &answer) {
        QProcess p;
        const QString url
            = startReceive(p, QStringList{QStringLiteral("--db"), dir.filePath(QStringLiteral("c.db"))} + answer);
        if (url.isEmpty())
            return QString::fromUtf8(p.readAllStandardError());
        ::kill(pid_t(p.processId()), SIGINT);
        p.waitForFinished(10000);
        return QString::fromUtf8(p.readAllStandardError());
    };
    // A simulated 500: each sender's consequence, before anything is received.
    const QString err = errorsOf({QStringLiteral("--status"), QStringLiteral("500")});
    QCOMPARE(err.count(QStringLiteral("pimscope: receive: warning: --status 500 --delay-ms 0: ")), 3);
    QVERIFY2(err.contains(QStringLiteral("Quable: 500 is a failure for it (success is 2xx); it retries twice, 5 min "
                                         "apart: the webhook is disabled after the 3rd request.")),
             qPrintable(err));
    QVERIFY2(err.contains(QStringLiteral("Akeneo Event Platform: 500 is a failure")), qPrintable(err));
    // A 1 s delay only endangers the Events API.
    const QString late = errorsOf({QStringLiteral("--delay-ms"), QStringLiteral("1000")});
    QCOMPARE(late.count(QStringLiteral("warning:")), 1);
    QVERIFY2(late.contains(QStringLiteral("Akeneo Events API: answering after 1000 ms misses its 500 ms deadline")),
             qPrintable(late));
    // The defaults endanger nothing.
    QVERIFY2(!errorsOf({}).contains(QStringLiteral("warning:")), "no warning with the default answer");
}

void TestReceiveCommand::quableRetriesToAFailingConnector()
{
    // The case: the same Quable notification sent three times to `receive --status 500`. Three attempts of one
    // chain (not three duplicates), and the moment Quable would have disabled the webhook, said as it happens and kept
    // in the stats.
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("c.db"));
    QProcess p;
    const QString url = startReceive(p,
                                     {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--db"),
                                      db, QStringLiteral("--status"), QStringLiteral("500")});
    QVERIFY2(!url.isEmpty(), qPrintable(QString::fromUtf8(p.readAllStandardError())));
    for (int i = 0; i < 3; ++i)
        QCOMPARE(postTo(url, sample("quable_example.json"), "/quable/hook"), 500);
    QByteArray err;
    QElapsedTimer t;
    t.start();
    while (!err.contains("would have disabled") && t.elapsed() < 10000) {
        p.waitForReadyRead(100);
        err += p.readAllStandardError();
    }
    QVERIFY2(err.contains("pimscope: receive: warning: Quable would have disabled the webhook for /quable/hook at "),
             err.constData());
    QVERIFY2(err.contains("(3rd consecutive failure, answered 500 in "), err.constData());
    QCOMPARE(err.count("would have disabled"), 1);
    ::kill(pid_t(p.processId()), SIGTERM);
    QVERIFY(p.waitForFinished(10000));

    QProcess exported;
    exported.start(binary(), {QStringLiteral("export"), QStringLiteral("--db"), db});
    QVERIFY(exported.waitForFinished(10000));
    const QList<QByteArray> lines = exported.readAllStandardOutput().trimmed().split('\n');
    QCOMPARE(lines.size(), 3);
    for (int i = 0; i < 3; ++i) {
        const QJsonObject e = QJsonDocument::fromJson(lines[i]).object();
        QCOMPARE(e.value(u"attempt").toInt(), i + 1);
        if (i == 0)
            QVERIFY(e.value(u"retry_of").isNull());
        else
            QCOMPARE(e.value(u"retry_of").toInt(), 1);
        QVERIFY(!e.value(u"flags").toArray().contains(QStringLiteral("duplicate")));
    }

    QProcess stats;
    stats.start(binary(), {QStringLiteral("stats"), QStringLiteral("--db"), db});
    QVERIFY(stats.waitForFinished(10000));
    const QJsonObject s = QJsonDocument::fromJson(stats.readAllStandardOutput()).object();
    const QJsonArray subscriptions = s.value(u"subscriptions").toArray();
    QCOMPARE(subscriptions.size(), 1);
    const QJsonObject h = subscriptions[0].toObject();
    QCOMPARE(h.value(u"path").toString(), QStringLiteral("/quable/hook"));
    QCOMPARE(h.value(u"sender").toString(), QStringLiteral("quable"));
    QCOMPARE(h.value(u"state").toString(), QStringLiteral("cut_off"));
    QCOMPARE(h.value(u"failure_streak").toInt(), 3);
    QCOMPARE(h.value(u"cut_offs").toInt(), 1);
    QCOMPARE(h.value(u"last_cut_off").toObject().value(u"delivery_id").toInt(), 3);
    QVERIFY(h.value(u"last_cut_off")
                .toObject()
                .value(u"said")
                .toString()
                .startsWith(QStringLiteral("Quable would have disabled the webhook for /quable/hook")));
}

void TestReceiveCommand::eventPlatformSubscriptionsCutOff()
{
    // The Event Platform through the real `receive` and real requests: a 404 suspends a subscription at once; a
    // success rate sliding under 90 % over the rolling hour suspends another; 429s slow a third down without counting
    // against its rate. Said by `receive` as it happens, and kept in the stats.
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("c.db"));
    int id = 0;
    const auto run = [&](const char *status, const QByteArray &path, int requests) -> QByteArray {
        QProcess p;
        const QString url
            = startReceive(p,
                           {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--db"), db,
                            QStringLiteral("--status"), QString::fromLatin1(status)});
        if (url.isEmpty())
            return QByteArray("receive did not start: ") + p.readAllStandardError();
        for (int i = 0; i < requests; ++i) {
            const int answered = postTo(url, platformEvent(QStringLiteral("ep-%1").arg(++id)), path);
            if (answered != QByteArray(status).toInt())
                return QByteArray("answered ") + QByteArray::number(answered);
        }
        QByteArray err;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 1500) { // the warning comes once the answer is timed
            p.waitForReadyRead(100);
            err += p.readAllStandardError();
        }
        ::kill(pid_t(p.processId()), SIGTERM);
        p.waitForFinished(10000);
        return err + p.readAllStandardError();
    };
    QByteArray err = run("404", "/ep/gone", 1);
    QVERIFY2(err.contains("warning: the Event Platform would have suspended the subscription for /ep/gone at "),
             err.constData());
    QVERIFY2(err.contains("(answered 404, request #1)"), err.constData());
    err = run("200", "/ep/sliding", 10);
    QVERIFY2(!err.contains("would have suspended"), err.constData());
    err = run("500", "/ep/sliding", 2);
    QVERIFY2(err.contains("suspended the subscription for /ep/sliding at "), err.constData());
    QVERIFY2(err.contains("(success rate 83.3 % over the rolling hour, 10 of 12 answers, below 90 %, request #13)"),
             err.constData());
    err = run("429", "/ep/busy", 3);
    QVERIFY2(!err.contains("would have suspended"), err.constData());

    QProcess stats;
    stats.start(binary(), {QStringLiteral("stats"), QStringLiteral("--db"), db});
    QVERIFY(stats.waitForFinished(10000));
    QHash<QString, QJsonObject> byPath;
    for (const QJsonValue v :
         QJsonDocument::fromJson(stats.readAllStandardOutput()).object().value(u"subscriptions").toArray())
        byPath.insert(v.toObject().value(u"path").toString(), v.toObject());
    QCOMPARE(byPath.size(), 3);
    const QJsonObject gone = byPath.value(QStringLiteral("/ep/gone"));
    QCOMPARE(gone.value(u"sender").toString(), QStringLiteral("akeneo-event-platform"));
    QCOMPARE(gone.value(u"state").toString(), QStringLiteral("cut_off"));
    QCOMPARE(gone.value(u"last_cut_off").toObject().value(u"reason").toString(), QStringLiteral("answered 404"));
    const QJsonObject sliding = byPath.value(QStringLiteral("/ep/sliding"));
    QCOMPARE(sliding.value(u"state").toString(), QStringLiteral("cut_off"));
    QCOMPARE(sliding.value(u"requests").toInt(), 12);
    QCOMPARE(sliding.value(u"failures").toInt(), 2);
    QCOMPARE(sliding.value(u"rolling_hour_success_rate").toDouble(), 10.0 / 12.0);
    QCOMPARE(sliding.value(u"last_cut_off").toObject().value(u"delivery_id").toInt(), 13);
    // 429s: the modelled rate halves at each (100, 50, 25, 12.5 events/s), and the success rate counts none of them.
    const QJsonObject busy = byPath.value(QStringLiteral("/ep/busy"));
    QCOMPARE(busy.value(u"state").toString(), QStringLiteral("at_risk"));
    QCOMPARE(busy.value(u"throttled").toInt(), 3);
    QCOMPARE(busy.value(u"events_per_second").toDouble(), 12.5);
    QVERIFY(busy.value(u"rolling_hour_success_rate").isNull());
    QVERIFY(busy.value(u"last_cut_off").isNull());
    QVERIFY2(busy.value(u"summary").toString().contains(QStringLiteral("throttled to 13/s")),
             qPrintable(busy.value(u"summary").toString()));
}

void TestReceiveCommand::alwaysSucceedSparesASender()
{
    // A failing connector simulated for the Events API, while Quable is always answered 200 at once: its webhook is
    // never endangered.
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("c.db"));
    QProcess p;
    const QString url
        = startReceive(p,
                       {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--db"), db,
                        QStringLiteral("--status"), QStringLiteral("500"), QStringLiteral("--delay-ms"),
                        QStringLiteral("700"), QStringLiteral("--always-2xx"), QStringLiteral("quable")});
    QVERIFY(!url.isEmpty()); // (its standard error is read below)
    QElapsedTimer t;
    t.start();
    QCOMPARE(postTo(url, sample("quable_example.json"), "/quable"), 200);
    QVERIFY2(t.elapsed() < 600, qPrintable(QString::number(t.elapsed()))); // not delayed
    QCOMPARE(postTo(url, sample("akeneo_batch_example.json"), "/akeneo"), 500);
    QVERIFY(t.elapsed() >= 700);
    ::kill(pid_t(p.processId()), SIGTERM);
    QVERIFY(p.waitForFinished(10000));
    const QString err = QString::fromUtf8(p.readAllStandardError());
    // Warned for the two others only.
    QVERIFY2(err.count(QStringLiteral("warning: --status 500 --delay-ms 700: ")) == 2, qPrintable(err));
    QVERIFY2(!err.contains(QStringLiteral("Quable:")), qPrintable(err));

    QProcess usage;
    usage.start(binary(), {QStringLiteral("receive"), QStringLiteral("--always-2xx"), QStringLiteral("shopify")});
    QVERIFY(usage.waitForFinished(10000));
    QCOMPARE(usage.exitCode(), 2);
    QVERIFY(usage.readAllStandardError().contains("--always-2xx takes akeneo, akeneo-event-platform, quable or all"));
}

void TestReceiveCommand::survivesKill9UnderLoad()
{
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("c.db"));
    const QByteArray body = sample("akeneo_batch_example.json");
    QSet<qint64> acknowledged;
    // Twenty times: killed at a random moment of the load, from its first requests to half a second in, and
    // restarted on the same capture. The moments come from a seed that is logged: PIMSCOPE_KILL_SEED=N runs the
    // same moments again.
    const quint32 seed = qEnvironmentVariableIsSet("PIMSCOPE_KILL_SEED")
        ? quint32(qEnvironmentVariable("PIMSCOPE_KILL_SEED").toUInt())
        : QRandomGenerator::global()->generate();
    qInfo("kill moments from seed %u (PIMSCOPE_KILL_SEED=%u repeats them)", seed, seed);
    QRandomGenerator moments(seed);
    for (int round = 0; round < 20; ++round) {
        QProcess p;
        const QString url
            = startReceive(p, {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--db"), db});
        QVERIFY2(!url.isEmpty(), p.readAllStandardError().constData());
        const quint16 port = quint16(QUrl(url).port());
        // Four keep-alive clients post as fast as they are answered, each keeping the ids it got a 200 for.
        std::atomic<bool> stop = false;
        QList<QList<qint64>> ids(4);
        QList<QThread *> clients;
        for (int c = 0; c < 4; ++c) {
            clients.append(QThread::create([&, c] {
                QTcpSocket s;
                s.connectToHost(QHostAddress::LocalHost, port);
                if (!s.waitForConnected(5000))
                    return;
                QByteArray buffer;
                while (!stop) {
                    s.write("POST /load HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                            + QByteArray::number(body.size()) + "\r\n\r\n" + body);
                    qsizetype end = -1;
                    while ((end = buffer.indexOf("\r\n\r\n")) < 0 || !buffer.contains('}')) {
                        if (!s.waitForReadyRead(2000))
                            return; // killed
                        buffer += s.readAll();
                    }
                    const qsizetype close = buffer.indexOf('}', end);
                    const QByteArray response = buffer.left(close + 1);
                    buffer.remove(0, close + 1);
                    if (response.startsWith("HTTP/1.1 200"))
                        ids[c].append(
                            QJsonDocument::fromJson(response.mid(end + 4)).object().value(u"delivery").toInteger());
                }
            }));
            clients.last()->start();
        }
        const int killAfterMs = int(moments.bounded(500));
        QThread::msleep(killAfterMs);
        ::kill(pid_t(p.processId()), SIGKILL);
        stop = true;
        for (QThread *t : clients) {
            QVERIFY(t->wait(10000));
            delete t;
        }
        QVERIFY(p.waitForFinished(5000));
        for (const auto &list : ids) {
            for (qint64 id : list)
                acknowledged.insert(id);
        }

        // Every delivery that got a 200 is in the capture, and the file is sound.
        QSqlDatabase check = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
        check.setDatabaseName(db);
        QVERIFY(check.open());
        {
            QSqlQuery q(check);
            QVERIFY(q.exec(QStringLiteral("PRAGMA integrity_check")) && q.next());
            QCOMPARE(q.value(0).toString(), QStringLiteral("ok"));
            QSet<qint64> present;
            QVERIFY(q.exec(QStringLiteral("SELECT id FROM deliveries")));
            while (q.next())
                present.insert(q.value(0).toLongLong());
            for (qint64 id : std::as_const(acknowledged))
                QVERIFY2(present.contains(id),
                         qPrintable(QStringLiteral("delivery %1 was acknowledged but is missing").arg(id)));
        }
        check.close();
        check = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("check"));
    }

    QVERIFY2(acknowledged.size() >= 20, qPrintable(QString::number(acknowledged.size()))); // there was load

    // The events of deliveries committed but not indexed when the receiver was killed are indexed when the capture
    // is next opened: every acknowledged delivery has its ten events.
    QProcess p;
    QVERIFY(!startReceive(p, {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--db"), db})
                 .isEmpty());
    ::kill(pid_t(p.processId()), SIGTERM);
    QVERIFY(p.waitForFinished(30000));
    QCOMPARE(p.exitCode(), 0);
    QSqlDatabase check = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
    check.setDatabaseName(db);
    QVERIFY(check.open());
    {
        QSqlQuery q(check);
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM deliveries WHERE indexed = 0")) && q.next());
        QCOMPARE(q.value(0).toInt(), 0);
        QHash<qint64, int> events;
        QVERIFY(q.exec(QStringLiteral("SELECT delivery_id, count(*) FROM events GROUP BY delivery_id")));
        while (q.next())
            events.insert(q.value(0).toLongLong(), q.value(1).toInt());
        for (qint64 id : std::as_const(acknowledged))
            QVERIFY2(events.value(id) == 10,
                     qPrintable(QStringLiteral("delivery %1 has %2 events").arg(id).arg(events.value(id))));
    }
    check.close();
    check = QSqlDatabase();
    QSqlDatabase::removeDatabase(QStringLiteral("check"));
}

void TestReceiveCommand::secretsFromTheKeychainPerPathPrefix()
{
    const QByteArray akeneoSecret = "3ha6eonoa9icsckw8kccos084w0c0000g08g40oo4kww0gc8w4";
    const QByteArray quableToken = "Bearer q-token-1234567890";
    setSecret(QStringLiteral("akeneo-staging"), akeneoSecret);
    setSecret(QStringLiteral("quable-auth"), quableToken);
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("c.db"));
    QProcess p;
    const QString url
        = startReceive(p,
                       {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--db"), db,
                        QStringLiteral("--verify"), QStringLiteral("/akeneo/staging=akeneo:akeneo-staging"),
                        QStringLiteral("--verify"), QStringLiteral("/quable=quable:quable-auth")});
    QVERIFY2(!url.isEmpty(), p.readAllStandardError().constData());
    const QByteArray body = sample("akeneo_batch_example.json");
    const QByteArray ts = QByteArray::number(QDateTime::currentSecsSinceEpoch());
    const QByteArray signature = akeneoSignature(akeneoSecret, ts, body);
    const QByteArray signedHeaders
        = "X-Akeneo-Request-Timestamp: " + ts + "\r\nX-Akeneo-Request-Signature: " + signature + "\r\n";
    QCOMPARE(postTo(url, body, "/akeneo/staging/events", signedHeaders), 200);
    QCOMPARE(postTo(url, body, "/akeneo/staging/events"), 401); // missing
    QCOMPARE(postTo(url, body, "/other"), 200); // no rule there: unchecked
    const QByteArray quable = sample("quable_example.json");
    QCOMPARE(postTo(url, quable, "/quable", "Authorization: " + quableToken + "\r\n"), 200);
    QCOMPARE(postTo(url, quable, "/quable", "Authorization: Bearer wrong\r\n"), 401);
    ::kill(pid_t(p.processId()), SIGTERM);
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);

    QProcess exp;
    exp.start(
        binary(),
        {QStringLiteral("export"), QStringLiteral("--db"), db, QStringLiteral("--what"), QStringLiteral("deliveries")});
    QVERIFY(exp.waitForFinished(10000));
    QList<QJsonObject> rows;
    for (const QByteArray &line : exp.readAllStandardOutput().split('\n')) {
        if (!line.isEmpty())
            rows.append(QJsonDocument::fromJson(line).object());
    }
    QCOMPARE(rows.size(), 5);
    const QStringList verdicts = {rows[0].value(u"signature").toString(), rows[1].value(u"signature").toString(),
                                  rows[2].value(u"signature").toString(), rows[3].value(u"signature").toString(),
                                  rows[4].value(u"signature").toString()};
    QCOMPARE(verdicts,
             (QStringList{QStringLiteral("valid"), QStringLiteral("missing"), QStringLiteral("unchecked"),
                          QStringLiteral("valid"), QStringLiteral("invalid")}));
    // The Authorization value was compared, then stored redacted: it is nowhere in the capture file.
    QFile file(db);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    QVERIFY(!bytes.contains("q-token-1234567890"));
    QVERIFY(!bytes.contains(akeneoSecret));
    QVERIFY(bytes.contains("redacted"));
}

void TestReceiveCommand::missingKeychainSecretIsAnError()
{
    QTemporaryDir dir;
    QProcess p;
    p.start(binary(),
            {QStringLiteral("receive"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
             QStringLiteral("--db"), dir.filePath(QStringLiteral("c.db")), QStringLiteral("--secret-name"),
             QStringLiteral("no-such-secret")});
    QVERIFY(p.waitForFinished(20000));
    QCOMPARE(p.exitCode(), 1);
    const QByteArray err = p.readAllStandardError();
    QVERIFY2(err.contains("no secret named 'no-such-secret'"), err.constData());
    QVERIFY(p.readAllStandardOutput().isEmpty()); // never started listening
}

QTEST_GUILESS_MAIN(TestReceiveCommand)
#include "tst_receivecommand.moc"
