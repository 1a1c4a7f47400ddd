#pragma once

#include "util/result.h"

#include <QRegularExpression>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>

namespace pimscope {

/** The programs Pimscope starts to give its receiver a public HTTPS URL. */
enum class TunnelProvider {
    Cloudflared, ///< a quick tunnel (a new https://….trycloudflare.com at each start) or a named one (its hostname)
    Ngrok, ///< `ngrok http PORT`, with a reserved domain when the user has one
    Ssh, ///< remote forwarding to a server the user owns (its URL given), or to a public service that prints one
    Command, ///< any command, the URL found in its output by a pattern
};

/** The provider's name as the command line writes it: "cloudflared", "ngrok", "ssh", "cmd". */
QString tunnelProviderName(TunnelProvider provider);

/**
 * A tunnel as the user asked for it (`receive --tunnel`, the window's settings):
 *   cloudflared[,name=NAME,hostname=HOST]           a quick tunnel; a named tunnel served at https://HOST
 *   ngrok[,domain=DOMAIN]                           a random URL; the reserved domain
 *   ssh:USER@HOST[:PORT][,remote-port=N][,url=URL]  the server's own HTTPS front at URL; without url=, a public
 *                                                   SSH tunnel service (localhost.run, serveo) that prints it;
 *       [,identity=KEY][,known-hosts=FILE]           the private key to log in with (only it); where the server's
 *                                                   host key is remembered (else ssh's own ~/.ssh/known_hosts)
 *   cmd:'COMMAND'[,url-pattern=REGEX]               {port} in COMMAND is the receiver's port; the URL is the first
 *                                                   https:// one in the output, or REGEX's first group (else match)
 * and, for any of them, `program=PATH` when the program is not on the PATH.
 */
struct TunnelSpec
{
    TunnelProvider provider = TunnelProvider::Cloudflared;
    QString program; ///< the program to run: a name looked up on the PATH, or a path
    QString name; ///< cloudflared: a named tunnel's name
    QString hostname; ///< cloudflared: the named tunnel's public hostname
    QString domain; ///< ngrok: a reserved domain
    QString sshTarget; ///< ssh: USER@HOST
    int sshPort = 22;
    int remotePort = 0; ///< ssh: the port the server listens on (0: 80 for a public service, else required)
    QUrl url; ///< ssh to the user's server: the public URL its HTTPS front serves the forward at
    QString identity; ///< ssh: the private key file (empty: ssh's own choice, its agent included)
    QString knownHosts; ///< ssh: the known_hosts file (empty: ssh's own)
    QString command; ///< cmd: the command line, {port} not replaced yet
    QRegularExpression urlPattern; ///< cmd: where the URL is in the output (invalid: the first https:// URL)

    /** The spec as the command line writes it (what is remembered). */
    QString spec() const;
    /**
     * The public URL when it is known before the program starts (a named tunnel's hostname, a reserved domain, the
     * user's own server); none when it is read from the program's output.
     */
    std::optional<QUrl> knownUrl() const;
};

/** Reads a spec (see TunnelSpec); every problem is named. */
Result<TunnelSpec> parseTunnelSpec(const QString &text);

/** The program's arguments that open the tunnel to the receiver on 127.0.0.1:`port` (the program is spec.program). */
QStringList tunnelArguments(const TunnelSpec &spec, quint16 port);

/** A credential the provider's program takes from its environment, kept in the OS keychain under `secretName`. */
struct TunnelCredential
{
    QString secretName; ///< in the keychain (pimscope secret set NAME; the window's tunnel settings)
    QString variable; ///< the program's environment variable
};

/** The provider's credential (ngrok's authtoken, NGROK_AUTHTOKEN); none for the others. */
std::optional<TunnelCredential> tunnelCredential(TunnelProvider provider);

/** How to install the provider's program, for the error that says it is missing. */
QString tunnelInstallHint(TunnelProvider provider);

/** The spec's program: a path as given, or found on the PATH; else why not and how to install it. */
Result<QString> locateTunnelProgram(const TunnelSpec &spec);

} // namespace pimscope
