// Replay against real local servers: Pimscope's own receiver with a secret (every replayed delivery verifies, every
// event arrives, batches never exceed N), and bad targets (too slow, 500s, connection refused, a redirect, a
// self-signed certificate), each classified as the PIM would log it; pacing, order, duplicates, cancel, cURL, and
// the command's exit codes.

#include "fixedserver.h"
#include "formats/payloadparser.h"
#include "logimport/logimporter.h"
#include "receiver/receiver.h"
#include "receiver/tlsconfig.h"
#include "replay/replayer.h"
#include "replay/replaysigner.h"
#include "signing/hmac.h"
#include "store/eventstore.h"
#include "store/storereader.h"
#include "stored.h"
#include "testutil.h"

#include <QFileInfo>
#include <QProcess>
#include <QScopeGuard>
#include <QSet>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace pimscope;
using namespace pimscope::test;

namespace {

const QByteArray secret = "replay-secret-0123456789";

std::unique_ptr<EventStore> openStore(const QString &path)
{
    auto s = EventStore::open(path);
    if (!s)
        qFatal("cannot open store: %s", qPrintable(s.error()));
    return std::move(s.value());
}

} // namespace

class TestReplay : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void rebatchedToOwnReceiverVerifies();
    void asReceivedSendsTheExactBodies();
    void eventPlatformIsSignedItsWay();
    void eventPlatformCarriesBothSignatures();
    void replaysAreLeftOutUnlessNamed();
    void logEventsAreLeftOutUnlessNamed();
    void signingWarnings();
    void orderAndDuplicates();
    void badTargetsAreClassified();
    void selfSignedCertificate();
    void certificateNameIsChecked();
    void pacingIsEven();
    void cancelKeepsPartialResults();
    void cancelFromAResultHandler();
    void pacingDoesNotCatchUp();
    void curlReproducesTheRequest();
    void commandLine();
    void asSenderStopsWhereQuableDisables();
    void asSenderRetriesUntilTheConnectorRecovers();

private:
    /** Fills the source capture: three Akeneo batches of 10 events, one Quable notification. */
    void fillSource();
    ReplaySummary run(const ReplayTarget &target, const QList<ReplayRequest> &requests,
                      QList<ReplayResult> *results = nullptr);
    void startReceiver(ReceiverSettings settings = {});
    /** startReceiver() verifying Event Platform signatures with `secrets` alone. */
    void startPlatformReceiver(const QList<QByteArray> &secrets);
    /** Adds an Event Platform message received on /event-platform to the source capture (not flushed); its body. */
    QByteArray addPlatformMessage();
    /** The receiver started by startReceiver() on `path`, signed with the secret. */
    ReplayTarget toReceiver(const char *path) const;
    QList<Delivery> received();

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<EventStore> m_source;
    std::unique_ptr<EventStore> m_target;
    std::unique_ptr<Receiver> m_receiver;
};

void TestReplay::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_source = openStore(m_dir->filePath(QStringLiteral("source.db")));
    m_target = openStore(m_dir->filePath(QStringLiteral("target.db")));
    fillSource();
}

void TestReplay::cleanup()
{
    m_receiver.reset();
    m_source.reset();
    m_target.reset();
    m_dir.reset();
}

void TestReplay::fillSource()
{
    const QByteArray batch = sample("akeneo_batch_example.json");
    for (int i = 0; i < 3; ++i) {
        // Distinct event ids per copy, so that every event can be found at the target.
        QByteArray body = batch;
        body.replace("\"event_id\":\"", QByteArray("\"event_id\":\"" + QByteArray::number(i) + "-"));
        m_source->enqueue(receivedDelivery(body, iso("2026-11-20T10:00:00Z") + i * 1000));
    }
    Delivery q = receivedDelivery(sample("quable_example.json"), iso("2026-11-20T10:00:05Z"));
    q.path = "/quable";
    m_source->enqueue(q);
    QVERIFY(m_source->flush());
}

void TestReplay::startReceiver(ReceiverSettings settings)
{
    settings.port = 0;
    if (settings.signatures.rules.isEmpty()) {
        SignatureRule rule;
        rule.akeneoSecret = secret;
        rule.quableAuthorization = secret;
        settings.signatures.rules = {rule};
    }
    m_receiver = std::make_unique<Receiver>(m_target.get(), settings);
    const auto port = m_receiver->start();
    QVERIFY2(port, qPrintable(port.error()));
}

void TestReplay::startPlatformReceiver(const QList<QByteArray> &secrets)
{
    ReceiverSettings settings;
    SignatureRule rule;
    rule.eventPlatformSecrets = secrets;
    settings.signatures.rules = {rule};
    startReceiver(settings);
}

QByteArray TestReplay::addPlatformMessage()
{
    const QByteArray body = readFile(QStringLiteral(PIMSCOPE_TEST_DATA_DIR "/formats/event_platform_single/body"));
    Delivery d = receivedDelivery(body, iso("2026-11-20T10:00:09Z"));
    d.path = "/event-platform";
    m_source->enqueue(d);
    return body;
}

ReplayTarget TestReplay::toReceiver(const char *path) const
{
    ReplayTarget target;
    target.url = QUrl(m_receiver->url() + QLatin1StringView(path));
    target.secrets.primary = secret;
    return target;
}

QList<Delivery> TestReplay::received()
{
    m_target->flush();
    return allDeliveries(m_target->reader());
}

ReplaySummary TestReplay::run(const ReplayTarget &target, const QList<ReplayRequest> &requests,
                              QList<ReplayResult> *results)
{
    Replayer replayer(target, requests, m_source.get());
    QSignalSpy finished(&replayer, &Replayer::finished);
    if (results)
        connect(&replayer, &Replayer::requestFinished, this, [results](const ReplayResult &r) { results->append(r); });
    replayer.start();
    if (!finished.wait(60000))
        qFatal("the replay did not finish");
    return replayer.summary();
}

void TestReplay::rebatchedToOwnReceiverVerifies()
{
    startReceiver();
    ReplayPlanOptions options;
    options.batchSize = 4;
    auto plan = planReplay(m_source->reader(), Filter(), {}, options);
    QVERIFY2(plan, qPrintable(plan.error()));
    QCOMPARE(plan->events, 31);
    // 30 Akeneo events in batches of at most 4 (8 requests), the Quable one alone.
    QCOMPARE(plan->requests.size(), 9);
    ReplayTarget target = toReceiver("hook");
    target.url.setUserInfo(QStringLiteral("someone:url-password"));
    target.concurrency = 3;
    QList<ReplayResult> results;
    const ReplaySummary s = run(target, plan->requests, &results);
    QCOMPARE(s.sent, 9);
    QCOMPARE(s.ok, 9);
    QCOMPARE(results.size(), 9);
    for (const ReplayResult &r : results) {
        QCOMPARE(r.kind, LogMessage::RequestSent);
        QCOMPARE(*r.status, 200);
    }
    const QList<Delivery> got = received();
    QCOMPARE(got.size(), 9);
    QSet<QString> ids;
    for (const Delivery &d : got) {
        QCOMPARE(d.signature, Signature::Valid);
        QVERIFY(d.eventCount <= 4);
        QVERIFY(headerValue(d.headers, "User-Agent").startsWith("Pimscope/"));
        QCOMPARE(headerValue(d.headers, "Content-Type"), QByteArray("application/json"));
    }
    auto events = m_target->reader().events(*m_target->reader().matchingIds(Filter(), FilterTarget::Events));
    for (const EventRecord &e : *events)
        ids.insert(e.event.eventId);
    auto original = m_source->reader().events(
        *m_source->reader().matchingIds(Filter::parse(QStringLiteral("origin == receiver")), FilterTarget::Events));
    QCOMPARE(original->size(), 31);
    for (const EventRecord &e : *original) {
        QVERIFY2(ids.contains(e.event.eventId), qPrintable(e.event.eventId));
    }
    // The event bytes are the original ones, not re-serialized.
    QHash<QString, QByteArray> sent;
    for (const EventRecord &e : *events)
        sent.insert(e.event.eventId, e.payload);
    for (const EventRecord &e : *original)
        QCOMPARE(sent.value(e.event.eventId), e.payload);
    // The results are deliveries of origin replay in the source capture.
    QVERIFY(m_source->flush());
    auto replays = m_source->reader().deliveries(
        *m_source->reader().matchingIds(Filter::parse(QStringLiteral("origin == replay")), FilterTarget::Deliveries));
    QCOMPARE(replays->size(), 9);
    for (const Delivery &d : *replays) {
        QCOMPARE(d.statusCode, std::optional<int>(200));
        QCOMPARE(d.logMessage, std::optional<LogMessage>(LogMessage::RequestSent));
        QVERIFY(d.ackMs.has_value());
        // The URL's password is not kept.
        QCOMPARE(d.url, target.url.toString(QUrl::RemoveUserInfo));
        QVERIFY(!d.url.contains(QStringLiteral("url-password")) && !d.remote.contains(QStringLiteral("url-password")));
        // The Quable request's Authorization (the secret) is stored redacted.
        QVERIFY(!QByteArray(d.headers.isEmpty() ? QByteArray() : d.headers.last().value).contains(secret));
    }
}

void TestReplay::asReceivedSendsTheExactBodies()
{
    startReceiver();
    ReplayPlanOptions options;
    options.mode = ReplayMode::AsReceived;
    auto plan
        = planReplay(m_source->reader(), Filter::parse(QStringLiteral("action == \"product.created\"")), {}, options);
    QVERIFY2(plan, qPrintable(plan.error()));
    // The selected events lie in the three Akeneo deliveries: each is sent whole, once.
    QCOMPARE(plan->requests.size(), 3);
    QVERIFY(!plan->notes.isEmpty());
    ReplayTarget target = toReceiver("hook");
    QCOMPARE(run(target, plan->requests).ok, 3);
    const QList<Delivery> got = received();
    QCOMPARE(got.size(), 3);
    auto sourceDeliveries = m_source->reader().deliveries({1, 2, 3});
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(got[i].body, sourceDeliveries->at(i).body); // concurrency 1: in the original order
        QCOMPARE(got[i].signature, Signature::Valid);
        // Only what the PIM would send goes out: none of the stored headers (the source had X-Custom twice).
        QVERIFY(headerValue(sourceDeliveries->at(i).headers, "X-Custom").size() > 0);
        QVERIFY(headerValue(got[i].headers, "X-Custom").isNull());
        QStringList names;
        for (const Header &h : got[i].headers)
            names << QString::fromLatin1(h.name).toLower();
        names.sort();
        QCOMPARE(names,
                 QStringList({QStringLiteral("content-length"), QStringLiteral("content-type"), QStringLiteral("host"),
                              QStringLiteral("user-agent"), QStringLiteral("x-akeneo-request-signature"),
                              QStringLiteral("x-akeneo-request-timestamp")}));
    }
}

void TestReplay::eventPlatformIsSignedItsWay()
{
    startPlatformReceiver({secret});
    addPlatformMessage();
    QVERIFY(m_source->flush());
    auto plan
        = planReplay(m_source->reader(), Filter::parse(QStringLiteral("format == akeneo-event-platform")), {}, {});
    QVERIFY2(plan, qPrintable(plan.error()));
    QCOMPARE(plan->requests.size(), 1);
    QCOMPARE(plan->requests.front().format, Format::AkeneoEventPlatform);
    ReplayTarget target = toReceiver("event-platform");
    QCOMPARE(run(target, plan->requests).ok, 1);
    const QList<Delivery> got = received();
    QCOMPARE(got.size(), 1);
    QCOMPARE(got.front().signature, Signature::Valid);
    QCOMPARE(headerValue(got.front().headers, "X-AKENEO-SIGNATURE-ALGORITHM"), QByteArray("HmacSHA256"));
}

void TestReplay::eventPlatformCarriesBothSignatures()
{
    // A connector in the middle of a secret rotation: it already verifies with the new secret only, which the
    // subscription holds as its secondary one (akeneo/pim-api-docs content/event-platform/concepts.md: "We generate
    // two signatures for each payload to facilitate secret rotation on your side").
    const QByteArray oldSecret = "event-platform-old-secret-1";
    const QByteArray newSecret = "event-platform-new-secret-2";
    startPlatformReceiver({newSecret});
    const QByteArray body = addPlatformMessage();
    // A notification webhook of the same sender: signed with its one notification secret, never a secondary.
    const QByteArray notice
        = readFile(QStringLiteral(PIMSCOPE_TEST_DATA_DIR "/formats/event_platform_notification_suspended/body"));
    m_source->enqueue(receivedDelivery(notice, iso("2026-11-20T10:00:10Z")));
    QVERIFY(m_source->flush());
    auto plan
        = planReplay(m_source->reader(), Filter::parse(QStringLiteral("format == akeneo-event-platform")), {}, {});
    QVERIFY2(plan, qPrintable(plan.error()));
    QCOMPARE(plan->requests.size(), 2);
    QVERIFY(!plan->requests[0].notification);
    QVERIFY(plan->requests[1].notification);
    const QList<ReplayRequest> message = {plan->requests[0]};

    // With the old secret alone the connector refuses it...
    ReplayTarget target = toReceiver("event-platform");
    target.secrets = {oldSecret, {}};
    QCOMPARE(run(target, message).ok, 0);
    QCOMPARE(received().size(), 1);
    QCOMPARE(received().front().signature, Signature::Invalid);
    QVERIFY(headerValue(received().front().headers, "X-AKENEO-SIGNATURE-SECONDARY").isEmpty());
    // ...with both, the secondary signature verifies: both headers, each the HMAC of the body with its secret.
    target.secrets = {oldSecret, newSecret};
    QCOMPARE(run(target, message).ok, 1);
    const QList<Delivery> got = received();
    QCOMPARE(got.size(), 2);
    QCOMPARE(got[1].signature, Signature::Valid);
    QCOMPARE(got[1].signatureDetail,
             QStringLiteral("valid: X-AKENEO-SIGNATURE-SECONDARY matches the primary secret")); // its only one
    const QByteArray sent = message.front().body; // the event as sent (rebatched: its slice of the delivery)
    QCOMPARE(got[1].body, sent);
    QCOMPARE(headerValue(got[1].headers, "X-AKENEO-SIGNATURE-PRIMARY"), hmacSha256Hex(oldSecret, sent));
    QCOMPARE(headerValue(got[1].headers, "X-AKENEO-SIGNATURE-SECONDARY"), hmacSha256Hex(newSecret, sent));
    QCOMPARE(headerValue(got[1].headers, "X-AKENEO-SIGNATURE-ALGORITHM"), QByteArray("HmacSHA256"));

    // The notification: the primary signature only, whatever secondary secret is given.
    const Headers headers = replayHeaders(plan->requests[1], target.secrets, 0);
    QCOMPARE(headerValue(headers, "X-AKENEO-SIGNATURE-PRIMARY"), hmacSha256Hex(oldSecret, plan->requests[1].body));
    QVERIFY(headerValue(headers, "X-AKENEO-SIGNATURE-SECONDARY").isEmpty());
    // Other senders never get it: the Events API signs with its one secret, Quable sends its Authorization.
    for (const Format f : {Format::Akeneo, Format::Quable, Format::Unknown}) {
        const Headers other = replayHeaders(f, body, target.secrets, 0);
        QVERIFY(headerValue(other, "X-AKENEO-SIGNATURE-SECONDARY").isEmpty());
    }
    // No primary secret: unsigned, the secondary alone is not used.
    QCOMPARE(replayHeaders(plan->requests[0], {{}, newSecret}, 0).size(), 2);
    // A secondary secret that signs nothing is said.
    auto akeneo = planReplay(m_source->reader(), Filter::parse(QStringLiteral("format == akeneo")), {}, {});
    QVERIFY(pimscope::signingWarnings(akeneo->requests, {secret, newSecret})
                .join(u'|')
                .contains(QStringLiteral("the secondary secret signs nothing")));
    QVERIFY(pimscope::signingWarnings({plan->requests[1]}, {secret, newSecret})
                .join(u'|')
                .contains(QStringLiteral("the secondary secret signs nothing")));
    QVERIFY(pimscope::signingWarnings(plan->requests, {secret, newSecret}).isEmpty());
    // As received, the notification is told apart too.
    ReplayPlanOptions asReceived;
    asReceived.mode = ReplayMode::AsReceived;
    auto whole = planReplay(m_source->reader(), Filter::parse(QStringLiteral("format == akeneo-event-platform")), {},
                            asReceived);
    QVERIFY(whole);
    QCOMPARE(whole->requests.size(), 2);
    QVERIFY(!whole->requests[0].notification);
    QVERIFY(whole->requests[1].notification);
}

void TestReplay::replaysAreLeftOutUnlessNamed()
{
    startReceiver();
    ReplayTarget target = toReceiver("hook");
    auto plan = planReplay(m_source->reader(), Filter(), {}, {});
    QCOMPARE(run(target, plan->requests).ok, int(plan->requests.size()));
    QVERIFY(m_source->flush());
    // The replayed events are in the source capture now; a second plan does not pick them up...
    auto again = planReplay(m_source->reader(), Filter(), {}, {});
    QCOMPARE(again->events, 31);
    // ... unless the filter names the origin.
    auto replays = planReplay(m_source->reader(), Filter::parse(QStringLiteral("origin == replay")), {}, {});
    QCOMPARE(replays->events, 31);
    replays = planReplay(m_source->reader(), Filter::parse(QStringLiteral("origin in {receiver, replay}")), {}, {});
    QCOMPARE(replays->events, 62);
    replays = planReplay(m_source->reader(), Filter::parse(QStringLiteral("origin ~ repl")), {}, {});
    QCOMPARE(replays->events, 31);
    // ... or deliveries chosen by id (the window's deliveries table).
    const auto replayDeliveries
        = m_source->reader().matchingIds(Filter::parse(QStringLiteral("origin == replay")), FilterTarget::Deliveries);
    auto chosen = planReplay(m_source->reader(),
                             Filter::parse(QStringLiteral("delivery_id == %1").arg(replayDeliveries->front())), {}, {});
    QVERIFY(chosen->events > 0);
    // A filter that tests the origin or the delivery id without asking for replays leaves them out, and says so.
    for (const char *f : {"origin != log", "delivery_id > 0", "!(origin == log)"}) {
        auto plan = planReplay(m_source->reader(), Filter::parse(QString::fromLatin1(f)), {}, {});
        QVERIFY2(plan, f);
        QVERIFY2(plan->events == 31, f);
        QVERIFY2(plan->notes.join(u'|').contains(QStringLiteral("31 events of earlier replays left out")),
                 qPrintable(QString::fromLatin1(f) + QStringLiteral(": ") + plan->notes.join(u'|')));
    }
}

void TestReplay::logEventsAreLeftOutUnlessNamed()
{
    // A log line holds the events' ids, not their data: the imported log's events are not sent unless asked for.
    const auto imported
        = LogImporter(*m_source).importFile(QStringLiteral(PIMSCOPE_SAMPLES_DIR "/akeneo_log_example.log"));
    QVERIFY2(imported, qPrintable(imported.error()));
    QVERIFY(m_source->flush());
    const qint64 logEvents
        = *m_source->reader().countMatching(Filter::parse(QStringLiteral("origin == log")), FilterTarget::Events);
    QVERIFY(logEvents > 0);
    QSet<QString> logIds;
    const auto logRecords = m_source->reader().events(
        *m_source->reader().matchingIds(Filter::parse(QStringLiteral("origin == log")), FilterTarget::Events));
    for (const EventRecord &e : *logRecords)
        logIds.insert(e.event.eventId);
    for (const ReplayMode mode : {ReplayMode::Rebatched, ReplayMode::AsReceived}) {
        ReplayPlanOptions options;
        options.mode = mode;
        auto plan = planReplay(m_source->reader(), Filter(), {}, options);
        QCOMPARE(plan->events, 31);
        QVERIFY2(plan->notes.join(u'|').contains(QStringLiteral("%1 events of imported logs left out").arg(logEvents)),
                 qPrintable(plan->notes.join(u'|')));
        for (const ReplayRequest &r : plan->requests) {
            for (const QString &id : r.eventIds)
                QVERIFY2(!logIds.contains(id), qPrintable(id));
        }
        auto asked = planReplay(m_source->reader(), Filter::parse(QStringLiteral("origin == log")), {}, options);
        QCOMPARE(asked->events, logEvents);
        QVERIFY2(asked->notes.join(u'|').contains(QStringLiteral("a log line is not a request body")),
                 qPrintable(asked->notes.join(u'|')));
        auto byFile
            = planReplay(m_source->reader(), Filter::parse(QStringLiteral("log_file ~ akeneo_log")), {}, options);
        QCOMPARE(byFile->events, logEvents);
        // How a request was logged is only known of logs (and replays): asking for it asks for them.
        const qint64 failed = *m_source->reader().countMatching(
            Filter::parse(QStringLiteral("message == endpoint_error")), FilterTarget::Events);
        QVERIFY(failed > 0);
        auto byOutcome
            = planReplay(m_source->reader(), Filter::parse(QStringLiteral("message == endpoint_error")), {}, options);
        QCOMPARE(byOutcome->events, failed);
    }
}

void TestReplay::signingWarnings()
{
    auto all = planReplay(m_source->reader(), Filter(), {}, {});
    auto akeneo = planReplay(m_source->reader(), Filter::parse(QStringLiteral("format == akeneo")), {}, {});
    QVERIFY(pimscope::signingWarnings(akeneo->requests, {secret, {}}).isEmpty());
    QVERIFY(pimscope::signingWarnings(akeneo->requests, {}).join(u'|').contains(QStringLiteral("unsigned")));
    // Quable with Akeneo: the one secret is an HMAC key for some requests and sent as it is by others.
    QVERIFY(pimscope::signingWarnings(all->requests, {secret, {}})
                .join(u'|')
                .contains(QStringLiteral("Authorization header of the Quable ones")));
}

void TestReplay::orderAndDuplicates()
{
    ReplayPlanOptions options;
    options.batchSize = 1;
    const auto ids = [&](const ReplayPlanOptions &o) {
        QStringList out;
        const auto plan = planReplay(m_source->reader(), Filter::parse(QStringLiteral("format == akeneo")), {}, o);
        for (const ReplayRequest &r : plan->requests)
            out += r.eventIds;
        return out;
    };
    const QStringList original = ids(options);
    QCOMPARE(original.size(), 30);
    options.order = ReplayOrder::Reverse;
    QStringList reversed = ids(options);
    std::reverse(reversed.begin(), reversed.end());
    QCOMPARE(reversed, original);
    options.order = ReplayOrder::Shuffle;
    options.seed = 42;
    const QStringList shuffled = ids(options);
    QVERIFY(shuffled != original);
    QCOMPARE(ids(options), shuffled); // the same seed, the same order
    QCOMPARE(QSet<QString>(shuffled.begin(), shuffled.end()), QSet<QString>(original.begin(), original.end()));
    options.seed = 43;
    QVERIFY(ids(options) != shuffled);
    options.order = ReplayOrder::EventTime;
    const auto plan = planReplay(m_source->reader(), Filter::parse(QStringLiteral("format == akeneo")), {}, options);
    auto events = m_source->reader().events(
        *m_source->reader().matchingIds(Filter::parse(QStringLiteral("format == akeneo")), FilterTarget::Events));
    QHash<QString, qint64> times;
    for (const EventRecord &e : *events)
        times.insert(e.event.eventId, e.event.eventTimeMs.value_or(0));
    for (qsizetype i = 1; i < plan->requests.size(); ++i)
        QVERIFY(times.value(plan->requests[i - 1].eventIds.front()) <= times.value(plan->requests[i].eventIds.front()));

    options.order = ReplayOrder::Original;
    options.duplicates = 1.0;
    const auto twice = planReplay(m_source->reader(), Filter::parse(QStringLiteral("format == akeneo")), {}, options);
    QCOMPARE(twice->requests.size(), 60);
    for (qsizetype i = 0; i < 60; i += 2) {
        QCOMPARE(twice->requests[i + 1].body, twice->requests[i].body);
        QVERIFY(!twice->requests[i].duplicate);
        QVERIFY(twice->requests[i + 1].duplicate);
    }
    options.duplicates = 0.3;
    const auto some = planReplay(m_source->reader(), Filter::parse(QStringLiteral("format == akeneo")), {}, options);
    QVERIFY(some->requests.size() > 30 && some->requests.size() < 60);
}

void TestReplay::badTargetsAreClassified()
{
    auto plan = planReplay(m_source->reader(), Filter::parse(QStringLiteral("format == akeneo")), {}, {});
    QCOMPARE(plan->requests.size(), 3);
    QList<ReplayRequest> one = {plan->requests.front()};

    // Slower than the deadline: a timeout, measured for the whole request.
    {
        ReceiverSettings slow;
        slow.answerDelayMs = 800;
        startReceiver(slow);
        ReplayTarget target = toReceiver("hook");
        target.timeoutMs = 300;
        QList<ReplayResult> results;
        QElapsedTimer clock;
        clock.start();
        const ReplaySummary s = run(target, one, &results);
        QCOMPARE(s.timeouts, 1);
        QCOMPARE(results.front().kind, LogMessage::Timeout);
        QVERIFY(!results.front().status);
        QVERIFY(results.front().latencyMs >= 290 && results.front().latencyMs < 700);
        QVERIFY(!results.front().ok());
        m_receiver.reset();
    }
    // 500: an endpoint error with its status.
    {
        ReceiverSettings failing;
        failing.answerStatus = 500;
        startReceiver(failing);
        ReplayTarget target = toReceiver("hook");
        QList<ReplayResult> results;
        QCOMPARE(run(target, plan->requests, &results).endpointErrors, 3);
        for (const ReplayResult &r : results) {
            QCOMPARE(r.kind, LogMessage::EndpointError);
            QCOMPARE(*r.status, 500);
        }
        m_receiver.reset();
    }
    // Connection refused: no answer, which Akeneo logs as a timeout ("failed to answer under 500 ms"); the error named.
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 closed = probe.serverPort();
        probe.close();
        ReplayTarget target;
        target.url = QUrl(QStringLiteral("http://127.0.0.1:%1/hook").arg(closed));
        QList<ReplayResult> results;
        const ReplaySummary s = run(target, plan->requests, &results);
        QCOMPARE(s.sent, 3);
        QCOMPARE(s.timeouts, 3);
        QCOMPARE(s.connectionFailures, 3);
        QCOMPARE(results.front().kind, LogMessage::Timeout);
        QVERIFY(results.front().connectionFailed);
        QVERIFY(!results.front().status);
        QVERIFY2(results.front().error.contains(QStringLiteral("refused"), Qt::CaseInsensitive),
                 qPrintable(results.front().error));
        // The command's rule: stop when the very first request gets no answer.
        target.stopIfUnreachable = true;
        const ReplaySummary stopped = run(target, plan->requests);
        QCOMPARE(stopped.sent, 1);
        QVERIFY(stopped.unreachable);
    }
    // A redirect is not followed (its target is a closed port: following it would fail differently).
    {
        FixedServer redirect(
            "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/elsewhere\r\nContent-Length: 0\r\n\r\n");
        ReplayTarget target;
        target.url = redirect.url();
        QList<ReplayResult> results;
        const ReplaySummary s = run(target, one, &results);
        QCOMPARE(redirect.requests, 1);
        QCOMPARE(*results.front().status, 302);
        QCOMPARE(results.front().kind, LogMessage::RequestSent); // the PIM logs it as sent: it is an answer
        QVERIFY(results.front().error.contains(QStringLiteral("redirect not followed")));
        QVERIFY(!results.front().ok());
        QCOMPARE(s.ok, 0);
        QCOMPARE(s.otherAnswers, 1);
        QVERIFY2(describeReplay(s).contains(QStringLiteral("1 other answers (1xx, 3xx not followed)")),
                 qPrintable(describeReplay(s)));
    }
    // A deadline for the whole request, not an inactivity timer: a target that sends a byte every 50 ms, forever.
    {
        QTcpServer trickling;
        QVERIFY(trickling.listen(QHostAddress::LocalHost, 0));
        QTimer drip;
        QList<QTcpSocket *> peers;
        connect(&trickling, &QTcpServer::newConnection, &trickling, [&] {
            while (QTcpSocket *peer = trickling.nextPendingConnection())
                peers.append(peer);
        });
        connect(&drip, &QTimer::timeout, &trickling, [&peers, first = true]() mutable {
            for (QTcpSocket *peer : std::as_const(peers))
                peer->write(first ? "HTTP/1.1 200 OK\r\nX-Slow: " : "a");
            first = peers.isEmpty();
        });
        drip.start(50);
        ReplayTarget target;
        target.url = QUrl(QStringLiteral("http://127.0.0.1:%1/hook").arg(trickling.serverPort()));
        target.timeoutMs = 400;
        QList<ReplayResult> results;
        const ReplaySummary s = run(target, one, &results);
        QCOMPARE(s.timeouts, 1);
        QCOMPARE(results.front().kind, LogMessage::Timeout);
        QVERIFY(!results.front().connectionFailed);
        QVERIFY2(results.front().latencyMs >= 390 && results.front().latencyMs < 700,
                 qPrintable(QString::number(results.front().latencyMs)));
    }
    // Nothing crashed, and every result is stored with its classification.
    QVERIFY(m_source->flush());
    // Timeouts: the slow receiver, three refused and one more refused (the command's rule), the trickling target.
    QCOMPARE(*m_source->reader().countMatching(Filter::parse(QStringLiteral("origin == replay && message == timeout")),
                                               FilterTarget::Deliveries),
             6);
    QCOMPARE(*m_source->reader().countMatching(
                 Filter::parse(QStringLiteral("origin == replay && message == timeout && error ~ refused")),
                 FilterTarget::Deliveries),
             4);
    QCOMPARE(
        *m_source->reader().countMatching(
            Filter::parse(QStringLiteral("origin == replay && message == endpoint_error")), FilterTarget::Deliveries),
        3);
    QCOMPARE(*m_source->reader().countMatching(Filter::parse(QStringLiteral("origin == replay && status == 302")),
                                               FilterTarget::Deliveries),
             1);
    // Every timeout is a slow answer, as a log line "failed to answer under N ms" is.
    QCOMPARE(*m_source->reader().countMatching(Filter::parse(QStringLiteral("origin == replay && flag:slow_ack")),
                                               FilterTarget::Deliveries),
             6);
}

void TestReplay::selfSignedCertificate()
{
    const auto tls = loadServerTls(QStringLiteral(PIMSCOPE_TEST_DATA_DIR "/tls/cert.pem"),
                                   QStringLiteral(PIMSCOPE_TEST_DATA_DIR "/tls/key.pem"));
    QVERIFY2(tls, qPrintable(tls.error()));
    ReceiverSettings settings;
    settings.tls = *tls;
    startReceiver(settings);
    QVERIFY(m_receiver->url().startsWith(QStringLiteral("https://")));
    auto plan = planReplay(m_source->reader(), Filter::parse(QStringLiteral("format == akeneo")), {}, {});
    ReplayTarget target = toReceiver("hook");
    target.timeoutMs = 5000;
    QList<ReplayResult> results;
    QCOMPARE(run(target, {plan->requests.front()}, &results).ok, 0);
    QCOMPARE(results.front().kind, LogMessage::Timeout); // no answer, as the PIM logs it
    QVERIFY(results.front().connectionFailed);
    QVERIFY(!results.front().status);
    QVERIFY2(results.front().error.contains(QStringLiteral("certificate"), Qt::CaseInsensitive)
                 || results.front().error.contains(QStringLiteral("SSL"), Qt::CaseInsensitive),
             qPrintable(results.front().error));
    QCOMPARE(received().size(), 0);
    target.insecure = true;
    results.clear();
    QCOMPARE(run(target, {plan->requests.front()}, &results).ok, 1);
    QCOMPARE(received().size(), 1);
    QCOMPARE(received().front().signature, Signature::Valid);
}

void TestReplay::certificateNameIsChecked()
{
    // The test certificate (localhost, 127.0.0.1) trusted as a CA for this test: a target reached by one of its
    // names verifies, the same certificate on another address is refused on the name (docs/SECURITY.md §6).
    const QSslConfiguration saved = QSslConfiguration::defaultConfiguration();
    QSslConfiguration trusting = saved;
    trusting.addCaCertificates(QSslCertificate::fromPath(QStringLiteral(PIMSCOPE_TEST_DATA_DIR "/tls/cert.pem")));
    QSslConfiguration::setDefaultConfiguration(trusting);
    const auto restore = qScopeGuard([&saved] { QSslConfiguration::setDefaultConfiguration(saved); });
    const auto tls = loadServerTls(QStringLiteral(PIMSCOPE_TEST_DATA_DIR "/tls/cert.pem"),
                                   QStringLiteral(PIMSCOPE_TEST_DATA_DIR "/tls/key.pem"));
    QVERIFY2(tls, qPrintable(tls.error()));
    auto plan = planReplay(m_source->reader(), Filter::parse(QStringLiteral("format == akeneo")), {}, {});
    QVERIFY(plan);

    ReceiverSettings named;
    named.tls = *tls;
    startReceiver(named);
    ReplayTarget target = toReceiver("hook");
    target.timeoutMs = 5000;
    QList<ReplayResult> results;
    QCOMPARE(run(target, {plan->requests.front()}, &results).ok, 1);
    QCOMPARE(received().size(), 1);

    ReceiverSettings other = named;
    other.address = QHostAddress(QStringLiteral("127.0.0.2"));
    m_receiver.reset();
    startReceiver(other);
    target = toReceiver("hook");
    target.timeoutMs = 5000;
    QVERIFY(target.url.host() == u"127.0.0.2");
    results.clear();
    QCOMPARE(run(target, {plan->requests.front()}, &results).ok, 0);
    QVERIFY2(results.front().error.contains(QStringLiteral("host name"), Qt::CaseInsensitive),
             qPrintable(results.front().error));
    QCOMPARE(received().size(), 1);
}

void TestReplay::pacingIsEven()
{
    startReceiver();
    ReplayPlanOptions options;
    options.batchSize = 1;
    auto plan = planReplay(m_source->reader(), Filter::parse(QStringLiteral("format == akeneo")), {}, options);
    QList<ReplayRequest> requests = plan->requests.mid(0, 21);
    ReplayTarget target = toReceiver("hook");
    target.ratePerSecond = 40; // 25 ms apart: 21 requests span 500 ms
    target.concurrency = 4;
    QList<ReplayResult> results;
    const ReplaySummary s = run(target, requests, &results);
    QCOMPARE(s.ok, 21);
    std::sort(results.begin(), results.end(),
              [](const ReplayResult &a, const ReplayResult &b) { return a.index < b.index; });
    // Never early (timers do not fire before their time); the upper bound only catches a pacing far slower than
    // asked, with room for a loaded machine under ASan: how even it is, is bench_replay's figure.
    const qint64 span = results.last().sentAtMs - results.first().sentAtMs;
    QVERIFY2(span >= 480 && span < 3000, qPrintable(QString::number(span)));
    // No burst at the start: the second request waits its turn.
    QVERIFY2(results[1].sentAtMs - results[0].sentAtMs >= 15,
             qPrintable(QString::number(results[1].sentAtMs - results[0].sentAtMs)));
}

void TestReplay::cancelKeepsPartialResults()
{
    ReceiverSettings slow;
    slow.answerDelayMs = 600; // the cancel comes 100 ms into the third request
    startReceiver(slow);
    ReplayPlanOptions options;
    options.batchSize = 1;
    auto plan = planReplay(m_source->reader(), Filter::parse(QStringLiteral("format == akeneo")), {}, options);
    ReplayTarget target = toReceiver("hook");
    target.timeoutMs = 5000;
    Replayer replayer(target, plan->requests, m_source.get());
    QSignalSpy finished(&replayer, &Replayer::finished);
    QList<ReplayResult> reported;
    connect(&replayer, &Replayer::requestFinished, &replayer, [&](const ReplayResult &r) {
        reported.append(r);
        if (reported.size() == 2) // while the third waits for its answer
            QTimer::singleShot(100, &replayer, &Replayer::cancel);
    });
    replayer.start();
    QVERIFY(finished.wait(20000));
    QCOMPARE(finished.size(), 1);
    const ReplaySummary s = replayer.summary();
    QVERIFY(s.cancelled);
    // The third was sent, and the target took it: it is reported and kept too, as cancelled before its answer.
    QCOMPARE(s.sent, 3);
    QCOMPARE(s.ok, 2);
    QCOMPARE(s.cancelledInFlight, 1);
    QCOMPARE(reported.size(), 3);
    QVERIFY(reported[2].cancelled);
    QCOMPARE(outcomeName(reported[2]), QStringLiteral("cancelled"));
    QVERIFY(describeReplay(s).contains(QStringLiteral("1 cancelled before the answer")));
    QTRY_COMPARE_WITH_TIMEOUT(received().size(), 3, 5000);
    QVERIFY(m_source->flush());
    QCOMPARE(
        *m_source->reader().countMatching(Filter::parse(QStringLiteral("origin == replay")), FilterTarget::Deliveries),
        3);
    // Stored with what happened, and no outcome the PIM would have logged.
    QCOMPARE(*m_source->reader().countMatching(
                 Filter::parse(QStringLiteral(
                     "origin == replay && error ~ cancelled && !(message in {request_sent, endpoint_error, timeout})")),
                 FilterTarget::Deliveries),
             1);
}

void TestReplay::cancelFromAResultHandler()
{
    // Cancelled while the first result is being reported (nothing else in flight at concurrency 1): one request sent,
    // finished once, after that result's progress.
    startReceiver();
    ReplayPlanOptions options;
    options.batchSize = 1;
    auto plan = planReplay(m_source->reader(), Filter::parse(QStringLiteral("format == akeneo")), {}, options);
    Replayer replayer(toReceiver("hook"), plan->requests, m_source.get());
    QSignalSpy finished(&replayer, &Replayer::finished);
    QList<int> progress;
    connect(&replayer, &Replayer::progress, &replayer, [&progress](int done, int) { progress.append(done); });
    connect(&replayer, &Replayer::requestFinished, &replayer, [&replayer](const ReplayResult &) { replayer.cancel(); });
    replayer.start();
    QVERIFY(finished.wait(20000));
    QTest::qWait(50);
    QCOMPARE(finished.size(), 1);
    QCOMPARE(progress, QList<int>{1});
    const auto s = finished.front().at(0).value<ReplaySummary>();
    QVERIFY(s.cancelled);
    QCOMPARE(s.sent, 1);
    QCOMPARE(s.ok, 1);
    QCOMPARE(s.cancelledInFlight, 0);
}

void TestReplay::pacingDoesNotCatchUp()
{
    // The first answer comes late (700 ms at 5 a second): the next requests keep their spacing, with no burst. A
    // start may be made up by up to max(half an interval, Replayer::catchUpMs) = 100 ms (a late timer on a loaded
    // machine), so no gap is shorter than 200 - 100 ms; catching up after the stall would send 3 at once.
    FixedServer late("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    late.answerDelayMs = [](int n) { return n == 0 ? 700 : 0; };
    ReplayPlanOptions options;
    options.batchSize = 1;
    auto plan = planReplay(m_source->reader(), Filter::parse(QStringLiteral("format == akeneo")), {}, options);
    ReplayTarget target;
    target.url = late.url();
    target.ratePerSecond = 5;
    target.timeoutMs = 2000;
    const ReplaySummary s = run(target, plan->requests.mid(0, 6));
    QCOMPARE(s.ok, 6);
    QCOMPARE(late.arrivalsMs.size(), 6);
    QVERIFY2(late.arrivalsMs[1] - late.arrivalsMs[0] >= 690,
             qPrintable(QString::number(late.arrivalsMs[1] - late.arrivalsMs[0])));
    for (qsizetype i = 2; i < late.arrivalsMs.size(); ++i) {
        const qint64 gap = late.arrivalsMs[i] - late.arrivalsMs[i - 1];
        QVERIFY2(gap >= 90, qPrintable(QStringLiteral("request %1 came %2 ms after the one before").arg(i).arg(gap)));
    }
}

void TestReplay::curlReproducesTheRequest()
{
    if (QStandardPaths::findExecutable(QStringLiteral("curl")).isEmpty()
        || QStandardPaths::findExecutable(QStringLiteral("bash")).isEmpty())
        QFAIL("curl and bash are needed (.ci/install-deps installs them)");
    startReceiver();
    const QUrl url(m_receiver->url() + QStringLiteral("hook"));
    // An Akeneo body with a quote, a backslash escape and non-ASCII bytes, signed afresh.
    const QByteArray body
        = akeneoBody({akeneoEvent(QStringLiteral("c-1"), QStringLiteral("product.updated"),
                                  QStringLiteral("2026-11-20T10:00:00+00:00"), QStringLiteral("it's-\u00e9t\u00e9"))});
    const Headers headers = replayHeaders(Format::Akeneo, body, {secret, {}}, QDateTime::currentSecsSinceEpoch());
    const QString command = curlCommand(url, headers, body, 5000, false);
    QVERIFY(command.contains(QStringLiteral("X-Akeneo-Request-Signature")));
    // It holds the fresh signature, never the key; it neither skips certificate checks nor follows redirects.
    QVERIFY(!command.contains(QString::fromLatin1(secret)));
    QVERIFY(!command.contains(QStringLiteral(" -k")) && !command.contains(QStringLiteral("--insecure")));
    QVERIFY(!command.contains(QStringLiteral(" -L")) && !command.contains(QStringLiteral("--location")));
    QProcess bash;
    bash.start(QStringLiteral("bash"), {QStringLiteral("-c"), command});
    QVERIFY(bash.waitForFinished(20000));
    QCOMPARE(bash.exitCode(), 0);
    const QList<Delivery> got = received();
    QCOMPARE(got.size(), 1);
    QCOMPARE(got.front().body, body);
    QCOMPARE(got.front().signature, Signature::Valid);

    // A body that starts with '@' is sent as it is, not read from a file of that name.
    const QByteArray at = "@/etc/hostname";
    bash.start(QStringLiteral("bash"),
               {QStringLiteral("-c"),
                curlCommand(url, replayHeaders(Format::Unknown, at, {secret, {}}, QDateTime::currentSecsSinceEpoch()),
                            at, 5000, false)});
    QVERIFY(bash.waitForFinished(20000));
    QCOMPARE(bash.exitCode(), 0);
    QTRY_COMPARE(received().size(), 2);
    QCOMPARE(received().last().body, at);

    // A Quable request's Authorization is the secret: masked unless asked for.
    const QByteArray quable = sample("quable_example.json");
    const Headers qh = replayHeaders(Format::Quable, quable, {secret, {}}, 0);
    const QString masked = curlCommand(url, qh, quable, 5000, false);
    QVERIFY(!masked.contains(QString::fromLatin1(secret)));
    QVERIFY(masked.contains(QStringLiteral("PIMSCOPE_AUTHORIZATION")));
    QVERIFY(curlCommand(url, qh, quable, 5000, true).contains(QString::fromLatin1(secret)));
    QProcess env;
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    e.insert(QStringLiteral("PIMSCOPE_AUTHORIZATION"), QString::fromLatin1(secret));
    env.setProcessEnvironment(e);
    env.start(QStringLiteral("bash"), {QStringLiteral("-c"), masked});
    QVERIFY(env.waitForFinished(20000));
    QCOMPARE(env.exitCode(), 0);
    QCOMPARE(received().size(), 3);
    QCOMPARE(received().last().signature, Signature::Valid);
}

void TestReplay::asSenderStopsWhereQuableDisables()
{
    // A failing connector (500): as Quable, the notification is retried twice (5 min apart, scaled to 60 ms here) and
    // the replay stops at the 3rd failure in a row, where Quable disables the webhook.
    ReceiverSettings failing;
    failing.answerStatus = 500;
    startReceiver(failing);
    auto plan = planReplay(m_source->reader(), Filter::parse(QStringLiteral("format == quable")), {}, {});
    QVERIFY(plan);
    QCOMPARE(plan->requests.size(), 1);
    ReplayTarget target = toReceiver("quable");
    target.asSender = true;
    target.retryScale = 0.0002;
    QList<ReplayResult> results;
    const ReplaySummary s = run(target, plan->requests, &results);
    QCOMPARE(results.size(), 3);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(results[i].attempt, i + 1);
        QCOMPARE(results[i].status, 500);
    }
    // Never before the scaled delay.
    QVERIFY2(results[1].sentAtMs - results[0].sentAtMs >= 55, qPrintable(QString::number(results[1].sentAtMs)));
    QCOMPARE(s.retries, 2);
    QCOMPARE(s.delivered, 0);
    QVERIFY2(s.cutOff.startsWith(QStringLiteral(
                 "Quable would have disabled the webhook after request 3 (3rd consecutive failure, answered 500 in ")),
             qPrintable(s.cutOff));
    QVERIFY(describeReplay(s).contains(QStringLiteral("; stopped: Quable would have disabled the webhook")));
    // The receiver took them for what they are: attempts of one chain.
    const QList<Delivery> got = received();
    QCOMPARE(got.size(), 3);
    auto events = m_target->reader().matchingIds(Filter::parse(QStringLiteral("attempt == 3")), FilterTarget::Events);
    QVERIFY(events);
    QCOMPARE(events->size(), 1);

    // The same from the command line: each attempt said, the stop said, exit 3.
    const QString db = m_source->path();
    m_source.reset();
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("REPLAY_SECRET"), QString::fromLatin1(secret));
    p.setProcessEnvironment(env);
    p.start(qEnvironmentVariable("PIMSCOPE_BIN"),
            {QStringLiteral("replay"), QStringLiteral("--db"), db, QStringLiteral("--to"),
             m_receiver->url() + QStringLiteral("quable"), QStringLiteral("--secret-env"),
             QStringLiteral("REPLAY_SECRET"), QStringLiteral("--filter"), QStringLiteral("format == quable"),
             QStringLiteral("--as-sender"), QStringLiteral("--retry-scale"), QStringLiteral("0.0002")});
    QVERIFY(p.waitForFinished(60000));
    const QByteArray out = p.readAllStandardOutput() + p.readAllStandardError();
    QCOMPARE(p.exitCode(), 3);
    QVERIFY2(out.contains(" 500 ") && out.contains("(attempt 3)"), out.constData());
    QVERIFY2(out.contains("stopped: Quable would have disabled the webhook after request 3"), out.constData());
}

void TestReplay::asSenderRetriesUntilTheConnectorRecovers()
{
    // An Event Platform event to a connector that fails twice (503, 500) and then answers 200: delivered on the 2nd
    // retry, 5 then 10 min after (scaled), nothing cut off.
    Delivery ep = receivedDelivery("{\"specversion\":\"1.0\",\"id\":\"ep-1\",\"type\":\"com.akeneo.pim.v1.product."
                                   "updated\",\"source\":\"pim\",\"time\":\"2026-11-20T10:00:00Z\",\"data\":"
                                   "{\"product\":{\"uuid\":\"u-1\"}}}",
                                   iso("2026-11-20T10:00:06Z"));
    m_source->enqueue(ep);
    QVERIFY(m_source->flush());
    FixedServer connector("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    connector.answerFor = [](int n) -> QByteArray {
        return n == 0 ? "HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n"
            : n == 1  ? "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n"
                      : "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    };
    auto plan
        = planReplay(m_source->reader(), Filter::parse(QStringLiteral("format == akeneo-event-platform")), {}, {});
    QVERIFY(plan);
    QCOMPARE(plan->requests.size(), 1);
    ReplayTarget target;
    target.url = connector.url();
    target.secrets.primary = secret;
    target.asSender = true;
    target.retryScale = 0.0001; // 30 ms, then 60 ms
    QList<ReplayResult> results;
    const ReplaySummary s = run(target, plan->requests, &results);
    QCOMPARE(results.size(), 3);
    QCOMPARE(results[2].attempt, 3);
    QCOMPARE(results[2].status, 200);
    QVERIFY2(results[2].sentAtMs - results[1].sentAtMs >= 55, qPrintable(QString::number(results[2].sentAtMs)));
    QCOMPARE(s.retries, 2);
    QCOMPARE(s.delivered, 1);
    QVERIFY(s.cutOff.isEmpty());
    QCOMPARE(connector.requests, 3);
}

void TestReplay::commandLine()
{
    const QString bin = qEnvironmentVariable("PIMSCOPE_BIN");
    QVERIFY(!bin.isEmpty());
    // The receiver verifies Event Platform messages with the secondary secret only (a rotation under way).
    const QByteArray secondary = "cli-secondary-secret";
    {
        ReceiverSettings settings;
        SignatureRule rule;
        rule.akeneoSecret = secret;
        rule.quableAuthorization = secret;
        rule.eventPlatformSecrets = {secondary};
        settings.signatures.rules = {rule};
        startReceiver(settings);
    }
    m_source->enqueue(
        receivedDelivery(readFile(QStringLiteral(PIMSCOPE_TEST_DATA_DIR "/formats/event_platform_single/body")),
                         iso("2026-11-20T10:00:09Z")));
    QVERIFY(m_source->flush());
    const QString db = m_source->path();
    m_source.reset(); // the command opens the capture itself
    const auto pimscope
        = [&](const QStringList &args, QByteArray *out = nullptr, const QByteArray &secretValue = secret) {
              QProcess p;
              QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
              env.insert(QStringLiteral("REPLAY_SECRET"), QString::fromLatin1(secretValue));
              env.insert(QStringLiteral("REPLAY_SECONDARY"), QString::fromLatin1(secondary));
              p.setProcessEnvironment(env);
              p.start(bin, QStringList{QStringLiteral("replay"), QStringLiteral("--db"), db} + args);
              if (!p.waitForFinished(60000))
                  return -1;
              if (out)
                  *out = p.readAllStandardOutput() + p.readAllStandardError();
              return p.exitCode();
          };
    const QString to = m_receiver->url() + QStringLiteral("hook");
    QByteArray output;
    // A dry run sends nothing and shows the signed headers.
    QCOMPARE(pimscope({QStringLiteral("--to"), to, QStringLiteral("--secret-env"), QStringLiteral("REPLAY_SECRET"),
                       QStringLiteral("--dry-run"), QStringLiteral("--filter"), QStringLiteral("format == akeneo")},
                      &output),
             0);
    QVERIFY2(output.contains("X-Akeneo-Request-Signature: "), output.constData());
    QVERIFY(output.contains("dry run: 3 requests, 30 events"));
    QCOMPARE(received().size(), 0);
    // The Quable request's Authorization is the secret itself: the dry run shows that it is there, not what it is.
    QCOMPARE(pimscope({QStringLiteral("--to"), to, QStringLiteral("--secret-env"), QStringLiteral("REPLAY_SECRET"),
                       QStringLiteral("--dry-run"), QStringLiteral("--filter"), QStringLiteral("format == quable")},
                      &output),
             0);
    QVERIFY2(output.contains("Authorization: [secret]"), output.constData());
    QVERIFY(!output.contains(secret));
    QCOMPARE(received().size(), 0);
    // Every request a 2xx in time: 0, one line per request and a summary.
    QCOMPARE(pimscope({QStringLiteral("--to"), to, QStringLiteral("--secret-env"), QStringLiteral("REPLAY_SECRET"),
                       QStringLiteral("--filter"), QStringLiteral("format == akeneo"), QStringLiteral("--batch-size"),
                       QStringLiteral("5")},
                      &output),
             0);
    QCOMPARE(output.count(" request_sent"), 6);
    QVERIFY2(output.contains("6 of 6 requests sent (30 events)"), output.constData());
    QCOMPARE(received().size(), 6);
    // --per-hour: 36,000 an hour is one every 100 ms, from the first (no burst).
    QCOMPARE(pimscope({QStringLiteral("--to"), to, QStringLiteral("--secret-env"), QStringLiteral("REPLAY_SECRET"),
                       QStringLiteral("--filter"), QStringLiteral("format == akeneo"), QStringLiteral("--per-hour"),
                       QStringLiteral("36000")},
                      &output),
             0);
    {
        const QList<Delivery> all = received();
        QCOMPARE(all.size(), 9);
        // Paced, not a burst (three unpaced requests arrive within a few ms of each other): the third is sent 200 ms
        // after the first, but the first one's arrival can lag by its connection's setup on a loaded machine (CI
        // measured 180 ms between the arrivals once), so the floor is one interval; no later than a loaded machine.
        const qint64 span = all[8].receivedAtMs - all[6].receivedAtMs;
        QVERIFY2(span >= 100 && span < 3000, qPrintable(QString::number(span)));
    }
    // A wrong secret: the receiver answers 401, the command exits 3.
    QCOMPARE(pimscope({QStringLiteral("--to"), to, QStringLiteral("--secret-env"), QStringLiteral("REPLAY_SECRET"),
                       QStringLiteral("--filter"), QStringLiteral("format == akeneo")},
                      &output, "wrong"),
             3);
    QVERIFY(output.contains(" 401 "));
    // Unreachable before any request: 1.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const QString closed = QStringLiteral("http://127.0.0.1:%1/").arg(probe.serverPort());
    probe.close();
    QCOMPARE(pimscope({QStringLiteral("--to"), closed}, &output), 1);
    QVERIFY2(output.contains("cannot reach"), output.constData());
    QVERIFY2(output.contains("warning: no secret: the requests go unsigned"), output.constData());
    // A capture that does not exist: 1, naming it, and no file made.
    {
        const QString missing = m_dir->filePath(QStringLiteral("no-such.db"));
        QProcess p;
        p.start(bin,
                {QStringLiteral("replay"), QStringLiteral("--db"), missing, QStringLiteral("--to"), to,
                 QStringLiteral("--dry-run")});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 1);
        QVERIFY2(p.readAllStandardError().contains("no such capture file"), "no message");
        QVERIFY(!QFileInfo::exists(missing));
    }
    // Usage errors: 2.
    QCOMPARE(pimscope({}, &output), 2);
    QVERIFY(output.contains("--to URL is required"));
    QCOMPARE(pimscope({QStringLiteral("--to"), QStringLiteral("ftp://x/")}, &output), 2);
    QCOMPARE(pimscope({QStringLiteral("--to"), to, QStringLiteral("--order"), QStringLiteral("sideways")}, &output), 2);
    QCOMPARE(pimscope({QStringLiteral("--to"), to, QStringLiteral("--rps"), QStringLiteral("5"),
                       QStringLiteral("--per-hour"), QStringLiteral("4000")},
                      &output),
             2);
    QCOMPARE(pimscope({QStringLiteral("--to"), to, QStringLiteral("--filter"), QStringLiteral("action ==")}, &output),
             2);
    QCOMPARE(pimscope({QStringLiteral("--to"), to, QStringLiteral("--concurrency"), QStringLiteral("nan")}, &output),
             2);
    QCOMPARE(pimscope({QStringLiteral("--to"), to, QStringLiteral("--batch-size"), QStringLiteral("2.5")}, &output), 2);
    QCOMPARE(pimscope({QStringLiteral("--to"), to, QStringLiteral("--duplicates"), QStringLiteral("inf")}, &output), 2);
    QCOMPARE(pimscope({QStringLiteral("--to"), to, QStringLiteral("--secret-env"), QStringLiteral("NOT_SET_ANYWHERE")},
                      &output),
             1);

    // The Event Platform's secondary secret: a second signature header beside the primary one.
    const QStringList platform = {QStringLiteral("--to"),         to,
                                  QStringLiteral("--filter"),     QStringLiteral("format == akeneo-event-platform"),
                                  QStringLiteral("--secret-env"), QStringLiteral("REPLAY_SECRET")};
    const QStringList withSecondary
        = platform + QStringList{QStringLiteral("--secondary-secret-env"), QStringLiteral("REPLAY_SECONDARY")};
    QCOMPARE(pimscope(withSecondary + QStringList{QStringLiteral("--dry-run")}, &output), 0);
    QVERIFY2(output.contains("X-AKENEO-SIGNATURE-PRIMARY: ") && output.contains("X-AKENEO-SIGNATURE-SECONDARY: "),
             output.constData());
    QVERIFY(!output.contains(secondary));
    const qsizetype before = received().size();
    // The connector verifies with the secondary secret only: the primary signature alone is refused (401: 3)...
    QCOMPARE(pimscope(platform, &output), 3);
    QVERIFY2(output.contains(" 401 "), output.constData());
    // ...both signatures are accepted.
    QCOMPARE(pimscope(withSecondary, &output), 0);
    {
        const QList<Delivery> all = received();
        QCOMPARE(all.size(), before + 2);
        QCOMPARE(all.last().signature, Signature::Valid);
        QVERIFY2(all.last().signatureDetail.contains(QStringLiteral("X-AKENEO-SIGNATURE-SECONDARY")),
                 qPrintable(all.last().signatureDetail));
    }
    // A secondary secret without a primary one, or given twice: usage errors; an unset variable is named.
    QCOMPARE(pimscope({QStringLiteral("--to"), to, QStringLiteral("--secondary-secret-env"),
                       QStringLiteral("REPLAY_SECONDARY")},
                      &output),
             2);
    QVERIFY2(output.contains("a secondary secret goes with a primary one"), output.constData());
    QCOMPARE(
        pimscope(withSecondary + QStringList{QStringLiteral("--secondary-secret-name"), QStringLiteral("x")}, &output),
        2);
    QCOMPARE(
        pimscope(platform + QStringList{QStringLiteral("--secondary-secret-env"), QStringLiteral("NOT_SET_ANYWHERE")},
                 &output),
        1);
    QVERIFY2(output.contains("--secondary-secret-env: the environment variable NOT_SET_ANYWHERE is empty or not set"),
             output.constData());
    // Only Quable and Events API requests: the secondary secret signs nothing, and the command says so.
    QCOMPARE(pimscope({QStringLiteral("--to"), to, QStringLiteral("--filter"), QStringLiteral("format == quable"),
                       QStringLiteral("--secret-env"), QStringLiteral("REPLAY_SECRET"),
                       QStringLiteral("--secondary-secret-env"), QStringLiteral("REPLAY_SECONDARY"),
                       QStringLiteral("--dry-run")},
                      &output),
             0);
    QVERIFY2(output.contains("warning: the secondary secret signs nothing"), output.constData());
}

QTEST_GUILESS_MAIN(TestReplay)
#include "tst_replay.moc"
