// Store throughput: events per second written through the single writer (group commit), indexes included.
// Usage: bench_store [deliveries=20000] [events-per-delivery=10] [value-bytes=200]

#include "benchdata.h"

#include "formats/payloadparser.h"
#include "store/eventstore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>

#include <cstdio>

using namespace pimscope;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int deliveries = args.value(1, QStringLiteral("20000")).toInt();
    const int perDelivery = args.value(2, QStringLiteral("10")).toInt();
    const int valueBytes = args.value(3, QStringLiteral("200")).toInt();

    QRandomGenerator rng(42);
    const qint64 t0 = *parseIsoDateTime(std::string_view("2026-11-22T10:00:00Z"));
    QList<Delivery> input;
    input.reserve(deliveries);
    qint64 bytes = 0;
    PayloadParser parser;
    for (int i = 0; i < deliveries; ++i) {
        Delivery d = bench::receivedDelivery(bench::akeneoBody(rng, t0 + i * 10, perDelivery, valueBytes), t0 + i * 10);
        bytes += d.body.size();
        input.append(std::move(d));
    }
    std::printf("input: %d deliveries x %d events, %.1f MB of bodies (%.0f bytes per event)\n", deliveries, perDelivery,
                double(bytes) / 1e6, double(bytes) / (double(deliveries) * perDelivery));

    enum Mode { Live, LiveWriterParses, Bulk };
    const char *const names[]
        = {"live, parsed by caller:", "live, parsed by the writer:", "bulk (indexes rebuilt at the end):"};
    for (const Mode mode : {Live, LiveWriterParses, Bulk}) {
        const bool preParsed = mode != LiveWriterParses;
        QTemporaryDir dir;
        auto store = EventStore::open(dir.filePath(QStringLiteral("bench.db")));
        if (!store) {
            std::fprintf(stderr, "%s\n", qPrintable(store.error()));
            return 1;
        }
        QList<Delivery> copy = input;
        QElapsedTimer timer;
        timer.start();
        if (mode == Bulk)
            store.value()->beginBulk();
        for (Delivery &d : copy) {
            if (preParsed) {
                // As the receiver does: parse in the caller's thread, the writer only writes.
                ParseResult r = parser.parse(d.body);
                d.format = r.format;
                d.events = std::move(r.events);
                store.value()->enqueue(std::move(d), true);
            } else {
                store.value()->enqueue(std::move(d), false);
            }
        }
        if (mode == Bulk)
            store.value()->endBulk();
        store.value()->flush(600000);
        const double s = double(timer.nsecsElapsed()) / 1e9;
        const double events = double(deliveries) * perDelivery;
        std::printf("%-36s %8.2f s  %9.0f events/s  %8.0f deliveries/s\n", names[mode], s, events / s,
                    double(deliveries) / s);
    }
    return 0;
}
