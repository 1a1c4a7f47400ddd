// Forwarding speed (issue #20), against a fast connector on a loopback port (in this process, on a thread of its own):
//  - proxy mode's overhead: the same PIM-like client (the replayer, paced at 200 signed requests/s, concurrency 8)
//    sends the same requests to the connector directly, then through `pimscope receive --forward` (proxy), in turn,
//    several times; the answer times' p50 and p99 of each (targets: at most +1 ms at p50 and +3 ms at p99); and, for
//    reference, to `pimscope receive` answering itself (one commit, no forward);
//  - ack mode's throughput: N requests sent unpaced to `pimscope receive --forward ...,mode=ack` while the connector is
//    down (all queued), then the connector back and the next start of Pimscope forwarding the queue: the time from the
//    first forward to the last (target >= 1,000 forwards/s), in arrival order (checked from the capture: each forward
//    sent after the one of the delivery before).
//
//   bench_forward [--seconds S] [--rounds R] [--requests N] PIMSCOPE_BINARY

#include "benchreplay.h"
#include "testconnector.h"

#include <QElapsedTimer>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>

using namespace pimscope;
using namespace pimscope::bench;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const auto args = BenchArgs::parse(
        app.arguments(),
        {{QStringLiteral("seconds"), 10}, {QStringLiteral("rounds"), 3}, {QStringLiteral("requests"), 10000}});
    if (!args)
        return 2;
    const int seconds = (*args)[QStringLiteral("seconds")];
    const int rounds = (*args)[QStringLiteral("rounds")];
    const int requestCount = (*args)[QStringLiteral("requests")];
    const QString &binary = args->binary;
    QTemporaryDir dir;
    test::TestConnector connector;
    connector.setBehaviour({"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n"
                            "{\"ok\":true}"});

    const QList<ReplayRequest> requests = akeneoRequests(std::max(requestCount, 200 * seconds + 1), 11);
    auto source = EventStore::open(dir.filePath(QStringLiteral("source.db")));
    if (!source) {
        std::fprintf(stderr, "%s\n", qPrintable(source.error()));
        return 1;
    }
    std::printf("requests of %lld bytes (10 events, signed); the connector answers 200 at once\n",
                static_cast<long long>(requests.front().body.size()));

    // Proxy mode's overhead: the same requests to the connector directly, through Pimscope forwarding them, and (for
    // reference: one commit, no forward) to Pimscope answering them itself, in turn.
    QProcess proxy;
    QProcess plain;
    const quint16 proxyPort
        = startReceiver(proxy, binary, dir.filePath(QStringLiteral("proxy.db")),
                        {QStringLiteral("--forward"), QStringLiteral("/=%1").arg(connector.url(QStringLiteral("/")))});
    const quint16 plainPort = startReceiver(plain, binary, dir.filePath(QStringLiteral("plain.db")), {});
    if (proxyPort == 0 || plainPort == 0) {
        std::fprintf(stderr, "the receiver did not start\n");
        return 1;
    }
    ReplayTarget target;
    target.secrets.primary = "bench-forward-secret";
    target.timeoutMs = 5000;
    target.concurrency = 8;
    target.ratePerSecond = 200;
    const QList<ReplayRequest> paced = requests.mid(0, 200 * seconds + 1);
    const struct
    {
        const char *what;
        QUrl url;
    } paths[] = {
        {"to the connector directly:", QUrl(connector.url(QStringLiteral("/hook")))},
        {"through Pimscope (proxy):", QUrl(QStringLiteral("http://127.0.0.1:%1/hook").arg(proxyPort))},
        {"to Pimscope (no forward):", QUrl(QStringLiteral("http://127.0.0.1:%1/hook").arg(plainPort))},
    };
    for (int round = 1; round <= rounds; ++round) {
        for (const auto &path : paths) {
            target.url = path.url;
            const ReplaySummary s = replay(target, paced, source.value().get());
            std::printf("round %d, 200 req/s over %d s, %-28s %5d requests, %5d answered 2xx, p50 %6.2f ms, p99 %6.2f "
                        "ms, max %6.2f ms\n",
                        round, seconds, path.what, s.sent, s.ok, s.percentileMs(50), s.percentileMs(99),
                        s.percentileMs(100));
        }
    }
    for (QProcess *p : {&proxy, &plain}) {
        p->terminate();
        p->waitForFinished(10000);
    }
    // Pimscope's own view of the same requests, from its captures: from the request read to the answer written
    // (ack_ms), and the connector's answer time as the forward measured it. What the client saw beyond these is the
    // client's, the kernel's and the scheduler's.
    const auto inside = [&dir](const QString &file, const QString &what, const QString &sql) {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), file);
        db.setDatabaseName(dir.filePath(file));
        if (db.open()) {
            QSqlQuery q(db);
            ReplaySummary times; // its percentiles, as the client's figures above are computed
            if (q.exec(sql))
                while (q.next())
                    times.latenciesMs.append(q.value(0).toDouble());
            std::printf("inside Pimscope, %-52s %5lld, p50 %6.2f ms, p99 %6.2f ms, max %6.2f ms\n", qPrintable(what),
                        static_cast<long long>(times.latenciesMs.size()), times.percentileMs(50),
                        times.percentileMs(99), times.percentileMs(100));
        }
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(file);
    };
    inside(QStringLiteral("proxy.db"), QStringLiteral("proxy, request read to answer written:"),
           QStringLiteral("SELECT ack_ms FROM deliveries WHERE ack_ms IS NOT NULL"));
    inside(QStringLiteral("proxy.db"), QStringLiteral("proxy, the connector's answer (forward sent to its end):"),
           QStringLiteral("SELECT end_ms FROM forwards WHERE end_ms IS NOT NULL"));
    inside(QStringLiteral("plain.db"), QStringLiteral("no forward, request read to answer written:"),
           QStringLiteral("SELECT ack_ms FROM deliveries WHERE ack_ms IS NOT NULL"));

    // Ack mode's throughput: the requests come while the connector is down (queued, answered by Pimscope), then the
    // connector comes back and the next start of Pimscope forwards the whole queue, bodies read from the capture.
    const quint16 downPort = freePort();
    const QString ackRule = QStringLiteral("/=http://127.0.0.1:%1/,mode=ack").arg(downPort);
    const QString ackDb = dir.filePath(QStringLiteral("ack.db"));
    QProcess ack;
    const quint16 ackPort = startReceiver(ack, binary, ackDb, {QStringLiteral("--forward"), ackRule});
    target.url = QUrl(QStringLiteral("http://127.0.0.1:%1/hook").arg(ackPort));
    target.ratePerSecond = 0;
    QElapsedTimer t;
    t.start();
    const ReplaySummary s = replay(target, requests.mid(0, requestCount), source.value().get());
    const double sentS = double(t.elapsed()) / 1000.0;
    ack.terminate();
    ack.waitForFinished(10000);
    test::TestConnector back(false, downPort);
    back.setBehaviour({"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n"
                       "{\"ok\":true}"});
    QProcess resumed;
    t.restart();
    startReceiver(resumed, binary, ackDb, {QStringLiteral("--forward"), ackRule});
    if (!back.waitForRequests(requestCount, 300000)) {
        std::fprintf(stderr, "the connector got %lld of %d forwards\n", static_cast<long long>(back.requests().size()),
                     requestCount);
        return 1;
    }
    const double doneS = double(t.elapsed()) / 1000.0;
    resumed.terminate();
    resumed.waitForFinished(10000);
    // From the capture: the forwards' times, in delivery order (one at a time: each after the one before).
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("ack"));
    db.setDatabaseName(ackDb);
    db.open();
    QSqlQuery q(db);
    q.exec(QStringLiteral("SELECT sent_at FROM forwards ORDER BY delivery_id"));
    qint64 first = -1, last = -1, previous = -1;
    int n = 0, outOfOrder = 0;
    while (q.next()) {
        const qint64 at = q.value(0).toLongLong();
        first = first < 0 ? at : first;
        last = at;
        outOfOrder += previous > at ? 1 : 0;
        previous = at;
        ++n;
    }
    std::printf("ack mode: %d requests answered by Pimscope in %.2f s (%d 2xx), queued while the connector was down; "
                "the next start forwarded all %d in %.2f s; from the first forward to the last: %.2f s = %.0f "
                "forwards/s; %d sent before the delivery ahead of them\n",
                s.sent, sentS, s.ok, n, doneS, double(last - first) / 1000.0,
                double(n - 1) * 1000.0 / double(std::max<qint64>(1, last - first)), outOfOrder);
    q = QSqlQuery();
    db.close();
    return 0;
}
