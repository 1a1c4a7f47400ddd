#include "tunnelspec.h"
#include <QFileInfo>
#include <QStandardPaths>

#include <QProcess>

namespace pimscope {

namespace {

using R = Result<TunnelSpec>;

/** A host name as a URL's authority would hold it (no scheme, no path, no port): letters, digits, dots, hyphens. */
bool isHostName(const QString &host)
{
    static const QRegularExpression re(
        QStringLiteral("^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]"
                       "*[A-Za-z0-9])?)*$"));
    return host.size() <= 253 && re.match(host).hasMatch();
}

std::optional<int> portNumber(const QString &text)
{
    bool ok = false;
    const int port = text.toInt(&ok);
    return ok && port >= 1 && port <= 65535 ? std::optional(port) : std::nullopt;
}

/** Splits "a=1,b=2" (url-pattern= takes the rest, commas included: a pattern may hold them). */
Result<QList<std::pair<QString, QString>>> options(const QString &text)
{
    using O = Result<QList<std::pair<QString, QString>>>;
    QList<std::pair<QString, QString>> out;
    qsizetype at = 0;
    while (at < text.size()) {
        const QString rest = text.mid(at);
        if (rest.startsWith(u"url-pattern=")) {
            out.append({QStringLiteral("url-pattern"), rest.mid(12)});
            break;
        }
        qsizetype end = text.indexOf(u',', at);
        if (end < 0)
            end = text.size();
        const QString option = text.mid(at, end - at);
        const qsizetype eq = option.indexOf(u'=');
        if (eq <= 0)
            return O::failure(QStringLiteral("'%1' is not an option (KEY=VALUE)").arg(option));
        out.append({option.left(eq), option.mid(eq + 1)});
        at = end + 1;
    }
    return out;
}

} // namespace

QString tunnelProviderName(TunnelProvider provider)
{
    switch (provider) {
    case TunnelProvider::Cloudflared:
        return QStringLiteral("cloudflared");
    case TunnelProvider::Ngrok:
        return QStringLiteral("ngrok");
    case TunnelProvider::Ssh:
        return QStringLiteral("ssh");
    case TunnelProvider::Command:
        return QStringLiteral("cmd");
    }
    return {};
}

Result<TunnelSpec> parseTunnelSpec(const QString &text)
{
    TunnelSpec spec;
    const QString trimmed = text.trimmed();
    const qsizetype cut = trimmed.indexOf(QRegularExpression(QStringLiteral("[:,]")));
    const QString provider = cut < 0 ? trimmed : trimmed.left(cut);
    QString target; ///< what follows "PROVIDER:"
    QString rest; ///< the options, after the first comma that ends the target
    if (cut >= 0 && trimmed[cut] == u':') {
        const QString after = trimmed.mid(cut + 1);
        if (provider == u"cmd" && (after.startsWith(u'\'') || after.startsWith(u'"'))) {
            const qsizetype close = after.indexOf(after[0], 1);
            if (close < 0)
                return R::failure(QStringLiteral("the command has no closing %1").arg(after[0]));
            target = after.mid(1, close - 1);
            const QString tail = after.mid(close + 1);
            if (!tail.isEmpty() && !tail.startsWith(u','))
                return R::failure(QStringLiteral("after the quoted command: '%1' (options follow a comma)").arg(tail));
            rest = tail.mid(1);
        } else if (provider == u"cmd") {
            target = after; // unquoted: the whole rest is the command, no options
        } else {
            const qsizetype comma = after.indexOf(u',');
            target = comma < 0 ? after : after.left(comma);
            rest = comma < 0 ? QString() : after.mid(comma + 1);
        }
    } else if (cut >= 0) {
        rest = trimmed.mid(cut + 1);
    }

    if (provider == u"cloudflared") {
        spec.provider = TunnelProvider::Cloudflared;
    } else if (provider == u"ngrok") {
        spec.provider = TunnelProvider::Ngrok;
    } else if (provider == u"ssh") {
        spec.provider = TunnelProvider::Ssh;
    } else if (provider == u"cmd") {
        spec.provider = TunnelProvider::Command;
    } else {
        return R::failure(
            QStringLiteral("unknown tunnel '%1': cloudflared, ngrok, ssh:USER@HOST[:PORT] or cmd:'COMMAND'")
                .arg(provider));
    }
    if (!target.isEmpty() && (spec.provider == TunnelProvider::Cloudflared || spec.provider == TunnelProvider::Ngrok))
        return R::failure(QStringLiteral("%1 takes options after a comma, not '%1:%2'").arg(provider, target));

    const auto parsed = options(rest);
    if (!parsed)
        return R::failure(parsed.error());
    bool remoteGiven = false;
    for (const auto &[key, value] : *parsed) {
        const auto allowed = [&](std::initializer_list<TunnelProvider> providers) {
            return std::find(providers.begin(), providers.end(), spec.provider) != providers.end();
        };
        if (key == u"program" && !value.isEmpty()) {
            spec.program = value;
        } else if (key == u"name" && allowed({TunnelProvider::Cloudflared})) {
            spec.name = value;
        } else if (key == u"hostname" && allowed({TunnelProvider::Cloudflared})) {
            spec.hostname = value;
        } else if (key == u"domain" && allowed({TunnelProvider::Ngrok})) {
            if (!isHostName(value))
                return R::failure(QStringLiteral("domain '%1' is not a host name").arg(value));
            spec.domain = value;
        } else if (key == u"remote-port" && allowed({TunnelProvider::Ssh})) {
            const auto port = portNumber(value);
            if (!port)
                return R::failure(QStringLiteral("remote-port '%1' is not a port (1 to 65535)").arg(value));
            spec.remotePort = *port;
            remoteGiven = true;
        } else if (key == u"url" && allowed({TunnelProvider::Ssh})) {
            const QUrl url(value, QUrl::StrictMode);
            if (!url.isValid() || url.scheme() != u"https" || url.host().isEmpty() || !url.userInfo().isEmpty())
                return R::failure(
                    QStringLiteral("url '%1' is not an https:// URL (a PIM calls only public HTTPS URLs)").arg(value));
            spec.url = url;
        } else if (key == u"identity" && allowed({TunnelProvider::Ssh}) && !value.isEmpty()) {
            spec.identity = value;
        } else if (key == u"known-hosts" && allowed({TunnelProvider::Ssh}) && !value.isEmpty()) {
            spec.knownHosts = value;
        } else if (key == u"url-pattern" && allowed({TunnelProvider::Command})) {
            spec.urlPattern = QRegularExpression(value);
            if (!spec.urlPattern.isValid())
                return R::failure(QStringLiteral("url-pattern '%1' is not a regular expression: %2")
                                      .arg(value, spec.urlPattern.errorString()));
        } else {
            return R::failure(QStringLiteral("unknown option '%1' for %2").arg(key, provider));
        }
    }

    switch (spec.provider) {
    case TunnelProvider::Cloudflared:
        if (spec.name.isEmpty() != spec.hostname.isEmpty())
            return R::failure(QStringLiteral("a named cloudflared tunnel needs both name= and hostname= (the hostname "
                                             "routed to it: cloudflared tunnel route dns NAME HOSTNAME)"));
        if (!spec.hostname.isEmpty() && !isHostName(spec.hostname))
            return R::failure(QStringLiteral("hostname '%1' is not a host name").arg(spec.hostname));
        break;
    case TunnelProvider::Ngrok:
        break;
    case TunnelProvider::Ssh: {
        const qsizetype at = target.indexOf(u'@');
        QString host = at < 0 ? QString() : target.mid(at + 1);
        if (const qsizetype colon = host.lastIndexOf(u':'); colon >= 0) {
            const auto port = portNumber(host.mid(colon + 1));
            if (!port)
                return R::failure(QStringLiteral("'%1' is not an SSH port (1 to 65535)").arg(host.mid(colon + 1)));
            spec.sshPort = *port;
            host = host.left(colon);
        }
        if (at <= 0 || !isHostName(host))
            return R::failure(QStringLiteral("ssh needs USER@HOST[:PORT], not '%1'").arg(target));
        spec.sshTarget = target.left(at) + u'@' + host;
        if (!spec.url.isEmpty() && !remoteGiven)
            return R::failure(QStringLiteral("ssh with url= needs remote-port=N: the port of %1 that its HTTPS front "
                                             "serves %2 from")
                                  .arg(host, spec.url.toString()));
        if (!remoteGiven)
            spec.remotePort = 80; // what the public SSH tunnel services expect
        break;
    }
    case TunnelProvider::Command: {
        spec.command = target.trimmed();
        const QStringList words = QProcess::splitCommand(spec.command);
        if (words.isEmpty())
            return R::failure(QStringLiteral("cmd needs a command: cmd:'COMMAND {port}'"));
        if (spec.program.isEmpty())
            spec.program = words.front();
        break;
    }
    }
    if (spec.program.isEmpty())
        spec.program = tunnelProviderName(spec.provider);
    return spec;
}

QString TunnelSpec::spec() const
{
    QStringList parts;
    switch (provider) {
    case TunnelProvider::Cloudflared:
        parts << QStringLiteral("cloudflared");
        if (!name.isEmpty())
            parts << QStringLiteral("name=") + name << QStringLiteral("hostname=") + hostname;
        break;
    case TunnelProvider::Ngrok:
        parts << QStringLiteral("ngrok");
        if (!domain.isEmpty())
            parts << QStringLiteral("domain=") + domain;
        break;
    case TunnelProvider::Ssh:
        parts << QStringLiteral("ssh:%1%2").arg(sshTarget, sshPort == 22 ? QString() : u':' + QString::number(sshPort));
        if (!url.isEmpty())
            parts << QStringLiteral("remote-port=%1").arg(remotePort) << QStringLiteral("url=") + url.toString();
        else if (remotePort != 80)
            parts << QStringLiteral("remote-port=%1").arg(remotePort);
        if (!identity.isEmpty())
            parts << QStringLiteral("identity=") + identity;
        if (!knownHosts.isEmpty())
            parts << QStringLiteral("known-hosts=") + knownHosts;
        break;
    case TunnelProvider::Command:
        parts << QStringLiteral("cmd:'%1'").arg(command);
        break;
    }
    const QString defaultProgram
        = provider == TunnelProvider::Command ? QProcess::splitCommand(command).value(0) : tunnelProviderName(provider);
    if (program != defaultProgram)
        parts << QStringLiteral("program=") + program;
    if (provider == TunnelProvider::Command && urlPattern.isValid() && !urlPattern.pattern().isEmpty())
        parts << QStringLiteral("url-pattern=") + urlPattern.pattern(); // last: it may hold commas
    return parts.join(u',');
}

std::optional<QUrl> TunnelSpec::knownUrl() const
{
    if (provider == TunnelProvider::Cloudflared && !hostname.isEmpty())
        return QUrl(QStringLiteral("https://") + hostname);
    if (provider == TunnelProvider::Ngrok && !domain.isEmpty())
        return QUrl(QStringLiteral("https://") + domain);
    if (provider == TunnelProvider::Ssh && !url.isEmpty())
        return url;
    return std::nullopt;
}

QStringList tunnelArguments(const TunnelSpec &spec, quint16 port)
{
    const QString local = QStringLiteral("127.0.0.1:%1").arg(port);
    switch (spec.provider) {
    case TunnelProvider::Cloudflared:
        if (!spec.name.isEmpty())
            return {QStringLiteral("tunnel"), QStringLiteral("--no-autoupdate"), QStringLiteral("run"),
                    QStringLiteral("--url"),  QStringLiteral("http://") + local, spec.name};
        return {QStringLiteral("tunnel"), QStringLiteral("--no-autoupdate"), QStringLiteral("--url"),
                QStringLiteral("http://") + local};
    case TunnelProvider::Ngrok: {
        QStringList args{QStringLiteral("http"),   QStringLiteral("http://") + local, QStringLiteral("--log"),
                         QStringLiteral("stdout"), QStringLiteral("--log-format"),    QStringLiteral("json")};
        if (!spec.domain.isEmpty())
            args << QStringLiteral("--url=https://") + spec.domain; // ngrok 3.16 on (--domain before, deprecated)
        return args;
    }
    case TunnelProvider::Ssh: {
        // Keys only (never a password prompt: there is no terminal), a first host key accepted and remembered, a
        // forward that cannot be set up ends ssh, and a dead link is noticed within 45 s. To the user's server
        // nothing runs there (-N); a public service prints its URL on the session.
        QStringList args{QStringLiteral("-T"),
                         QStringLiteral("-o"),
                         QStringLiteral("BatchMode=yes"),
                         QStringLiteral("-o"),
                         QStringLiteral("StrictHostKeyChecking=accept-new"),
                         QStringLiteral("-o"),
                         QStringLiteral("ExitOnForwardFailure=yes"),
                         QStringLiteral("-o"),
                         QStringLiteral("ServerAliveInterval=15"),
                         QStringLiteral("-o"),
                         QStringLiteral("ServerAliveCountMax=3"),
                         QStringLiteral("-p"),
                         QString::number(spec.sshPort),
                         QStringLiteral("-R"),
                         QStringLiteral("%1:%2").arg(spec.remotePort).arg(local)};
        if (!spec.identity.isEmpty())
            args << QStringLiteral("-i") << spec.identity << QStringLiteral("-o")
                 << QStringLiteral("IdentitiesOnly=yes");
        if (!spec.knownHosts.isEmpty())
            args << QStringLiteral("-o") << QStringLiteral("UserKnownHostsFile=") + spec.knownHosts;
        if (!spec.url.isEmpty())
            args << QStringLiteral("-N");
        args << spec.sshTarget;
        return args;
    }
    case TunnelProvider::Command: {
        QStringList words = QProcess::splitCommand(spec.command);
        words.removeFirst();
        for (QString &w : words)
            w.replace(QStringLiteral("{port}"), QString::number(port));
        return words;
    }
    }
    return {};
}

std::optional<TunnelCredential> tunnelCredential(TunnelProvider provider)
{
    if (provider == TunnelProvider::Ngrok)
        return TunnelCredential{QStringLiteral("ngrok-authtoken"), QStringLiteral("NGROK_AUTHTOKEN")};
    return std::nullopt;
}

QString tunnelInstallHint(TunnelProvider provider)
{
    switch (provider) {
    case TunnelProvider::Cloudflared:
        return QStringLiteral(
            "cloudflared is not in Debian: install it from Cloudflare's apt repository "
            "(https://pkg.cloudflare.com/) or as the binary of "
            "https://github.com/cloudflare/cloudflared/releases, then give its path with program=PATH "
            "if it is not on the PATH");
    case TunnelProvider::Ngrok:
        return QStringLiteral("ngrok is not in Debian: install it from https://ngrok.com/download (its apt repository "
                              "or the binary), then give its path with program=PATH if it is not on the PATH");
    case TunnelProvider::Ssh:
        return QStringLiteral("install the OpenSSH client: apt-get install openssh-client");
    case TunnelProvider::Command:
        return QStringLiteral("the command's first word is run as a program (not through a shell): give its path");
    }
    return {};
}

Result<QString> locateTunnelProgram(const TunnelSpec &spec)
{
    const bool onThePath = !spec.program.contains(u'/');
    QString program = onThePath ? QStandardPaths::findExecutable(spec.program) : spec.program;
    if (!program.isEmpty() && QFileInfo(program).isExecutable())
        return program;
    return Result<QString>::failure(QStringLiteral("%1 was not found%2: %3")
                                        .arg(spec.program, onThePath ? QStringLiteral(" on the PATH") : QString(),
                                             tunnelInstallHint(spec.provider)));
}

} // namespace pimscope
