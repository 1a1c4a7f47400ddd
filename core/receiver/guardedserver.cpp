#include "guardedserver.h"

#include <QLoggingCategory>
#include <QTcpSocket>
#include <QTimer>

namespace pimscope {

Q_DECLARE_LOGGING_CATEGORY(lcReceiver)

namespace {

/**
 * QTcpServer stops accepting for good after an accept() error that is not temporary, such as running out of file
 * descriptors (EMFILE, under a flood of connections): the receiver would be deaf from then on. Accept again a
 * moment later instead, once connections have been closed.
 */
void keepAccepting(QTcpServer *server)
{
    QObject::connect(server, &QTcpServer::acceptError, server, [server](QAbstractSocket::SocketError) {
        // printf-style, not a QDebug stream: with no descriptor left, UBSan's vptr check (which probes memory
        // through a pipe) would take QDebug's calls for undefined behaviour.
        qCWarning(lcReceiver, "cannot accept a connection: %s (trying again in 100 ms)",
                  qPrintable(server->errorString()));
        QTimer::singleShot(100, server, [server] { server->resumeAccepting(); });
    });
}

QTcpSocket *guard(QTcpSocket *socket, const GuardLimits &limits, const GuardAttached &attached)
{
    if (socket) {
        auto *g = new RequestGuard(socket, limits);
        if (attached)
            attached(g, socket);
    }
    return socket;
}

} // namespace

GuardedTcpServer::GuardedTcpServer(GuardLimits limits, GuardAttached attached, QObject *parent)
    : QTcpServer(parent)
    , m_limits(limits)
    , m_attached(std::move(attached))
{
    keepAccepting(this);
}

QTcpSocket *GuardedTcpServer::nextPendingConnection()
{
    return guard(QTcpServer::nextPendingConnection(), m_limits, m_attached);
}

GuardedSslServer::GuardedSslServer(GuardLimits limits, GuardAttached attached, QObject *parent)
    : QSslServer(parent)
    , m_limits(limits)
    , m_attached(std::move(attached))
{
    keepAccepting(this);
}

QTcpSocket *GuardedSslServer::nextPendingConnection()
{
    return guard(QSslServer::nextPendingConnection(), m_limits, m_attached);
}

} // namespace pimscope
