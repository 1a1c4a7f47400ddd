#include "httpserveradapter.h"

#include "guardedserver.h"

#include <QDateTime>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QMetaEnum>
#include <QTcpSocket>

#include <deque>

namespace pimscope {

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

    void answer(quint64 slot, int status, const QByteArray &body, const QByteArray &contentType,
                std::function<void(double)> written)
    {
        if (slot < m_first || slot - m_first >= m_slots.size())
            return;
        Slot &s = m_slots[slot - m_first];
        if (s.ready)
            return;
        s.ready = true;
        s.status = status;
        s.body = body;
        s.contentType = contentType;
        s.written = std::move(written);
        flush();
    }

    bool connected() const { return m_socket && m_socket->state() == QAbstractSocket::ConnectedState; }

private:
    struct Slot
    {
        std::unique_ptr<QHttpServerResponder> responder;
        QElapsedTimer readAt;
        bool closeAfter = false;
        bool ready = false;
        int status = 200;
        QByteArray body;
        QByteArray contentType;
        std::function<void(double)> written;
    };

    void flush()
    {
        while (!m_slots.empty() && m_slots.front().ready) {
            Slot s = std::move(m_slots.front());
            m_slots.pop_front();
            ++m_first;
            if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState)
                continue;
            s.responder->write(s.body, s.contentType, QHttpServerResponder::StatusCode(s.status));
            m_socket->flush();
            const double ms = double(s.readAt.nsecsElapsed()) / 1e6;
            if (s.closeAfter)
                m_socket->disconnectFromHost();
            if (s.written)
                s.written(ms);
        }
    }

    QPointer<QTcpSocket> m_socket;
    std::deque<Slot> m_slots;
    quint64 m_first = 0;
};

PendingAnswer::PendingAnswer(AnswerQueue *queue, quint64 slot)
    : m_queue(queue)
    , m_slot(slot)
{
}

void PendingAnswer::send(int status, const QByteArray &body, const QByteArray &contentType,
                         std::function<void(double)> written)
{
    if (m_queue)
        m_queue->answer(m_slot, status, body, contentType, std::move(written));
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
                    [this](const QUrl &, const QHttpServerRequest &req, QHttpServerResponder &&responder) {
                        IncomingRequest in;
                        in.readAt.start();
                        in.receivedAtMs = QDateTime::currentMSecsSinceEpoch();
                        in.method = methodName(req.method());
                        in.path = req.url().toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority);
                        if (in.path.isEmpty())
                            in.path = "/";
                        for (const auto &[name, value] : req.headers())
                            in.headers.append({name, value});
                        in.body = req.body();
                        QTcpSocket *socket = responder.socket();
                        in.remote = socket->peerAddress().toString() + u':' + QString::number(socket->peerPort());
                        in.closeAfter
                            = headerValue(in.headers, "Connection").compare("close", Qt::CaseInsensitive) == 0;
                        AnswerQueue *queue = AnswerQueue::of(socket);
                        const quint64 slot = queue->add(std::move(responder), in.readAt, in.closeAfter);
                        m_handler(std::move(in), PendingAnswer(queue, slot));
                    });
    const GuardAttached attached
        = [this](RequestGuard *guard) { connect(guard, &RequestGuard::refused, this, &HttpServerAdapter::refused); };
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
    m_server->bind(m_tcp); // reparents it to the server
    return bound;
}

void HttpServerAdapter::close()
{
    if (m_tcp)
        m_tcp->close();
    delete m_server; // deletes the QTcpServer bound to it
    m_server = nullptr;
    delete m_tcp.data(); // one that was never bound
    m_tcp = nullptr;
}

} // namespace pimscope
