#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>

#include <functional>

namespace pimscope::test {

/**
 * A loopback server that answers every whole request (head and Content-Length body) with `answer` (raw HTTP), or
 * never when `answer` is empty: the targets Pimscope's own receiver cannot play (a redirect, a failing or a silent
 * connector).
 */
class FixedServer : public QTcpServer
{
public:
    explicit FixedServer(QByteArray answer)
        : m_answer(std::move(answer))
    {
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = nextPendingConnection()) {
                connect(s, &QTcpSocket::readyRead, s, [this, s] {
                    m_buffer[s] += s->readAll();
                    const QByteArray &b = m_buffer[s];
                    const qsizetype end = b.indexOf("\r\n\r\n");
                    if (end < 0)
                        return;
                    const qsizetype lengthAt = b.toLower().indexOf("content-length:");
                    const qsizetype length = lengthAt < 0
                        ? 0
                        : b.mid(lengthAt + 15, b.indexOf('\r', lengthAt) - lengthAt - 15).trimmed().toLongLong();
                    if (b.size() < end + 4 + length)
                        return;
                    arrivalsMs.append(QDateTime::currentMSecsSinceEpoch());
                    const int delay = answerDelayMs ? answerDelayMs(requests) : 0;
                    const QByteArray answer = answerFor ? answerFor(requests) : m_answer;
                    ++requests;
                    m_buffer.remove(s);
                    if (answer.isEmpty())
                        return;
                    if (delay > 0)
                        QTimer::singleShot(delay, s, [s, answer] { s->write(answer); });
                    else
                        s->write(answer);
                });
                connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            }
        });
        listen(QHostAddress::LocalHost, 0);
    }
    QUrl url(const char *path = "/hook") const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(serverPort()).arg(QLatin1StringView(path)));
    }
    int requests = 0; ///< whole requests received
    QList<qint64> arrivalsMs; ///< when each came in whole (UTC milliseconds)
    /** How long to wait before answering request number n (from 0); none: at once. */
    std::function<int(int)> answerDelayMs;
    /** The answer to request number n (from 0), instead of the fixed one: a connector that fails, then recovers. */
    std::function<QByteArray(int)> answerFor;

private:
    QByteArray m_answer;
    QHash<QTcpSocket *, QByteArray> m_buffer;
};

} // namespace pimscope::test
