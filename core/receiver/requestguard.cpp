#include "requestguard.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QTcpSocket>

namespace pimscope {

Q_LOGGING_CATEGORY(lcReceiver, "pimscope.receiver")

namespace {

/**
 * The header lines of a request head: between the end of the request line and `headEnd` (where the blank line
 * starts, or what arrived of the head). Empty when the request line ends the head or has not ended yet.
 */
QByteArrayView headerLines(const QByteArray &head, qsizetype headEnd)
{
    const qsizetype lineEnd = head.indexOf("\r\n");
    if (lineEnd < 0 || lineEnd >= headEnd)
        return {};
    return QByteArrayView(head).sliced(lineEnd + 2, headEnd - lineEnd - 2);
}

/** Parses "Name: value" lines of a request head (after the request line). */
Headers parseHeaderLines(const QByteArray &lines)
{
    Headers headers;
    for (QByteArray line : lines.split('\n')) {
        if (line.endsWith('\r'))
            line.chop(1);
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        headers.append(Header{line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
    }
    return headers;
}

/**
 * The value of the first header `name` (case-insensitive) among the lines of a head, trimmed; null when absent.
 * Reads in place: the guard looks at two headers of every request and builds the list only for one it refuses.
 */
QByteArray findHeader(QByteArrayView lines, QByteArrayView name)
{
    qsizetype at = 0;
    while (at < lines.size()) {
        qsizetype end = lines.indexOf('\n', at);
        if (end < 0)
            end = lines.size();
        const QByteArrayView line = lines.sliced(at, end - at);
        at = end + 1;
        // As parseHeaderLines() reads a line: the name is what stands before the first colon, trimmed.
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.first(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return line.sliced(colon + 1).trimmed().toByteArray();
    }
    return {};
}

} // namespace

RequestGuard::RequestGuard(QTcpSocket *socket, const GuardLimits &limits)
    : QObject(socket)
    , m_socket(socket)
    , m_limits(limits)
{
    // Answers go out as soon as they are written (QHttpServerResponder writes a response in several pieces).
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    // Idle connections are closed: one single-shot timer per connection, re-armed only when it fires (restarting
    // a timer at every read and write cost the receiver thread more than the checks it replaces).
    m_idle.setSingleShot(true);
    m_activity.start();
    connect(&m_idle, &QTimer::timeout, this, [this] {
        const qint64 idleFor = m_activity.elapsed();
        if (idleFor < m_limits.idleTimeoutMs) {
            m_idle.start(int(m_limits.idleTimeoutMs - idleFor));
            return;
        }
        if (m_socket) {
            qCDebug(lcReceiver) << "closing an idle connection from" << m_socket->peerAddress();
            m_socket->disconnectFromHost();
        }
    });
    m_idle.start(limits.idleTimeoutMs);
    connect(socket, &QTcpSocket::readyRead, this, &RequestGuard::onReadyRead);
    // Anything written (an answer) also counts as activity.
    connect(socket, &QTcpSocket::bytesWritten, this, [this] { m_activity.start(); });
}

void RequestGuard::onReadyRead()
{
    QTcpSocket *socket = m_socket;
    if (!socket)
        return;
    m_activity.start();
    if (m_refused) {
        // Drain what the client still sends after the 413, without keeping it.
        socket->readAll();
        return;
    }
    if (!socket->isTransactionStarted()) {
        // QHttpServer is between requests: what is buffered starts a new one.
        m_headSeen = false;
        m_head.clear();
        m_bytesSeen = 0;
        m_current.receivedAtMs = 0;
        m_current.declaredSize = -1;
    }
    // Inside its transaction QHttpServer reads (consumes) everything available at each readyRead, so what is
    // available now is new: peek at it before QHttpServer's own slot runs, and count it.
    const qint64 available = socket->bytesAvailable();
    m_bytesSeen += available;
    if (!m_headSeen) {
        m_head += socket->peek(qMin<qint64>(available, m_limits.maxHeaderBytes + 4 - m_head.size()));
        const qsizetype end = m_head.indexOf("\r\n\r\n");
        if (end < 0) {
            if (m_head.size() > m_limits.maxHeaderBytes)
                refuse(431, QStringLiteral("request headers over %1 bytes").arg(m_limits.maxHeaderBytes));
            return;
        }
        m_headSeen = true;
        m_headBytes = end + 4;
        inspectHead(m_head, end);
        if (m_refused)
            return;
    }
    // A chunked body (or more bytes than Content-Length announced) is counted as it arrives.
    if (m_bytesSeen - m_headBytes > m_limits.maxBodyBytes + qint64{64} * 1024) {
        m_current.declaredSize = m_bytesSeen - m_headBytes;
        refuse(413,
               QStringLiteral("body over the limit of %1 bytes (%2 bytes received so far)")
                   .arg(m_limits.maxBodyBytes)
                   .arg(m_bytesSeen - m_headBytes));
    }
}

void RequestGuard::inspectHead(const QByteArray &head, qsizetype headEnd)
{
    const QByteArrayView lines = headerLines(head, headEnd);
    m_current.receivedAtMs = QDateTime::currentMSecsSinceEpoch();
    const QByteArray length = findHeader(lines, "Content-Length");
    bool ok = false;
    const qint64 declared = length.isNull() ? -1 : length.toLongLong(&ok);
    m_current.declaredSize = declared;
    if (!length.isNull() && (!ok || declared < 0)) {
        refuse(400, QStringLiteral("invalid Content-Length '%1'").arg(QString::fromLatin1(length)));
        return;
    }
    if (declared > m_limits.maxBodyBytes) {
        refuse(413,
               QStringLiteral("body of %1 bytes over the limit of %2 bytes").arg(declared).arg(m_limits.maxBodyBytes));
        return;
    }
#if QT_VERSION < QT_VERSION_CHECK(6, 8, 0)
    if (findHeader(lines, "Expect").compare("100-continue", Qt::CaseInsensitive) == 0) {
        // QHttpServer 6.4 never answers it; the sender would wait about a second before sending the body. 6.8 answers
        // it itself once it has read the head (TestReceiver::expectContinueIsAnswered saw two interim answers).
        m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    }
#endif
}

void RequestGuard::refuse(int status, const QString &error)
{
    QTcpSocket *socket = m_socket;
    m_refused = true;
    m_current.status = status;
    m_current.error = error;
    if (m_current.receivedAtMs == 0)
        m_current.receivedAtMs = QDateTime::currentMSecsSinceEpoch();
    m_current.remote = socket->peerAddress().toString() + u':' + QString::number(socket->peerPort());
    // What the head said, for the store (for a head over the size limit: what arrived of it).
    const qsizetype headEnd = m_headSeen ? m_headBytes - 4 : m_head.size();
    const qsizetype lineEnd = m_head.indexOf("\r\n");
    const QList<QByteArray> requestLine = m_head.left(lineEnd < 0 ? headEnd : lineEnd).split(' ');
    m_current.method = requestLine.value(0);
    m_current.path = requestLine.value(1);
    m_current.headers = parseHeaderLines(headerLines(m_head, headEnd).toByteArray());
    // Take the request away from QHttpServer: roll back its transaction and drop what is buffered.
    if (socket->isTransactionStarted())
        socket->rollbackTransaction();
    socket->readAll();
    const QByteArray reason = status == 413 ? "Payload Too Large"
        : status == 431                     ? "Request Header Fields Too Large"
                                            : "Bad Request";
    const QByteArray body = "{\"error\":\"" + error.toUtf8().replace('"', '\'') + "\"}";
    socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reason
                  + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                  + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    socket->disconnectFromHost();
    qCInfo(lcReceiver) << "refused a request from" << m_current.remote << ":" << error;
    Q_EMIT refused(m_current);
}

} // namespace pimscope
