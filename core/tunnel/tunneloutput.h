#pragma once

#include "tunnelspec.h"

#include <QString>
#include <QUrl>

#include <optional>

namespace pimscope {

/**
 * Reads a tunnel program's output, line by line, for its public URL (the formats each program documents or prints,
 * quoted in tests/data/tunnels):
 *  - cloudflared (its log on stderr, plain or --output json): a quick tunnel's https://….trycloudflare.com from the
 *    box it prints ("Your quick Tunnel has been created! Visit it at ..."), given once an edge connection is
 *    registered ("Registered tunnel connection", "Connection <uuid> registered" before 2023): the URL is printed
 *    before; a named tunnel's hostname (which it never prints) at the same moment;
 *  - ngrok (--log stdout --log-format json): the "url" of the {"msg":"started tunnel", ...} line (logfmt as well);
 *  - ssh to a public service: the https:// URL of the line that announces the tunnel (localhost.run's "... tunneled
 *    with tls termination, https://…", serveo's "Forwarding HTTP traffic from https://…"); to the user's server: the
 *    URL given, at once (ssh -N prints nothing when the forward is up; the probe checks it end to end);
 *  - a command: its url-pattern's first group (or whole match), else the first https:// URL.
 */
class TunnelUrlFinder
{
public:
    explicit TunnelUrlFinder(TunnelSpec spec);

    /** The URL known before any output (TunnelSpec::knownUrl), for the providers that need no sign of life first. */
    std::optional<QUrl> atStart() const;
    /** One line of output (without its newline); the URL when this line gives it. */
    std::optional<QUrl> feed(const QString &line);
    /**
     * Whether the line says the tunnel cannot come up while the program goes on (ngrok retries a refused authtoken
     * forever; cloudflared's quick tunnel refused, rate limited): the problem in words, else none.
     */
    std::optional<QString> problemIn(const QString &line) const;

private:
    TunnelSpec m_spec;
    std::optional<QUrl> m_printed; ///< cloudflared: the URL of its box, until a connection is registered
    bool m_rateLimited = false; ///< cloudflared: a 429 (Cloudflare's 1015) was logged
};

/** The first http(s) URL in `text` (ending at a space, a quote, a '|' or the end), or none. */
std::optional<QUrl> firstHttpsUrl(const QString &text);

} // namespace pimscope
