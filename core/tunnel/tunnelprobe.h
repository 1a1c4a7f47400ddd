#pragma once

#include "net/httpconnection.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QSslCertificate>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <memory>
#include <mutex>

namespace pimscope {

/**
 * The probes a tunnel check sent and waits for, shared with the receiver, which answers a probe's path (GET
 * …/.pimscope-probe/TOKEN) only for a token issued here, once, and stores nothing of it. Thread-safe.
 */
class ProbeRegistry
{
public:
    /** A new random token (32 hex digits), waiting for the receiver. */
    QByteArray issue();
    /** The receiver: whether `token` was issued and not seen yet; it is seen from now on. */
    bool take(QByteArrayView token);
    /** The check, once answered: whether the receiver saw `token`; the token is forgotten. */
    bool finish(QByteArrayView token);

    /** The token of a probe's request target (its path holds /.pimscope-probe/TOKEN, wherever), else empty. */
    static QByteArray tokenOf(QByteArrayView target);

private:
    std::mutex m_mutex;
    QHash<QByteArray, bool> m_tokens; ///< issued -> seen by the receiver
};

/** What a probe through a public URL found. */
struct ProbeResult
{
    bool reached = false; ///< it came back through the tunnel to this Pimscope's receiver
    double ms = 0; ///< there and back
    QString message; ///< "reachable from the internet, 84 ms", or what failed
};

/**
 * Checks a tunnel end to end: a GET of PUBLIC_URL/.pimscope-probe/TOKEN, through the internet and the tunnel, must
 * reach this Pimscope's receiver (which answers it from the registry and stores nothing). TLS is verified as a PIM
 * would. One check at a time; checked() comes once for each.
 */
class TunnelProbe : public QObject
{
    Q_OBJECT
public:
    explicit TunnelProbe(std::shared_ptr<ProbeRegistry> registry, QObject *parent = nullptr);
    ~TunnelProbe() override;

    /** Starts a check of `publicUrl` (https); a check still running is given up. */
    void check(const QUrl &publicUrl);
    bool isChecking() const { return m_connection != nullptr; }

    void setTimeoutMs(int ms) { m_timeoutMs = ms; }
    /** Tests: connect here instead of the public host (as curl --resolve), trusting these authorities too. */
    void setConnectTo(const QString &host, quint16 port)
    {
        m_connectHost = host;
        m_connectPort = port;
    }
    void addCaCertificates(const QList<QSslCertificate> &certificates) { m_cas += certificates; }
    /**
     * For the tests of `pimscope receive` and the window, which play a tunnel service on a loopback port:
     * PIMSCOPE_TUNNEL_CONNECT_TO=HOST:PORT sends the probe there (setConnectTo), PIMSCOPE_TUNNEL_CA names a PEM file of
     * authorities trusted beside the system's. Neither set: nothing changes.
     */
    void useTestEnvironment();

Q_SIGNALS:
    void checked(const pimscope::ProbeResult &result);

private:
    void done(const HttpAnswer &answer);
    void giveUp();

    std::shared_ptr<ProbeRegistry> m_registry;
    std::unique_ptr<HttpConnection> m_connection;
    QUrl m_url;
    QByteArray m_token;
    QTimer m_timeout;
    int m_timeoutMs = 15'000;
    QString m_connectHost;
    quint16 m_connectPort = 0;
    QList<QSslCertificate> m_cas;
};

} // namespace pimscope

Q_DECLARE_METATYPE(pimscope::ProbeResult)
