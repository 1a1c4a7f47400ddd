#include "httpserveradapter.h"

#include "guardedserver.h"

#include <QDateTime>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QLoggingCategory>
#include <QMetaEnum>
#include <QTcpSocket>
#include <QtGlobal>

#include <deque>
#include <utility>

namespace pimscope {

Q_DECLARE_LOGGING_CATEGORY(lcReceiver)

namespace {

/** Milliseconds since `t` started (fractional). */
double msSince(const QElapsedTimer &t)
{
    return double(t.nsecsElapsed()) / 1e6;
}

} // namespace

/** The answers owed on one connection, in request order. A child of the socket: gone with it. */
class AnswerQueue : public QObject
{
public:
    explicit AnswerQueue(QTcpSocket *socket)
        : QObject(socket)
        , m_socket(socket)
    {
        setObjectName(objectNameOfQueue());
    }

    // No Q_OBJECT here, so findChild<AnswerQueue *> cannot tell it from the socket's other children: find it by name.
    static QString objectNameOfQueue() { return QStringLiteral("pimscope-answer-queue"); }
    static AnswerQueue *of(QTcpSocket *socket)
    {
        auto *found = socket->findChild<QObject *>(objectNameOfQueue(), Qt::FindDirectChildrenOnly);
        return found ? static_cast<AnswerQueue *>(found) : new AnswerQueue(socket);
    }

    quint64 add(QHttpServerResponder &&responder, QElapsedTimer readAt, bool closeAfter)
    {
        Slot slot;
        slot.responder = std::make_unique<QHttpServerResponder>(std::move(responder));
        slot.readAt = readAt;
        slot.closeAfter = closeAfter;
        m_slots.push_back(std::move(slot));
        return m_first + m_slots.size() - 1;
    }

    /** Queues a slot's answer; false when the slot is gone (dropped at a stop): `written` is not kept. */
    bool answer(quint64 slot, int status, const QByteArray &body, Headers headers, PendingAnswer::Written &written)
    {
        if (slot < m_first || slot - m_first >= m_slots.size())
            return false;
        Slot &s = m_slots[slot - m_first];
        if (s.ready)
            return true;
        s.ready = true;
        s.status = status;
        s.body = body;
        s.headers = std::move(headers);
        s.written = std::move(written);
        flush();
        return true;
    }

    bool connected() const { return m_socket && m_socket->state() == QAbstractSocket::ConnectedState; }

    /** The answers ready but not written yet (behind one still owed) cannot be now: the connection is going. */
    ~AnswerQueue() override { drop(); }

    /**
     * Drops every answer still owed, unanswered. QHttpServer 6.8's responder tells its connection's stream when it is
     * destroyed: it must go before the server deletes its streams (this queue, a child of the socket, would go after).
     */
    void drop()
    {
        std::deque<Slot> slots = std::exchange(m_slots, {});
        m_first += slots.size();
        for (Slot &s : slots) {
            if (s.ready && s.written)
                s.written(msSince(s.readAt), false);
        }
    }

private:
    struct Slot
    {
        std::unique_ptr<QHttpServerResponder> responder;
        QElapsedTimer readAt;
        bool closeAfter = false;
        bool ready = false;
        int status = 200;
        QByteArray body;
        Headers headers;
        PendingAnswer::Written written;
    };

    void flush()
    {
        while (!m_slots.empty() && m_slots.front().ready) {
            Slot s = std::move(m_slots.front());
            m_slots.pop_front();
            ++m_first;
            if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState) {
                if (s.written)
                    s.written(msSince(s.readAt), false);
                continue;
            }
            write(*s.responder, s);
            m_socket->flush();
            const double ms = msSince(s.readAt);
            if (s.closeAfter)
                m_socket->disconnectFromHost();
            if (s.written)
                s.written(ms, true);
        }
    }

    static void write(QHttpServerResponder &responder, const Slot &s)
    {
        const auto status = QHttpServerResponder::StatusCode(s.status);
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
        QHttpHeaders headers;
        for (const Header &h : s.headers) {
            if (h.name.compare("Content-Length", Qt::CaseInsensitive) != 0)
                headers.append(h.name, h.value);
        }
        responder.write(s.body, headers, status); // sets Content-Length
#else
        // 6.4's header list is an initializer_list: the same steps as its write(data, headers, status), one by one.
        responder.writeStatusLine(status);
        for (const Header &h : s.headers) {
            if (h.name.compare("Content-Length", Qt::CaseInsensitive) != 0)
                responder.writeHeader(h.name, h.value);
        }
        responder.writeHeader("Content-Length", QByteArray::number(s.body.size()));
        responder.writeBody(s.body);
#endif
    }

    QPointer<QTcpSocket> m_socket;
    std::deque<Slot> m_slots;
    quint64 m_first = 0;
};

PendingAnswer::PendingAnswer(AnswerQueue *queue, quint64 slot, QElapsedTimer readAt)
    : m_queue(queue)
    , m_slot(slot)
    , m_readAt(readAt)
{
}

void PendingAnswer::send(int status, const QByteArray &body, const QByteArray &contentType, Written written)
{
    send(status, body, Headers{Header{"Content-Type", contentType}}, std::move(written));
}

void PendingAnswer::send(int status, const QByteArray &body, Headers headers, Written written)
{
    // The connection went (and its queue with it) while the answer was being made.
    if ((!m_queue || !m_queue->answer(m_slot, status, body, std::move(headers), written)) && written)
        written(m_readAt.isValid() ? msSince(m_readAt) : 0, false);
}

bool PendingAnswer::clientConnected() const
{
    return m_queue && m_queue->connected();
}

namespace {

QByteArray methodName(QHttpServerRequest::Method m)
{
    switch (m) {
    case QHttpServerRequest::Method::Get:
        return "GET";
    case QHttpServerRequest::Method::Put:
        return "PUT";
    case QHttpServerRequest::Method::Delete:
        return "DELETE";
    case QHttpServerRequest::Method::Post:
        return "POST";
    case QHttpServerRequest::Method::Head:
        return "HEAD";
    case QHttpServerRequest::Method::Options:
        return "OPTIONS";
    case QHttpServerRequest::Method::Patch:
        return "PATCH";
    case QHttpServerRequest::Method::Connect:
        return "CONNECT";
    case QHttpServerRequest::Method::Trace:
        return "TRACE";
    default:
        return "UNKNOWN";
    }
}

#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
std::pair<QHostAddress, quint16> connectionKey(const QHostAddress &peer, quint16 port)
{
    return {peer, port};
}

// 6.8 passes the responder by reference (a static assertion refuses &&); it is move-only, moved into the queue.
using ResponderArg = QHttpServerResponder &;

Headers headersOf(const QHttpServerRequest &req)
{
    const QHttpHeaders &h = req.headers(); // wire order, repeated names kept
    Headers out;
    out.reserve(h.size());
    for (qsizetype i = 0; i < h.size(); ++i)
        out.append({QByteArray(h.nameAt(i).data(), h.nameAt(i).size()), h.valueAt(i).toByteArray()});
    return out;
}
#else
using ResponderArg = QHttpServerResponder &&;

Headers headersOf(const QHttpServerRequest &req)
{
    Headers out;
    for (const auto &[name, value] : req.headers())
        out.append({name, value});
    return out;
}
#endif

} // namespace

HttpServerAdapter::HttpServerAdapter(Handler handler, GuardLimits limits, QObject *parent)
    : QObject(parent)
    , m_handler(std::move(handler))
    , m_limits(limits)
{
}

HttpServerAdapter::~HttpServerAdapter()
{
    close();
}

Result<quint16> HttpServerAdapter::listen(const QHostAddress &address, quint16 port,
                                          const std::optional<QSslConfiguration> &tls)
{
    close();
    m_server = new QHttpServer(this);
    m_server->route(QStringLiteral("/<arg>"), QHttpServerRequest::Method::AnyKnown,
                    [this](const QUrl &, const QHttpServerRequest &req, ResponderArg responder) {
                        IncomingRequest in;
                        in.readAt.start();
                        in.receivedAtMs = QDateTime::currentMSecsSinceEpoch();
                        in.method = methodName(req.method());
                        in.path = req.url().toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority);
                        if (in.path.isEmpty())
                            in.path = "/";
                        in.headers = headersOf(req);
                        in.body = req.body();
                        in.closeAfter
                            = headerValue(in.headers, "Connection").compare("close", Qt::CaseInsensitive) == 0;
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
                        QTcpSocket *socket = m_connections.value(connectionKey(req.remoteAddress(), req.remotePort()));
                        if (!socket) {
                            // Every socket QHttpServer reads from came through the guarded server: not reached.
                            qCWarning(lcReceiver)
                                << "a request from" << req.remoteAddress() << "on no known connection";
                            return;
                        }
#else
                        QTcpSocket *socket = responder.socket();
#endif
                        in.remote = socket->peerAddress().toString() + u':' + QString::number(socket->peerPort());
                        AnswerQueue *queue = AnswerQueue::of(socket);
                        const quint64 slot = queue->add(std::move(responder), in.readAt, in.closeAfter);
                        const QElapsedTimer readAt = in.readAt;
                        m_handler(std::move(in), PendingAnswer(queue, slot, readAt));
                    });
    const GuardAttached attached = [this](RequestGuard *guard, [[maybe_unused]] QTcpSocket *socket) {
        connect(guard, &RequestGuard::refused, this, &HttpServerAdapter::refused);
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
        // The connection a request came on, found again by its peer: QHttpServer 6.8 no longer gives the socket.
        const auto key = connectionKey(socket->peerAddress(), socket->peerPort());
        m_connections.insert(key, socket);
        connect(socket, &QObject::destroyed, this, [this, key, socket] {
            if (m_connections.value(key) == socket)
                m_connections.remove(key);
        });
#endif
    };
    if (tls) {
        auto *ssl = new GuardedSslServer(m_limits, attached, this);
        ssl->setSslConfiguration(*tls);
        m_tcp = ssl;
    } else {
        m_tcp = new GuardedTcpServer(m_limits, attached, this);
    }
    if (!m_tcp->listen(address, port)) {
        const QString error = m_tcp->errorString();
        close();
        return Result<quint16>::failure(
            QStringLiteral("cannot listen on %1:%2: %3").arg(address.toString()).arg(port).arg(error));
    }
    const quint16 bound = m_tcp->serverPort();
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
    if (!m_server->bind(m_tcp)) { // reparents it to the server
        close();
        return Result<quint16>::failure(
            QStringLiteral("cannot serve HTTP on %1:%2").arg(address.toString()).arg(bound));
    }
#else
    m_server->bind(m_tcp); // reparents it to the server
#endif
    return bound;
}

void HttpServerAdapter::close()
{
    if (m_tcp)
        m_tcp->close();
    if (m_server) {
        for (QObject *queue : m_server->findChildren<QObject *>(AnswerQueue::objectNameOfQueue()))
            static_cast<AnswerQueue *>(queue)->drop();
    }
    delete m_server; // deletes the QTcpServer bound to it
    m_server = nullptr;
    delete m_tcp.data(); // one that was never bound
    m_tcp = nullptr;
    m_connections.clear();
}

} // namespace pimscope
