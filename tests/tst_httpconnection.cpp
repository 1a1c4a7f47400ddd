// The replayer's HTTP/1.1 client against a scripted local server: every way RFC 9112 frames an answer (also cut into
// pieces), interim answers, bad answers named, connections kept alive and reused, an idle close retried once and only
// once, the request as it goes on the wire, abort.

#include "net/httpconnection.h"

#include <QFile>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <functional>

using namespace pimscope;

namespace {

/** What the server does with one complete request: writes bytes (in pieces of `piece` bytes when > 0), maybe closes. */
struct Reply
{
    QByteArray bytes;
    bool close = false;
    int piece = 0;
};

/** A server that reads whole requests (head + Content-Length body) and answers each as the script says. */
class ScriptServer : public QTcpServer
{
public:
    /** (request number from 0, on which connection from 0) -> what to do */
    using Script = std::function<Reply(int request, int connection)>;

    explicit ScriptServer(Script script)
        : m_script(std::move(script))
    {
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = nextPendingConnection()) {
                const int connection = connections++;
                connect(s, &QTcpSocket::readyRead, s, [this, s, connection] { onData(s, connection); });
                connect(s, &QTcpSocket::disconnected, this, [this] { ++closed; });
                connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            }
        });
        listen(QHostAddress::LocalHost, 0);
    }
    QUrl url(const QString &rest = QStringLiteral("/hook")) const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(serverPort()).arg(rest));
    }

    int connections = 0;
    int closed = 0; ///< connections closed (by either side)
    QList<QByteArray> requests; ///< heads and bodies as received

private:
    void onData(QTcpSocket *s, int connection)
    {
        QByteArray &b = m_buffer[s];
        b += s->readAll();
        for (;;) {
            const qsizetype end = b.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const QByteArray lower = b.left(end).toLower();
            const qsizetype at = lower.indexOf("\r\ncontent-length:");
            const qsizetype length
                = at < 0 ? 0 : lower.mid(at + 17, lower.indexOf('\r', at + 2) - at - 17).trimmed().toLongLong();
            if (b.size() < end + 4 + length)
                return;
            const QByteArray request = b.left(end + 4 + length);
            b.remove(0, request.size());
            const Reply reply = m_script(int(requests.size()), connection);
            requests.append(request);
            send(s, reply);
        }
    }
    void send(QTcpSocket *s, Reply reply)
    {
        if (reply.piece <= 0 || reply.bytes.size() <= reply.piece) {
            s->write(reply.bytes);
            if (reply.close)
                s->disconnectFromHost();
            return;
        }
        s->write(reply.bytes.left(reply.piece));
        s->flush();
        reply.bytes.remove(0, reply.piece);
        QPointer<QTcpSocket> guard(s);
        QTimer::singleShot(1, s, [this, guard, reply] {
            if (guard)
                send(guard, reply);
        });
    }

    Script m_script;
    QHash<QTcpSocket *, QByteArray> m_buffer;
};

/** Posts one request and waits for its answer. */
HttpAnswer post(HttpConnection &c, const QByteArray &body = "{}", const Headers &headers = {})
{
    QSignalSpy spy(&c, &HttpConnection::answered);
    c.post(headers, body);
    if (!spy.wait(5000))
        qFatal("no answer in 5 s");
    if (spy.size() != 1)
        qFatal("%d answers for one request", int(spy.size()));
    return spy.front().front().value<HttpAnswer>();
}

} // namespace

class TestHttpConnection : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void framings_data();
    void framings();
    void keepsTheConnectionAlive();
    void closeAndHttp10CloseTheConnection();
    void idleCloseIsRetriedOnce();
    void requestOnTheWire();
    void abortGivesNoAnswer();
    void alpnOffersHttp11Only();
};

void TestHttpConnection::framings_data()
{
    QTest::addColumn<QByteArray>("answer");
    QTest::addColumn<bool>("close");
    QTest::addColumn<int>("status"); // 0: none expected
    QTest::addColumn<QString>("error"); // a part of the error expected; empty: none

    const QByteArray big(100'000, 'x');
    const QByteArray fixed = "HTTP/1.1 202 Accepted\r\nContent-Type: text/plain\r\nContent-Length: 8\r\n\r\naccepted";
    const QByteArray chunked
        = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
          "4;name=value\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Trailer: yes\r\n\r\n";
    QTest::newRow("content-length") << fixed << false << 202 << QString();
    QTest::newRow("content-length, large")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + big) << false << 200 << QString();
    QTest::newRow("chunked, extensions and trailers") << chunked << false << 200 << QString();
    QTest::newRow("no length: until close")
        << QByteArray("HTTP/1.1 500 Oops\r\n\r\nsomething broke") << true << 500 << QString();
    QTest::newRow("100 Continue first") << QByteArray("HTTP/1.1 100 Continue\r\n\r\n" + fixed) << false << 202
                                        << QString();
    QTest::newRow("204 has no body") << QByteArray("HTTP/1.1 204 No Content\r\n\r\n") << false << 204 << QString();
    QTest::newRow("redirect with Location")
        << QByteArray("HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n") << false << 302
        << QString();
    QTest::newRow("HTTP/1.0") << QByteArray("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok") << false << 200
                              << QString();
    QTest::newRow("not HTTP") << QByteArray("SSH-2.0-OpenSSH_9.2\r\n\r\n") << false << 0
                              << QStringLiteral("not an HTTP/1.1 answer: \"SSH-2.0-OpenSSH_9.2\"");
    QTest::newRow("status not a number") << QByteArray("HTTP/1.1 2x0 OK\r\n\r\n") << false << 0
                                         << QStringLiteral("not an HTTP/1.1 answer");
    QTest::newRow("invalid chunk size") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
                                        << false << 0 << QStringLiteral("invalid chunk size \"zz\"");
    QTest::newRow("chunk without CRLF") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX")
                                        << false << 0 << QStringLiteral("does not end with CRLF");
    QTest::newRow("two Content-Lengths") << QByteArray(
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok")
                                         << false << 0 << QStringLiteral("invalid Content-Length \"3\"");
    QTest::newRow("negative Content-Length") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n") << false
                                             << 0 << QStringLiteral("invalid Content-Length");
    QTest::newRow("head over 64 KiB") << QByteArray("HTTP/1.1 200 OK\r\nX-Flood: " + big + "\r\n\r\n") << false << 0
                                      << QStringLiteral("head is larger than 64 KiB");
    QTest::newRow("body cut short") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort") << true << 0
                                    << QStringLiteral("before its answer (status 200) was complete");
    QTest::newRow("closed without a word") << QByteArray() << true << 0 << QStringLiteral("without answering");
    QTest::newRow("101 Switching Protocols")
        << QByteArray("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n") << false << 0
        << QStringLiteral("switched protocols");
}

void TestHttpConnection::framings()
{
    QFETCH(QByteArray, answer);
    QFETCH(bool, close);
    QFETCH(int, status);
    QFETCH(QString, error);
    // Whole, then cut into pieces of 1 and 7 bytes (a parser that assumes a whole head or chunk in one read fails).
    // (Pieces go a millisecond apart: the large rows go in pieces of 997 bytes.)
    for (int piece : {0, 7, 1}) {
        if (answer.size() > 2000 && piece == 1)
            continue;
        if (answer.size() > 2000 && piece == 7)
            piece = 997;
        ScriptServer server([&](int, int) { return Reply{answer, close, piece}; });
        HttpConnection c(server.url(), false);
        const HttpAnswer a = post(c);
        const QByteArray what = "pieces of " + QByteArray::number(piece) + ": " + a.error.toUtf8();
        if (status) {
            QVERIFY2(a.status, what.constData());
            QCOMPARE(*a.status, status);
            QVERIFY2(a.error.isNull(), what.constData());
        } else {
            // No whole answer: the error says why (the status, when its head came, is kept with it).
            QVERIFY2(!a.error.isNull(), what.constData());
            QVERIFY2(a.error.contains(error), what.constData());
        }
        if (status == 302)
            QCOMPARE(a.location, QByteArray("/elsewhere"));
        QVERIFY(!c.isBusy());
    }
}

void TestHttpConnection::keepsTheConnectionAlive()
{
    // A whole answer on a kept-alive connection: all 50 requests (chunked and fixed answers alternating) on one.
    ScriptServer server([](int request, int) {
        return request % 2 ? Reply{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"}
                           : Reply{"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"};
    });
    HttpConnection c(server.url(), false);
    for (int i = 0; i < 50; ++i) {
        const HttpAnswer a = post(c, QByteArray::number(i));
        QVERIFY2(a.status, qPrintable(a.error));
        QCOMPARE(*a.status, i % 2 ? 200 : 202);
    }
    QCOMPARE(server.requests.size(), 50);
    QCOMPARE(server.connections, 1);
}

void TestHttpConnection::closeAndHttp10CloseTheConnection()
{
    // Connection: close, an HTTP/1.0 answer without keep-alive, and bytes after the answer: a new connection each time.
    for (const QByteArray &answer :
         {QByteArray("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"),
          QByteArray("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"),
          QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n")}) {
        ScriptServer server([&](int, int) { return Reply{answer}; });
        HttpConnection c(server.url(), false);
        for (int i = 0; i < 5; ++i) {
            const HttpAnswer a = post(c);
            QVERIFY2(a.status && *a.status == 200, qPrintable(a.error));
        }
        QCOMPARE(server.connections, 5);
    }
    // HTTP/1.0 with keep-alive keeps it.
    ScriptServer server(
        [](int, int) { return Reply{"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"}; });
    HttpConnection c(server.url(), false);
    for (int i = 0; i < 5; ++i)
        QVERIFY(post(c).status);
    QCOMPARE(server.connections, 1);
}

void TestHttpConnection::idleCloseIsRetriedOnce()
{
    {
        // The server drops the kept-alive connection just as the next request arrives (without a word): the request
        // goes once more on a new connection and gets its answer.
        ScriptServer server([](int request, int) {
            return request == 1 ? Reply{QByteArray(), true}
                                : Reply{"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"};
        });
        HttpConnection c(server.url(), false);
        QVERIFY(post(c, "first").status);
        const HttpAnswer a = post(c, "second");
        QVERIFY2(a.status && *a.status == 202, qPrintable(a.error));
        QCOMPARE(server.requests.size(), 3);
        QVERIFY(server.requests[1].endsWith("second"));
        QVERIFY(server.requests[2].endsWith("second"));
        QCOMPARE(server.connections, 2);
    }
    {
        // An idle close noticed before the next request: that one opens a new connection (nothing sent twice).
        ScriptServer server([](int, int) { return Reply{"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n", true}; });
        HttpConnection c(server.url(), false);
        QVERIFY(post(c).status);
        // Once the server has closed it, its FIN is in the client's socket: the next turn of the event loop tells it.
        QTRY_COMPARE(server.closed, 1);
        QCoreApplication::processEvents();
        QVERIFY(post(c).status);
        QCOMPARE(server.requests.size(), 2);
        QCOMPARE(server.connections, 2);
    }
    {
        // A server that closes every connection without answering: a new connection is not retried, a reused one
        // once; never more (no loop).
        ScriptServer server([](int request, int) {
            return request == 0 ? Reply{"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"}
                                : Reply{QByteArray(), true};
        });
        HttpConnection c(server.url(), false);
        QVERIFY(post(c).status);
        const HttpAnswer a = post(c);
        QVERIFY(!a.status);
        QVERIFY2(a.error.contains(QStringLiteral("without answering")), qPrintable(a.error));
        QCOMPARE(server.requests.size(), 3);
        const HttpAnswer b = post(c);
        QVERIFY(!b.status);
        QCOMPARE(server.requests.size(), 4);
    }
}

void TestHttpConnection::requestOnTheWire()
{
    ScriptServer server([](int, int) { return Reply{"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"}; });
    const QByteArray body = "{\"events\":[]}";
    {
        QUrl url = server.url(QStringLiteral("/hook/a%20b?x=1&y=%2F"));
        url.setUserName(QStringLiteral("user"));
        url.setPassword(QStringLiteral("p@ss:word"));
        HttpConnection c(url, false);
        // A Content-Length or Host of the caller's does not go: the connection frames the request itself.
        QVERIFY(
            post(c, body, {{"Content-Type", "application/json"}, {"Content-Length", "999"}, {"Host", "evil"}}).status);
        const QByteArray r = server.requests.back();
        QVERIFY2(r.startsWith("POST /hook/a%20b?x=1&y=%2F HTTP/1.1\r\n"), r.constData());
        QVERIFY2(r.contains(QByteArray("\r\nHost: 127.0.0.1:" + QByteArray::number(server.serverPort()) + "\r\n")),
                 r.constData());
        QVERIFY(r.contains("\r\nContent-Type: application/json\r\n"));
        QVERIFY(r.contains(QByteArray("\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n")));
        QVERIFY(!r.contains("999"));
        QVERIFY(!r.contains("evil"));
        QVERIFY(r.contains(QByteArray("\r\nAuthorization: Basic " + QByteArray("user:p@ss:word").toBase64() + "\r\n")));
        QVERIFY(r.endsWith(QByteArray("\r\n\r\n" + body)));
    }
    {
        // The request's own Authorization (Quable's) wins over the URL's user info; no path: "/".
        QUrl url(QStringLiteral("http://user:pw@127.0.0.1:%1").arg(server.serverPort()));
        HttpConnection c(url, false);
        QVERIFY(post(c, body, {{"Authorization", "Bearer quable"}}).status);
        const QByteArray r = server.requests.back();
        QVERIFY2(r.startsWith("POST / HTTP/1.1\r\n"), r.constData());
        QCOMPARE(r.count("Authorization"), 1);
        QVERIFY(r.contains("\r\nAuthorization: Bearer quable\r\n"));
    }
}

void TestHttpConnection::abortGivesNoAnswer()
{
    // The first request gets no answer (the replayer's deadline aborts it); the next goes on a new connection.
    ScriptServer server([](int request, int) {
        return request == 0 ? Reply{} : Reply{"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"};
    });
    HttpConnection c(server.url(), false);
    QSignalSpy spy(&c, &HttpConnection::answered);
    c.post({}, "slow");
    QTRY_COMPARE(server.requests.size(), 1);
    c.abort();
    QVERIFY(!c.isBusy());
    QCOMPARE(spy.size(), 0);
    // Anything the aborted request could still emit would come before the next request's answer: only that one
    // comes.
    const HttpAnswer a = post(c);
    QVERIFY2(a.status && *a.status == 202, qPrintable(a.error));
    QCOMPARE(spy.size(), 1);
    QCOMPARE(server.connections, 2);
}

void TestHttpConnection::alpnOffersHttp11Only()
{
    // A TLS server that would rather speak HTTP/2: the connection offers only http/1.1 (its framing is HTTP/1.1's),
    // so that is what is agreed (OpenSSL's server picks its first protocol the client offers).
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    QFile certFile(QStringLiteral(PIMSCOPE_TEST_DATA_DIR "/tls/cert.pem"));
    QFile keyFile(QStringLiteral(PIMSCOPE_TEST_DATA_DIR "/tls/key.pem"));
    QVERIFY(certFile.open(QIODevice::ReadOnly) && keyFile.open(QIODevice::ReadOnly));
    config.setLocalCertificate(QSslCertificate(certFile.readAll()));
    config.setPrivateKey(QSslKey(keyFile.readAll(), QSsl::Rsa));
    config.setAllowedNextProtocols({QByteArrayLiteral("h2"), QByteArray(QSslConfiguration::NextProtocolHttp1_1)});
    QSslServer server;
    server.setSslConfiguration(config);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    QByteArray negotiated;
    QByteArray request;
    connect(&server, &QTcpServer::pendingConnectionAvailable, this, [&] {
        auto *socket = static_cast<QSslSocket *>(server.nextPendingConnection());
        negotiated = socket->sslConfiguration().nextNegotiatedProtocol();
        connect(socket, &QSslSocket::readyRead, socket, [&request, socket] {
            request += socket->readAll();
            if (request.contains("\r\n\r\n") && request.endsWith("{}"))
                socket->write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        });
    });
    HttpConnection c(QUrl(QStringLiteral("https://127.0.0.1:%1/hook").arg(server.serverPort())), true);
    const HttpAnswer a = post(c);
    QVERIFY2(a.status && *a.status == 200, qPrintable(a.error));
    QCOMPARE(negotiated, QByteArray("http/1.1"));
}

QTEST_GUILESS_MAIN(TestHttpConnection)
#include "tst_httpconnection.moc"
