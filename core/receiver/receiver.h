#pragma once

#include "httpserveradapter.h"
#include "signatureverifier.h"

#include "forward/forwardrule.h"
#include "store/records.h"
#include "tunnel/tunnelprobe.h"

#include <QHostAddress>
#include <QObject>
#include <QSslConfiguration>
#include <QThread>

#include <memory>
#include <optional>

namespace pimscope {

class DeliverySink;
class PayloadParser;

/** How the receiver listens and answers. */
struct ReceiverSettings
{
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 8787; ///< 0: any free port
    GuardLimits limits;
    SignatureSettings signatures;
    bool acceptInvalidSignature = false; ///< store and answer normally whatever the verdict
    int answerStatus = 200; ///< what a valid delivery is answered (simulating a failing connector)
    int answerDelayMs = 0; ///< how long to wait before answering (after the commit)
    /**
     * Senders whose requests are always answered 200 at once, whatever the settings above and the verdicts (which
     * are still recorded): capturing them never gets their subscription disabled or suspended.
     */
    QList<Format> alwaysSucceedFor;
    std::optional<QSslConfiguration> tls;
    /**
     * The connectors deliveries are forwarded to, by path prefix (the longest wins). In proxy mode the PIM gets the
     * connector's answer: the settings above that shape Pimscope's own answer do not apply to those paths.
     */
    QList<ForwardRule> forwards;
    /** How long a forward waits for the connector's whole answer (the sender's own deadline is judged apart). */
    int forwardTimeoutMs = 30000;
    /**
     * A tunnel's end-to-end checks: a GET of …/.pimscope-probe/TOKEN with a token issued there is answered 200 (any
     * other token 404) and nothing of it is stored or shown. None: such a path is an ordinary request.
     */
    std::shared_ptr<ProbeRegistry> probes;
};

/**
 * Raises this process's soft limit on open files to its hard limit (at most 65536; Unix only): every connection
 * is a file descriptor, and the default soft limit of 1024 would let a thousand idle connections stop the receiver
 * from accepting.
 */
void raiseOpenFileLimit();

/** Parses "HOST:PORT", "[IPv6]:PORT" or ":PORT" (localhost or an empty host: 127.0.0.1). */
bool parseListenAddress(const QString &text, QHostAddress &address, quint16 &port);

/** One answered delivery, for the command's output and the window. */
struct ReceivedDelivery
{
    qint64 id = 0; ///< 0 when it could not be stored
    qint64 receivedAtMs = 0;
    QByteArray method;
    QByteArray path;
    int status = 0;
    Format format = Format::Unknown;
    Signature signature = Signature::Unchecked;
    int eventCount = 0;
    double ackMs = 0;
    QString error;
    /** Forwarded in proxy mode: the connector's outcome (the status above is what the PIM got). */
    std::optional<ConnectorAnswer> connector;
};

/**
 * The capture endpoint: QHttpServer on a thread of its own. Every request except `GET /` (a health check
 * answered with a short text) is stored, and answered only once it is committed: 413 for a body over the
 * limit (before it is read), 401 for a bad signature, 400 for a body that is not a PIM payload, else the
 * configured status; 503 when the store could not commit it. The answer time is recorded per delivery.
 *
 * The Receiver object lives in the thread that creates it; the work happens in its own thread. answered() is
 * emitted in the Receiver's thread (gathered once per pass of the receiver thread's event loop), problem() from the
 * receiver thread.
 */
class Receiver : public QObject
{
    Q_OBJECT
public:
    /** `store`: the desktop's capture or a server's PostgreSQL store (forwarding in ack mode needs the former). */
    Receiver(DeliverySink *store, ReceiverSettings settings, QObject *parent = nullptr);
    ~Receiver() override;

    /** Starts the thread and listens; returns the bound port, or why it could not listen. */
    Result<quint16> start();
    /** Stops accepting, waits for the answers still owed (at most `graceMs`), and ends the thread. */
    void stop(int graceMs = 5000);

    QString url() const;

Q_SIGNALS:
    void answered(const pimscope::ReceivedDelivery &delivery);
    void problem(const QString &message);
    /** Ack mode: a forward's attempt ended (answered, failed for now, or given up), its row as recorded. */
    void forwarded(const pimscope::ConnectorAnswer &forward);

private:
    class Worker;
    DeliverySink *m_store;
    ReceiverSettings m_settings;
    QThread m_thread;
    Worker *m_worker = nullptr;
    quint16 m_port = 0;
};

} // namespace pimscope
