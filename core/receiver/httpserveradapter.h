#pragma once

#include "requestguard.h"

#include "util/result.h"

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>
#include <QTcpServer>

#include <functional>
#include <memory>
#include <optional>
#include <utility>

class QHttpServer;
class QTcpServer;
class QTcpSocket;

namespace pimscope {

class AnswerQueue;

/** A request as QHttpServer handed it over, copied (QHttpServer reuses its request object per connection). */
struct IncomingRequest
{
    QByteArray method;
    QByteArray path; ///< path and query, percent-encoded
    Headers headers; ///< wire order, duplicates kept
    QByteArray body;
    QString remote; ///< address:port
    qint64 receivedAtMs = 0;
    QElapsedTimer readAt; ///< started when the request was fully read: the ack latency counts from here
    bool closeAfter = false; ///< the client asked for Connection: close
};

/**
 * The answer still owed to one request. Answers on one connection go out in the order of their requests
 * (pipelining), whenever each is ready. Sending to a client that has gone is a no-op: the socket is guarded.
 * Copyable handle; only the first send() counts.
 */
class PendingAnswer
{
public:
    /**
     * Called once: with true and the time since the request was read when the answer is on the wire; with false and
     * the time until then when it could not be, the client gone (it closed the connection: a PIM that stopped
     * waiting).
     */
    using Written = std::function<void(double ackMs, bool onTheWire)>;

    PendingAnswer() = default;
    PendingAnswer(AnswerQueue *queue, quint64 slot, QElapsedTimer readAt);

    /** Queues the answer. */
    void send(int status, const QByteArray &body, const QByteArray &contentType, Written written = {});
    /**
     * The same with any headers (a connector's answer passed on): in their order, any status from 100 to 999 (with
     * no reason phrase when Qt knows none); Content-Length is set from the body, whatever `headers` say.
     */
    void send(int status, const QByteArray &body, Headers headers, Written written = {});
    bool clientConnected() const;

private:
    QPointer<AnswerQueue> m_queue;
    quint64 m_slot = 0;
    QElapsedTimer m_readAt;
};

/**
 * The only place that speaks QHttpServer, 6.4 (Debian 12) and 6.8 (Debian 13): every request, whatever its method
 * and path, reaches the handler with an answer to send later. Both versions take the connections of our own guarded
 * server (bind), and the adapter finds a request's connection by its peer (6.8 no longer hands over the socket).
 * Lives in the receiver thread.
 */
class HttpServerAdapter : public QObject
{
    Q_OBJECT
public:
    using Handler = std::function<void(IncomingRequest request, PendingAnswer answer)>;

    HttpServerAdapter(Handler handler, GuardLimits limits, QObject *parent = nullptr);
    ~HttpServerAdapter() override;

    /** Listens on address:port (0 = any free port), over TLS when a configuration is given. Returns the port. */
    Result<quint16> listen(const QHostAddress &address, quint16 port,
                           const std::optional<QSslConfiguration> &tls = std::nullopt);
    void close();

Q_SIGNALS:
    /** The guard answered a request itself (413, 431, 400) before QHttpServer read it. */
    void refused(const pimscope::RefusedRequest &request);

private:
    Handler m_handler;
    GuardLimits m_limits;
    QHttpServer *m_server = nullptr;
    QPointer<QTcpServer> m_tcp; // owned by m_server once bound
    /** Qt 6.8: live connections by peer address and port (a request tells its peer, no longer its socket). */
    QHash<std::pair<QHostAddress, quint16>, QTcpSocket *> m_connections;
};

} // namespace pimscope
