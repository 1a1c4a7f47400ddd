#pragma once

// A PIM's side of an HTTP/1.1 exchange over a plain socket, byte for byte: the tests write requests as they want them
// on the wire and read the answers as they came.

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QPair>
#include <QTcpSocket>

namespace pimscope::test {

struct Response
{
    int status = 0;
    QByteArray head;
    QByteArray body;
};

/** Reads one HTTP/1.1 response (Content-Length framed) from a socket; waits at most timeoutMs. */
inline Response readResponse(QTcpSocket &socket, QByteArray &buffer, int timeoutMs = 10000)
{
    QElapsedTimer timer;
    timer.start();
    Response r;
    for (;;) {
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end >= 0) {
            r.head = buffer.left(end);
            const QByteArray statusLine = r.head.split('\r').constFirst();
            r.status = statusLine.split(' ').value(1).toInt();
            if (r.status == 100) { // interim answer: no body
                buffer.remove(0, end + 4);
                return r;
            }
            qsizetype length = 0;
            for (const QByteArray &line : r.head.split('\n')) {
                if (line.toLower().startsWith("content-length:"))
                    length = line.mid(15).trimmed().toLongLong();
            }
            if (buffer.size() >= end + 4 + length) {
                r.body = buffer.mid(end + 4, length);
                buffer.remove(0, end + 4 + length);
                return r;
            }
        }
        if (timer.elapsed() > timeoutMs || socket.state() != QAbstractSocket::ConnectedState) {
            buffer += socket.readAll();
            if (buffer.indexOf("\r\n\r\n") < 0)
                return r;
            continue;
        }
        socket.waitForReadyRead(50);
        buffer += socket.readAll();
    }
}

inline QByteArray request(const QByteArray &method, const QByteArray &path, const QByteArray &body,
                          const QList<QPair<QByteArray, QByteArray>> &headers = {})
{
    QByteArray r = method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
    for (const auto &[name, value] : headers)
        r += name + ": " + value + "\r\n";
    r += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    return r;
}

/** Header `name`'s value in a response head (case-insensitive); null when absent. */
inline QByteArray headerOf(const QByteArray &head, QByteArrayView name)
{
    for (const QByteArray &line : head.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && QByteArrayView(line).first(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return line.mid(colon + 1).trimmed();
    }
    return {};
}

/** Sends one request to 127.0.0.1:port on a new connection and reads its answer. */
inline Response exchange(quint16 port, const QByteArray &raw, int timeoutMs = 10000)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return {};
    socket.write(raw);
    QByteArray buffer;
    return readResponse(socket, buffer, timeoutMs);
}

} // namespace pimscope::test
