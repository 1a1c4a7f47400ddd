#include "rawhttp.h"
#include "testutil.h"

#include "filter/filter.h"
#include "receiver/receiver.h"
#include "receiver/signatureverifier.h"
#include "receiver/tlsconfig.h"
#include "signing/hmac.h"
#include "store/eventstore.h"
#include "store/storereader.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace pimscope;
using namespace pimscope::test;

namespace {

QByteArray akeneoSign(const QByteArray &secret, const QByteArray &timestamp, const QByteArray &body)
{
    return akeneoSignature(secret, timestamp, body);
}

} // namespace

class TestReceiver : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void storesThenAnswers();
    void healthCheckIsNotStored();
    void eventPlatformNotificationIsStored();
    void defaultsAreLoopbackAndBounded();
    void listenAddressForms();
    void refusedRequestsAreStoredRedacted();
    void unauthorizedAnswersNameNoSecret();
    void alwaysSucceedKeepsTheVerdicts();
    void sameSignedRequestTwice();
    void requestsWithoutHeaders();
    void otherMethodsAre405();
    void malformedBodiesAre400ButStored_data();
    void malformedBodiesAre400ButStored();
    void signatures_data();
    void signatures();
    void oversizedBodyIsRefusedBeforeItIsRead();
    void expectContinueIsAnswered();
    void pipelinedAnswersKeepTheirOrder();
    void simulatedFailingConnector();
    void storeFailureIs503();
    void vanishingClientsDoNoHarm();
    void concurrentClients();
    void portInUse();
    void connectionHandling();
    void slowSenders();
    void servesTls();
    void tlsFilesAreChecked();

private:
    Response post(const QByteArray &body, const QList<QPair<QByteArray, QByteArray>> &headers = {},
                  const QByteArray &path = "/hook");
    void startReceiver(ReceiverSettings settings = {});
    QList<Delivery> deliveries();

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<EventStore> m_store;
    std::unique_ptr<Receiver> m_receiver;
    quint16 m_port = 0;
};

void TestReceiver::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    auto store = EventStore::open(m_dir->filePath(QStringLiteral("capture.db")));
    QVERIFY2(store, qPrintable(store.error()));
    m_store = std::move(store.value());
}

void TestReceiver::cleanup()
{
    m_receiver.reset();
    m_store.reset();
    m_dir.reset();
}

void TestReceiver::startReceiver(ReceiverSettings settings)
{
    settings.port = 0;
    m_receiver = std::make_unique<Receiver>(m_store.get(), settings);
    const auto port = m_receiver->start();
    QVERIFY2(port, qPrintable(port.error()));
    m_port = *port;
}

Response TestReceiver::post(const QByteArray &body, const QList<QPair<QByteArray, QByteArray>> &headers,
                            const QByteArray &path)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_port);
    if (!socket.waitForConnected(5000))
        return {};
    socket.write(request("POST", path, body, headers));
    QByteArray buffer;
    return readResponse(socket, buffer);
}

QList<Delivery> TestReceiver::deliveries()
{
    m_store->flush();
    auto ids = m_store->reader().matchingIds(Filter::parse(QString()), FilterTarget::Deliveries);
    return m_store->reader().deliveries(*ids).value();
}

void TestReceiver::storesThenAnswers()
{
    startReceiver();
    const QByteArray body = sample("akeneo_batch_example.json");
    QSignalSpy answered(m_receiver.get(), &Receiver::answered);
    const Response r = post(body);
    QCOMPARE(r.status, 200);
    const QJsonObject json = QJsonDocument::fromJson(r.body).object();
    QCOMPARE(json.value(u"status").toString(), QStringLiteral("stored"));
    QCOMPARE(json.value(u"events").toInt(), 10);
    const qint64 id = json.value(u"delivery").toInteger();
    QVERIFY(id > 0);
    // The answer came after the commit: another connection sees the delivery at once.
    auto reader = StoreReader::open(m_store->path());
    QVERIFY(reader);
    const auto rows = reader.value()->deliveries({id});
    QCOMPARE(rows->size(), 1);
    QCOMPARE(rows->first().body, body);
    QCOMPARE(rows->first().answeredStatus, 200);
    QCOMPARE(rows->first().format, Format::Akeneo);
    QCOMPARE(rows->first().method, QByteArray("POST"));
    QCOMPARE(rows->first().path, QByteArray("/hook"));
    QVERIFY(rows->first().remote.startsWith(QStringLiteral("127.0.0.1:")));
    QCOMPARE(headerValue(rows->first().headers, "Content-Length"), QByteArray::number(body.size()));
    // The answer time is recorded once the answer is written.
    QTRY_COMPARE(answered.size(), 1);
    QTRY_VERIFY(reader.value()->deliveries({id})->first().ackMs.has_value());
    const double ack = *reader.value()->deliveries({id})->first().ackMs;
    QVERIFY2(ack >= 0 && ack < 500, qPrintable(QString::number(ack)));
    QCOMPARE(answered.first().first().value<ReceivedDelivery>().id, id);
}

void TestReceiver::eventPlatformNotificationIsStored()
{
    // A subscription-suspended notice: its "events" lists event types, and it must not be taken for a malformed
    // Events API batch (400).
    startReceiver();
    const QByteArray body
        = readFile(QStringLiteral(PIMSCOPE_TEST_DATA_DIR "/formats/event_platform_notification_suspended/body"));
    const Response r = post(body);
    QCOMPARE(r.status, 200);
    QCOMPARE(QJsonDocument::fromJson(r.body).object().value(u"events").toInt(), 1);
    const auto stored = deliveries();
    QCOMPARE(stored.size(), 1);
    QCOMPARE(stored[0].format, Format::AkeneoEventPlatform);
    QVERIFY(stored[0].error.isNull());
    QVERIFY(!stored[0].flags.testFlag(Flag::Error));
    QCOMPARE(stored[0].body, body);
    // The platform's own word about the subscription whose destination path it names, beside what the answers
    // there predicted; its own request is not one of that subscription's.
    QTRY_COMPARE(m_store->health().size(), 1);
    SubscriptionHealth h = m_store->health().front();
    QCOMPARE(h.path, "/akeneo/events");
    QCOMPARE(h.sender, Format::AkeneoEventPlatform);
    QCOMPARE(h.requests, 0);
    QVERIFY(h.cutOff);
    QCOMPARE(h.notice, QStringLiteral("subscription.suspended.system: Success rate dropped below 90%"));
    QCOMPARE(h.cutOffReason,
             QStringLiteral("its notification said subscription.suspended.system: Success rate dropped below 90%"));
    QCOMPARE(post(readFile(QStringLiteral(PIMSCOPE_TEST_DATA_DIR "/formats/event_platform_notification_resumed/body")))
                 .status,
             200);
    QTRY_VERIFY(!m_store->health().front().cutOff);
    h = m_store->health().front();
    QCOMPARE(h.notice, QStringLiteral("subscription.resumed"));
    QCOMPARE(h.cutOffs, 1);

    // A destination with a query (a token in the URL): the receiver stores the path with its query, and the notice
    // about it pairs with that subscription, not a new one.
    const QByteArray tokenPath = "/ep/hook?token=a%20b";
    QCOMPARE(post(readFile(QStringLiteral(PIMSCOPE_TEST_DATA_DIR "/formats/event_platform_single/body")), {}, tokenPath)
                 .status,
             200);
    QTRY_COMPARE(m_store->health().size(), 2);
    QByteArray tokenNotice = body;
    tokenNotice.replace(R"(https:\/\/hooks.acme-retail.com\/akeneo\/events)",
                        R"(https:\/\/hooks.acme-retail.com\/ep\/hook?token=a%20b)");
    QVERIFY(tokenNotice != body);
    QCOMPARE(post(tokenNotice).status, 200);
    const auto suspended = [&] {
        for (const SubscriptionHealth &s : m_store->health()) {
            if (s.path == tokenPath)
                return s.requests == 1 && s.cutOff;
        }
        return false;
    };
    QTRY_VERIFY(suspended());
    QCOMPARE(m_store->health().size(), 2);
}

void TestReceiver::healthCheckIsNotStored()
{
    startReceiver();
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(socket.waitForConnected());
    socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    QByteArray buffer;
    const Response r = readResponse(socket, buffer);
    QCOMPARE(r.status, 200);
    QVERIFY(r.body.contains("running"));
    QCOMPARE(deliveries().size(), 0);
}

void TestReceiver::defaultsAreLoopbackAndBounded()
{
    // docs/SECURITY.md §1: the loopback, port 8787, and the guard's limits.
    const ReceiverSettings defaults;
    QCOMPARE(defaults.address, QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(defaults.port, quint16(8787));
    QVERIFY(!defaults.acceptInvalidSignature);
    QVERIFY(!defaults.tls.has_value());
    QVERIFY(defaults.signatures.rules.isEmpty());
    QCOMPARE(defaults.signatures.maxSkewMs, qint64(300'000));
    QCOMPARE(defaults.limits.maxBodyBytes, qint64(16 * 1024 * 1024));
    QCOMPARE(defaults.limits.idleTimeoutMs, 60 * 1000);
    QCOMPARE(defaults.limits.maxHeaderBytes, 64 * 1024);
    // The default limit holds: one byte over 16 MiB is refused before it is read.
    startReceiver(defaults);
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(socket.waitForConnected());
    socket.write("POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: " + QByteArray::number(16 * 1024 * 1024 + 1)
                 + "\r\n\r\n");
    QByteArray buffer;
    QCOMPARE(readResponse(socket, buffer).status, 413);
    // The receiver's TLS asks nothing of its clients and uses Qt's default protocols (TLS 1.2 and later).
    const auto tls = loadServerTls(QStringLiteral(PIMSCOPE_TEST_DATA_DIR "/tls/cert.pem"),
                                   QStringLiteral(PIMSCOPE_TEST_DATA_DIR "/tls/key.pem"));
    QVERIFY2(tls, qPrintable(tls.error()));
    QCOMPARE(tls->peerVerifyMode(), QSslSocket::VerifyNone);
    QCOMPARE(tls->protocol(), QSsl::SecureProtocols);
}

void TestReceiver::listenAddressForms()
{
    QHostAddress address;
    quint16 port = 0;
    QVERIFY(parseListenAddress(QStringLiteral(":8787"), address, port));
    QCOMPARE(address, QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(port, quint16(8787));
    QVERIFY(parseListenAddress(QStringLiteral("localhost:9000"), address, port));
    QCOMPARE(address, QHostAddress(QHostAddress::LocalHost));
    QVERIFY(parseListenAddress(QStringLiteral("[::1]:8787"), address, port));
    QCOMPARE(address, QHostAddress(QHostAddress::LocalHostIPv6));
    QVERIFY(address.isLoopback());
    QVERIFY(parseListenAddress(QStringLiteral("0.0.0.0:1"), address, port));
    QVERIFY(!address.isLoopback());
    for (const char *bad : {"8787", "127.0.0.1:70000", "127.0.0.1:", "nowhere.example:80", "127.0.0.1:-1"})
        QVERIFY2(!parseListenAddress(QString::fromLatin1(bad), address, port), bad);
}

void TestReceiver::refusedRequestsAreStoredRedacted()
{
    // Requests the guard refuses (431, 400) and the 405s are stored, with their Authorization redacted, and those the
    // guard refused without a body.
    ReceiverSettings settings;
    settings.limits.maxHeaderBytes = 4096;
    startReceiver(settings);
    const QByteArray secret = "Bearer refused-secret-token";
    const QList<QByteArray> requests = {
        "POST /big-head HTTP/1.1\r\nHost: x\r\nAuthorization: " + secret + "\r\nX-Pad: " + QByteArray(8000, 'p')
            + "\r\n\r\n",
        "POST /bad-length HTTP/1.1\r\nHost: x\r\nAuthorization: " + secret + "\r\nContent-Length: 12abc\r\n\r\n{}",
        "PUT /put HTTP/1.1\r\nHost: x\r\nAuthorization: " + secret + "\r\nContent-Length: 2\r\n\r\n{}",
    };
    QList<int> statuses;
    for (const QByteArray &r : requests) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(socket.waitForConnected());
        socket.write(r);
        QByteArray buffer;
        statuses.append(readResponse(socket, buffer).status);
    }
    QCOMPARE(statuses, QList<int>({431, 400, 405}));
    const auto stored = deliveries();
    QCOMPARE(stored.size(), 3);
    for (const Delivery &d : stored) {
        QVERIFY2(headerValue(d.headers, "Authorization").startsWith("Bearer [redacted sha256:"), d.path.constData());
        if (d.answeredStatus != 405)
            QVERIFY2(d.body.isEmpty(), d.path.constData());
    }
    // Nowhere in the capture's files.
    for (const QString &file : QStringList{m_store->path(), m_store->path() + QStringLiteral("-wal")}) {
        if (QFile::exists(file))
            QVERIFY2(!readFile(file).contains("refused-secret-token"), qPrintable(file));
    }
}

void TestReceiver::unauthorizedAnswersNameNoSecret()
{
    const QByteArray secret = "3ha6eonoa9icsckw8kccos084w0c0000g08g40oo4kww0gc8w4";
    ReceiverSettings settings;
    SignatureRule rule;
    rule.akeneoSecret = secret;
    SignatureRule quable;
    quable.pathPrefix = "/quable";
    quable.quableAuthorization = "Bearer the-expected-quable-token";
    settings.signatures.rules = {rule, quable};
    startReceiver(settings);
    const QByteArray body = sample("akeneo_batch_example.json");
    const QByteArray ts = QByteArray::number(QDateTime::currentSecsSinceEpoch());
    const Response bad = post(
        body, {{"X-Akeneo-Request-Timestamp", ts}, {"X-Akeneo-Request-Signature", akeneoSign("wrong", ts, body)}});
    QCOMPARE(bad.status, 401);
    const QString error = QJsonDocument::fromJson(bad.body).object().value(u"error").toString();
    QVERIFY2(error.startsWith(QStringLiteral("signature invalid")), qPrintable(error));
    QVERIFY(!bad.body.contains(secret));
    // At most a short prefix of the HMAC that was expected (8 hex digits), never the whole MAC.
    const QByteArray expected = akeneoSign(secret, ts, body);
    QVERIFY(!bad.body.contains(expected.left(16)));
    const Response wrongToken
        = post(sample("quable_example.json"), {{"Authorization", "Bearer not-the-token"}}, "/quable");
    QCOMPARE(wrongToken.status, 401);
    QVERIFY(!wrongToken.body.contains("the-expected-quable-token"));
    QVERIFY(!wrongToken.body.contains("not-the-token"));
}

void TestReceiver::alwaysSucceedKeepsTheVerdicts()
{
    // Quable always answered 2xx: a wrong Authorization is answered 200 (never a failure that disables its webhook)
    // and still recorded as such; a body that cannot be read carries nothing that says it is Quable's (400). The
    // Events API keeps its 401, told by its signature header even when its body cannot be read.
    ReceiverSettings settings;
    SignatureRule quable;
    quable.pathPrefix = "/quable";
    quable.quableAuthorization = "Bearer the-expected-quable-token";
    SignatureRule akeneo;
    akeneo.pathPrefix = "/akeneo";
    akeneo.akeneoSecret = "secret";
    settings.signatures.rules = {quable, akeneo};
    settings.alwaysSucceedFor = {Format::Quable};
    startReceiver(settings);
    QCOMPARE(post(sample("quable_example.json"), {{"Authorization", "Bearer not-the-token"}}, "/quable").status, 200);
    QCOMPARE(post("{\"uuid\": ", {{"Authorization", "Bearer the-expected-quable-token"}}, "/quable").status, 400);
    const QByteArray ts = QByteArray::number(QDateTime::currentSecsSinceEpoch());
    QCOMPARE(
        post("{\"events\": [", {{"X-Akeneo-Request-Timestamp", ts}, {"X-Akeneo-Request-Signature", "00"}}, "/akeneo")
            .status,
        401);
    const auto stored = deliveries();
    QCOMPARE(stored.size(), 3);
    QCOMPARE(stored[0].answeredStatus, 200);
    QCOMPARE(stored[0].signature, Signature::Invalid);
    QVERIFY(stored[0].flags.testFlag(Flag::BadSignature));
    QCOMPARE(stored[1].answeredStatus, 400); // unreadable, and nothing says it is Quable's
}

void TestReceiver::sameSignedRequestTwice()
{
    // No replay cache: a signed request posted twice within the freshness window verifies both times; its events
    // are flagged as duplicates the second time (docs/SECURITY.md §4).
    const QByteArray secret = "3ha6eonoa9icsckw8kccos084w0c0000g08g40oo4kww0gc8w4";
    ReceiverSettings settings;
    SignatureRule rule;
    rule.akeneoSecret = secret;
    settings.signatures.rules = {rule};
    startReceiver(settings);
    const QByteArray body = sample("akeneo_batch_example.json");
    const QByteArray ts = QByteArray::number(QDateTime::currentSecsSinceEpoch());
    const QList<QPair<QByteArray, QByteArray>> headers
        = {{"X-Akeneo-Request-Timestamp", ts}, {"X-Akeneo-Request-Signature", akeneoSign(secret, ts, body)}};
    QCOMPARE(post(body, headers).status, 200);
    QCOMPARE(post(body, headers).status, 200);
    const auto stored = deliveries();
    QCOMPARE(stored.size(), 2);
    QCOMPARE(stored[0].signature, Signature::Valid);
    QCOMPARE(stored[1].signature, Signature::Valid);
    QTRY_VERIFY(m_store->reader().deliveries({stored[1].id})->first().flags.testFlag(Flag::Duplicate));
}

void TestReceiver::requestsWithoutHeaders()
{
    // A head that is only its request line (HTTP/1.0 needs no Host): the guard read the header lines out of bounds
    // (found by fuzz_receiver; tests/data/fuzz/receiver has the input).
    startReceiver();
    const QList<QPair<QByteArray, int>> heads = {
        {"GET / HTTP/1.0\r\n\r\n", 200}, // the health check
        {"POST /hook HTTP/1.0\r\n\r\n", 200}, // an empty body: Akeneo's Test button
        {"POST / HTT-Length: 12abc\r\n\r\n{}", 0}, // no valid request line: QHttpServer closes the connection
    };
    for (const auto &[head, status] : heads) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(socket.waitForConnected());
        socket.write(head);
        QByteArray buffer;
        QCOMPARE(readResponse(socket, buffer).status, status);
    }
    // The receiver still answers normally.
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(socket.waitForConnected());
    socket.write(request("POST", "/hook", sample("akeneo_batch_example.json")));
    QByteArray buffer;
    QCOMPARE(readResponse(socket, buffer).status, 200);
}

void TestReceiver::otherMethodsAre405()
{
    startReceiver();
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(socket.waitForConnected());
    socket.write(request("PUT", "/hook", "{}"));
    QByteArray buffer;
    QCOMPARE(readResponse(socket, buffer).status, 405);
    socket.write("GET /other HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(readResponse(socket, buffer).status, 405);
    const auto stored = deliveries();
    QCOMPARE(stored.size(), 2);
    QCOMPARE(stored[0].method, QByteArray("PUT"));
    QCOMPARE(stored[0].answeredStatus, 405);
    QVERIFY(stored[0].error.contains(QStringLiteral("not allowed")));
    QCOMPARE(stored[1].path, QByteArray("/other"));
}

void TestReceiver::malformedBodiesAre400ButStored_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("message");
    QTest::newRow("truncated") << QByteArray("{\"events\":[{\"action\":") << "invalid JSON";
    QTest::newRow("not json") << QByteArray("<html>502 Bad Gateway</html>") << "invalid JSON";
    QTest::newRow("invalid utf-8") << QByteArray("{\"events\":[{\"author\":\"caf\xe9\"}]}") << "invalid UTF-8";
    QTest::newRow("events not an array") << QByteArray("{\"events\":{}}") << "events";
}

void TestReceiver::malformedBodiesAre400ButStored()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, message);
    startReceiver();
    const Response r = post(body);
    QCOMPARE(r.status, 400);
    const QString error = QJsonDocument::fromJson(r.body).object().value(u"error").toString();
    QVERIFY2(error.contains(message), qPrintable(error));
    const auto stored = deliveries();
    QCOMPARE(stored.size(), 1);
    QCOMPARE(stored[0].body, body); // the raw bytes are kept
    QCOMPARE(stored[0].answeredStatus, 400);
    QCOMPARE(stored[0].error, error);
    QVERIFY(stored[0].flags.testFlag(Flag::Error));
}

void TestReceiver::signatures_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("signature"); // "good", "bad", "none", "old"
    QTest::addColumn<bool>("acceptInvalid");
    QTest::addColumn<int>("status");
    QTest::addColumn<Signature>("verdict");
    const QByteArray batch = sample("akeneo_batch_example.json");
    QTest::newRow("valid") << batch << "good" << false << 200 << Signature::Valid;
    QTest::newRow("invalid") << batch << "bad" << false << 401 << Signature::Invalid;
    QTest::newRow("missing") << batch << "none" << false << 401 << Signature::Missing;
    QTest::newRow("expired") << batch << "old" << false << 401 << Signature::Expired;
    QTest::newRow("invalid accepted") << batch << "bad" << true << 200 << Signature::Invalid;
    QTest::newRow("test button unsigned") << QByteArray() << "none" << false << 200 << Signature::Missing;
    QTest::newRow("test button signed") << QByteArray() << "good" << false << 200 << Signature::Valid;
    QTest::newRow("test button bad") << QByteArray() << "bad" << false << 200 << Signature::Invalid;
}

void TestReceiver::signatures()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, signature);
    QFETCH(bool, acceptInvalid);
    QFETCH(int, status);
    QFETCH(Signature, verdict);
    const QByteArray secret = "3ha6eonoa9icsckw8kccos084w0c0000g08g40oo4kww0gc8w4";
    ReceiverSettings settings;
    SignatureRule rule;
    rule.akeneoSecret = secret;
    settings.signatures.rules = {rule};
    settings.acceptInvalidSignature = acceptInvalid;
    startReceiver(settings);
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const QByteArray ts = QByteArray::number(signature == u"old" ? now - 3600 : now);
    QList<QPair<QByteArray, QByteArray>> headers;
    if (signature != u"none") {
        headers = {{"X-Akeneo-Request-Timestamp", ts},
                   {"X-Akeneo-Request-Signature",
                    signature == u"bad" ? akeneoSign("wrong", ts, body) : akeneoSign(secret, ts, body)}};
    }
    const Response r = post(body, headers);
    QCOMPARE(r.status, status);
    const auto stored = deliveries();
    QCOMPARE(stored.size(), 1);
    QCOMPARE(stored[0].signature, verdict);
    QCOMPARE(stored[0].answeredStatus, status);
    QCOMPARE(stored[0].flags.testFlag(Flag::BadSignature), verdict != Signature::Valid);
    if (!body.isEmpty())
        QCOMPARE(stored[0].eventCount, 10); // indexed whatever the verdict
}

void TestReceiver::oversizedBodyIsRefusedBeforeItIsRead()
{
    ReceiverSettings settings;
    settings.limits.maxBodyBytes = 1024 * 1024;
    startReceiver(settings);
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(socket.waitForConnected());
    QElapsedTimer timer;
    timer.start();
    socket.write("POST /big HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                 "Content-Length: 104857600\r\n\r\n");
    QByteArray buffer;
    const Response r = readResponse(socket, buffer);
    QCOMPARE(r.status, 413);
    // No byte of the body was sent: any answer at all is one that did not wait for it. The bound only keeps the test
    // from waiting long on a regression (a loaded machine under ASan may take a while to answer).
    QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
    QVERIFY(r.head.contains("Connection: close"));
    const auto stored = deliveries();
    QCOMPARE(stored.size(), 1);
    QCOMPARE(stored[0].answeredStatus, 413);
    QCOMPARE(stored[0].bodySize, 104857600);
    QCOMPARE(stored[0].path, QByteArray("/big"));
    QVERIFY(stored[0].error.contains(QStringLiteral("over the limit")));
    QCOMPARE(headerValue(stored[0].headers, "Expect"), QByteArray("100-continue"));

    // A chunked body is cut off once it passes the limit.
    QTcpSocket chunked;
    chunked.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(chunked.waitForConnected());
    chunked.write("POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    const QByteArray chunk = "10000\r\n" + QByteArray(0x10000, 'a') + "\r\n";
    QByteArray chunkedBuffer;
    Response c;
    for (int i = 0; i < 64 && chunked.state() == QAbstractSocket::ConnectedState; ++i) {
        chunked.write(chunk);
        chunked.waitForBytesWritten(1000);
        chunked.waitForReadyRead(20);
        chunkedBuffer += chunked.readAll();
        if (chunkedBuffer.contains("\r\n\r\n"))
            break;
    }
    c = readResponse(chunked, chunkedBuffer);
    QCOMPARE(c.status, 413);
    QCOMPARE(deliveries().size(), 2);
}

void TestReceiver::expectContinueIsAnswered()
{
    startReceiver();
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(socket.waitForConnected());
    const QByteArray body = sample("akeneo_batch_example.json");
    QElapsedTimer timer;
    timer.start();
    socket.write("POST /hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                 "Content-Length: "
                 + QByteArray::number(body.size()) + "\r\n\r\n");
    QByteArray buffer;
    const Response interim = readResponse(socket, buffer, 2000);
    QCOMPARE(interim.status, 100);
    // Before curl's 1 s fallback (after which it sends the body unasked): the interim answer comes at once, not
    // from a client's timeout. The time it takes is a benchmark's figure, not this test's.
    QVERIFY2(timer.elapsed() < 1000, qPrintable(QString::number(timer.elapsed())));
    socket.write(body);
    QCOMPARE(readResponse(socket, buffer).status, 200);
    QCOMPARE(deliveries().first().body, body);
}

void TestReceiver::pipelinedAnswersKeepTheirOrder()
{
    ReceiverSettings settings;
    startReceiver(settings);
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(socket.waitForConnected());
    // A stored POST, a health check answered at once, a bad body, another POST: the answers keep that order.
    socket.write(request("POST", "/a", sample("quable_example.json")) + "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
                 + request("POST", "/b", "nope") + request("POST", "/c", sample("akeneo_batch_example.json")));
    QByteArray buffer;
    QList<int> statuses;
    for (int i = 0; i < 4; ++i)
        statuses.append(readResponse(socket, buffer).status);
    QCOMPARE(statuses, (QList<int>{200, 200, 400, 200}));
    const auto stored = deliveries();
    QCOMPARE(stored.size(), 3);
    QCOMPARE(stored[0].path, QByteArray("/a"));
    QCOMPARE(stored[2].path, QByteArray("/c"));
}

void TestReceiver::simulatedFailingConnector()
{
    ReceiverSettings settings;
    settings.answerStatus = 500;
    settings.answerDelayMs = 600;
    startReceiver(settings);
    QElapsedTimer timer;
    timer.start();
    const Response r = post(sample("akeneo_batch_example.json"));
    QCOMPARE(r.status, 500);
    QVERIFY(timer.elapsed() >= 600);
    // The Test POST is answered the same way.
    QCOMPARE(post(QByteArray()).status, 500);
    QTRY_VERIFY(deliveries().first().ackMs.has_value());
    const auto stored = deliveries();
    QVERIFY(*stored[0].ackMs >= 600);
    QVERIFY(stored[0].flags.testFlag(Flag::SlowAck));
    QVERIFY(stored[0].flags.testFlag(Flag::Error));
    QCOMPARE(*m_store->reader().countMatching(Filter::parse(QStringLiteral("flag:slow_ack")), FilterTarget::Events),
             10);
}

void TestReceiver::storeFailureIs503()
{
    startReceiver();
    // Another process holds the write lock: the writer's commit fails after its busy timeout.
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("locker"));
    db.setDatabaseName(m_store->path());
    QVERIFY(db.open());
    {
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("BEGIN EXCLUSIVE")));
        const Response r = post(sample("quable_example.json"));
        QCOMPARE(r.status, 503);
        QVERIFY(r.body.contains("not stored"));
        QVERIFY(q.exec(QStringLiteral("ROLLBACK")));
    }
    db.close();
    db = QSqlDatabase();
    QSqlDatabase::removeDatabase(QStringLiteral("locker"));
    QCOMPARE(deliveries().size(), 0);
    // Once the lock is gone, deliveries are stored again.
    QCOMPARE(post(sample("quable_example.json")).status, 200);
    QCOMPARE(deliveries().size(), 1);
}

void TestReceiver::vanishingClientsDoNoHarm()
{
    ReceiverSettings settings;
    settings.answerDelayMs = 100;
    startReceiver(settings);
    for (int i = 0; i < 20; ++i) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(socket.waitForConnected());
        const QByteArray full = request("POST", "/gone", sample("quable_example.json"));
        // Half of them vanish mid-request, half before their answer.
        socket.write(i % 2 ? full.left(full.size() / 2) : full);
        socket.waitForBytesWritten();
        socket.abort();
    }
    QThread::msleep(300);
    QCOMPARE(post(sample("quable_example.json")).status, 200);
    QTRY_COMPARE(deliveries().size(), 11); // the 10 complete requests and the last one
}

void TestReceiver::concurrentClients()
{
    startReceiver();
    const QByteArray body = sample("akeneo_batch_example.json");
    QList<QTcpSocket *> sockets;
    for (int i = 0; i < 50; ++i) {
        auto *s = new QTcpSocket(this);
        s->connectToHost(QHostAddress::LocalHost, m_port);
        sockets.append(s);
    }
    for (QTcpSocket *s : sockets) {
        QVERIFY(s->waitForConnected());
        s->write(request("POST", "/many", body));
    }
    int ok = 0;
    for (QTcpSocket *s : sockets) {
        QByteArray buffer;
        ok += readResponse(*s, buffer).status == 200;
        delete s;
    }
    QCOMPARE(ok, 50);
    QCOMPARE(deliveries().size(), 50);
}

void TestReceiver::portInUse()
{
    startReceiver();
    // startReceiver() picks a free port; a second receiver asks for the same one.
    ReceiverSettings same;
    same.port = m_port;
    Receiver clash(m_store.get(), same);
    const auto result = clash.start();
    QVERIFY(!result);
    QVERIFY2(result.error().contains(QStringLiteral("address is already in use"), Qt::CaseInsensitive),
             qPrintable(result.error()));
}

void TestReceiver::connectionHandling()
{
    // An idle timeout long enough that a close it did not cause is told apart from one it did, even on a loaded
    // machine under ASan.
    ReceiverSettings settings;
    settings.limits.idleTimeoutMs = 2000;
    startReceiver(settings);
    // Keep-alive: several requests on one connection.
    QTcpSocket keep;
    keep.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(keep.waitForConnected());
    QByteArray buffer;
    for (int i = 0; i < 3; ++i) {
        keep.write(request("POST", "/k", sample("quable_example.json")));
        QCOMPARE(readResponse(keep, buffer).status, 200);
    }
    // An idle connection is closed after the idle timeout.
    QElapsedTimer idle;
    idle.start();
    QVERIFY(keep.waitForDisconnected(10000));
    QVERIFY2(idle.elapsed() >= 1900, qPrintable(QString::number(idle.elapsed())));
    // Connection: close is honoured once the answer is written (QHttpServer 6.4 ignores it).
    QTcpSocket once;
    once.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(once.waitForConnected());
    once.write(request("POST", "/c", sample("quable_example.json"), {{"Connection", "close"}}));
    QByteArray onceBuffer;
    QCOMPARE(readResponse(once, onceBuffer).status, 200);
    QElapsedTimer closing;
    closing.start();
    QVERIFY(once.state() == QAbstractSocket::UnconnectedState || once.waitForDisconnected(5000));
    QVERIFY2(closing.elapsed() < 1500, qPrintable(QString::number(closing.elapsed()))); // well before the idle timeout
}

void TestReceiver::slowSenders()
{
    startReceiver();
    QTcpSocket slow;
    slow.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(slow.waitForConnected());
    const QByteArray full = request("POST", "/slow", sample("akeneo_batch_example.json"));
    // Trickle the request in 40 pieces over at least 1.2 s; another client is served meanwhile.
    const qsizetype step = full.size() / 40 + 1;
    QElapsedTimer trickle;
    trickle.start();
    for (qsizetype at = 0; at < full.size(); at += step) {
        slow.write(full.mid(at, step));
        slow.waitForBytesWritten(1000);
        if (at == step * 20)
            QCOMPARE(post(sample("quable_example.json")).status, 200);
        QThread::msleep(30);
    }
    const qint64 trickleMs = trickle.elapsed();
    QByteArray buffer;
    QCOMPARE(readResponse(slow, buffer).status, 200);
    const auto stored = deliveries();
    QCOMPARE(stored.size(), 2);
    QCOMPARE(stored[1].path, QByteArray("/slow"));
    QCOMPARE(stored[1].eventCount, 10);
    // The answer time counts from the end of the request, not from its first byte: well under the trickle's time
    // (the answer's own speed is the receiver benchmark's figure).
    QTRY_VERIFY(deliveries()[1].ackMs.has_value());
    QVERIFY2(*deliveries()[1].ackMs < trickleMs / 2,
             qPrintable(QStringLiteral("%1 ms of a %2 ms trickle").arg(*deliveries()[1].ackMs).arg(trickleMs)));
}

namespace {

QString tlsFile(const char *name)
{
    return QStringLiteral(PIMSCOPE_TEST_DATA_DIR "/tls/") + QLatin1StringView(name);
}

} // namespace

void TestReceiver::servesTls()
{
    const auto tls = loadServerTls(tlsFile("cert.pem"), tlsFile("key.pem"));
    QVERIFY2(tls, qPrintable(tls.error()));
    ReceiverSettings settings;
    settings.tls = *tls;
    startReceiver(settings);
    QVERIFY(m_receiver->url().startsWith(QStringLiteral("https://127.0.0.1:")));
    QSslSocket socket;
    QSslConfiguration client = QSslConfiguration::defaultConfiguration();
    client.setCaCertificates(QSslCertificate::fromPath(tlsFile("cert.pem")));
    // A client preferring HTTP/2 (as curl does) is answered in HTTP/1.1, the only protocol the guard reads.
    client.setAllowedNextProtocols({QByteArray("h2"), QByteArray(QSslConfiguration::NextProtocolHttp1_1)});
    socket.setSslConfiguration(client);
    socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), m_port);
    QVERIFY2(socket.waitForEncrypted(10000), qPrintable(socket.errorString()));
    QCOMPARE(socket.sslConfiguration().nextNegotiatedProtocol(), QByteArray("http/1.1"));
    socket.write(request("POST", "/tls", sample("quable_example.json")));
    QByteArray buffer;
    QCOMPARE(readResponse(socket, buffer).status, 200);
    QCOMPARE(deliveries().first().path, QByteArray("/tls"));
    // Plain HTTP on the TLS port gets no answer, and the receiver keeps serving.
    QTcpSocket plain;
    plain.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(plain.waitForConnected());
    plain.write(request("POST", "/plain", "{}"));
    plain.waitForDisconnected(3000);
    QCOMPARE(deliveries().size(), 1);
}

void TestReceiver::tlsFilesAreChecked()
{
    auto r = loadServerTls(tlsFile("cert.pem"), tlsFile("other-key.pem"));
    QVERIFY(!r);
    QVERIFY2(r.error().contains(QStringLiteral("is not the private key of")), qPrintable(r.error()));
    r = loadServerTls(tlsFile("missing.pem"), tlsFile("key.pem"));
    QVERIFY(!r);
    QVERIFY2(r.error().contains(QStringLiteral("cannot read --tls-cert")), qPrintable(r.error()));
    r = loadServerTls(tlsFile("key.pem"), tlsFile("key.pem"));
    QVERIFY(!r);
    QVERIFY2(r.error().contains(QStringLiteral("holds no PEM certificate")), qPrintable(r.error()));
    r = loadServerTls(tlsFile("cert.pem"), tlsFile("cert.pem"));
    QVERIFY(!r);
    QVERIFY2(r.error().contains(QStringLiteral("no unencrypted PEM private key")), qPrintable(r.error()));
}

QTEST_GUILESS_MAIN(TestReceiver)
#include "tst_receiver.moc"
