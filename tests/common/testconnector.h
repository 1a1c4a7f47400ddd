#pragma once

// A connector written for the tests: a real HTTP/1.1 server on a loopback port, on a thread of its own (the tests
// block their own thread in socket waits), that answers each request as the test scripted it — fast, slow, failing,
// or misbehaving at the socket level — and keeps every request it got, as bytes.

#include "receiver/tlsconfig.h"

#include <QElapsedTimer>
#include <QMutex>
#include <QMutexLocker>
#include <QPointer>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <functional>
#include <optional>

namespace pimscope::test {

class TestConnector
{
public:
    /** How a request is answered. */
    struct Behaviour
    {
        QByteArray raw = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}";
        int delayMs = 0; ///< before answering
        bool closeAfter = false; ///< close the connection once the bytes are written
        bool hang = false; ///< write `raw` (may be empty), then never write or close again
    };

    struct Request
    {
        QByteArray head; ///< request line and headers, CRLF-separated, without the blank line
        QByteArray body;
        QByteArray header(QByteArrayView name) const
        {
            for (const QByteArray &line : head.split('\n')) {
                const qsizetype colon = line.indexOf(':');
                if (colon > 0 && QByteArrayView(line).first(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
                    return line.mid(colon + 1).trimmed();
            }
            return {};
        }
        QByteArray target() const { return head.split(' ').value(1); }
    };

    /** Starts listening on 127.0.0.1 (TLS with the test certificate when `tls`), on `port` (0: any free one). */
    explicit TestConnector(bool tls = false, quint16 port = 0)
        : m_tls(tls)
        , m_port(port)
    {
        m_thread.start();
        QMetaObject::invokeMethod(
            m_context, [this] { listen(); }, Qt::BlockingQueuedConnection);
    }
    ~TestConnector()
    {
        QMetaObject::invokeMethod(
            m_context,
            [this] {
                delete m_server;
                m_server = nullptr;
            },
            Qt::BlockingQueuedConnection);
        m_context->deleteLater();
        m_thread.quit();
        m_thread.wait();
    }

    quint16 port() const { return m_port; }
    QString url(const QString &path = QStringLiteral("/")) const
    {
        return QStringLiteral("%1://127.0.0.1:%2%3")
            .arg(m_tls ? QStringLiteral("https") : QStringLiteral("http"))
            .arg(m_port)
            .arg(path);
    }

    void setBehaviour(Behaviour b)
    {
        QMutexLocker lock(&m_mutex);
        m_behaviour = std::move(b);
    }
    QList<Request> requests() const
    {
        QMutexLocker lock(&m_mutex);
        return m_requests;
    }
    /** Waits (the calling thread's events processed) until `n` requests came; false after timeoutMs. */
    bool waitForRequests(qsizetype n, int timeoutMs = 10000) const
    {
        QElapsedTimer t;
        t.start();
        while (requests().size() < n && t.elapsed() < timeoutMs)
            QThread::msleep(5);
        return requests().size() >= n;
    }

private:
    void listen()
    {
        if (m_tls) {
            auto *server = new QSslServer;
            const auto config = loadServerTls(QStringLiteral(PIMSCOPE_TEST_DATA_DIR "/tls/cert.pem"),
                                              QStringLiteral(PIMSCOPE_TEST_DATA_DIR "/tls/key.pem"));
            server->setSslConfiguration(*config);
            m_server = server;
        } else {
            m_server = new QTcpServer;
        }
        QObject::connect(m_server, &QTcpServer::pendingConnectionAvailable, m_server, [this] {
            while (QTcpSocket *socket = m_server->nextPendingConnection())
                serve(socket);
        });
        m_server->listen(QHostAddress::LocalHost, m_port);
        m_port = m_server->serverPort();
    }

    void serve(QTcpSocket *socket)
    {
        auto buffer = std::make_shared<QByteArray>();
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, buffer] {
            *buffer += socket->readAll();
            for (;;) {
                const qsizetype end = buffer->indexOf("\r\n\r\n");
                if (end < 0)
                    return;
                Request r;
                r.head = buffer->left(end);
                const qint64 length = r.header("Content-Length").toLongLong();
                if (buffer->size() < end + 4 + length)
                    return;
                r.body = buffer->mid(end + 4, length);
                buffer->remove(0, end + 4 + length);
                Behaviour b;
                {
                    QMutexLocker lock(&m_mutex);
                    m_requests.append(r);
                    b = m_behaviour;
                }
                const QPointer<QTcpSocket> guarded(socket);
                QTimer::singleShot(b.delayMs, socket, [guarded, b] {
                    if (!guarded)
                        return;
                    guarded->write(b.raw);
                    guarded->flush();
                    if (b.closeAfter && !b.hang)
                        guarded->disconnectFromHost();
                });
            }
        });
    }

    bool m_tls;
    QThread m_thread;
    QObject *m_context = [this] {
        auto *o = new QObject;
        o->moveToThread(&m_thread);
        return o;
    }();
    QTcpServer *m_server = nullptr;
    quint16 m_port = 0;
    mutable QMutex m_mutex;
    Behaviour m_behaviour;
    QList<Request> m_requests;
};

} // namespace pimscope::test
