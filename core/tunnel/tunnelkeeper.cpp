#include "tunnelkeeper.h"

namespace pimscope {

TunnelKeeper::TunnelKeeper(TunnelSpec spec, quint16 localPort, std::shared_ptr<ProbeRegistry> probes, Options options,
                           QObject *parent)
    : QObject(parent)
    , m_tunnel(std::move(spec), localPort, options.tunnel)
    , m_probe(std::move(probes))
{
    m_probe.setTimeoutMs(options.probeTimeoutMs);
    m_recheck.setInterval(options.recheckMs);
    connect(&m_recheck, &QTimer::timeout, this, &TunnelKeeper::checkNow);
    m_settle.setSingleShot(true);
    m_settle.setInterval(options.settleRetryMs);
    m_settleMs = options.settleMs;
    connect(&m_settle, &QTimer::timeout, this, &TunnelKeeper::checkNow);
    connect(&m_tunnel, &Tunnel::urlFound, this, [this] {
        m_upSince.start();
        checkNow();
    });
    connect(&m_tunnel, &Tunnel::problem, this, [this](const QString &message, bool retrying) {
        m_reachable.clear();
        Q_EMIT said(message, retrying ? Level::Warning : Level::Error);
    });
    connect(&m_probe, &TunnelProbe::checked, this, &TunnelKeeper::onChecked);
}

TunnelKeeper::~TunnelKeeper() = default;

void TunnelKeeper::start()
{
    Q_EMIT said(QStringLiteral("Starting the tunnel: %1").arg(m_tunnel.spec().spec()), Level::Info);
    const auto credential = tunnelCredential(m_tunnel.spec().provider);
    if (!credential || !m_secrets) {
        m_tunnel.start();
        return;
    }
    const int run = ++m_runs;
    m_secrets->readOnce(credential->secretName, this, [this, run, credential = *credential](Result<QByteArray> value) {
        if (run != m_runs)
            return; // stopped meanwhile
        if (value)
            m_tunnel.setSecretEnvironment(credential.variable, *value);
        else if (value.error() != SecretStore::missingMessage(credential.secretName))
            Q_EMIT said(QStringLiteral("%1: %2 uses its own configuration").arg(value.error(), m_tunnel.spec().program),
                        Level::Warning);
        m_tunnel.start();
    });
}

void TunnelKeeper::stop()
{
    ++m_runs;
    m_recheck.stop();
    m_settle.stop();
    m_tunnel.stop();
    m_reachable.clear();
}

QStringList TunnelKeeper::wherePaste(const QUrl &url)
{
    const QString u = url.toString();
    return {QStringLiteral("Akeneo Events API: System > Connections > your connection > Event subscription > URL: %1")
                .arg(u),
            QStringLiteral("Akeneo Event Platform: the subscription's destination (type https) URL: %1").arg(u),
            QStringLiteral("Quable: Settings > Webhooks > the webhook's URL: %1").arg(u)};
}

void TunnelKeeper::checkNow()
{
    const QUrl url = m_tunnel.url();
    if (url.isEmpty() || m_tunnel.state() != Tunnel::State::Up)
        return;
    m_checking = url;
    m_probe.check(url);
    m_recheck.start();
}

void TunnelKeeper::onChecked(const ProbeResult &result)
{
    const QUrl url = m_checking;
    if (!result.reached) {
        if (m_tunnel.state() == Tunnel::State::Up && m_upSince.isValid() && m_upSince.elapsed() < m_settleMs) {
            m_settle.start();
            return;
        }
        m_reachable.clear();
        Q_EMIT said(QStringLiteral("Public URL %1 %2").arg(url.toString(), result.message), Level::Error);
        return;
    }
    const bool wasReachable = m_reachable == url;
    m_reachable = url;
    Q_EMIT reachable(url, result.ms);
    if (wasReachable)
        return; // checked again, as before: nothing new to say
    const QUrl previous = m_announced;
    m_announced = url;
    if (!previous.isEmpty() && previous != url) {
        Q_EMIT said(QStringLiteral("The public URL changed: %1 (was %2). Give the PIM the new one: the old one leads "
                                   "nowhere now.%3")
                        .arg(url.toString(), previous.toString(),
                             m_tunnel.spec().knownUrl()
                                 ? QString()
                                 : QStringLiteral(" A URL that stays: a named cloudflared tunnel "
                                                  "(cloudflared,name=,hostname=), an ngrok reserved "
                                                  "domain (ngrok,domain=) or your own server (ssh:…,url=).")),
                    Level::Warning);
    }
    Q_EMIT said(QStringLiteral("Public URL %1 (%2)").arg(url.toString(), result.message), Level::Info);
}

} // namespace pimscope
