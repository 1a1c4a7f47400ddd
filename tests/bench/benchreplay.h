#pragma once

// What the benchmarks that drive `pimscope receive` with the replayer share (header-only; no test framework): their
// command line, the signed requests they send, starting the receiver, and one replay run.

#include "benchdata.h"

#include "replay/replayer.h"
#include "store/eventstore.h"

#include <QCoreApplication>
#include <QMap>
#include <QProcess>
#include <QRandomGenerator>
#include <QStringList>
#include <QTcpServer>

#include <cstdio>
#include <optional>

namespace pimscope::bench {

/** A bench's command line: `--NAME N` options (integers, each with its default) and the pimscope binary. */
struct BenchArgs
{
    QMap<QString, int> values; ///< by option name, without the dashes
    QString binary;

    int operator[](const QString &name) const { return values.value(name); }

    /**
     * Parses the process's arguments against `defaults`; none when the binary is missing or an option is unknown or
     * not a number (the usage is printed to stderr).
     */
    static std::optional<BenchArgs> parse(const QStringList &arguments, QMap<QString, int> defaults)
    {
        BenchArgs args{std::move(defaults), {}};
        QString usage = QStringLiteral("usage: %1").arg(arguments.value(0).section(u'/', -1));
        for (auto it = args.values.cbegin(); it != args.values.cend(); ++it)
            usage += QStringLiteral(" [--%1 N]").arg(it.key());
        usage += QStringLiteral(" PIMSCOPE_BINARY\n");
        bool ok = true;
        for (qsizetype i = 1; i < arguments.size() && ok; ++i) {
            const QString &a = arguments[i];
            if (a.startsWith(u"--")) {
                const QString name = a.mid(2);
                ok = args.values.contains(name) && i + 1 < arguments.size();
                if (ok)
                    args.values[name] = arguments[++i].toInt(&ok);
            } else {
                args.binary = a;
            }
        }
        if (!ok || args.binary.isEmpty()) {
            std::fprintf(stderr, "%s", qPrintable(usage));
            return std::nullopt;
        }
        return args;
    }
};

/** `count` Akeneo batches of 10 events (about 5 KB each), as a PIM sends them, from the generator seeded `seed`. */
inline QList<ReplayRequest> akeneoRequests(int count, quint32 seed)
{
    QRandomGenerator rng(seed);
    QList<ReplayRequest> requests;
    requests.reserve(count);
    for (int i = 0; i < count; ++i) {
        ReplayRequest r;
        r.format = Format::Akeneo;
        r.body = akeneoBody(rng, 1'795'340'800'000 + qint64(i) * 50, 10, 60);
        r.eventCount = 10;
        requests.append(std::move(r));
    }
    return requests;
}

/** A loopback port nobody listens on (as of now). */
inline quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

/**
 * Starts `pimscope receive --db DB --listen 127.0.0.1:PORT ARGS...` in `p` on a free port; the port once it printed
 * its first line, or 0 when it did not start.
 */
inline quint16 startReceiver(QProcess &p, const QString &binary, const QString &db, const QStringList &args)
{
    const quint16 port = freePort();
    p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    p.start(binary,
            QStringList{QStringLiteral("receive"), QStringLiteral("--db"), db, QStringLiteral("--listen"),
                        QStringLiteral("127.0.0.1:%1").arg(port)}
                + args);
    return p.waitForReadyRead(10000) ? port : 0;
}

/** Replays `requests` to `target` (storing each result in `store`) until the last is answered; each result too. */
inline ReplaySummary replay(const ReplayTarget &target, const QList<ReplayRequest> &requests, EventStore *store,
                            QList<ReplayResult> *results = nullptr)
{
    Replayer replayer(target, requests, store);
    if (results)
        QObject::connect(&replayer, &Replayer::requestFinished,
                         [results](const ReplayResult &r) { results->append(r); });
    QObject::connect(&replayer, &Replayer::finished, [] { QCoreApplication::quit(); });
    replayer.start();
    QCoreApplication::exec();
    return replayer.summary();
}

} // namespace pimscope::bench
