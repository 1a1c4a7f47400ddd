#include "httpconnection.h"

#include "util/printable.h"

#include <QSslConfiguration>
#include <QSslError>
#include <QSslSocket>
#include <QStringList>

#include <algorithm>
#include <utility>

namespace pimscope {

namespace {

constexpr qsizetype maxLineBytes = 4096; // a chunk-size or trailer line

bool isTls(const QUrl &url)
{
    return url.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) == 0;
}

} // namespace

HttpConnection::HttpConnection(const QUrl &url, bool insecure, QObject *parent)
    : QObject(parent)
    , m_url(url)
    , m_tls(isTls(url))
    , m_insecure(insecure)
{
    qRegisterMetaType<HttpAnswer>();
    const int defaultPort = m_tls ? 443 : 80;
    QByteArray host = url.host(QUrl::FullyEncoded).toUtf8();
    if (host.contains(':'))
        host = '[' + host + ']';
    m_hostHeader = host;
    if (url.port(defaultPort) != defaultPort)
        m_hostHeader += ':' + QByteArray::number(url.port());
    m_target = receivingPath(url); // the request target: what the receiver stores as the path
    if (!url.userName().isEmpty())
        m_basic = "Basic "
            + (url.userName(QUrl::FullyDecoded) + u':' + url.password(QUrl::FullyDecoded)).toUtf8().toBase64();
}

HttpConnection::~HttpConnection()
{
    dropSocket();
}

void HttpConnection::post(const Headers &headers, const QByteArray &body)
{
    send("POST", m_target, headers, body);
}

void HttpConnection::send(const QByteArray &method, const QByteArray &target, const Headers &headers,
                          const QByteArray &body)
{
    Q_ASSERT(!m_busy);
    m_busy = true;
    m_retried = false;
    m_answer = {};
    m_headRequest = method == "HEAD";
    m_clock.start();
    m_request.clear();
    m_request.reserve(body.size() + 512);
    m_request
        += method + ' ' + (target.isEmpty() ? QByteArray("/") : target) + " HTTP/1.1\r\nHost: " + m_hostHeader + "\r\n";
    bool hasAuthorization = false;
    for (const Header &h : headers) {
        // The framing is this connection's business.
        if (h.name.compare("Content-Length", Qt::CaseInsensitive) == 0
            || h.name.compare("Host", Qt::CaseInsensitive) == 0
            || h.name.compare("Transfer-Encoding", Qt::CaseInsensitive) == 0)
            continue;
        hasAuthorization = hasAuthorization || h.name.compare("Authorization", Qt::CaseInsensitive) == 0;
        m_request += h.name + ": " + h.value + "\r\n";
    }
    if (!hasAuthorization && !m_basic.isEmpty())
        m_request += "Authorization: " + m_basic + "\r\n";
    m_request += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n";
    m_request += body;
    if (m_socket && m_connected) {
        m_reused = true;
        writeRequest();
    } else {
        m_reused = false;
        connectSocket();
    }
}

void HttpConnection::abort()
{
    m_busy = false;
    m_state = State::Idle;
    m_request.clear();
    dropSocket();
}

void HttpConnection::connectSocket()
{
    dropSocket();
    m_state = State::Connecting;
    m_sslErrors.clear();
    const auto port = m_connectPort != 0 ? m_connectPort : quint16(m_url.port(m_tls ? 443 : 80));
    const QString host = m_connectHost.isEmpty() ? m_url.host() : m_connectHost;
    if (m_tls) {
        auto *socket = new QSslSocket(this);
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        if (!m_extraCas.isEmpty())
            config.addCaCertificates(m_extraCas);
        config.setAllowedNextProtocols({QByteArray(QSslConfiguration::NextProtocolHttp1_1)});
        config.setPeerVerifyMode(m_insecure ? QSslSocket::VerifyNone : QSslSocket::VerifyPeer);
        socket->setSslConfiguration(config);
        connect(socket, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
            QStringList texts;
            for (const QSslError &e : errors)
                texts << e.errorString();
            m_sslErrors = texts.join(QStringLiteral("; "));
        });
        connect(socket, &QSslSocket::encrypted, this, &HttpConnection::onConnected);
        m_socket = socket;
    } else {
        m_socket = new QTcpSocket(this);
        connect(m_socket, &QTcpSocket::connected, this, &HttpConnection::onConnected);
    }
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpConnection::onDisconnected);
    connect(m_socket, &QTcpSocket::errorOccurred, this, &HttpConnection::onError);
    if (m_tls)
        static_cast<QSslSocket *>(m_socket)->connectToHostEncrypted(host, port, m_url.host());
    else
        m_socket->connectToHost(host, port);
}

void HttpConnection::onConnected()
{
    m_connected = true;
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1); // the request goes in one write: no Nagle wait
    writeRequest();
}

void HttpConnection::writeRequest()
{
    m_state = State::Head;
    m_buffer.clear();
    m_received = 0;
    m_closeAfter = false;
    m_socket->write(m_request);
}

void HttpConnection::onReadyRead()
{
    const QByteArray data = m_socket->readAll();
    if (!m_busy || m_state == State::Idle) {
        dropSocket(); // bytes nobody asked for: the connection is out of step
        return;
    }
    if (m_received == 0 && !data.isEmpty())
        m_answer.firstByteMs = double(m_clock.nsecsElapsed()) / 1e6;
    m_received += data.size();
    if (m_state == State::UntilClose) {
        keepBody(data);
        return;
    }
    m_buffer += data;
    parse();
}

void HttpConnection::onDisconnected()
{
    if (!m_busy) {
        dropSocket(); // an idle connection the server closed: the next request opens a new one
        return;
    }
    if (m_socket->bytesAvailable() > 0) {
        const QByteArray data = m_socket->readAll();
        if (m_received == 0 && !data.isEmpty())
            m_answer.firstByteMs = double(m_clock.nsecsElapsed()) / 1e6;
        m_received += data.size();
        if (m_state == State::UntilClose) {
            keepBody(data);
        } else {
            m_buffer += data;
            if (!parse())
                return;
        }
    }
    if (m_state == State::UntilClose) {
        complete();
    } else if (mayRetry()) {
        m_retried = true; // the server dropped the kept-alive connection as the request went: once more, anew
        connectSocket();
    } else if (m_received == 0) {
        fail(QStringLiteral("the server closed the connection without answering"));
    } else {
        fail(m_answer.status
                 ? QStringLiteral("the server closed the connection before its answer (status %1) was complete")
                       .arg(*m_answer.status)
                 : QStringLiteral("the server closed the connection before its answer was complete"));
    }
}

void HttpConnection::onError()
{
    if (!m_socket)
        return;
    const auto error = m_socket->error();
    if (error == QAbstractSocket::RemoteHostClosedError && m_connected)
        return; // disconnected() follows and knows whether the answer was complete
    if (!m_busy) {
        dropSocket();
        return;
    }
    if (mayRetry() && error != QAbstractSocket::SocketTimeoutError) {
        m_retried = true;
        connectSocket();
        return;
    }
    if (error == QAbstractSocket::SslHandshakeFailedError && !m_sslErrors.isEmpty())
        fail(QStringLiteral("TLS handshake failed: %1").arg(m_sslErrors));
    else if (error == QAbstractSocket::SslHandshakeFailedError)
        fail(QStringLiteral("TLS handshake failed: %1").arg(m_socket->errorString()));
    else
        fail(m_socket->errorString());
}

bool HttpConnection::mayRetry() const
{
    return m_reused && m_received == 0 && !m_retried;
}

bool HttpConnection::parse()
{
    for (;;) {
        switch (m_state) {
        case State::Idle:
        case State::Connecting:
            return false;
        case State::Head: {
            const qsizetype end = m_buffer.indexOf("\r\n\r\n");
            if (end > maxHeadBytes || (end < 0 && m_buffer.size() > maxHeadBytes)) {
                fail(QStringLiteral("the answer's head is larger than %1 KiB").arg(maxHeadBytes / 1024));
                return false;
            }
            if (end < 0)
                return true;
            if (!parseHead(end))
                return false;
            break;
        }
        case State::FixedBody:
        case State::ChunkData: {
            const qint64 take = std::min<qint64>(m_remaining, m_buffer.size());
            keepBody(QByteArrayView(m_buffer).first(take));
            m_buffer.remove(0, take);
            m_remaining -= take;
            if (m_remaining > 0)
                return true;
            if (m_state == State::FixedBody) {
                complete();
                return false;
            }
            m_state = State::ChunkDataEnd;
            break;
        }
        case State::ChunkDataEnd:
            if (m_buffer.size() < 2)
                return true;
            if (!m_buffer.startsWith("\r\n")) {
                fail(QStringLiteral("a chunk of the answer does not end with CRLF"));
                return false;
            }
            m_buffer.remove(0, 2);
            m_state = State::ChunkSize;
            break;
        case State::ChunkSize: {
            const qsizetype end = m_buffer.indexOf("\r\n");
            if (end < 0) {
                if (m_buffer.size() > maxLineBytes) {
                    fail(QStringLiteral("a chunk-size line of the answer is longer than %1 bytes").arg(maxLineBytes));
                    return false;
                }
                return true;
            }
            QByteArray sizeText = m_buffer.left(end);
            if (const qsizetype semicolon = sizeText.indexOf(';'); semicolon >= 0)
                sizeText.truncate(semicolon); // chunk extensions: ignored
            bool ok = false;
            const qint64 size = sizeText.trimmed().toLongLong(&ok, 16);
            if (!ok || size < 0) {
                fail(QStringLiteral("the answer has an invalid chunk size \"%1\"").arg(printableAscii(sizeText, 60)));
                return false;
            }
            m_buffer.remove(0, end + 2);
            m_remaining = size;
            m_state = size == 0 ? State::Trailers : State::ChunkData;
            break;
        }
        case State::Trailers: {
            const qsizetype end = m_buffer.indexOf("\r\n");
            if (end < 0) {
                if (m_buffer.size() > maxHeadBytes) {
                    fail(QStringLiteral("the answer's trailers are larger than %1 KiB").arg(maxHeadBytes / 1024));
                    return false;
                }
                return true;
            }
            m_buffer.remove(0, end + 2);
            if (end == 0) {
                complete();
                return false;
            }
            break;
        }
        case State::UntilClose:
            keepBody(m_buffer);
            m_buffer.clear();
            return true;
        }
    }
}

bool HttpConnection::parseHead(qsizetype end)
{
    const QByteArray head = m_buffer.left(end);
    m_buffer.remove(0, end + 4);
    const QList<QByteArray> lines = head.split('\n');
    const QByteArray statusLine = lines.front().trimmed();
    // HTTP-version SP 3DIGIT [SP reason]
    const bool http10 = statusLine.startsWith("HTTP/1.0 ");
    if (!(statusLine.startsWith("HTTP/1.1 ") || http10) || statusLine.size() < 12
        || !std::all_of(statusLine.begin() + 9, statusLine.begin() + 12, [](char c) { return c >= '0' && c <= '9'; })
        || (statusLine.size() > 12 && statusLine[12] != ' ')) {
        fail(QStringLiteral("not an HTTP/1.1 answer: \"%1\"").arg(printableAscii(statusLine, 60)));
        return false;
    }
    const int status = statusLine.mid(9, 3).toInt();
    bool chunked = false;
    std::optional<qint64> length;
    bool keepAlive = false;
    QByteArray location;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines[i];
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (m_keepAnswer)
            m_answer.headers.append(Header{line.left(colon).trimmed(), value});
        const QByteArray name = line.left(colon).trimmed().toLower();
        if (name == "transfer-encoding") {
            chunked = value.toLower().endsWith("chunked");
        } else if (name == "content-length") {
            bool ok = false;
            const qint64 n = value.toLongLong(&ok);
            if (!ok || n < 0 || (length && *length != n)) {
                fail(QStringLiteral("the answer has an invalid Content-Length \"%1\"").arg(printableAscii(value, 60)));
                return false;
            }
            length = n;
        } else if (name == "connection") {
            const QByteArray v = value.toLower();
            m_closeAfter = m_closeAfter || v.contains("close");
            keepAlive = v.contains("keep-alive");
        } else if (name == "location") {
            location = value;
        }
    }
    if (status < 200) {
        if (status == 101) {
            fail(QStringLiteral("the server switched protocols (101) instead of answering"));
            return false;
        }
        m_answer.headers.clear();
        return true; // an interim answer (100 Continue, 103 Early Hints): the real one follows
    }
    if (http10 && !keepAlive)
        m_closeAfter = true;
    m_answer.status = status;
    m_answer.location = location;
    if (status == 204 || status == 304 || m_headRequest || (!chunked && length == 0)) {
        complete();
        return false;
    }
    if (chunked) {
        m_state = State::ChunkSize;
    } else if (length) {
        m_remaining = *length;
        m_state = State::FixedBody;
    } else {
        m_closeAfter = true;
        m_state = State::UntilClose;
        keepBody(m_buffer);
        m_buffer.clear();
    }
    return true;
}

void HttpConnection::keepBody(QByteArrayView bytes)
{
    if (!m_keepAnswer || bytes.isEmpty())
        return;
    m_answer.bodySize += bytes.size();
    if (const qsizetype room = m_keepBody - m_answer.body.size(); room > 0)
        m_answer.body.append(bytes.first(std::min(room, bytes.size())));
}

void HttpConnection::complete()
{
    m_answer.endMs = double(m_clock.nsecsElapsed()) / 1e6;
    HttpAnswer answer = std::move(m_answer);
    m_answer = {};
    m_busy = false;
    m_state = State::Idle;
    m_request.clear();
    if (m_closeAfter || !m_buffer.isEmpty())
        dropSocket(); // bytes after the answer: nothing was asked for them
    m_buffer.clear();
    Q_EMIT answered(answer);
}

void HttpConnection::fail(const QString &error)
{
    HttpAnswer answer = std::move(m_answer); // what came before the failure: the status, headers, some of the body
    answer.error = error;
    answer.endMs = double(m_clock.nsecsElapsed()) / 1e6;
    m_answer = {};
    m_busy = false;
    m_state = State::Idle;
    m_request.clear();
    m_buffer.clear();
    dropSocket();
    Q_EMIT answered(answer);
}

void HttpConnection::dropSocket()
{
    m_connected = false;
    if (!m_socket)
        return;
    QTcpSocket *socket = std::exchange(m_socket, nullptr);
    socket->disconnect(this);
    socket->abort();
    socket->deleteLater();
}

} // namespace pimscope
