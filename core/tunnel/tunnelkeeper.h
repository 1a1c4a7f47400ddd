#pragma once

#include "tunnel.h"
#include "tunnelprobe.h"

#include "secrets/secretstore.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <memory>

namespace pimscope {

/**
 * A tunnel kept alive and checked: the program run (Tunnel), each URL it gives checked end to end (TunnelProbe)
 * before it is announced, checked again every recheckMs and whenever the program restarts. Everything worth telling
 * the user comes as said(), in the words `pimscope receive` prints and the window shows:
 *   "Public URL https://….trycloudflare.com (reachable from the internet, 84 ms)"
 *   "The public URL changed: https://new… (was https://old…). Give the PIM the new one: …"
 *   "Public URL https://… not reachable: …", the program's problems.
 */
class TunnelKeeper : public QObject
{
    Q_OBJECT
public:
    enum class Level { Info, Warning, Error };
    Q_ENUM(Level)
    struct Options
    {
        Tunnel::Options tunnel;
        int recheckMs = 5 * 60'000;
        int probeTimeoutMs = 15'000;
        /**
         * A URL just given may not answer at once (a quick tunnel's name not in the DNS yet, ssh still logging in with
         * a URL known from the start): a failed check within settleMs of the tunnel coming up is repeated after
         * settleRetryMs, said only when the last one fails.
         */
        int settleMs = 30'000;
        int settleRetryMs = 2'000;
    };

    TunnelKeeper(TunnelSpec spec, quint16 localPort, std::shared_ptr<ProbeRegistry> probes, Options options,
                 QObject *parent = nullptr);
    ~TunnelKeeper() override;

    /**
     * Starts the tunnel; a provider with a credential (ngrok's authtoken) gets it from `secrets` first when given (a
     * missing one is no error: the program's own configuration may hold it).
     */
    void start();
    void stop();
    /** Where the provider's credential is kept (the OS keychain); none: the program's own configuration only. */
    void setSecretStore(SecretStore *secrets) { m_secrets = secrets; }

    Tunnel &tunnel() { return m_tunnel; }
    TunnelProbe &probe() { return m_probe; }
    /** The URL last found reachable (empty until then, and after a check that failed). */
    QUrl reachableUrl() const { return m_reachable; }

    /** Where to paste the public URL for each sender, in words (a line each). */
    static QStringList wherePaste(const QUrl &url);

Q_SIGNALS:
    void said(const QString &message, pimscope::TunnelKeeper::Level level);
    /** The URL was checked end to end and answered (`ms` there and back). */
    void reachable(const QUrl &url, double ms);

private:
    void checkNow();
    void onChecked(const ProbeResult &result);

    Tunnel m_tunnel;
    TunnelProbe m_probe;
    SecretStore *m_secrets = nullptr;
    int m_runs = 0; ///< counts starts and stops: a credential read after a stop starts nothing
    QTimer m_recheck;
    QTimer m_settle;
    QElapsedTimer m_upSince; ///< since the tunnel last gave its URL
    int m_settleMs = 0;
    QUrl m_checking; ///< the URL of the check in flight
    QUrl m_reachable;
    QUrl m_announced; ///< the last URL said as the public one
};

} // namespace pimscope
