#include "forwardrule.h"

#include "model/pathprefix.h"

#include <QSet>

#include <algorithm>
#include <array>

namespace pimscope {

namespace {

bool isHopByHop(QByteArrayView name)
{
    static constexpr std::array<QByteArrayView, 11> names{"Connection",
                                                          "Keep-Alive",
                                                          "Proxy-Connection",
                                                          "Proxy-Authenticate",
                                                          "Proxy-Authorization",
                                                          "TE",
                                                          "Trailer",
                                                          "Transfer-Encoding",
                                                          "Upgrade",
                                                          "Expect",
                                                          "Content-Length"};
    for (const QByteArrayView n : names) {
        if (name.compare(n, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

QByteArray hostHeader(const QUrl &url)
{
    QByteArray host = url.host(QUrl::FullyEncoded).toUtf8();
    if (host.contains(':'))
        host = '[' + host + ']'; // an IPv6 address
    const int defaultPort = url.scheme() == u"https" ? 443 : 80;
    if (url.port(defaultPort) != defaultPort)
        host += ':' + QByteArray::number(url.port());
    return host;
}

} // namespace

QString ForwardRule::spec() const
{
    QString s = QString::fromUtf8(prefix) + u'=' + target.toString(QUrl::FullyEncoded);
    if (mode == ForwardMode::Ack)
        s += QStringLiteral(",mode=ack");
    if (insecure)
        s += QStringLiteral(",insecure");
    if (concurrency != 1)
        s += QStringLiteral(",concurrency=%1").arg(concurrency);
    return s;
}

Result<ForwardRule> parseForwardRule(const QString &spec)
{
    using R = Result<ForwardRule>;
    const qsizetype eq = spec.indexOf(u'=');
    if (eq < 0)
        return R::failure(
            QStringLiteral("'%1' is not PREFIX=URL (e.g. /akeneo=http://localhost:3000/hooks)").arg(spec));
    const QString prefix = spec.left(eq).trimmed();
    if (!prefix.startsWith(u'/'))
        return R::failure(QStringLiteral("the prefix '%1' is not a path (it starts with /, e.g. /akeneo)").arg(prefix));
    if (prefix.contains(u'?') || prefix.contains(u'#'))
        return R::failure(QStringLiteral("the prefix '%1' is a path, without a query or fragment").arg(prefix));
    const QStringList parts = spec.mid(eq + 1).split(u',');
    ForwardRule rule;
    bool concurrencyGiven = false;
    for (qsizetype i = 1; i < parts.size(); ++i) {
        const QString option = parts[i].trimmed();
        if (option == u"mode=proxy") {
            rule.mode = ForwardMode::Proxy;
        } else if (option == u"mode=ack") {
            rule.mode = ForwardMode::Ack;
        } else if (option == u"insecure") {
            rule.insecure = true;
        } else if (option.startsWith(u"concurrency=")) {
            bool ok = false;
            const int n = option.mid(12).toInt(&ok);
            if (!ok || n < 1 || n > 64)
                return R::failure(QStringLiteral("%1: give a whole number from 1 to 64").arg(option));
            rule.concurrency = n;
            concurrencyGiven = true;
        } else if (option.startsWith(u"mode=")) {
            return R::failure(QStringLiteral("%1: the mode is proxy or ack").arg(option));
        } else {
            return R::failure(QStringLiteral("unknown option '%1' (the options are mode=proxy|ack, insecure and "
                                             "concurrency=N; a comma of the URL is written %2C)")
                                  .arg(option));
        }
    }
    const QString url = parts.front().trimmed();
    rule.target = QUrl(url, QUrl::StrictMode);
    if (url.isEmpty())
        return R::failure(QStringLiteral("no target URL after '%1='").arg(prefix));
    if (!rule.target.isValid() || (rule.target.scheme() != u"http" && rule.target.scheme() != u"https")
        || rule.target.host().isEmpty())
        return R::failure(QStringLiteral("'%1' is not an http or https URL").arg(url));
    if (!rule.target.userInfo().isEmpty())
        return R::failure(QStringLiteral("'%1' holds user info: the target gets the PIM's own Authorization header, "
                                         "passed on untouched")
                              .arg(rule.target.toString(QUrl::RemoveUserInfo)));
    if (rule.target.hasFragment())
        return R::failure(QStringLiteral("'%1' has a fragment (#...), which no request carries").arg(url));
    if (concurrencyGiven && rule.mode == ForwardMode::Proxy)
        return R::failure(QStringLiteral("concurrency goes with mode=ack (in proxy mode each request of the PIM is "
                                         "forwarded as it comes)"));
    rule.prefix = pathprefix::normalised(prefix.toUtf8());
    return rule;
}

bool hasAckRule(const QList<ForwardRule> &rules)
{
    return std::any_of(rules.cbegin(), rules.cend(), [](const ForwardRule &r) { return r.mode == ForwardMode::Ack; });
}

const ForwardRule *forwardRuleFor(const QList<ForwardRule> &rules, QByteArrayView requestTarget)
{
    const QByteArrayView path = pathprefix::pathOnly(requestTarget);
    const ForwardRule *best = nullptr;
    for (const ForwardRule &r : rules) {
        if ((!best || r.prefix.size() > best->prefix.size()) && pathprefix::matches(r.prefix, path))
            best = &r;
    }
    return best;
}

QUrl forwardUrl(const ForwardRule &rule, QByteArrayView requestTarget)
{
    const QByteArrayView path = pathprefix::pathOnly(requestTarget);
    QByteArrayView query;
    if (path.size() < requestTarget.size() && requestTarget[path.size()] == '?') {
        query = requestTarget.sliced(path.size() + 1);
        if (const qsizetype hash = query.indexOf('#'); hash >= 0)
            query = query.first(hash);
    }
    const QByteArrayView rest = rule.prefix == "/" ? path : path.sliced(std::min(rule.prefix.size(), path.size()));
    QByteArray targetPath = rule.target.path(QUrl::FullyEncoded).toUtf8();
    if (targetPath.endsWith('/') && rest.startsWith('/'))
        targetPath.chop(1);
    targetPath += rest;
    if (targetPath.isEmpty())
        targetPath = "/";
    QUrl url = rule.target;
    url.setPath(QString::fromUtf8(targetPath), QUrl::TolerantMode);
    QByteArray fullQuery = rule.target.query(QUrl::FullyEncoded).toUtf8();
    if (!query.isEmpty())
        fullQuery += (fullQuery.isEmpty() ? "" : "&") + query.toByteArray();
    url.setQuery(fullQuery.isEmpty() ? QString() : QString::fromUtf8(fullQuery), QUrl::TolerantMode);
    return url;
}

namespace {

/** The names the Connection headers list: hop-by-hop too. */
QSet<QByteArray> namedByConnection(const Headers &headers)
{
    QSet<QByteArray> named;
    for (const Header &h : headers) {
        if (h.name.compare("Connection", Qt::CaseInsensitive) != 0)
            continue;
        for (const QByteArray &token : h.value.split(','))
            named.insert(token.trimmed().toLower());
    }
    return named;
}

} // namespace

Headers passedOnHeaders(const Headers &answer)
{
    const QSet<QByteArray> named = namedByConnection(answer);
    Headers out;
    out.reserve(answer.size());
    for (const Header &h : answer) {
        if (!isHopByHop(h.name) && !named.contains(h.name.toLower()))
            out.append(h);
    }
    return out;
}

Headers forwardHeaders(const Headers &received, const QUrl &target)
{
    const QSet<QByteArray> named = namedByConnection(received);
    Headers out;
    out.reserve(received.size());
    bool hostSet = false;
    for (const Header &h : received) {
        if (isHopByHop(h.name) || named.contains(h.name.toLower()))
            continue;
        if (h.name.compare("Host", Qt::CaseInsensitive) == 0) {
            if (!hostSet)
                out.append({h.name, hostHeader(target)});
            hostSet = true;
            continue;
        }
        out.append(h);
    }
    if (!hostSet)
        out.prepend({QByteArrayLiteral("Host"), hostHeader(target)});
    return out;
}

} // namespace pimscope
