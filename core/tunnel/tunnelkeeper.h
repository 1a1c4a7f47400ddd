#pragma once

#include "tunnel.h"
#include "tunnelprobe.h"

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
    struct Options
    {
        Tunnel::Options tunnel;
        int recheckMs = 5 * 60'000;
        int probeTimeoutMs = 15'000;
    };

    TunnelKeeper(TunnelSpec spec, quint16 localPort, std::shared_ptr<ProbeRegistry> probes, Options options,
                 QObject *parent = nullptr);
    ~TunnelKeeper() override;

    void start();
    void stop();

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
    QTimer m_recheck;
    QUrl m_checking; ///< the URL of the check in flight
    QUrl m_reachable;
    QUrl m_announced; ///< the last URL said as the public one
};

} // namespace pimscope
