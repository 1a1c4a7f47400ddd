#pragma once

#include "requestguard.h"

#include <QSslServer>
#include <QTcpServer>

#include <functional>

namespace pimscope {

/** Called for each accepted connection with the guard watching it (in the receiver thread). */
using GuardAttached = std::function<void(RequestGuard *, QTcpSocket *)>;

/**
 * A QTcpServer that puts a RequestGuard on every connection before QHttpServer sees it: QHttpServer 6.4 takes
 * (6.4 and 6.8) sockets through the virtual nextPendingConnection() and connects its own readyRead slot after ours. An
 * accept() error (no file descriptor left) pauses it for 100 ms, not for good as QTcpServer alone would.
 */
class GuardedTcpServer : public QTcpServer
{
    Q_OBJECT
public:
    GuardedTcpServer(GuardLimits limits, GuardAttached attached, QObject *parent = nullptr);
    QTcpSocket *nextPendingConnection() override;

private:
    GuardLimits m_limits;
    GuardAttached m_attached;
};

/** The same over TLS: connections are handed over once their handshake succeeded. */
class GuardedSslServer : public QSslServer
{
    Q_OBJECT
public:
    GuardedSslServer(GuardLimits limits, GuardAttached attached, QObject *parent = nullptr);
    QTcpSocket *nextPendingConnection() override;

private:
    GuardLimits m_limits;
    GuardAttached m_attached;
};

} // namespace pimscope
