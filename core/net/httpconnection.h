#pragma once

#include "model/delivery.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QString>
#include <QUrl>

#include <optional>

class QTcpSocket;

namespace pimscope {

/**
 * What came back for one request: a status (and the redirect's Location), or the reason there is none; with
 * HttpConnection::keepAnswer(), its headers and the first bytes of its body too.
 */
struct HttpAnswer
{
    std::optional<int> status;
    QByteArray location;
    QString error; ///< null when a whole answer came
    Headers headers; ///< kept answers only: in wire order
    QByteArray body; ///< kept answers only: the body's first bytes (chunked: decoded)
    qint64 bodySize = 0; ///< the body's bytes read in all (kept answers only)
    std::optional<double> firstByteMs; ///< from the request's start (connecting included) to the answer's first byte
    double endMs = 0; ///< from the request's start to the answer's end, or to the failure
};

/**
 * One HTTP/1.1 connection to the origin of a URL (http or https), as a PIM's client holds it: one request at a time,
 * kept alive between requests, redirects not followed (they are answers like any other). It runs on the thread of its
 * event loop with no thread of its own, which is what lets a replay keep eight connections busy on two cores
 * (QNetworkAccessManager runs a thread per manager, and a manager opens at most six connections per host).
 *
 * Answers are read as RFC 9112 frames them: Content-Length, chunked (extensions and trailers skipped), or until the
 * connection closes; 1xx interim answers are skipped; "Connection: close" and HTTP/1.0 answers close the connection
 * after the answer. Bodies are drained, not kept. A request sent on a kept-alive connection that the server closed
 * before any byte of the answer came is sent once more on a new connection (the server had dropped an idle
 * connection, as browsers assume too). TLS is verified against the system's certificates (and the host name) unless
 * `insecure`; ALPN offers http/1.1 only. The URL's user info, when there is one and the request has no Authorization
 * header, goes as Basic credentials.
 */
class HttpConnection : public QObject
{
    Q_OBJECT
public:
    HttpConnection(const QUrl &url, bool insecure, QObject *parent = nullptr);
    ~HttpConnection() override;

    /** Sends a POST of `body` to the URL's path and query; answered() comes once for it. One request at a time. */
    void post(const Headers &headers, const QByteArray &body);
    /**
     * Sends a request with any method to `target` (a path and query, percent-encoded) on the URL's origin; answered()
     * comes once for it. A HEAD's answer has no body.
     */
    void send(const QByteArray &method, const QByteArray &target, const Headers &headers, const QByteArray &body);
    /**
     * Connects to `host`:`port` instead of the URL's host and port (as curl's --resolve does): the Host header and the
     * name TLS verifies stay the URL's. For tests that play a public service on a loopback port.
     */
    void setConnectTo(const QString &host, quint16 port)
    {
        m_connectHost = host;
        m_connectPort = port;
    }
    /** Trusts these certificate authorities as well as the system's (TLS). */
    void addCaCertificates(const QList<QSslCertificate> &certificates) { m_extraCas += certificates; }
    /** Keeps the answers' headers and the first `bodyBytes` of their bodies (the rest is read and dropped). */
    void keepAnswer(qsizetype bodyBytes)
    {
        m_keepBody = bodyBytes;
        m_keepAnswer = true;
    }
    /** What has come of the answer in flight so far (its status once its head was read). */
    const HttpAnswer &answerSoFar() const { return m_answer; }
    /** Gives up the request in flight (answered() does not come for it) and closes the connection. */
    void abort();
    bool isBusy() const { return m_busy; }

    /** Limits on what a server may send: an answer's status line and headers, and one chunk-size line. */
    static constexpr qsizetype maxHeadBytes = qsizetype{64} * 1024;

Q_SIGNALS:
    void answered(const pimscope::HttpAnswer &answer);

private:
    enum class State { Idle, Connecting, Head, FixedBody, ChunkSize, ChunkData, ChunkDataEnd, Trailers, UntilClose };

    void connectSocket();
    void onConnected();
    void writeRequest();
    void onReadyRead();
    void onDisconnected();
    void onError();
    /** A request on a kept-alive connection that failed before any byte of the answer, not sent again yet. */
    bool mayRetry() const;
    bool parse(); ///< false once the answer is complete or failed
    bool parseHead(qsizetype end);
    void complete();
    void fail(const QString &error);
    void dropSocket();
    void keepBody(QByteArrayView bytes);

    QUrl m_url;
    QByteArray m_hostHeader;
    QByteArray m_target;
    QByteArray m_basic;
    bool m_tls = false;
    bool m_insecure = false;
    QTcpSocket *m_socket = nullptr; ///< a QSslSocket for https
    bool m_connected = false;
    bool m_reused = false; ///< the request in flight went on a connection that had carried one before
    bool m_retried = false;
    bool m_busy = false;
    QByteArray m_request; ///< kept until the answer, to send again once after an idle close
    QByteArray m_buffer; ///< received, not parsed yet
    qsizetype m_received = 0; ///< bytes of the current answer received (0: the server said nothing yet)
    State m_state = State::Idle;
    qint64 m_remaining = 0; ///< of a fixed body or a chunk
    bool m_closeAfter = false;
    QString m_sslErrors;
    HttpAnswer m_answer;
    bool m_keepAnswer = false;
    qsizetype m_keepBody = 0;
    bool m_headRequest = false; ///< the request in flight is a HEAD: its answer has no body
    QElapsedTimer m_clock; ///< since the request in flight started
    QString m_connectHost; ///< where to connect instead of the URL's host (empty: the URL's)
    quint16 m_connectPort = 0;
    QList<QSslCertificate> m_extraCas;
};

} // namespace pimscope

Q_DECLARE_METATYPE(pimscope::HttpAnswer)
