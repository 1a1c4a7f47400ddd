#pragma once

#include "forwardrule.h"

#include "model/connectoranswer.h"
#include "net/httpconnection.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <functional>

namespace pimscope {

/** One request to pass on to a connector. */
struct ForwardRequest
{
    QUrl url; ///< forwardUrl() of the rule
    bool insecure = false;
    QByteArray method;
    Headers headers; ///< forwardHeaders(): the PIM's, as received (never the redacted ones of the capture)
    QByteArray body;
};

/**
 * Sends requests to connectors over HTTP/1.1, as many at once as are given (one connection each, kept alive for the
 * next request to the same origin), and reports each outcome once: the connector's answer (status, headers, the first
 * 64 KiB of its body and its whole size, the times to its first byte and its end) or why there is none. Redirects are
 * never followed; TLS is verified unless the rule says insecure; an answer that has not ended `timeoutMs` after the
 * request started is given up (the connection closed) and reported with what came of it.
 *
 * Lives in the thread of its event loop (the receiver's), with no thread of its own.
 */
class Forwarder : public QObject
{
    Q_OBJECT
public:
    using Done = std::function<void(HttpAnswer answer)>;

    explicit Forwarder(int timeoutMs = 30000, QObject *parent = nullptr);
    ~Forwarder() override;

    /** Sends `request`; `done` is called once, later (never from inside send()), from this object's thread. */
    void send(ForwardRequest request, Done done);
    /** Requests whose outcome is still awaited. */
    int inFlight() const { return int(m_busy.size()); }
    /** Gives up every request in flight: each `done` gets `why` as its error. */
    void abortAll(const QString &why);

    int timeoutMs() const { return m_timeoutMs; }

private:
    struct Busy
    {
        QString origin;
        Done done;
        QTimer *timer = nullptr;
    };
    static QString originOf(const QUrl &url, bool insecure);
    HttpConnection *connectionFor(const QString &origin, const QUrl &url, bool insecure);
    void finish(HttpConnection *connection, HttpAnswer answer, bool reusable);

    int m_timeoutMs;
    QHash<QString, QList<HttpConnection *>> m_idle; ///< kept-alive connections by origin
    QHash<HttpConnection *, Busy> m_busy;
};

/**
 * What the sender of a delivery would make of the connector's answer, as a ConnectorAnswer to record: the answer's
 * fields and the verdict under `sender`'s rules (SenderProfile::verdictOf, with the subscription's consecutive
 * failures before it).
 */
ConnectorAnswer connectorAnswerOf(const HttpAnswer &answer, Format sender, int failuresBefore);

} // namespace pimscope
