// Forwarding in proxy mode (issue #20): a real receiver, a real connector on a loopback port (tests/common/
// testconnector.h) answering as each test scripts it, and the PIM's side written byte for byte on a socket.

#include "rawhttp.h"
#include "stored.h"
#include "storetestutil.h"
#include "testconnector.h"
#include "testutil.h"

#include "export/exporter.h"
#include "filter/filter.h"
#include "model/senderprofile.h"
#include "receiver/receiver.h"
#include "signing/hmac.h"
#include "store/eventstore.h"
#include "store/storereader.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace pimscope;
using namespace pimscope::test;
using namespace Qt::StringLiterals;

namespace {

const QByteArray secret = "forward-test-secret";

/** An Events API request signed with `key` now, to `path`, as the PIM writes it. */
QByteArray signedAkeneo(const QByteArray &body, const QByteArray &path, const QByteArray &key = secret)
{
    const QByteArray ts = QByteArray::number(QDateTime::currentSecsSinceEpoch());
    return request("POST", path, body,
                   {{"X-Akeneo-Request-Timestamp", ts},
                    {"X-Akeneo-Request-Signature", akeneoSignature(key, ts, body)},
                    {"User-Agent", "AkeneoEventsApiClient/1.0"}});
}

QByteArray oneEvent(int n)
{
    return akeneoBody({akeneoEvent(QStringLiteral("00000000-0000-4000-8000-%1").arg(n, 12, 10, QLatin1Char('0')),
                                   QStringLiteral("product.updated"), QStringLiteral("2026-12-06T10:00:00+00:00"),
                                   QStringLiteral("SKU-%1").arg(n))});
}

/**
 * The verdict the Events API gives an answer judged `inTime` had it come within its 500 ms: a timeout when it did
 * not (a loaded machine, ASan), whatever its status.
 */
ConnectorVerdict eventsApi(const ConnectorAnswer &c, ConnectorVerdict inTime)
{
    return c.endMs && *c.endMs > senderProfile(Format::Akeneo).deadlineMs ? ConnectorVerdict::Timeout : inTime;
}

QByteArray answer(const QByteArray &statusLine, const QByteArray &headers, const QByteArray &body)
{
    return "HTTP/1.1 " + statusLine + "\r\n" + headers + "Content-Length: " + QByteArray::number(body.size())
        + "\r\n\r\n" + body;
}

} // namespace

class TestForward : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void passesTheConnectorsAnswerOn();
    void judgedByTheSendersRules();
    void slowConnectorIsATimeout();
    void pimThatStopsWaitingStillCounts();
    void redirectsAreNotFollowed();
    void noConnectorIs502();
    void hugeAnswerKeepsItsStart();
    void answerThatNeverEndsIs504();
    void connectionClosedEarly();
    void invalidHttpFromTheConnector();
    void selfSignedCertificate();
    void refusedRequestsAreForwardedToo();
    void onlyTheRulesPathsAreForwarded();
    void exportsCarryTheConnector();
    void ackAnswersThenForwardsInOrder();
    void ackKeepsWhatTheConnectorMissedAcrossARestart();
    void ackSendsAgainWhatWasInFlight();
    void ackGivesUpAfter24Hours();

private:
    void start(const QList<ForwardRule> &rules, int timeoutMs = 30000);
    /** The forwards of every stored delivery, oldest first. */
    QList<ConnectorAnswer> allForwards();
    /** Waits until every stored forward is in one of `states`. */
    bool waitForForwards(qsizetype n, const QList<ForwardState> &states, int timeoutMs = 15000);
    ForwardRule rule(const QString &spec);
    /** The only delivery stored and its forward. */
    std::pair<Delivery, ConnectorAnswer> stored(qsizetype index = 0);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<EventStore> m_store;
    std::unique_ptr<Receiver> m_receiver;
    quint16 m_port = 0;
};

void TestForward::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    auto store = EventStore::open(m_dir->filePath(QStringLiteral("capture.db")));
    QVERIFY2(store, qPrintable(store.error()));
    m_store = std::move(store.value());
}

void TestForward::cleanup()
{
    m_receiver.reset();
    m_store.reset();
    m_dir.reset();
}

ForwardRule TestForward::rule(const QString &spec)
{
    auto r = parseForwardRule(spec);
    if (!r)
        qFatal("%s", qPrintable(r.error()));
    return *r;
}

void TestForward::start(const QList<ForwardRule> &rules, int timeoutMs)
{
    ReceiverSettings settings;
    settings.port = 0;
    SignatureRule signature;
    signature.name = QStringLiteral("test");
    signature.akeneoSecret = secret;
    settings.signatures.rules.append(signature);
    settings.forwards = rules;
    settings.forwardTimeoutMs = timeoutMs;
    m_receiver = std::make_unique<Receiver>(m_store.get(), settings);
    const auto port = m_receiver->start();
    QVERIFY2(port, qPrintable(port.error()));
    m_port = *port;
}

std::pair<Delivery, ConnectorAnswer> TestForward::stored(qsizetype index)
{
    m_receiver->stop(); // every answer written and its time recorded
    m_store->flush();
    const QList<Delivery> all = allDeliveries(m_store->reader());
    if (all.size() <= index)
        return {};
    const Delivery d = all[index];
    const auto forwards = m_store->reader().forwards({d.id});
    return {d, forwards && !forwards->isEmpty() ? forwards->front() : ConnectorAnswer{}};
}

void TestForward::passesTheConnectorsAnswerOn()
{
    TestConnector connector;
    connector.setBehaviour({answer("201 Created",
                                   "Content-Type: text/plain\r\nX-Connector: yes\r\nSet-Cookie: a=1\r\nSet-Cookie: "
                                   "b=2\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n",
                                   "created by the connector")});
    start({rule(QStringLiteral("/akeneo=%1").arg(connector.url(QStringLiteral("/hooks?tenant=t1"))))});
    const QByteArray body = oneEvent(1);
    const Response r = exchange(m_port, signedAkeneo(body, "/akeneo/products?x=1"));

    // The PIM got the connector's answer: its status, its headers (not the hop-by-hop ones), its body.
    QCOMPARE(r.status, 201);
    QCOMPARE(r.body, QByteArray("created by the connector"));
    QCOMPARE(headerOf(r.head, "X-Connector"), QByteArray("yes"));
    // Both, in their order (Qt 6.8 writes header names in lower case, which HTTP allows).
    QVERIFY2(r.head.toLower().contains("set-cookie: a=1\r\nset-cookie: b=2"), r.head.constData());
    QCOMPARE(headerOf(r.head, "Keep-Alive"), QByteArray());

    // The connector got the exact bytes, the rest of the path appended, both queries, the signature untouched.
    QVERIFY(connector.waitForRequests(1));
    const TestConnector::Request got = connector.requests().front();
    QCOMPARE(got.target(), QByteArray("/hooks/products?tenant=t1&x=1"));
    QCOMPARE(got.body, body);
    QCOMPARE(got.header("Host"), QStringLiteral("127.0.0.1:%1").arg(connector.port()).toUtf8());
    QCOMPARE(got.header("User-Agent"), QByteArray("AkeneoEventsApiClient/1.0"));
    QVERIFY(!got.header("X-Akeneo-Request-Signature").isEmpty());
    QCOMPARE(akeneoSignature(secret, got.header("X-Akeneo-Request-Timestamp"), got.body),
             got.header("X-Akeneo-Request-Signature"));

    // Recorded: the delivery with what the PIM got, and the connector's answer beside it.
    const auto [d, c] = stored();
    QCOMPARE(d.signature, Signature::Valid);
    QCOMPARE(d.answeredStatus, 201);
    QVERIFY(d.ackMs.has_value());
    QCOMPARE(c.deliveryId, d.id);
    QCOMPARE(c.target, connector.url(QStringLiteral("/hooks/products?tenant=t1&x=1")));
    QCOMPARE(c.ackMode, false);
    QCOMPARE(c.state, ForwardState::Answered);
    QCOMPARE(c.attempts, 1);
    QCOMPARE(c.status, 201);
    QCOMPARE(c.body, QByteArray("created by the connector"));
    QCOMPARE(c.bodySize, qint64(24));
    QCOMPARE(headerValue(c.headers, "X-Connector"), QByteArray("yes"));
    QCOMPARE(headerValue(c.headers, "Connection"), QByteArray("keep-alive")); // recorded as it came
    QCOMPARE(c.verdict, eventsApi(c, ConnectorVerdict::Sent));
    QVERIFY(c.error.isNull());
    QVERIFY(c.sentAtMs && *c.sentAtMs >= d.receivedAtMs);
    QVERIFY(c.firstByteMs && c.endMs && *c.firstByteMs <= *c.endMs);
    QVERIFY(*d.ackMs >= *c.endMs); // what the PIM waited includes the connector's time
    QVERIFY(!d.flags.testFlag(Flag::Error));
}

void TestForward::judgedByTheSendersRules()
{
    TestConnector connector;
    start({rule(QStringLiteral("/=%1").arg(connector.url()))});
    // The Event Platform suspends on a 404.
    connector.setBehaviour({answer("404 Not Found", {}, "no such hook")});
    const QByteArray platform = readFile(QStringLiteral(PIMSCOPE_TEST_DATA_DIR "/formats/event_platform_single/body"));
    QCOMPARE(exchange(m_port, request("POST", "/platform", platform)).status, 404);
    // The Events API counts a 500 as an endpoint error.
    connector.setBehaviour({answer("500 Internal Server Error", {}, "boom")});
    QCOMPARE(exchange(m_port, signedAkeneo(oneEvent(2), "/akeneo")).status, 500);
    // Quable disables the webhook at the third failure in a row.
    const QByteArray quable = sample("quable_example.json");
    for (int i = 0; i < 3; ++i)
        QCOMPARE(exchange(m_port, request("POST", "/quable", quable)).status, 500);
    connector.setBehaviour({answer("200 OK", {}, {})});
    QCOMPARE(exchange(m_port, request("POST", "/quable", quable)).status, 200);

    m_receiver->stop();
    m_store->flush();
    const QList<Delivery> all = allDeliveries(m_store->reader());
    QCOMPARE(all.size(), 6);
    QList<qint64> ids;
    for (const Delivery &d : all)
        ids << d.id;
    const QList<ConnectorAnswer> forwards = m_store->reader().forwards(ids).value();
    QCOMPARE(forwards.size(), 6);
    QCOMPARE(forwards[0].verdict, ConnectorVerdict::WouldSuspend);
    QCOMPARE(forwards[1].verdict, eventsApi(forwards[1], ConnectorVerdict::EndpointError));
    QCOMPARE(forwards[2].verdict, ConnectorVerdict::EndpointError);
    QCOMPARE(forwards[3].verdict, ConnectorVerdict::EndpointError);
    QCOMPARE(forwards[4].verdict, ConnectorVerdict::WouldDisable);
    QCOMPARE(forwards[5].verdict, ConnectorVerdict::Sent);
    // What the PIM got is the delivery's answered status, flagged as its sender counts it.
    QCOMPARE(all[0].answeredStatus, 404);
    QVERIFY(all[0].flags.testFlag(Flag::Error));
    QCOMPARE(all[1].answeredStatus, 500);
    QVERIFY(all[1].flags.testFlag(Flag::Error));
    QCOMPARE(all[5].answeredStatus, 200);
    QVERIFY(!all[5].flags.testFlag(Flag::Error));
    // The events of a failed answer are flagged too (indexed after the answer, or before it and flagged then).
    const QList<qint64> failedEvents
        = test::ids(m_store->reader(), QStringLiteral("flag:error && format == akeneo"), FilterTarget::Events);
    QCOMPARE(failedEvents.size(), 1);

    // The connector's fields filter deliveries and events alike.
    const auto count = [this](const QString &filter, FilterTarget target = FilterTarget::Deliveries) {
        return test::ids(m_store->reader(), filter, target).size();
    };
    QCOMPARE(count(QStringLiteral("connector_status == 404")), 1);
    QCOMPARE(count(QStringLiteral("connector_status >= 500")), 4);
    QCOMPARE(count(QStringLiteral("connector_verdict == would_suspend")), 1);
    const int akeneoInTime = forwards[1].verdict == ConnectorVerdict::EndpointError ? 1 : 0;
    QCOMPARE(count(QStringLiteral("connector_verdict in {would_disable, endpoint_error}")), 3 + akeneoInTime);
    QCOMPARE(count(QStringLiteral("forward_state == answered")), 6);
    QCOMPARE(count(QStringLiteral("connector_ms < 30s")), 6);
    QCOMPARE(count(QStringLiteral("connector_verdict == sent"), FilterTarget::Events), 1);
    QCOMPARE(count(QStringLiteral("connector_verdict == endpoint_error && format == akeneo"), FilterTarget::Events),
             akeneoInTime);
    QCOMPARE(count(QStringLiteral("!(forward_state == answered)")), 0);

    // The diagnostics' counts, kept by triggers as the forwards are written, updated and pruned.
    CaptureSummary summary = m_store->reader().summary(QDateTime::currentMSecsSinceEpoch()).value();
    QCOMPARE(summary.connector.value(u"forwarded"_s), 6);
    QCOMPARE(summary.connector.value(u"would_suspend"_s), 1);
    QCOMPARE(summary.connector.value(u"would_disable"_s), 1);
    QCOMPARE(summary.connector.value(u"endpoint_error"_s), 2 + akeneoInTime);
    QCOMPARE(summary.connector.value(u"sent"_s), 1);
    QCOMPARE(summary.connector.value(u"waiting"_s), 0);
    QVERIFY(summary.connectorMsP99LastHour.has_value());
    QVERIFY(m_store->waitForTicket(
        m_store->prune(Retention{1, 0}, QDateTime::currentMSecsSinceEpoch() + qint64{2} * 24 * 3600 * 1000)));
    summary = m_store->reader().summary(QDateTime::currentMSecsSinceEpoch()).value();
    QCOMPARE(summary.connector.value(u"forwarded"_s), 0);
    QCOMPARE(summary.connector.value(u"would_suspend"_s), 0);
    QCOMPARE(m_store->reader().forwards(ids).value().size(), 0);
}

void TestForward::slowConnectorIsATimeout()
{
    TestConnector connector;
    start({rule(QStringLiteral("/=%1").arg(connector.url()))});
    TestConnector::Behaviour slow{answer("200 OK", {}, "late")};
    slow.delayMs = 700; // over the Events API's 500 ms
    connector.setBehaviour(slow);
    const Response r = exchange(m_port, signedAkeneo(oneEvent(3), "/akeneo"));
    QCOMPARE(r.status, 200); // passed on whenever it comes: the PIM applies its own deadline
    QCOMPARE(r.body, QByteArray("late"));
    const auto [d, c] = stored();
    QCOMPARE(c.verdict, ConnectorVerdict::Timeout);
    QVERIFY(*c.endMs >= 700);
    QVERIFY(d.flags.testFlag(Flag::SlowAck));
}

void TestForward::pimThatStopsWaitingStillCounts()
{
    // The PIM closes the connection at its deadline, before the connector's late answer: the delivery still gets the
    // status that would have been passed on and the time it took, flagged slow, as its sender counts a timeout.
    TestConnector connector;
    start({rule(QStringLiteral("/=%1").arg(connector.url()))});
    TestConnector::Behaviour slow{answer("200 OK", {}, "late")};
    slow.delayMs = 700;
    connector.setBehaviour(slow);
    QTcpSocket pim;
    pim.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(pim.waitForConnected(5000));
    pim.write(signedAkeneo(oneEvent(5), "/akeneo"));
    QVERIFY(pim.waitForBytesWritten(5000));
    QVERIFY(connector.waitForRequests(1));
    pim.abort(); // gone before the connector answers
    QSignalSpy answered(m_receiver.get(), &Receiver::answered);
    QVERIFY(answered.wait(5000));
    const auto summary = answered.front().front().value<ReceivedDelivery>();
    QVERIFY2(summary.error.contains(QStringLiteral("the PIM closed the connection")), qPrintable(summary.error));
    QCOMPARE(summary.status, 200);
    const auto [d, c] = stored();
    QCOMPARE(c.status, 200);
    QCOMPARE(c.verdict, ConnectorVerdict::Timeout);
    QCOMPARE(d.answeredStatus, 200);
    QVERIFY(d.ackMs.has_value());
    QVERIFY2(*d.ackMs >= 700, qPrintable(QString::number(*d.ackMs)));
    QVERIFY(d.flags.testFlag(Flag::SlowAck));
}

void TestForward::redirectsAreNotFollowed()
{
    TestConnector connector;
    start({rule(QStringLiteral("/=%1").arg(connector.url()))});
    connector.setBehaviour({answer("302 Found", "Location: http://127.0.0.1:1/elsewhere\r\n", {})});
    const QByteArray platform = readFile(QStringLiteral(PIMSCOPE_TEST_DATA_DIR "/formats/event_platform_single/body"));
    const Response r = exchange(m_port, request("POST", "/platform", platform));
    QCOMPARE(r.status, 302);
    QCOMPARE(headerOf(r.head, "Location"), QByteArray("http://127.0.0.1:1/elsewhere"));
    QCOMPARE(connector.requests().size(), 1);
    const auto [d, c] = stored();
    QCOMPARE(c.status, 302);
    QCOMPARE(c.verdict, ConnectorVerdict::WouldSuspend); // the Event Platform suspends on any 3xx
}

void TestForward::noConnectorIs502()
{
    quint16 closedPort = 0;
    {
        QTcpServer s;
        QVERIFY(s.listen(QHostAddress::LocalHost, 0));
        closedPort = s.serverPort();
    }
    start({rule(QStringLiteral("/=http://127.0.0.1:%1/hooks").arg(closedPort))});
    const Response r = exchange(m_port, signedAkeneo(oneEvent(4), "/akeneo"));
    QCOMPARE(r.status, 502);
    QVERIFY2(r.body.contains("refused"), r.body.constData());
    QCOMPARE(headerOf(r.head, "Content-Type"), QByteArray("application/json"));
    const auto [d, c] = stored();
    QCOMPARE(d.signature, Signature::Valid); // the delivery is stored whatever became of the forward
    QCOMPARE(d.body, oneEvent(4));
    QCOMPARE(d.answeredStatus, 502);
    QCOMPARE(c.state, ForwardState::Failed);
    QVERIFY(!c.status);
    QVERIFY2(c.error.contains(u"refused"), qPrintable(c.error));
    QCOMPARE(c.verdict, ConnectorVerdict::NoAnswer);
}

void TestForward::hugeAnswerKeepsItsStart()
{
    TestConnector connector;
    start({rule(QStringLiteral("/=%1").arg(connector.url()))});
    QByteArray huge(3 * 1024 * 1024, 'x');
    huge.replace(0, 5, "start");
    connector.setBehaviour({answer("200 OK", "Content-Type: text/plain\r\n", huge)});
    const Response r = exchange(m_port, signedAkeneo(oneEvent(5), "/akeneo"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body.size(), ConnectorAnswer::keptBodyBytes);
    QVERIFY(r.body.startsWith("start"));
    QCOMPARE(headerOf(r.head, "X-Pimscope-Truncated"), QByteArray::number(huge.size()));
    const auto [d, c] = stored();
    QCOMPARE(c.body, huge.left(ConnectorAnswer::keptBodyBytes));
    QCOMPARE(c.bodySize, qint64(huge.size()));
    QCOMPARE(c.verdict, eventsApi(c, ConnectorVerdict::Sent));
}

void TestForward::answerThatNeverEndsIs504()
{
    TestConnector connector;
    start({rule(QStringLiteral("/=%1").arg(connector.url()))}, 1000);
    TestConnector::Behaviour hang{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this"};
    hang.hang = true;
    connector.setBehaviour(hang);
    const Response r = exchange(m_port, signedAkeneo(oneEvent(6), "/akeneo"));
    QCOMPARE(r.status, 504);
    QVERIFY2(r.body.contains("did not end within 1 s"), r.body.constData());
    const auto [d, c] = stored();
    QCOMPARE(c.state, ForwardState::Failed);
    QCOMPARE(c.status, 200); // what came of it is kept
    QCOMPARE(c.body, QByteArray("only this"));
    QCOMPARE(c.verdict, ConnectorVerdict::Timeout);
    QCOMPARE(d.answeredStatus, 504);
}

void TestForward::connectionClosedEarly()
{
    TestConnector connector;
    start({rule(QStringLiteral("/=%1").arg(connector.url()))});
    TestConnector::Behaviour early{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n10 bytes.."};
    early.closeAfter = true;
    connector.setBehaviour(early);
    const Response r = exchange(m_port, signedAkeneo(oneEvent(7), "/akeneo"));
    QCOMPARE(r.status, 502);
    QVERIFY2(r.body.contains("before its answer (status 200) was complete"), r.body.constData());
    const auto [d, c] = stored();
    QCOMPARE(c.state, ForwardState::Failed);
    QCOMPARE(c.verdict, ConnectorVerdict::NoAnswer);
    QCOMPARE(c.body, QByteArray("10 bytes.."));
}

void TestForward::invalidHttpFromTheConnector()
{
    TestConnector connector;
    start({rule(QStringLiteral("/=%1").arg(connector.url()))});
    connector.setBehaviour({"SSH-2.0-OpenSSH_9.2\r\n\r\n"});
    const Response r = exchange(m_port, signedAkeneo(oneEvent(8), "/akeneo"));
    QCOMPARE(r.status, 502);
    QVERIFY2(r.body.contains("not an HTTP/1.1 answer"), r.body.constData());
    const auto [d, c] = stored();
    QVERIFY2(c.error.contains(u"SSH-2.0"), qPrintable(c.error));
    QCOMPARE(c.verdict, ConnectorVerdict::NoAnswer);
}

void TestForward::selfSignedCertificate()
{
    TestConnector connector(true);
    start({rule(QStringLiteral("/strict=%1").arg(connector.url())),
           rule(QStringLiteral("/lenient=%1,insecure").arg(connector.url()))});
    const Response strict = exchange(m_port, signedAkeneo(oneEvent(9), "/strict"));
    QCOMPARE(strict.status, 502);
    QVERIFY2(strict.body.contains("TLS"), strict.body.constData());
    const Response lenient = exchange(m_port, signedAkeneo(oneEvent(10), "/lenient"));
    QCOMPARE(lenient.status, 200);
    QCOMPARE(lenient.body, QByteArray("{\"ok\":true}"));
    const auto [d, c] = stored(0);
    QVERIFY2(c.error.contains(u"TLS handshake failed"), qPrintable(c.error));
    QCOMPARE(connector.requests().size(), 1);
}

void TestForward::refusedRequestsAreForwardedToo()
{
    TestConnector connector;
    start({rule(QStringLiteral("/=%1").arg(connector.url()))});
    // A bad signature and a body Pimscope cannot read: Pimscope would refuse both, the connector decides.
    QCOMPARE(exchange(m_port, signedAkeneo(oneEvent(11), "/akeneo", "wrong-secret")).status, 200);
    QCOMPARE(exchange(m_port, request("POST", "/akeneo", "{\"events\": [")).status, 200);
    QVERIFY(connector.waitForRequests(2));
    QCOMPARE(connector.requests()[1].body, QByteArray("{\"events\": ["));
    m_receiver->stop();
    m_store->flush();
    const QList<Delivery> all = allDeliveries(m_store->reader());
    QCOMPARE(all.size(), 2);
    QCOMPARE(all[0].signature, Signature::Invalid); // Pimscope's own verdict, beside the connector's answer
    QVERIFY(all[0].flags.testFlag(Flag::BadSignature));
    QCOMPARE(all[0].answeredStatus, 200);
    QVERIFY(!all[1].error.isNull());
    QCOMPARE(all[1].answeredStatus, 200);
    const QList<ConnectorAnswer> forwards = m_store->reader().forwards({all[0].id, all[1].id}).value();
    QCOMPARE(forwards.size(), 2);
    QCOMPARE(forwards[0].status, 200);
    QCOMPARE(forwards[1].status, 200);
    // A finding of the diagnostics: the connector accepted what it should have refused.
    const CaptureSummary summary = m_store->reader().summary(QDateTime::currentMSecsSinceEpoch()).value();
    QCOMPARE(summary.connector.value(u"accepted_invalid"_s), 2); // the bad signature, and the unsigned body
    QCOMPARE(summary.connector.value(u"accepted_expired"_s), 0);
    QCOMPARE(test::ids(m_store->reader(),
                       u"signature in {invalid, missing} && connector_status >= 200 && connector_status < 300"_s,
                       FilterTarget::Deliveries)
                 .size(),
             2);
}

void TestForward::onlyTheRulesPathsAreForwarded()
{
    TestConnector connector;
    start({rule(QStringLiteral("/akeneo=%1").arg(connector.url()))});
    connector.setBehaviour({answer("202 Accepted", {}, {})});
    QCOMPARE(exchange(m_port, signedAkeneo(oneEvent(12), "/akeneo-other")).status, 200); // not on a segment boundary
    QCOMPARE(exchange(m_port, signedAkeneo(oneEvent(13), "/akeneo/x")).status, 202);
    QCOMPARE(exchange(m_port, request("GET", "/", {})).status, 200); // the health check stays Pimscope's
    QCOMPARE(connector.requests().size(), 1);
    m_receiver->stop();
    m_store->flush();
    const QList<Delivery> all = allDeliveries(m_store->reader());
    QCOMPARE(all.size(), 2);
    QCOMPARE(m_store->reader().forwards({all[0].id}).value().size(), 0);
    QCOMPARE(m_store->reader().forwards({all[1].id}).value().size(), 1);
}

QList<ConnectorAnswer> TestForward::allForwards()
{
    m_store->flush();
    QList<qint64> ids;
    for (const Delivery &d : allDeliveries(m_store->reader()))
        ids << d.id;
    return m_store->reader().forwards(ids).value();
}

bool TestForward::waitForForwards(qsizetype n, const QList<ForwardState> &states, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs) {
        const QList<ConnectorAnswer> all = allForwards();
        if (all.size() == n
            && std::all_of(all.begin(), all.end(), [&](const ConnectorAnswer &c) { return states.contains(c.state); }))
            return true;
        QTest::qWait(20);
    }
    return false;
}

void TestForward::exportsCarryTheConnector()
{
    TestConnector connector;
    connector.setBehaviour({answer("201 Created", "Content-Type: text/plain\r\nX-Connector: yes\r\n", "made")});
    start({rule(QStringLiteral("/=%1").arg(connector.url()))});
    QCOMPARE(exchange(m_port, signedAkeneo(oneEvent(400), "/akeneo")).status, 201);
    m_receiver->stop();
    m_store->flush();
    const QList<Delivery> all = allDeliveries(m_store->reader());
    QCOMPARE(all.size(), 1);
    // Sent, or a timeout on a loaded machine: the exports say what was recorded.
    const QByteArray verdict
        = connectorVerdictName(*m_store->reader().forwards({all.front().id})->front().verdict).toUtf8();
    const auto exported = [&](ExportFormat format, FilterTarget what) {
        QByteArray out;
        QList<qint64> idsOf{all.front().id};
        if (what == FilterTarget::Events)
            idsOf = test::ids(m_store->reader(), QString(), FilterTarget::Events);
        const auto stats
            = runExport(m_store->reader(), format, what, idsOf, HeaderRedactor(), [&out](QByteArrayView bytes) {
                  out += bytes;
                  return true;
              });
        if (!stats)
            qWarning() << stats.error();
        return out;
    };
    for (const FilterTarget what : {FilterTarget::Events, FilterTarget::Deliveries}) {
        const QByteArray jsonl = exported(ExportFormat::Jsonl, what);
        QVERIFY2(jsonl.contains("\"connector_status\":201"), jsonl.constData());
        QVERIFY(jsonl.contains(QByteArray("\"connector_verdict\":\"" + verdict + '"')));
        QVERIFY(jsonl.contains("\"forward_state\":\"answered\""));
        QVERIFY(jsonl.contains("\"connector_ms\":"));
        const QList<QByteArray> csv = exported(ExportFormat::Csv, what).split('\n');
        const QList<QByteArray> names = csv[0].trimmed().split(',');
        const QList<QByteArray> values = csv[1].trimmed().split(',');
        QCOMPARE(values.value(names.indexOf("connector_status")), QByteArray("201"));
        QCOMPARE(values.value(names.indexOf("connector_verdict")), verdict);
        QCOMPARE(values.value(names.indexOf("forward_state")), QByteArray("answered"));
        QVERIFY(!values.value(names.indexOf("connector_ms")).isEmpty());
    }
    // HAR: the response is the connector's (what the PIM got), its headers and body included.
    const QJsonObject entry = QJsonDocument::fromJson(exported(ExportFormat::Har, FilterTarget::Deliveries))
                                  .object()[u"log"_s]
                                  .toObject()[u"entries"_s]
                                  .toArray()
                                  .at(0)
                                  .toObject();
    const QJsonObject response = entry[u"response"_s].toObject();
    QCOMPARE(response[u"status"_s].toInt(), 201);
    QCOMPARE(response[u"content"_s].toObject()[u"text"_s].toString(), u"made"_s);
    QVERIFY(QJsonDocument(response[u"headers"_s].toArray()).toJson().contains("X-Connector"));
    QCOMPARE(entry[u"_pimscope"_s].toObject()[u"connector_verdict"_s].toString().toUtf8(), verdict);
    QCOMPARE(entry[u"_pimscope"_s].toObject()[u"connector_status"_s].toInt(), 201);
    // The PIM's log format: the connector's outcome as a key of Pimscope's own, which the importer reads past.
    const QByteArray log = exported(ExportFormat::AkeneoLog, FilterTarget::Deliveries);
    QVERIFY2(log.contains("\"pimscope_connector\":{\"connector_status\":201,"), log.constData());
    QTemporaryDir other;
    auto again = openStore(other.filePath(u"again.db"_s));
    const auto imported = importBytes(*again, log, u"exported.log"_s);
    QVERIFY2(imported, qPrintable(imported.error()));
    QCOMPARE(imported->record.lines, 1);
    QCOMPARE(imported->record.events, qint64(1));
    QCOMPARE(imported->malformedLines, 0);
}

quint16 freePort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}

void TestForward::ackAnswersThenForwardsInOrder()
{
    TestConnector connector;
    TestConnector::Behaviour slow{answer("200 OK", {}, "ok")};
    slow.delayMs = 3000; // the first forward's answer takes 3 s
    connector.setBehaviour(slow);
    start({rule(QStringLiteral("/=%1,mode=ack").arg(connector.url(QStringLiteral("/in"))))});
    for (int i = 0; i < 5; ++i) {
        const Response r = exchange(m_port, signedAkeneo(oneEvent(100 + i), "/akeneo"));
        QCOMPARE(r.status, 200); // Pimscope's own answer, without waiting for the connector
        QVERIFY(r.body.contains("\"stored\""));
    }
    QVERIFY(connector.waitForRequests(1));
    QCOMPARE(connector.requests().size(), 1); // one at a time: the next waits for the first's answer
    connector.setBehaviour({answer("200 OK", {}, "ok")});
    QVERIFY(connector.waitForRequests(5));
    const QList<TestConnector::Request> got = connector.requests();
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(got[i].body, oneEvent(100 + i)); // one at a time, in arrival order
        QCOMPARE(got[i].target(), QByteArray("/in/akeneo"));
        QVERIFY(!got[i].header("X-Akeneo-Request-Signature").isEmpty());
    }
    QVERIFY(waitForForwards(5, {ForwardState::Answered}));
    const QList<ConnectorAnswer> forwards = allForwards();
    for (const ConnectorAnswer &c : forwards) {
        QCOMPARE(c.ackMode, true);
        QCOMPARE(c.attempts, 1);
        QCOMPARE(c.status, 200);
        // Judged as the Events API would have: the first answer took 3 s, over its 500 ms.
        QCOMPARE(c.verdict, &c == &forwards.front() ? ConnectorVerdict::Timeout : eventsApi(c, ConnectorVerdict::Sent));
        QVERIFY(c.requestHeaders.isEmpty()); // not kept once done
        QVERIFY(!c.possiblyTwice);
    }
    // What the PIM got is Pimscope's answer.
    for (const Delivery &d : allDeliveries(m_store->reader()))
        QCOMPARE(d.answeredStatus, 200);
}

void TestForward::ackKeepsWhatTheConnectorMissedAcrossARestart()
{
    const quint16 port = freePort();
    const QList<ForwardRule> rules{rule(QStringLiteral("/=http://127.0.0.1:%1/hooks,mode=ack").arg(port))};
    start(rules);
    // Signed, and with an Authorization header of the kind the capture redacts.
    const auto withToken = [](const QByteArray &raw) {
        QByteArray r = raw;
        return r.replace("\r\n\r\n", "\r\nAuthorization: Bearer the-connector-token\r\n\r\n");
    };
    for (int i = 0; i < 3; ++i)
        QCOMPARE(exchange(m_port, withToken(signedAkeneo(oneEvent(150 + i), "/akeneo"))).status, 200);
    // The connector is down: the first forward is tried, the queue waits behind it.
    QVERIFY(waitForForwards(3, {ForwardState::Queued, ForwardState::Sending}));
    QCOMPARE(m_store->reader().summary(QDateTime::currentMSecsSinceEpoch())->connector.value(u"waiting"_s), 3);
    QElapsedTimer t;
    t.start();
    QList<ConnectorAnswer> rows;
    do {
        QTest::qWait(50);
        rows = allForwards();
    } while (rows.front().attempts < 1 && t.elapsed() < 10000);
    QCOMPARE(rows.front().state, ForwardState::Queued);
    QVERIFY2(rows.front().error.contains(u"refused"), qPrintable(rows.front().error));
    QVERIFY(rows.front().nextAttemptAtMs.has_value());
    QCOMPARE(rows.front().verdict, ConnectorVerdict::NoAnswer);
    m_receiver.reset(); // Pimscope stops with three forwards queued
    for (const ConnectorAnswer &c : allForwards())
        QCOMPARE(c.state, ForwardState::Queued); // none left Sending by a clean stop: none possibly received twice

    TestConnector connector(false, port); // the connector is back
    start(rules);
    QVERIFY(connector.waitForRequests(3));
    QVERIFY(waitForForwards(3, {ForwardState::Answered}));
    const QList<TestConnector::Request> got = connector.requests();
    QCOMPARE(got.size(), 3);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(got[i].body, oneEvent(150 + i)); // in order
        QCOMPARE(got[i].header("Authorization"), QByteArray("Bearer the-connector-token")); // as received
    }
    rows = allForwards();
    QVERIFY(rows.front().attempts >= 2);
    for (const ConnectorAnswer &c : rows) {
        QVERIFY(!c.possiblyTwice);
        QVERIFY(c.error.isNull());
    }
    // The capture's own copy of the headers stays redacted.
    QVERIFY(!allDeliveries(m_store->reader())
                 .front()
                 .headers.contains(Header{"Authorization", "Bearer the-connector-token"}));
}

void TestForward::ackSendsAgainWhatWasInFlight()
{
    TestConnector connector;
    // A forward left Sending by a run that was killed mid-request.
    Delivery d = receivedDelivery(oneEvent(200), QDateTime::currentMSecsSinceEpoch());
    d.path = "/akeneo";
    d.method = "POST";
    const quint64 ticket = m_store->enqueue(d);
    QVERIFY(m_store->waitForTicket(ticket));
    const qint64 id = allDeliveries(m_store->reader()).front().id;
    ConnectorAnswer row;
    row.deliveryId = id;
    row.target = connector.url(QStringLiteral("/old"));
    row.ackMode = true;
    row.state = ForwardState::Sending;
    row.requestHeaders = {Header{"Content-Type", "application/json"}};
    QVERIFY(m_store->waitForTicket(m_store->recordForwards({row})));

    start({rule(QStringLiteral("/=%1,mode=ack").arg(connector.url(QStringLiteral("/new"))))});
    QVERIFY(connector.waitForRequests(1));
    QCOMPARE(connector.requests().front().body, oneEvent(200));
    QCOMPARE(connector.requests().front().target(), QByteArray("/new/akeneo")); // today's rule
    QVERIFY(waitForForwards(1, {ForwardState::Answered}));
    const ConnectorAnswer c = allForwards().front();
    QVERIFY(c.possiblyTwice);
    QCOMPARE(c.attempts, 1);
    QCOMPARE(m_store->reader().summary(QDateTime::currentMSecsSinceEpoch())->connector.value(u"twice"_s), 1);
    QCOMPARE(test::ids(m_store->reader(), u"connector_twice == 1"_s, FilterTarget::Deliveries).size(), 1);
}

void TestForward::ackGivesUpAfter24Hours()
{
    const quint16 port = freePort();
    Delivery d = receivedDelivery(oneEvent(300), QDateTime::currentMSecsSinceEpoch() - 25 * 3600 * 1000LL);
    d.path = "/akeneo";
    d.method = "POST";
    QVERIFY(m_store->waitForTicket(m_store->enqueue(d)));
    ConnectorAnswer row;
    row.deliveryId = allDeliveries(m_store->reader()).front().id;
    row.target = QStringLiteral("http://127.0.0.1:%1/").arg(port);
    row.ackMode = true;
    row.state = ForwardState::Queued;
    row.attempts = 40;
    QVERIFY(m_store->waitForTicket(m_store->recordForwards({row})));
    start({rule(QStringLiteral("/=http://127.0.0.1:%1/,mode=ack").arg(port))});
    QVERIFY(waitForForwards(1, {ForwardState::GivenUp}));
    const ConnectorAnswer c = allForwards().front();
    QCOMPARE(c.attempts, 41);
    QVERIFY2(c.error.startsWith(u"given up 24 h after"), qPrintable(c.error));
    QCOMPARE(m_store->reader().summary(QDateTime::currentMSecsSinceEpoch())->connector.value(u"given_up"_s), 1);
}

QTEST_GUILESS_MAIN(TestForward)
#include "tst_forward.moc"
