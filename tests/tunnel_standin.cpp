// Plays a tunnel program in the tests (cloudflared and ngrok are not in Debian, and their services are on the
// internet): it prints what the real program prints (a file of tests/data/tunnels), then stays until it is killed or
// exits with a code, as its environment says:
//   PIMSCOPE_STANDIN_OUTPUT=FILE  the lines to print ({run} in them: the number of this run, from RUNS; {authtoken}:
//                                 NGROK_AUTHTOKEN, recorded with the arguments when set)
//   PIMSCOPE_STANDIN_STDOUT=1     print to stdout (ngrok with --log stdout); else stderr (cloudflared, ssh)
//   PIMSCOPE_STANDIN_EXIT=CODE    exit with CODE once printed (after PIMSCOPE_STANDIN_EXIT_AFTER_MS, default 0)
//   PIMSCOPE_STANDIN_RUNS=FILE    a counter of runs, incremented at each start
//   PIMSCOPE_STANDIN_RECORD=FILE  its pid and arguments, one per line, written at the start
//   PIMSCOPE_STANDIN_LISTEN=PORT  plays the service's edge too, before it prints: TLS on 127.0.0.1:PORT with
//                                 PIMSCOPE_STANDIN_CERT and _KEY (tests/data/tunnels/tls), each connection relayed to
//                                 the local address in its arguments (127.0.0.1:N, as each program is given it)
// With `--parent SPEC PORT PIDFILE` it is a process that runs a pimscope::Tunnel from its main thread instead (the
// stand-in again as the program), and writes the tunnel's pid to PIDFILE once it runs: a test kills it with SIGKILL
// and checks that the tunnel went with it.

#include "tunnel/tunnel.h"

#include <QCoreApplication>
#include <QFile>
#include <QRegularExpression>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpServer>
#include <QTimer>

#include <cstdio>
#include <memory>
#include <unistd.h>

using namespace pimscope;

namespace {

QByteArray env(const char *name)
{
    return qgetenv(name);
}

/** Relays the decrypted bytes of each TLS connection to 127.0.0.1:`target`, both ways, as a tunnel's edge does. */
class Edge : public QTcpServer
{
public:
    Edge(quint16 target, QSslCertificate certificate, QSslKey key)
        : m_target(target)
        , m_certificate(std::move(certificate))
        , m_key(std::move(key))
    {
    }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto *outside = new QSslSocket(this);
        if (!outside->setSocketDescriptor(descriptor)) {
            delete outside;
            return;
        }
        outside->setLocalCertificate(m_certificate);
        outside->setPrivateKey(m_key);
        auto *inside = new QTcpSocket(outside);
        connect(outside, &QSslSocket::encrypted, inside,
                [inside, this] { inside->connectToHost(QHostAddress::LocalHost, m_target); });
        connect(inside, &QTcpSocket::connected, outside, [outside, inside] { inside->write(outside->readAll()); });
        connect(outside, &QSslSocket::readyRead, inside, [outside, inside] {
            if (inside->state() == QAbstractSocket::ConnectedState)
                inside->write(outside->readAll());
        });
        connect(inside, &QTcpSocket::readyRead, outside, [outside, inside] { outside->write(inside->readAll()); });
        connect(inside, &QTcpSocket::disconnected, outside, [outside] { outside->disconnectFromHost(); });
        // Nothing behind it (the tunnel not up yet): a gateway error, as nginx and Cloudflare's edge answer.
        connect(inside, &QTcpSocket::errorOccurred, outside, [outside, inside] {
            if (inside->state() == QAbstractSocket::ConnectedState)
                return;
            outside->write("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            outside->disconnectFromHost();
        });
        connect(outside, &QSslSocket::disconnected, outside, [outside] { outside->deleteLater(); });
        outside->startServerEncryption();
    }

private:
    quint16 m_target;
    QSslCertificate m_certificate;
    QSslKey m_key;
};

int runParent(const QStringList &args)
{
    const auto spec = parseTunnelSpec(args.value(0));
    if (!spec) {
        std::fprintf(stderr, "%s\n", qPrintable(spec.error()));
        return 2;
    }
    Tunnel tunnel(*spec, quint16(args.value(1).toUInt()));
    const QString pidFile = args.value(2);
    QObject::connect(&tunnel, &Tunnel::stateChanged, [&tunnel, pidFile] {
        if (tunnel.processId() == 0)
            return;
        QFile f(pidFile);
        if (f.open(QIODevice::WriteOnly))
            f.write(QByteArray::number(tunnel.processId()));
    });
    tunnel.start();
    return QCoreApplication::exec();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.value(1) == u"--parent")
        return runParent(args.mid(2));

    int run = 1;
    if (const QByteArray runs = env("PIMSCOPE_STANDIN_RUNS"); !runs.isEmpty()) {
        QFile counter(QString::fromLocal8Bit(runs));
        if (counter.open(QIODevice::ReadOnly))
            run = counter.readAll().trimmed().toInt() + 1;
        counter.close();
        if (counter.open(QIODevice::WriteOnly | QIODevice::Truncate))
            counter.write(QByteArray::number(run));
    }
    if (const QByteArray record = env("PIMSCOPE_STANDIN_RECORD"); !record.isEmpty()) {
        QFile f(QString::fromLocal8Bit(record));
        if (f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            f.write(QByteArray::number(qint64(::getpid())) + '\n');
            for (const QString &a : args.mid(1))
                f.write(a.toUtf8() + '\n');
            if (qEnvironmentVariableIsSet("NGROK_AUTHTOKEN"))
                f.write("env NGROK_AUTHTOKEN=" + env("NGROK_AUTHTOKEN") + '\n');
        }
    }
    std::unique_ptr<Edge> edge;
    if (const QByteArray listen = env("PIMSCOPE_STANDIN_LISTEN"); !listen.isEmpty()) {
        static const QRegularExpression local(QStringLiteral("127\\.0\\.0\\.1:(\\d+)"));
        quint16 target = 0;
        for (const QString &a : args.mid(1)) {
            if (const auto m = local.match(a); m.hasMatch())
                target = quint16(m.captured(1).toUInt());
        }
        QFile cert(QString::fromLocal8Bit(env("PIMSCOPE_STANDIN_CERT")));
        QFile key(QString::fromLocal8Bit(env("PIMSCOPE_STANDIN_KEY")));
        if (target == 0 || !cert.open(QIODevice::ReadOnly) || !key.open(QIODevice::ReadOnly)) {
            std::fprintf(stderr, "stand-in: no local address in the arguments, or no certificate\n");
            return 70;
        }
        edge = std::make_unique<Edge>(target, QSslCertificate(&cert, QSsl::Pem), QSslKey(&key, QSsl::Rsa));
        if (!edge->listen(QHostAddress::LocalHost, quint16(listen.toUInt()))) {
            std::fprintf(stderr, "stand-in: cannot listen on %s\n", listen.constData());
            return 71;
        }
    }
    FILE *out = env("PIMSCOPE_STANDIN_STDOUT") == "1" ? stdout : stderr;
    QFile output(QString::fromLocal8Bit(env("PIMSCOPE_STANDIN_OUTPUT")));
    if (output.open(QIODevice::ReadOnly)) {
        QByteArray text = output.readAll();
        text.replace("{run}", QByteArray::number(run));
        text.replace("{authtoken}", env("NGROK_AUTHTOKEN"));
        std::fwrite(text.constData(), 1, size_t(text.size()), out);
        std::fflush(out);
    }
    if (const QByteArray code = env("PIMSCOPE_STANDIN_EXIT"); !code.isEmpty()) {
        // Meanwhile the edge (when it plays one) goes on relaying: the event loop runs until then.
        QTimer::singleShot(env("PIMSCOPE_STANDIN_EXIT_AFTER_MS").toInt(), &app,
                           [code = code.toInt()] { QCoreApplication::exit(code); });
    }
    return QCoreApplication::exec(); // until killed, or the exit asked for
}
