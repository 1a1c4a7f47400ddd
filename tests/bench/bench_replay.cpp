// Replay speed (issue #6): signed requests per second to a local receiver (`pimscope receive` with the secret, in a
// process of its own) with concurrency 8 (target >= 2,000/s), and paced runs against their target rate over 10 s
// (target: within 2%).
//
//   bench_replay [--requests N] [--seconds S] PIMSCOPE_BINARY
//
// The replayer runs in this process, storing each result in a source capture as the command does.

#include "benchreplay.h"

#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

using namespace pimscope;
using namespace pimscope::bench;

namespace {

struct Run
{
    ReplaySummary summary;
    QList<ReplayResult> results;
};

Run replayRun(const ReplayTarget &target, const QList<ReplayRequest> &requests, EventStore *store)
{
    Run run;
    run.summary = replay(target, requests, store, &run.results);
    return run;
}

/** Starts per second between the first and the last request (by their send times). */
double measuredRate(const QList<ReplayResult> &results)
{
    if (results.size() < 2)
        return 0;
    qint64 first = results.front().sentAtMs, last = first;
    for (const ReplayResult &r : results) {
        first = std::min(first, r.sentAtMs);
        last = std::max(last, r.sentAtMs);
    }
    return double(results.size() - 1) * 1000.0 / double(std::max<qint64>(1, last - first));
}

QList<qint64> sortedStarts(const QList<ReplayResult> &results)
{
    QList<qint64> starts;
    for (const ReplayResult &r : results)
        starts.append(r.sentAtMs);
    std::sort(starts.begin(), starts.end());
    return starts;
}

/**
 * The most starts in any window of `windowMs` (a sliding window over the send times): evenly paced, about
 * rate * window (one more when the window catches a start at each end); a burst to catch up shows as more.
 */
int busiestWindow(const QList<qint64> &starts, qint64 windowMs)
{
    int most = 0;
    for (qsizetype first = 0, last = 0; last < starts.size(); ++last) {
        while (starts[last] - starts[first] >= windowMs)
            ++first;
        most = std::max(most, int(last - first + 1));
    }
    return most;
}

/** The shortest and longest time between two consecutive starts, in ms (0, 0 with fewer than two). */
std::pair<qint64, qint64> gapsMs(const QList<qint64> &starts)
{
    if (starts.size() < 2)
        return {0, 0};
    qint64 shortest = std::numeric_limits<qint64>::max(), longest = 0;
    for (qsizetype i = 1; i < starts.size(); ++i) {
        shortest = std::min(shortest, starts[i] - starts[i - 1]);
        longest = std::max(longest, starts[i] - starts[i - 1]);
    }
    return {shortest, longest};
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const auto args
        = BenchArgs::parse(app.arguments(), {{QStringLiteral("requests"), 20000}, {QStringLiteral("seconds"), 10}});
    if (!args)
        return 2;
    const int requestCount = (*args)[QStringLiteral("requests")];
    const int seconds = (*args)[QStringLiteral("seconds")];
    const QString &binary = args->binary;
    QTemporaryDir dir;
    const QByteArray secret = "bench-replay-secret";

    // The requests: Akeneo batches of 10 events (about 5 KB), as received.
    const QList<ReplayRequest> requests = akeneoRequests(requestCount, 7);
    auto source = EventStore::open(dir.filePath(QStringLiteral("source.db")));
    if (!source) {
        std::fprintf(stderr, "%s\n", qPrintable(source.error()));
        return 1;
    }

    QProcess receiver;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("BENCH_SECRET"), QString::fromLatin1(secret));
    receiver.setProcessEnvironment(env);
    const quint16 port = startReceiver(receiver, binary, dir.filePath(QStringLiteral("target.db")),
                                       {QStringLiteral("--secret-env"), QStringLiteral("BENCH_SECRET")});
    if (port == 0) {
        std::fprintf(stderr, "the receiver did not start\n");
        return 1;
    }
    ReplayTarget target;
    target.url = QUrl(QStringLiteral("http://127.0.0.1:%1/hook").arg(port));
    target.secrets.primary = secret;
    target.timeoutMs = 5000; // a loaded 2-core machine: count throughput, not deadline misses

    std::printf("%d requests of %lld bytes (10 events, signed) to pimscope receive with the secret\n", requestCount,
                static_cast<long long>(requests.front().body.size()));
    // Paced runs first, on fresh captures: after the unpaced runs both captures spend seconds on index builds and
    // checkpoints, which stall the target (and the replayer's storing) for hundreds of ms.
    for (const double rate : {4000.0 / 3600.0, 10.0, 200.0, 1000.0}) {
        target.concurrency = rate > 100 ? 8 : 1;
        target.ratePerSecond = rate;
        const int n = int(std::floor(rate * seconds)) + 1;
        const Run r = replayRun(target, requests.mid(0, n), source.value().get());
        const double measured = measuredRate(r.results);
        const qint64 windowMs = std::max<qint64>(1000, qint64(std::ceil(3000.0 / rate)));
        const QList<qint64> starts = sortedStarts(r.results);
        const auto [shortest, longest] = gapsMs(starts);
        std::printf("paced %8.2f req/s (concurrency %d) over %d s: %5d requests, measured %8.2f req/s (%+.2f%%), %d "
                    "answered 2xx; "
                    "busiest %lld ms: %d starts (even: %.1f); gaps %lld-%lld ms; slowest answer %.1f ms\n",
                    rate, target.concurrency, seconds, int(r.results.size()), measured, (measured / rate - 1) * 100,
                    r.summary.ok, static_cast<long long>(windowMs), busiestWindow(starts, windowMs),
                    rate * double(windowMs) / 1000.0, static_cast<long long>(shortest), static_cast<long long>(longest),
                    r.summary.percentileMs(100));
    }
    for (const int concurrency : {1, 8, 32}) {
        target.concurrency = concurrency;
        target.ratePerSecond = 0;
        const Run r
            = replayRun(target, concurrency == 1 ? requests.mid(0, requestCount / 4) : requests, source.value().get());
        const ReplaySummary &s = r.summary;
        std::printf("unpaced, concurrency %d: %6d requests in %6.2f s = %8.0f req/s; %d answered 2xx, p50 %.2f ms, p99 "
                    "%.2f ms\n",
                    concurrency, s.sent, s.elapsedMs / 1000.0, s.sent * 1000.0 / s.elapsedMs, s.ok, s.percentileMs(50),
                    s.percentileMs(99));
    }
    receiver.terminate();
    receiver.waitForFinished(10000);
    source.value()->flush();
    return 0;
}
