#include "guardedserver.h"

#include <QTcpSocket>

namespace pimscope {

namespace {

QTcpSocket *guard(QTcpSocket *socket, const GuardLimits &limits, const GuardAttached &attached)
{
    if (socket) {
        auto *g = new RequestGuard(socket, limits);
        if (attached)
            attached(g);
    }
    return socket;
}

} // namespace

GuardedTcpServer::GuardedTcpServer(GuardLimits limits, GuardAttached attached, QObject *parent)
    : QTcpServer(parent), m_limits(limits), m_attached(std::move(attached))
{
}

QTcpSocket *GuardedTcpServer::nextPendingConnection()
{
    return guard(QTcpServer::nextPendingConnection(), m_limits, m_attached);
}

GuardedSslServer::GuardedSslServer(GuardLimits limits, GuardAttached attached, QObject *parent)
    : QSslServer(parent), m_limits(limits), m_attached(std::move(attached))
{
}

QTcpSocket *GuardedSslServer::nextPendingConnection()
{
    return guard(QSslServer::nextPendingConnection(), m_limits, m_attached);
}

} // namespace pimscope
