#include "tunneloutput.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace pimscope {

namespace {

std::optional<QUrl> urlOf(const QString &text)
{
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.scheme() != u"https" || url.host().isEmpty())
        return std::nullopt;
    return url;
}

/** ngrok's log line (JSON, or logfmt) that announces the tunnel: its url. */
std::optional<QUrl> ngrokUrl(const QString &line)
{
    const QString trimmed = line.trimmed();
    if (trimmed.startsWith(u'{')) {
        const QJsonObject o = QJsonDocument::fromJson(trimmed.toUtf8()).object();
        if (o.value(QStringLiteral("msg")).toString() != u"started tunnel")
            return std::nullopt;
        return urlOf(o.value(QStringLiteral("url")).toString());
    }
    if (!trimmed.contains(QStringLiteral("msg=\"started tunnel\"")))
        return std::nullopt;
    static const QRegularExpression url(QStringLiteral("(?:^|\\s)url=(\\S+)"));
    const auto m = url.match(trimmed);
    return m.hasMatch() ? urlOf(m.captured(1)) : std::nullopt;
}

} // namespace

std::optional<QString> TunnelUrlFinder::problemIn(const QString &line) const
{
    switch (m_spec.provider) {
    case TunnelProvider::Ngrok: {
        static const QRegularExpression code(QStringLiteral("ERR_NGROK_\\d+"));
        if (const auto m = code.match(line); m.hasMatch()) {
            // 4018: no authtoken; 105: not one; 107: revoked or unknown.
            const bool token = m.captured(0) == u"ERR_NGROK_4018" || m.captured(0) == u"ERR_NGROK_105"
                || m.captured(0) == u"ERR_NGROK_107";
            return QStringLiteral("ngrok refused the tunnel (%1, https://ngrok.com/docs/errors/%2)%3")
                .arg(m.captured(0), m.captured(0).toLower(),
                     token ? QStringLiteral(": keep your authtoken (https://dashboard.ngrok.com/get-started/"
                                            "your-authtoken) in the keychain with: pimscope secret set %1")
                                 .arg(tunnelCredential(TunnelProvider::Ngrok)->secretName)
                           : QString());
        }
        return std::nullopt;
    }
    case TunnelProvider::Cloudflared:
        for (const char *refusal : {"failed to request quick Tunnel", "failed to unmarshal quick Tunnel",
                                    "quick tunnel provisioning failed"}) {
            if (line.contains(QLatin1StringView(refusal)))
                return QStringLiteral("Cloudflare gave no quick tunnel%1")
                    .arg(m_rateLimited || line.contains(QStringLiteral("429")) || line.contains(QStringLiteral("1015"))
                             ? QStringLiteral(" (rate limited: too many quick tunnels from this address; a named "
                                              "tunnel has no such limit)")
                             : QString());
        }
        return std::nullopt;
    case TunnelProvider::Ssh: {
        // OpenSSH's own words (ssh.c, sshconnect.c, clientloop.c); ssh exits after each.
        if (line.contains(QStringLiteral("Permission denied (")))
            return QStringLiteral("%1 refused the login (%2): give identity=PATH, a key its authorized_keys holds "
                                  "(there is no terminal: never a password)")
                .arg(m_spec.sshTarget, line.trimmed());
        if (line.contains(QStringLiteral("Host key verification failed")))
            return QStringLiteral("the host key of %1 is not the one known_hosts remembers: if the server changed it, "
                                  "check its fingerprint, then ssh-keygen -R the old one")
                .arg(m_spec.sshTarget);
        static const QRegularExpression forward(QStringLiteral("remote port forwarding failed for listen port (\\d+)"));
        if (const auto m = forward.match(line); m.hasMatch())
            return QStringLiteral("%1 would not listen on port %2 for the tunnel (taken by another program, or its "
                                  "sshd does not allow forwarding: AllowTcpForwarding)")
                .arg(m_spec.sshTarget, m.captured(1));
        return std::nullopt;
    }
    case TunnelProvider::Command:
        return std::nullopt;
    }
    return std::nullopt;
}

std::optional<QUrl> firstHttpsUrl(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("https://[^\\s\"'|<>]+"));
    const auto m = re.match(text);
    return m.hasMatch() ? urlOf(m.captured(0)) : std::nullopt;
}

TunnelUrlFinder::TunnelUrlFinder(TunnelSpec spec)
    : m_spec(std::move(spec))
{
}

std::optional<QUrl> TunnelUrlFinder::atStart() const
{
    // A named cloudflared tunnel is known, but only up once it registered a connection: said by feed().
    if (m_spec.provider == TunnelProvider::Cloudflared)
        return std::nullopt;
    return m_spec.knownUrl();
}

std::optional<QUrl> TunnelUrlFinder::feed(const QString &line)
{
    switch (m_spec.provider) {
    case TunnelProvider::Cloudflared: {
        static const QRegularExpression quick(QStringLiteral("https://[a-z0-9-]+\\.trycloudflare\\.com"));
        static const QRegularExpression registered(
            QStringLiteral("Registered tunnel connection|Connection [0-9a-f-]+ registered"));
        m_rateLimited = m_rateLimited || line.contains(QStringLiteral("429 Too Many Requests"))
            || line.contains(QStringLiteral("error code: 1015"));
        if (const auto m = quick.match(line); m.hasMatch() && m.captured(0) != u"https://api.trycloudflare.com")
            m_printed = urlOf(m.captured(0));
        if (!registered.match(line).hasMatch())
            return std::nullopt;
        if (auto known = m_spec.knownUrl())
            return known;
        return m_printed;
    }
    case TunnelProvider::Ngrok:
        return ngrokUrl(line);
    case TunnelProvider::Ssh:
        if (m_spec.knownUrl())
            return std::nullopt; // given at the start
        // The services' own pages (docs, admin) are advertised on other lines: only the line that announces the tunnel.
        if (line.contains(QStringLiteral("tunneled with tls termination"))
            || line.contains(QStringLiteral("Forwarding HTTP traffic from")))
            return firstHttpsUrl(line.mid(line.lastIndexOf(QStringLiteral("https://"))));
        return std::nullopt;
    case TunnelProvider::Command:
        if (m_spec.urlPattern.isValid() && !m_spec.urlPattern.pattern().isEmpty()) {
            const auto m = m_spec.urlPattern.match(line);
            if (!m.hasMatch())
                return std::nullopt;
            QString found = m.lastCapturedIndex() >= 1 ? m.captured(1) : m.captured(0);
            if (!found.contains(QStringLiteral("://")))
                found.prepend(QStringLiteral("https://"));
            return urlOf(found);
        }
        return firstHttpsUrl(line);
    }
    return std::nullopt;
}

} // namespace pimscope
