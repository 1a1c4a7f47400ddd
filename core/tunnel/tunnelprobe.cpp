#include "tunnelprobe.h"

#include <QFile>
#include <QRandomGenerator>

namespace pimscope {

namespace {

constexpr QByteArrayView probeSegment = "/.pimscope-probe/";

} // namespace

QByteArray ProbeRegistry::issue()
{
    quint32 words[4];
    QRandomGenerator::system()->fillRange(words);
    QByteArray token = QByteArray(reinterpret_cast<const char *>(words), sizeof words).toHex();
    std::lock_guard lock(m_mutex);
    m_tokens.insert(token, false);
    return token;
}

bool ProbeRegistry::take(QByteArrayView token)
{
    std::lock_guard lock(m_mutex);
    const auto it = m_tokens.find(token.toByteArray());
    if (it == m_tokens.end() || it.value())
        return false;
    it.value() = true;
    return true;
}

bool ProbeRegistry::finish(QByteArrayView token)
{
    std::lock_guard lock(m_mutex);
    return m_tokens.take(token.toByteArray());
}

QByteArray ProbeRegistry::tokenOf(QByteArrayView target)
{
    const qsizetype query = target.indexOf('?');
    const QByteArrayView path = query < 0 ? target : target.first(query);
    const qsizetype at = path.indexOf(probeSegment);
    if (at < 0)
        return {};
    const QByteArrayView token = path.sliced(at + probeSegment.size());
    if (token.size() != 32)
        return {};
    for (const char c : token) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return {};
    }
    return token.toByteArray();
}

TunnelProbe::TunnelProbe(std::shared_ptr<ProbeRegistry> registry, QObject *parent)
    : QObject(parent)
    , m_registry(std::move(registry))
{
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, &TunnelProbe::giveUp);
}

TunnelProbe::~TunnelProbe() = default;

void TunnelProbe::useTestEnvironment()
{
    const QString connectTo = qEnvironmentVariable("PIMSCOPE_TUNNEL_CONNECT_TO");
    if (const qsizetype colon = connectTo.lastIndexOf(u':'); colon > 0)
        setConnectTo(connectTo.left(colon), quint16(connectTo.mid(colon + 1).toUInt()));
    QFile ca(qEnvironmentVariable("PIMSCOPE_TUNNEL_CA"));
    if (!ca.fileName().isEmpty() && ca.open(QIODevice::ReadOnly))
        addCaCertificates(QSslCertificate::fromData(ca.readAll()));
}

void TunnelProbe::check(const QUrl &publicUrl)
{
    if (m_connection) {
        m_connection->abort();
        m_registry->finish(m_token);
    }
    m_url = publicUrl;
    m_token = m_registry->issue();
    QUrl origin = publicUrl;
    origin.setPath({});
    origin.setQuery(QString());
    m_connection = std::make_unique<HttpConnection>(origin, false);
    if (m_connectPort != 0)
        m_connection->setConnectTo(m_connectHost, m_connectPort);
    if (!m_cas.isEmpty())
        m_connection->addCaCertificates(m_cas);
    m_connection->keepAnswer(256);
    connect(m_connection.get(), &HttpConnection::answered, this, &TunnelProbe::done);
    QByteArray path = publicUrl.path(QUrl::FullyEncoded).toUtf8();
    while (path.endsWith('/'))
        path.chop(1);
    m_connection->send("GET", path + probeSegment.toByteArray() + m_token,
                       {Header{"User-Agent", "Pimscope tunnel probe"}, Header{"Cache-Control", "no-cache"}}, {});
    m_timeout.start(m_timeoutMs);
}

void TunnelProbe::done(const HttpAnswer &answer)
{
    m_timeout.stop();
    const bool seen = m_registry->finish(m_token);
    ProbeResult r;
    r.ms = answer.endMs;
    const QString url = m_url.toString();
    if (!answer.error.isNull() || !answer.status) {
        r.message = QStringLiteral("not reachable: the probe through %1 found no answer (%2)").arg(url, answer.error);
    } else if (*answer.status == 200 && seen && answer.body == "pimscope-probe " + m_token) {
        r.reached = true;
        r.message = QStringLiteral("reachable from the internet, %1 ms").arg(qRound(answer.endMs));
    } else if (seen) {
        r.message = QStringLiteral("the probe reached this Pimscope through %1, but came back as %2")
                        .arg(url)
                        .arg(*answer.status);
    } else {
        r.message = QStringLiteral("not reachable: %1 answered the probe with %2, but not from this Pimscope (the URL "
                                   "leads somewhere else)")
                        .arg(url)
                        .arg(*answer.status);
    }
    m_connection.release()->deleteLater(); // its answered() is on the stack
    Q_EMIT checked(r);
}

void TunnelProbe::giveUp()
{
    if (!m_connection)
        return;
    m_connection->abort();
    m_connection.reset();
    m_registry->finish(m_token);
    ProbeResult r;
    r.ms = m_timeoutMs;
    r.message = QStringLiteral("not reachable: the probe through %1 got no answer within %2 s")
                    .arg(m_url.toString())
                    .arg(double(m_timeoutMs) / 1000.0);
    Q_EMIT checked(r);
}

} // namespace pimscope
