// Exports in every format from real captures: CSV read back by an RFC 4180 reader, HAR checked against HAR 1.2's
// required fields, the Akeneo log format read back by Pimscope's own importer (an imported log comes back byte for
// byte; received and replayed deliveries come back as the lines the PIM would have written), and a secret planted
// everywhere a secret can be (the receiver's and the replay's secrets, an Authorization header stored unredacted
// by an older capture) found in no export, through the command.

#include "export/akeneologexport.h"
#include "export/csvexport.h"
#include "export/exporter.h"
#include "filter/filter.h"
#include "filter/sqlcompiler.h"
#include "fixedserver.h"
#include "formats/phpjson.h"
#include "logimport/logimporter.h"
#include "receiver/receiver.h"
#include "replay/replayer.h"
#include "store/eventstore.h"
#include "store/storereader.h"
#include "stored.h"
#include "testutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace pimscope;
using namespace pimscope::test;

namespace {

const QByteArray plantedHmacKey = "PLANTED-hmac-key-4f7a";
const QByteArray plantedAuthorization = "Bearer PLANTED-quable-token-93c1";
const QByteArray plantedOldHeader = "PLANTED-unredacted-b8e2";

std::unique_ptr<EventStore> openStore(const QString &path)
{
    auto s = EventStore::open(path);
    if (!s)
        qFatal("cannot open store: %s", qPrintable(s.error()));
    return std::move(s.value());
}

/** RFC 4180 reader: rows of fields (quoted fields may hold commas, quotes doubled, CR and LF). */
QList<QList<QByteArray>> readCsv(const QByteArray &text)
{
    QList<QList<QByteArray>> rows;
    QList<QByteArray> row;
    QByteArray field;
    bool quoted = false;
    bool wasQuoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"' && field.isEmpty() && !wasQuoted) {
            quoted = wasQuoted = true;
        } else if (c == ',') {
            row << field;
            field.clear();
            wasQuoted = false;
        } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            row << field;
            rows << row;
            row.clear();
            field.clear();
            wasQuoted = false;
            ++i;
        } else {
            field += c;
        }
    }
    if (!field.isEmpty() || !row.isEmpty())
        rows << (row << field);
    return rows;
}

QByteArray exportOf(StoreReader &reader, ExportFormat format, FilterTarget what, const QString &filter = {},
                    const HeaderRedactor &redactor = HeaderRedactor())
{
    const auto ids = reader.matchingIds(Filter::parse(filter), what);
    QByteArray out;
    const auto stats = runExport(reader, format, what, *ids, redactor, [&out](QByteArrayView b) {
        out += b;
        return true;
    });
    if (!stats)
        qFatal("export failed: %s", qPrintable(stats.error()));
    return out;
}

} // namespace

class TestExport : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void csvFieldQuoting();
    void csvReadsBack();
    void harHasEveryRequiredField();
    void akeneoLogOfAnImportedLogIsTheFile();
    void akeneoLogOfTrafficImportsAsThePimWouldLogIt();
    void phpJsonEncoding();
    void cancelledHarIsStillValid();
    void secretsAreInNoExport();
    void userNamedSecretHeadersInEveryExport();
    void commandRefusesUnknownFormat();

private:
    /** Three received deliveries (202 fast, 401 bad signature, 200 after 700 ms), a Quable one, and replays. */
    void fillTraffic();
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<EventStore> m_store;
};

void TestExport::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_store = openStore(m_dir->filePath(QStringLiteral("capture.db")));
}

void TestExport::cleanup()
{
    m_store.reset();
    m_dir.reset();
}

void TestExport::fillTraffic()
{
    const QByteArray batch = sample("akeneo_batch_example.json");
    Delivery ok = receivedDelivery(batch, iso("2026-11-20T10:00:00Z"), 3.5);
    ok.answeredStatus = 202;
    m_store->enqueue(ok);
    Delivery unauthorized = receivedDelivery(
        akeneoBody({akeneoEvent(QStringLiteral("e-401"), QStringLiteral("product.updated"),
                                QStringLiteral("2026-11-20T10:00:59+00:00"), QStringLiteral("MUG/1"))}),
        iso("2026-11-20T10:01:00Z"), 1.0);
    unauthorized.answeredStatus = 401;
    unauthorized.headers.append(Header{"X-Akeneo-Request-Signature", "0000"});
    m_store->enqueue(unauthorized);
    Delivery slow = receivedDelivery(
        akeneoBody({akeneoEvent(QStringLiteral("e-slow"), QStringLiteral("product_model.updated"),
                                QStringLiteral("2026-11-20T10:01:59+00:00"), QStringLiteral("tshirt"))}),
        iso("2026-11-20T10:02:00Z"), 700.0);
    m_store->enqueue(slow);
    Delivery quable = receivedDelivery(sample("quable_example.json"), iso("2026-11-20T10:03:00Z"));
    quable.path = "/quable";
    quable.headers.append(Header{"Authorization", "Bearer [redacted sha256:12345678]"});
    m_store->enqueue(quable);
    QVERIFY(m_store->flush());
}

void TestExport::csvFieldQuoting()
{
    const auto field = [](QByteArrayView in) {
        QByteArray out;
        csv::appendField(out, in);
        return out;
    };
    QCOMPARE(field("plain"), QByteArray("plain"));
    QCOMPARE(field(""), QByteArray(""));
    QCOMPARE(field("a,b"), QByteArray("\"a,b\""));
    QCOMPARE(field("say \"hi\""), QByteArray("\"say \"\"hi\"\"\""));
    QCOMPARE(field("two\nlines"), QByteArray("\"two\nlines\""));
    QCOMPARE(field("cr\rhere"), QByteArray("\"cr\rhere\""));
    QCOMPARE(field("caf\xc3\xa9"), QByteArray("caf\xc3\xa9"));
}

void TestExport::csvReadsBack()
{
    fillTraffic();
    StoreReader &reader = m_store->reader();
    // Events: a header row, one row per event with as many fields, the payload column the event's exact bytes.
    const auto events = readCsv(exportOf(reader, ExportFormat::Csv, FilterTarget::Events));
    const auto eventIds = reader.matchingIds(Filter(), FilterTarget::Events);
    QCOMPARE(events.size(), eventIds->size() + 1);
    const QList<QByteArray> header = events.front();
    QCOMPARE(header.front(), QByteArray("id"));
    QCOMPARE(header.back(), QByteArray("payload"));
    const auto records = reader.events(*eventIds).value();
    for (qsizetype i = 0; i < records.size(); ++i) {
        QCOMPARE(events[i + 1].size(), header.size());
        QCOMPARE(events[i + 1][header.indexOf("event_id")], records[i].event.eventId.toUtf8());
        QCOMPARE(events[i + 1].back(), records[i].payload);
    }
    // Deliveries: headers in wire order, bodies whole (they hold commas, quotes and newlines).
    const auto deliveries = readCsv(exportOf(reader, ExportFormat::Csv, FilterTarget::Deliveries));
    const QList<Delivery> stored = allDeliveries(reader);
    QCOMPARE(deliveries.size(), stored.size() + 1);
    const QList<QByteArray> dh = deliveries.front();
    for (qsizetype i = 0; i < stored.size(); ++i) {
        QCOMPARE(deliveries[i + 1].size(), dh.size());
        QCOMPARE(deliveries[i + 1][dh.indexOf("body")], stored[i].body);
        QCOMPARE(deliveries[i + 1][dh.indexOf("answered_status")], QByteArray::number(*stored[i].answeredStatus));
        QVERIFY(deliveries[i + 1][dh.indexOf("headers")].startsWith(
            "Host: 127.0.0.1:8787\nContent-Type: application/json\n"));
    }
}

void TestExport::harHasEveryRequiredField()
{
    fillTraffic();
    QVERIFY(LogImporter(*m_store).importFile(QStringLiteral(PIMSCOPE_SAMPLES_DIR "/akeneo_log_example.log")));
    StoreReader &reader = m_store->reader();
    const QByteArray har = exportOf(reader, ExportFormat::Har, FilterTarget::Deliveries);
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(har, &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    const QJsonObject log = doc.object()[u"log"].toObject();
    QCOMPARE(log[u"version"].toString(), QStringLiteral("1.2"));
    QCOMPARE(log[u"creator"].toObject()[u"name"].toString(), QStringLiteral("Pimscope"));
    const QJsonArray entries = log[u"entries"].toArray();
    // Every request: the 4 received, and of the log's 35 lines those that were requests (not NOTICE / WARNING).
    const qint64 logRequests = *reader.countMatching(
        Filter::parse(QStringLiteral("origin == log && message in {request_sent, endpoint_error, timeout}")),
        FilterTarget::Deliveries);
    QCOMPARE(entries.size(), 4 + logRequests);
    const auto has = [](const QJsonObject &o, std::initializer_list<const char16_t *> keys) {
        for (const char16_t *k : keys) {
            if (!o.contains(QStringView(k)))
                return QString::fromUtf16(k);
        }
        return QString();
    };
    const QList<Delivery> received = allDeliveries(reader, QStringLiteral("origin == receiver"));
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const QJsonObject e = entries[i].toObject();
        QCOMPARE(has(e, {u"startedDateTime", u"time", u"request", u"response", u"cache", u"timings"}), QString());
        const QJsonObject request = e[u"request"].toObject();
        QCOMPARE(has(request,
                     {u"method", u"url", u"httpVersion", u"cookies", u"headers", u"queryString", u"headersSize",
                      u"bodySize"}),
                 QString());
        const QJsonObject response = e[u"response"].toObject();
        QCOMPARE(has(response,
                     {u"status", u"statusText", u"httpVersion", u"cookies", u"headers", u"content", u"redirectURL",
                      u"headersSize", u"bodySize"}),
                 QString());
        QCOMPARE(has(response[u"content"].toObject(), {u"size", u"mimeType"}), QString());
        QCOMPARE(has(e[u"timings"].toObject(), {u"send", u"wait", u"receive"}), QString());
        QVERIFY(e[u"time"].toDouble() >= 0);
        QVERIFY(QDateTime::fromString(e[u"startedDateTime"].toString(), Qt::ISODateWithMs).isValid());
        QVERIFY(QUrl(request[u"url"].toString()).isValid());
        if (i < received.size()) {
            // A received request: its body exactly, its headers in wire order, the answer the receiver gave.
            QCOMPARE(request[u"postData"].toObject()[u"text"].toString().toUtf8(), received[i].body);
            QCOMPARE(request[u"headers"].toArray().size(), received[i].headers.size());
            QCOMPARE(response[u"status"].toInt(), *received[i].answeredStatus);
            QCOMPARE(e[u"timings"].toObject()[u"wait"].toDouble(), *received[i].ackMs);
            QCOMPARE(e[u"_pimscope"].toObject()[u"delivery_id"].toInteger(), received[i].id);
        }
    }
    QCOMPARE(entries[0].toObject()[u"request"].toObject()[u"url"].toString(),
             QStringLiteral("http://127.0.0.1:8787/hook/events"));
    QCOMPARE(entries[1].toObject()[u"response"].toObject()[u"statusText"].toString(), QStringLiteral("Unauthorized"));
    // Asked for events, HAR writes the deliveries that hold them, each once.
    const QByteArray ofEvents
        = exportOf(reader, ExportFormat::Har, FilterTarget::Events, QStringLiteral("origin == receiver"));
    QCOMPARE(QJsonDocument::fromJson(ofEvents).object()[u"log"].toObject()[u"entries"].toArray().size(), 4);
}

void TestExport::akeneoLogOfAnImportedLogIsTheFile()
{
    const QString path = QStringLiteral(PIMSCOPE_SAMPLES_DIR "/akeneo_log_example.log");
    QVERIFY(LogImporter(*m_store).importFile(path));
    const QByteArray out = exportOf(m_store->reader(), ExportFormat::AkeneoLog, FilterTarget::Deliveries);
    QCOMPARE(out, readFile(path));
    // Asked for the events of the failed requests: their lines, in time order.
    const QByteArray failed
        = exportOf(m_store->reader(), ExportFormat::AkeneoLog, FilterTarget::Events, QStringLiteral("level == ERROR"));
    QVERIFY(!failed.isEmpty());
    for (const QByteArray &line : failed.trimmed().split('\n'))
        QVERIFY2(line.mid(20).startsWith("ERROR "), line.constData());
}

void TestExport::akeneoLogOfTrafficImportsAsThePimWouldLogIt()
{
    fillTraffic();
    // Replays: to the receiver (202), to a failing connector (500), to one that never answers (timeout at 150 ms).
    auto target = openStore(m_dir->filePath(QStringLiteral("target.db")));
    ReceiverSettings settings;
    settings.port = 0;
    Receiver receiver(target.get(), settings);
    QVERIFY(receiver.start());
    FixedServer failing("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n");
    FixedServer silent({});
    const auto plan = planReplay(m_store->reader(),
                                 Filter::parse(QStringLiteral("origin == receiver && format == akeneo")), {}, {});
    QVERIFY2(plan, qPrintable(plan.error()));
    const QList<std::pair<QUrl, int>> targets = {{QUrl(receiver.url() + QStringLiteral("hook")), 5000},
                                                 {failing.url("/connector"), 5000},
                                                 {silent.url("/connector"), 150}};
    for (const auto &[url, timeoutMs] : targets) {
        ReplayTarget t;
        t.url = url;
        t.timeoutMs = timeoutMs;
        Replayer replayer(t, plan->requests, m_store.get());
        QSignalSpy finished(&replayer, &Replayer::finished);
        replayer.start();
        QVERIFY(finished.wait(30000));
    }
    QVERIFY(m_store->flush());

    StoreReader &reader = m_store->reader();
    const QList<Delivery> sources = allDeliveries(reader, QStringLiteral("format == akeneo"));
    const QByteArray log
        = exportOf(reader, ExportFormat::AkeneoLog, FilterTarget::Deliveries, QStringLiteral("format == akeneo"));
    const QString logPath = m_dir->filePath(QStringLiteral("events_api_logs_20261120_110000.txt"));
    QFile file(logPath);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(log);
    file.close();

    // Read back by the importer into a capture of its own: every line well-formed, each as the PIM would log it.
    auto again = openStore(m_dir->filePath(QStringLiteral("again.db")));
    const auto summary = LogImporter(*again).importFile(logPath);
    QVERIFY2(summary, qPrintable(summary.error()));
    const QList<Delivery> lines = allDeliveries(again->reader());
    QCOMPARE(lines.size(), sources.size());
    const auto expected = [](const Delivery &d) -> std::pair<LogMessage, std::optional<int>> {
        if (d.origin == Origin::Replay)
            return {*d.logMessage, d.logMessage == LogMessage::Timeout ? std::nullopt : d.statusCode};
        if (*d.ackMs > 500)
            return {LogMessage::Timeout, std::nullopt};
        return {*d.answeredStatus >= 400 ? LogMessage::EndpointError : LogMessage::RequestSent, d.answeredStatus};
    };
    int timeouts = 0;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const Delivery &line = lines[i];
        const Delivery &source = sources[i];
        QVERIFY2(line.error.isEmpty(), qPrintable(line.error));
        QCOMPARE(line.receivedAtMs / 1000, source.receivedAtMs / 1000);
        const auto [kind, status] = expected(source);
        QCOMPARE(line.logMessage, std::optional(kind));
        QCOMPARE(line.logLevel, std::optional(kind == LogMessage::RequestSent ? LogLevel::Info : LogLevel::Error));
        QCOMPARE(line.statusCode, status);
        QCOMPARE(line.eventCount, source.eventCount);
        const auto sourceEvents = reader.eventsOfDelivery(source.id).value();
        const auto lineEvents = again->reader().eventsOfDelivery(line.id).value();
        for (qsizetype k = 0; k < sourceEvents.size(); ++k) {
            QCOMPARE(lineEvents[k].event.eventId, sourceEvents[k].event.eventId);
            QCOMPARE(lineEvents[k].event.action, sourceEvents[k].event.action);
            QCOMPARE(lineEvents[k].event.eventTimeMs, sourceEvents[k].event.eventTimeMs);
            QCOMPARE(lineEvents[k].event.subjectId, sourceEvents[k].event.subjectId);
        }
        if (source.origin == Origin::Replay)
            QCOMPARE(line.url, source.url);
        else
            QCOMPARE(line.url, QStringLiteral("http://127.0.0.1:8787/hook/events"));
        if (kind == LogMessage::EndpointError && source.origin == Origin::Receiver)
            QCOMPARE(headerValue(line.headers, "X-Akeneo-Request-Signature"), QByteArray("0000")); // the request's
        timeouts += kind == LogMessage::Timeout;
    }
    QCOMPARE(timeouts, 1 + plan->requests.size()); // the slow received one, the replays to the silent target
    QVERIFY(log.contains(" ERROR The endpoint failed to answer under 150 ms. "));
    QVERIFY(log.contains(" ERROR The endpoint returned an error. "));
    QVERIFY(log.contains(" INFO The API event request was sent. "));
    QVERIFY(log.contains(" ERROR The endpoint failed to answer under 500 ms. "));
}

void TestExport::phpJsonEncoding()
{
    QByteArray out;
    appendPhpJsonString(out, u"https://x/\"q\"\\\n\t\x01 caf\u00e9 \U0001F600");
    // (What PHP's json_encode writes for that string.)
    const QByteArray expected = "\"https:\\/\\/x\\/\\\"q\\\"\\\\\\n\\t\\u0001 caf\\u00e9 \\ud83d\\ude00\"";
    QCOMPARE(out, expected);
}

void TestExport::cancelledHarIsStillValid()
{
    for (int i = 0; i < 1200; ++i)
        m_store->enqueue(receivedDelivery(
            akeneoBody({akeneoEvent(QStringLiteral("c-%1").arg(i), QStringLiteral("product.updated"),
                                    QStringLiteral("2026-11-20T10:00:00+00:00"), QStringLiteral("P%1").arg(i))}),
            iso("2026-11-20T10:00:00Z") + i));
    QVERIFY(m_store->flush());
    StoreReader &reader = m_store->reader();
    const auto ids = reader.matchingIds(Filter(), FilterTarget::Deliveries);
    QByteArray out;
    int pages = 0;
    const auto stats = runExport(
        reader, ExportFormat::Har, FilterTarget::Deliveries, *ids, HeaderRedactor(),
        [&out](QByteArrayView b) {
            out += b;
            return true;
        },
        [&pages](qint64 done, qint64 total) {
            if (total != 1200 || done > total)
                qFatal("progress %lld of %lld", qint64(done), qint64(total));
            return ++pages < 2; // cancel after the second page
        });
    QVERIFY(stats);
    QVERIFY(stats->cancelled);
    QCOMPARE(stats->rows, 1000);
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(out, &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    QCOMPARE(doc.object()[u"log"].toObject()[u"entries"].toArray().size(), 1000);
    // A sink that cannot write fails the export, naming it.
    const auto failed = runExport(reader, ExportFormat::Jsonl, FilterTarget::Deliveries, *ids, HeaderRedactor(),
                                  [](QByteArrayView) { return false; });
    QVERIFY(!failed);
    QVERIFY(failed.error().contains(QStringLiteral("cannot write")));
}

void TestExport::secretsAreInNoExport()
{
    const QString bin = qEnvironmentVariable("PIMSCOPE_BIN");
    QVERIFY(!bin.isEmpty());
    // A receiver with the HMAC key and Quable's Authorization value as its secrets, fed by the replayer signing with
    // them (Akeneo: the key only goes into the signature; Quable: the value is the Authorization header).
    const QByteArray quableSecret = plantedAuthorization;
    SignatureRule rule;
    rule.akeneoSecret = plantedHmacKey;
    rule.quableAuthorization = quableSecret;
    ReceiverSettings settings;
    settings.port = 0;
    settings.signatures.rules = {rule};
    Receiver receiver(m_store.get(), settings);
    QVERIFY(receiver.start());
    auto source = openStore(m_dir->filePath(QStringLiteral("source.db")));
    source->enqueue(receivedDelivery(sample("akeneo_batch_example.json"), iso("2026-11-20T10:00:00Z")));
    Delivery q = receivedDelivery(sample("quable_example.json"), iso("2026-11-20T10:00:01Z"));
    q.path = "/quable";
    source->enqueue(q);
    QVERIFY(source->flush());
    const auto plan = planReplay(source->reader(), Filter(), {}, {});
    QVERIFY(plan);
    for (const QByteArray &secret : {plantedHmacKey, quableSecret}) {
        ReplayTarget t;
        t.url = QUrl(receiver.url() + QStringLiteral("hook"));
        t.secrets.primary = secret;
        // Stored at the receiver (received) and in the source capture (replay results).
        for (EventStore *resultsIn : {m_store.get(), source.get()}) {
            Replayer replayer(t, plan->requests, resultsIn);
            QSignalSpy finished(&replayer, &Replayer::finished);
            replayer.start();
            QVERIFY(finished.wait(30000));
        }
    }
    // And an Authorization header an older capture stored as it came.
    Delivery old = receivedDelivery(sample("quable_example.json"), iso("2026-11-20T10:00:02Z"));
    old.headers.append(Header{"Authorization", "Token " + plantedOldHeader});
    old.headers.append(Header{"Proxy-Authorization", plantedOldHeader});
    m_store->enqueue(old);
    QVERIFY(m_store->flush());
    const auto verdicts = allDeliveries(m_store->reader(), QStringLiteral("origin == receiver && signature == valid"));
    QVERIFY2(verdicts.size() >= 4, "the replayed requests were verified by the receiver");
    const QString db = m_store->path();
    receiver.stop();
    m_store.reset();
    const QString sourceDb = source->path();
    source.reset();

    int exports = 0;
    for (const QString &path : {db, sourceDb}) {
        for (const QString &format : exportFormatNames()) {
            for (const QString &what : {QStringLiteral("events"), QStringLiteral("deliveries")}) {
                QProcess p;
                p.start(bin,
                        {QStringLiteral("export"), QStringLiteral("--db"), path, QStringLiteral("--format"), format,
                         QStringLiteral("--what"), what});
                QVERIFY(p.waitForFinished(30000));
                QCOMPARE(p.exitCode(), 0);
                const QByteArray out = p.readAllStandardOutput();
                QVERIFY2(out.size() > 200, qPrintable(format));
                const QByteArray context = (format + u' ' + what + u' ' + path).toUtf8();
                for (const QByteArray &secret :
                     {plantedHmacKey, QByteArray("PLANTED-quable-token-93c1"), plantedOldHeader})
                    QVERIFY2(!out.contains(secret), QByteArray(context + ": " + secret).constData());
                // The headers are there, their values redacted (no empty export passing for a clean one).
                if (what == u"deliveries" && format != u"akeneo-log")
                    QVERIFY2(out.contains("[redacted "), context.constData());
                ++exports;
            }
        }
    }
    QCOMPARE(exports, 2 * 4 * 2);
}

void TestExport::userNamedSecretHeadersInEveryExport()
{
    // A header the user named secret (X-Api-Key) is redacted on every way out: by the import of a log whose lines
    // hold it, and by every export format of a capture that stored it before it was named (its value as it came).
    const QString bin = qEnvironmentVariable("PIMSCOPE_BIN");
    QVERIFY(!bin.isEmpty());
    const QByteArray receivedKey = "PLANTED-api-key-received-51d0";
    const QByteArray loggedKey = "PLANTED-api-key-logged-77a3";
    Delivery old = receivedDelivery(sample("akeneo_batch_example.json"), iso("2026-11-20T10:00:00Z"));
    old.headers.append(Header{"X-Api-Key", receivedKey});
    m_store->enqueue(old);
    QVERIFY(m_store->flush());
    const QString db = m_store->path();
    m_store.reset();

    const QString log = m_dir->filePath(QStringLiteral("events.log"));
    {
        QFile f(log);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(
            "2026/11/20 10:00:05 ERROR The endpoint returned an error. "
            R"({"event_subscription_url":"https:\/\/x","status_code":401,"headers":{"x-api-key":[")"
            + loggedKey
            + R"("],"Host":["x"]},"events":[{"action":"product.updated","event_id":"5d9f5a1e-0c3b-4f8e-9a47-2b6c1d3e4f50",)"
              R"("event_datetime":"2026-11-20T10:00:01+00:00","author":"julia","author_type":"ui","product_identifier":"SKU-1"}]})"
              "\n");
    }
    const auto run = [&bin](const QStringList &args, int expectedExit = 0) {
        QProcess p;
        p.start(bin, args);
        if (!p.waitForFinished(30000) || p.exitCode() != expectedExit)
            qFatal("pimscope %s: exit %d: %s", qPrintable(args.join(u' ')), p.exitCode(),
                   p.readAllStandardError().constData());
        return p.readAllStandardOutput();
    };
    const QString secretHeader = QStringLiteral("--secret-header");
    run({QStringLiteral("import"), QStringLiteral("--db"), db, secretHeader, QStringLiteral("X-Api-Key"), log});
    // A name that is not a header name is a usage error.
    run({QStringLiteral("export"), QStringLiteral("--db"), db, secretHeader, QStringLiteral("X Api Key")}, 2);

    int exports = 0;
    for (const QString &format : exportFormatNames()) {
        for (const QString &what : {QStringLiteral("events"), QStringLiteral("deliveries")}) {
            const QStringList args{QStringLiteral("export"),
                                   QStringLiteral("--db"),
                                   db,
                                   QStringLiteral("--format"),
                                   format,
                                   QStringLiteral("--what"),
                                   what};
            const QByteArray out = run(args + QStringList{secretHeader, QStringLiteral("x-api-key")});
            const QByteArray context = (format + u' ' + what).toUtf8();
            QVERIFY2(out.size() > 200, context.constData());
            QVERIFY2(!out.contains(receivedKey), context.constData());
            QVERIFY2(!out.contains(loggedKey), context.constData());
            if (what == u"deliveries" && format != u"akeneo-log")
                QVERIFY2(out.contains("[redacted sha256:"), context.constData());
            // Without naming it, the value stored as it came is written as it is: the option is what redacts it.
            if (what == u"deliveries" && format != u"akeneo-log")
                QVERIFY2(run(args).contains(receivedKey), context.constData());
            ++exports;
        }
    }
    QCOMPARE(exports, 4 * 2);
    // The import kept no copy of the logged key: not in the stored line, nor anywhere in the capture's files.
    for (const QString &file : QDir(m_dir->path()).entryList({QStringLiteral("capture.db*")}, QDir::Files))
        QVERIFY2(!readFile(m_dir->filePath(file)).contains(loggedKey), qPrintable(file));
}

void TestExport::commandRefusesUnknownFormat()
{
    QProcess p;
    p.start(qEnvironmentVariable("PIMSCOPE_BIN"),
            {QStringLiteral("export"), QStringLiteral("--db"), m_store->path(), QStringLiteral("--format"),
             QStringLiteral("xml")});
    QVERIFY(p.waitForFinished(30000));
    QCOMPARE(p.exitCode(), 2);
    const QByteArray err = p.readAllStandardError();
    QVERIFY2(err.contains("unsupported --format 'xml' (supported: jsonl, csv, har, akeneo-log)"), err.constData());
}

QTEST_GUILESS_MAIN(TestExport)
#include "tst_export.moc"
