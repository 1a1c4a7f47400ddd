#pragma once

#include "model/delivery.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

class QTcpSocket;

namespace pimscope {

/** What the guard knows of a request it refused before its body was read (for the store). */
struct RefusedRequest
{
    QByteArray method;
    QByteArray path;
    Headers headers;
    qint64 declaredSize = -1; ///< Content-Length, or the bytes seen so far for a chunked body
    QString remote;
    qint64 receivedAtMs = 0;
    int status = 413;
    QString error;
};

/** Limits the guard enforces on every connection. */
struct GuardLimits
{
    qint64 maxBodyBytes = qint64{16} * 1024 * 1024;
    int idleTimeoutMs = 60 * 1000;
    int maxHeaderBytes = 64 * 1024;
};

/**
 * Watches one accepted socket before QHttpServer reads from it (its readyRead slot is connected first), and
 * fills the gaps of QHttpServer 6.4 (see QT64-NOTES §2): it answers `Expect: 100-continue` at once, refuses a
 * body over the limit with 413 before it is read into memory (Content-Length or chunked), closes idle
 * connections, and closes a connection whose request asked for it once its answer is written.
 *
 * Lives in the receiver thread, as a child of the socket; emits refused() for the store.
 */
class RequestGuard : public QObject
{
    Q_OBJECT
public:
    RequestGuard(QTcpSocket *socket, const GuardLimits &limits);

Q_SIGNALS:
    void refused(const pimscope::RefusedRequest &request);

private:
    void onReadyRead();
    void inspectHead(const QByteArray &head, qsizetype headEnd);
    void refuse(int status, const QString &error);

    QPointer<QTcpSocket> m_socket;
    GuardLimits m_limits;
    QTimer m_idle;
    QElapsedTimer m_activity; ///< since the last read or write
    // The request being read: QHttpServer keeps it inside a socket transaction until it is complete.
    bool m_headSeen = false;
    bool m_refused = false;
    QByteArray m_head; ///< the request's head (what arrived of it until it is complete)
    qint64 m_headBytes = 0; ///< size of the request line and headers
    qint64 m_bytesSeen = 0; ///< bytes of this request so far
    RefusedRequest m_current;
};

} // namespace pimscope
