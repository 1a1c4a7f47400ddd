#include "forwarder.h"

#include "model/senderprofile.h"

#include <QTimer>

#include <utility>

namespace pimscope {

namespace {

/** Idle connections kept per origin; more are closed as they come back. */
constexpr qsizetype maxIdlePerOrigin = 32;

} // namespace

Forwarder::Forwarder(int timeoutMs, QObject *parent)
    : QObject(parent)
    , m_timeoutMs(timeoutMs)
{
}

Forwarder::~Forwarder()
{
    // The connections are children: gone with this object, their `done` never called.
    for (Busy &b : m_busy)
        b.done = {};
}

QString Forwarder::originOf(const QUrl &url, bool insecure)
{
    return url.scheme().toLower() + u"://" + url.host(QUrl::FullyEncoded).toLower() + u':'
        + QString::number(url.port(url.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) == 0 ? 443 : 80))
        + (insecure ? QStringLiteral("/insecure") : QString());
}

HttpConnection *Forwarder::connectionFor(const QString &origin, const QUrl &url, bool insecure)
{
    QList<HttpConnection *> &idle = m_idle[origin];
    if (!idle.isEmpty())
        return idle.takeLast();
    auto *connection = new HttpConnection(url, insecure, this);
    connection->keepAnswer(ConnectorAnswer::keptBodyBytes);
    connect(connection, &HttpConnection::answered, this,
            [this, connection](const HttpAnswer &answer) { finish(connection, answer, true); });
    return connection;
}

void Forwarder::send(ForwardRequest request, Done done)
{
    const QString origin = originOf(request.url, request.insecure);
    HttpConnection *connection = connectionFor(origin, request.url, request.insecure);
    auto *timer = new QTimer(connection);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, this, [this, connection] {
        HttpAnswer answer = connection->answerSoFar();
        answer.endMs = double(m_timeoutMs);
        answer.error = answer.status
            ? QStringLiteral("the answer (status %1, %2 bytes of its body so far) did not end within %3 s")
                  .arg(*answer.status)
                  .arg(answer.bodySize)
                  .arg(m_timeoutMs / 1000.0)
            : QStringLiteral("no answer within %1 s").arg(m_timeoutMs / 1000.0);
        connection->abort();
        finish(connection, std::move(answer), false);
    });
    m_busy.insert(connection, Busy{origin, std::move(done), timer});
    timer->start(m_timeoutMs);
    const QByteArray target = receivingPath(request.url);
    // Queued: `done` must never run inside send() (a connection refused at once reports synchronously on some systems).
    QMetaObject::invokeMethod(
        connection,
        [connection, method = std::move(request.method), target, headers = std::move(request.headers),
         body = std::move(request.body)] { connection->send(method, target, headers, body); },
        Qt::QueuedConnection);
}

void Forwarder::finish(HttpConnection *connection, HttpAnswer answer, bool reusable)
{
    auto it = m_busy.find(connection);
    if (it == m_busy.end())
        return;
    Busy busy = std::move(*it);
    m_busy.erase(it);
    delete busy.timer;
    QList<HttpConnection *> &idle = m_idle[busy.origin];
    if (reusable && answer.error.isNull() && idle.size() < maxIdlePerOrigin)
        idle.append(connection);
    else
        connection->deleteLater();
    if (busy.done)
        busy.done(std::move(answer));
}

void Forwarder::abortAll(const QString &why)
{
    const QList<HttpConnection *> busy = m_busy.keys();
    for (HttpConnection *connection : busy) {
        HttpAnswer answer = connection->answerSoFar();
        answer.error = why;
        connection->abort();
        finish(connection, std::move(answer), false);
    }
}

ConnectorAnswer connectorAnswerOf(const HttpAnswer &answer, Format sender, int failuresBefore)
{
    ConnectorAnswer c;
    c.status = answer.status;
    c.headers = answer.headers;
    c.body = answer.body;
    c.bodySize = answer.bodySize;
    c.firstByteMs = answer.firstByteMs;
    c.endMs = answer.endMs;
    c.error = answer.error;
    c.state = answer.error.isNull() ? ForwardState::Answered : ForwardState::Failed;
    // An answer that did not end is no answer to the PIM, whatever status it began with.
    c.verdict = senderProfile(sender).verdictOf(answer.error.isNull() ? answer.status : std::nullopt, answer.endMs,
                                                failuresBefore);
    return c;
}

} // namespace pimscope
