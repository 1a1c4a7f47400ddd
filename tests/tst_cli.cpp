#include "testutil.h"

#include "store/eventstore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace pimscope;
using namespace pimscope::test;

namespace {

using Run = PimscopeRun;

QList<QJsonObject> jsonLines(const QByteArray &out)
{
    QList<QJsonObject> objects;
    for (const QByteArray &line : out.split('\n')) {
        if (line.isEmpty())
            continue;
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject())
            qFatal("not a JSON object line: %s", line.constData());
        objects.append(doc.object());
    }
    return objects;
}

const QStringList eventKeys = {QStringLiteral("id"),
                               QStringLiteral("delivery_id"),
                               QStringLiteral("origin"),
                               QStringLiteral("format"),
                               QStringLiteral("event_id"),
                               QStringLiteral("action"),
                               QStringLiteral("event_datetime"),
                               QStringLiteral("received_at"),
                               QStringLiteral("author"),
                               QStringLiteral("author_type"),
                               QStringLiteral("pim_source"),
                               QStringLiteral("subject_type"),
                               QStringLiteral("subject_id"),
                               QStringLiteral("subject_uuid"),
                               QStringLiteral("flags"),
                               QStringLiteral("signature"),
                               QStringLiteral("log_level"),
                               QStringLiteral("log_message"),
                               QStringLiteral("status_code"),
                               QStringLiteral("payload")};

const QStringList deliveryKeys = {QStringLiteral("id"),
                                  QStringLiteral("origin"),
                                  QStringLiteral("received_at"),
                                  QStringLiteral("method"),
                                  QStringLiteral("path"),
                                  QStringLiteral("remote"),
                                  QStringLiteral("headers"),
                                  QStringLiteral("body_size"),
                                  QStringLiteral("format"),
                                  QStringLiteral("signature"),
                                  QStringLiteral("answered_status"),
                                  QStringLiteral("ack_ms"),
                                  QStringLiteral("event_count"),
                                  QStringLiteral("error"),
                                  QStringLiteral("log_level"),
                                  QStringLiteral("log_message"),
                                  QStringLiteral("status_code"),
                                  QStringLiteral("log_file"),
                                  QStringLiteral("log_line")};

} // namespace

class TestCli : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void exportEvents();
    void exportDeliveries();
    void exportWithFilter();
    void stats();
    void unindexedDeliveriesAreReported();
    void usageErrors_data();
    void usageErrors();
    void failures_data();
    void failures();
    void defaultDatabasePath();
    void windowHelpWithoutDisplay();

private:
    QTemporaryDir m_dir;
    QString m_db;
    QByteArray m_batch;
};

void TestCli::initTestCase()
{
    QVERIFY(!qgetenv("PIMSCOPE_BIN").isEmpty());
    m_db = m_dir.filePath(QStringLiteral("capture.db"));
    m_batch = sample("akeneo_batch_example.json");
    auto store = EventStore::open(m_db);
    QVERIFY2(store, qPrintable(store.error()));
    const qint64 t = iso("2025-03-18T14:02:30Z");
    store.value()->enqueue(receivedDelivery(m_batch, t, 40.0));
    store.value()->enqueue(receivedDelivery(sample("quable_example.json"), t + 1000, 650.0));
    Delivery test = receivedDelivery(QByteArray(), t + 2000, 3.0);
    test.headers = {{"Content-Type", "application/json"}};
    store.value()->enqueue(test);
    Delivery broken = receivedDelivery("{\"events\": [ {\"action\": ", t + 3000, 2.0);
    broken.answeredStatus = 400;
    store.value()->enqueue(broken);
    QVERIFY(store.value()->flush());
}

void TestCli::exportEvents()
{
    const Run r = runPimscope({QStringLiteral("export"), QStringLiteral("--db"), m_db});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.err.isEmpty());
    const auto lines = jsonLines(r.out);
    QCOMPARE(lines.size(), 11);
    for (const QJsonObject &o : lines) {
        for (const QString &key : eventKeys)
            QVERIFY2(o.contains(key), qPrintable(key));
    }
    const QJsonObject first = lines.first();
    QCOMPARE(first.value(u"origin").toString(), QStringLiteral("receiver"));
    QCOMPARE(first.value(u"format").toString(), QStringLiteral("akeneo"));
    QCOMPARE(first.value(u"event_id").toString(), QStringLiteral("3f6c2a8e-9b1d-4c57-a0e2-6d4b9f1e7a21"));
    QCOMPARE(first.value(u"event_datetime").toString(), QStringLiteral("2025-03-18T14:02:11.000Z"));
    QCOMPARE(first.value(u"received_at").toString(), QStringLiteral("2025-03-18T14:02:30.000Z"));
    QCOMPARE(first.value(u"subject_type").toString(), QStringLiteral("product"));
    QCOMPARE(first.value(u"subject_id").toString(), QStringLiteral("TSHIRT-ORG-BLU-M"));
    QCOMPARE(first.value(u"signature").toString(), QStringLiteral("unchecked"));
    QVERIFY(first.value(u"log_level").isNull());
    QVERIFY(first.value(u"status_code").isNull());
    QVERIFY(first.value(u"flags").isArray());
    // The payload is the event's JSON object, equal to the one in the body.
    const QJsonArray bodyEvents = QJsonDocument::fromJson(m_batch).object().value(u"events").toArray();
    QCOMPARE(first.value(u"payload").toObject(), bodyEvents.at(0).toObject());
    QCOMPARE(lines[9].value(u"payload").toObject(), bodyEvents.at(9).toObject());
    // The payload's tokens are embedded unchanged, without the body's indentation, so each event is one line.
    QVERIFY(r.out.contains("\"payload\":{\"action\":\"product.created\",\"event_id\""));

    const QJsonObject quable = lines[10];
    QCOMPARE(quable.value(u"format").toString(), QStringLiteral("quable"));
    QCOMPARE(quable.value(u"subject_type").toString(), QStringLiteral("document"));
    QCOMPARE(quable.value(u"subject_id").toString(), QStringLiteral("SKU_CHAIR_OAK_NATURAL"));
    QVERIFY(quable.value(u"subject_uuid").isNull());
    // Created 4 h 21 min before, yet not stale: Quable does not drop old events (only the Events API does).
    QCOMPARE(quable.value(u"flags").toArray(), QJsonArray());
}

void TestCli::exportDeliveries()
{
    const Run r = runPimscope({QStringLiteral("export"), QStringLiteral("--db"), m_db, QStringLiteral("--what"),
                               QStringLiteral("deliveries"), QStringLiteral("--format"), QStringLiteral("jsonl")});
    QCOMPARE(r.exitCode, 0);
    const auto lines = jsonLines(r.out);
    QCOMPARE(lines.size(), 4);
    for (const QJsonObject &o : lines) {
        for (const QString &key : deliveryKeys)
            QVERIFY2(o.contains(key), qPrintable(key));
    }
    QCOMPARE(lines[0].value(u"event_count").toInt(), 10);
    QCOMPARE(lines[0].value(u"body_size").toInt(), m_batch.size());
    QCOMPARE(lines[0].value(u"body").toString().toUtf8(), m_batch);
    const QJsonArray headers = lines[0].value(u"headers").toArray();
    QCOMPARE(headers.size(), 5);
    QCOMPARE(headers.at(3).toArray(), QJsonArray({QStringLiteral("X-Custom"), QStringLiteral("first")}));
    QCOMPARE(headers.at(4).toArray(), QJsonArray({QStringLiteral("X-Custom"), QStringLiteral("second")}));
    QCOMPARE(lines[1].value(u"ack_ms").toDouble(), 650.0);
    // 650 ms is within Quable's 5 s: no slow_ack (the sample event is hours old, which Quable does not mind).
    QCOMPARE(lines[1].value(u"flags").toArray(), QJsonArray());
    QCOMPARE(lines[2].value(u"format").toString(), QStringLiteral("akeneo-test"));
    QCOMPARE(lines[2].value(u"event_count").toInt(), 0);
    QVERIFY(lines[2].value(u"error").isNull());
    QVERIFY(!lines[3].value(u"error").toString().isEmpty());
    QCOMPARE(lines[3].value(u"answered_status").toInt(), 400);
    QCOMPARE(lines[3].value(u"flags").toArray(), QJsonArray({QStringLiteral("error")}));
}

void TestCli::exportWithFilter()
{
    Run r = runPimscope({QStringLiteral("export"), QStringLiteral("--db"), m_db, QStringLiteral("--filter"),
                         QStringLiteral("action == \"product.updated\" && author_type == api")});
    QCOMPARE(r.exitCode, 0);
    const auto lines = jsonLines(r.out);
    QVERIFY(!lines.isEmpty());
    for (const QJsonObject &o : lines) {
        QCOMPARE(o.value(u"action").toString(), QStringLiteral("product.updated"));
        QCOMPARE(o.value(u"author_type").toString(), QStringLiteral("api"));
    }
    // On deliveries, a delivery matches when any of its events matches.
    r = runPimscope({QStringLiteral("export"), QStringLiteral("--db"), m_db, QStringLiteral("--what"),
                     QStringLiteral("deliveries"), QStringLiteral("--filter"),
                     QStringLiteral("action == \"product.removed\"")});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(jsonLines(r.out).size(), 1);
    r = runPimscope({QStringLiteral("export"), QStringLiteral("--db"), m_db, QStringLiteral("--what"),
                     QStringLiteral("deliveries"), QStringLiteral("--filter"),
                     QStringLiteral("format == akeneo-test || flag:error")});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(jsonLines(r.out).size(), 2);
}

void TestCli::stats()
{
    const Run r = runPimscope({QStringLiteral("stats"), QStringLiteral("--db"), m_db});
    QCOMPARE(r.exitCode, 0);
    const auto lines = jsonLines(r.out);
    QCOMPARE(lines.size(), 1);
    const QJsonObject s = lines.first();
    QCOMPARE(s.value(u"deliveries").toInt(), 4);
    QCOMPARE(s.value(u"events").toInt(), 11);
    for (const char *key :
         {"by_action", "by_origin", "by_format", "by_log_level", "by_log_message", "by_flag", "by_signature"})
        QVERIFY2(s.value(QLatin1StringView(key)).isObject(), key);
    QCOMPARE(s.value(u"by_action").toObject().value(u"product.updated").toInt(), 4);
    QCOMPARE(s.value(u"by_format").toObject().value(u"akeneo-test").toInt(), 1);
    QCOMPARE(s.value(u"by_origin").toObject().value(u"receiver").toInt(), 4);
    QCOMPARE(s.value(u"by_signature").toObject().value(u"unchecked").toInt(), 4);
    QCOMPARE(s.value(u"by_flag").toObject().value(u"error").toInt(), 0);
    const QJsonObject ack = s.value(u"ack_ms").toObject();
    QCOMPARE(ack.value(u"p50").toDouble(), 3.0);
    QCOMPARE(ack.value(u"max").toDouble(), 650.0);
    QCOMPARE(ack.value(u"p99").toDouble(), 650.0);
    QCOMPARE(s.value(u"max_deliveries_rolling_hour").toInt(), 4);
    QCOMPARE(s.value(u"unindexed_deliveries").toInt(), 0);
    QVERIFY(r.err.isEmpty());
}

void TestCli::unindexedDeliveriesAreReported()
{
    // What a receiver killed between a delivery's commit and the indexing of its events leaves behind.
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("c.db"));
    {
        auto store = EventStore::open(db);
        QVERIFY2(store, qPrintable(store.error()));
    }
    {
        QSqlDatabase c = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("unindexed"));
        c.setDatabaseName(db);
        QVERIFY(c.open());
        QSqlQuery q(c);
        q.prepare(QStringLiteral("INSERT INTO deliveries (origin, received_at, body, body_size, format, event_count, "
                                 "indexed) VALUES (0, 1742306550000, ?, ?, 1, 10, 0)"));
        q.addBindValue(m_batch);
        q.addBindValue(m_batch.size());
        QVERIFY(q.exec());
        q = QSqlQuery();
        c.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("unindexed"));

    Run r = runPimscope({QStringLiteral("stats"), QStringLiteral("--db"), db});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(jsonLines(r.out).value(0).value(u"unindexed_deliveries").toInt(), 1);
    QCOMPARE(jsonLines(r.out).value(0).value(u"events").toInt(), 0);
    r = runPimscope({QStringLiteral("export"), QStringLiteral("--db"), db});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.err.contains("the events of 1 received deliveries are not indexed yet"), r.err.constData());
    QCOMPARE(jsonLines(r.out).size(), 0);

    // A writer opening the capture catches up; then the export is whole and says nothing.
    {
        auto store = EventStore::open(db);
        QVERIFY2(store, qPrintable(store.error()));
        QVERIFY(store.value()->flush());
    }
    r = runPimscope({QStringLiteral("export"), QStringLiteral("--db"), db});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.err.isEmpty(), r.err.constData());
    QCOMPARE(jsonLines(r.out).size(), 10);
}

void TestCli::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("no such command") << QStringList{QStringLiteral("exprot")} << "unknown command 'exprot'";
    QTest::newRow("unknown option") << QStringList{QStringLiteral("export"), QStringLiteral("--colour")}
                                    << "Unknown option 'colour'";
    QTest::newRow("bad --what") << QStringList{QStringLiteral("export"), QStringLiteral("--what"),
                                               QStringLiteral("rows")}
                                << "--what must be events or deliveries";
    QTest::newRow("bad --format") << QStringList{QStringLiteral("export"), QStringLiteral("--format"),
                                                 QStringLiteral("xml")}
                                  << "unsupported --format 'xml'";
    QTest::newRow("bad filter") << QStringList{QStringLiteral("export"), QStringLiteral("--filter"),
                                               QStringLiteral("acton == x")}
                                << "invalid --filter";
    QTest::newRow("missing value") << QStringList{QStringLiteral("stats"), QStringLiteral("--db")} << "Missing value";
    QTest::newRow("stray argument") << QStringList{QStringLiteral("stats"), QStringLiteral("extra")}
                                    << "unexpected argument 'extra'";
}

void TestCli::usageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const Run r = runPimscope(args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.out.isEmpty());
    QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    QCOMPARE(r.err.count('\n'),
             1 + QString::fromUtf8(r.err).count(QStringLiteral("\n  "))); // one line (+ the command list)
}

void TestCli::failures_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("message");
    for (const char *command : {"export", "stats"}) {
        QTest::addRow("%s missing file", command) << command << "missing"
                                                  << "no such capture file";
        QTest::addRow("%s foreign file", command) << command << "foreign"
                                                  << "not a Pimscope capture";
        QTest::addRow("%s other sqlite", command) << command << "sqlite"
                                                  << "another application";
    }
}

void TestCli::failures()
{
    QFETCH(QString, command);
    QFETCH(QString, kind);
    QFETCH(QString, message);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("x.db"));
    if (kind == u"foreign") {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(sample("akeneo_log_example.log"));
    } else if (kind == u"sqlite") {
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("other"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QVERIFY(QSqlQuery(db).exec(QStringLiteral("CREATE TABLE t (x)")));
        }
        QSqlDatabase::removeDatabase(QStringLiteral("other"));
    }
    const QByteArray before = sha256(path);
    const Run r = runPimscope({command, QStringLiteral("--db"), path});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.out.isEmpty());
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    QVERIFY(r.err.startsWith("pimscope: "));
    QCOMPARE(sha256(path), before);
    QCOMPARE(QFile::exists(path), kind != u"missing");
}

void TestCli::defaultDatabasePath()
{
    // Without --db the commands read the default capture in the app-data folder (HOME is a temporary one here).
    const Run r = runPimscope({QStringLiteral("stats")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("pimscope/capture.db: no such capture file"), r.err.constData());
}

void TestCli::windowHelpWithoutDisplay()
{
    // No display at all (no X, no Wayland, no platform chosen): --help, --version and usage errors still answer,
    // where a QApplication would abort for want of a platform plugin.
    const auto run = [](const QStringList &args) {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char *name : {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"})
            env.remove(QString::fromLatin1(name));
        p.setProcessEnvironment(env);
        p.start(QString::fromLocal8Bit(qgetenv("PIMSCOPE_BIN")), args);
        if (!p.waitForFinished(30000))
            qFatal("pimscope did not finish");
        return Run{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
                   p.readAllStandardError()};
    };
    Run r = run({QStringLiteral("--help")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains("--listen <HOST:PORT>"), r.out.constData());
    for (const char *command : {"receive", "import", "replay", "export", "stats", "secret"})
        QVERIFY2(r.out.contains(QByteArray(QByteArray("\n  ") + command + " ")), command);
    for (const char *command : {"receive", "import", "replay", "export", "stats", "secret"}) {
        const Run help = run({QString::fromLatin1(command), QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        QVERIFY2(help.out.startsWith(QByteArray(QByteArray("Usage: pimscope ") + command + " [options]")),
                 help.out.constData());
    }
    // Qt's own single-dash options still go to QApplication (here with a platform that needs no display).
    r = run({QStringLiteral("-platform"), QStringLiteral("offscreen"), QStringLiteral("--help")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains("--listen <HOST:PORT>"), r.out.constData());
    r = run({QStringLiteral("--version")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.startsWith("pimscope "));
    r = run({QStringLiteral("--colour")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("Unknown option 'colour'"), r.err.constData());
    QCOMPARE(r.err.count('\n'), 1);
    r = run({QStringLiteral("--db")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("Missing value after '--db'"), r.err.constData());
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
