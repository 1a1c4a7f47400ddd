// Filter speed over a large capture: the matching id list, the count, and a page of 200 rows by id.
// Usage: bench_filter [events=1000000] [db-path (reused when it exists)]

#include "benchdata.h"

#include "filter/filter.h"
#include "formats/payloadparser.h"
#include "store/capturequeries.h"
#include "store/eventstore.h"
#include "store/storereader.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

using namespace pimscope;

namespace {

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int total = args.value(1, QStringLiteral("1000000")).toInt();
    QTemporaryDir dir;
    const QString path = args.size() > 2 ? args[2] : dir.filePath(QStringLiteral("bench.db"));

    if (!bench::ensureCapture(path, total))
        return 1;

    auto reader = StoreReader::open(path);
    if (!reader) {
        std::fprintf(stderr, "%s\n", qPrintable(reader.error()));
        return 1;
    }
    const char *const filters[] = {
        "action == \"product.updated\" && author_type == \"api\"",
        "action == \"product.removed\"",
        "subject ~ \"SKU-4242\"",
        "flag:duplicate || flag:out_of_order",
        "received >= \"2026-11-22T01:00\" && received < \"2026-11-22T02:00\"",
        "status >= 500 || latency > 500ms",
        "TSHIRT",
    };
    // The window's way: CaptureQueries scans the capture in ranges of ids and streams each range's ids.
    CaptureQueries queries(path);
    QObject context;
    quint64 generation = 0;
    const auto streamed = [&](const QString &text, double &firstMs, double &completeMs, int &answers) {
        QElapsedTimer t;
        t.start();
        QEventLoop loop;
        answers = 0;
        firstMs = -1;
        queries.match(
            ++generation, text, FilterTarget::Events, &context,
            [&](CaptureQueries::Matched m) {
                ++answers;
                if (firstMs < 0 && (!m.ids.isEmpty() || !m.partial))
                    firstMs = double(t.nsecsElapsed()) / 1e6;
                if (!m.partial) {
                    completeMs = double(t.nsecsElapsed()) / 1e6;
                    loop.quit();
                }
            },
            0, true);
        loop.exec();
    };
    std::printf("%-70s %10s %12s %12s %14s %14s %8s\n", "filter (events)", "matches", "ids ms", "count ms",
                "stream 1st ms", "stream all ms", "answers");
    QList<qint64> someIds;
    for (const char *text : filters) {
        const Filter f = Filter::parse(QString::fromUtf8(text));
        std::vector<double> idsMs, countMs;
        qsizetype matches = 0;
        for (int run = 0; run < 5; ++run) {
            QElapsedTimer t;
            t.start();
            const auto ids = reader.value()->matchingIds(f, FilterTarget::Events);
            idsMs.push_back(double(t.nsecsElapsed()) / 1e6);
            matches = ids->size();
            if (someIds.isEmpty() && ids->size() > 1000)
                someIds = ids->mid(ids->size() / 2, 200);
            t.restart();
            (void)reader.value()->countMatching(f, FilterTarget::Events);
            countMs.push_back(double(t.nsecsElapsed()) / 1e6);
        }
        std::vector<double> firstMs, allMs;
        int answers = 0;
        for (int run = 0; run < 5; ++run) {
            double first = 0, all = 0;
            streamed(QString::fromUtf8(text), first, all, answers);
            firstMs.push_back(first);
            allMs.push_back(all);
        }
        std::printf("%-70s %10lld %12.1f %12.1f %14.1f %14.1f %8d\n", text, static_cast<long long>(matches),
                    median(idsMs), median(countMs), median(firstMs), median(allMs), answers);
    }
    std::vector<double> pageMs;
    for (int run = 0; run < 20; ++run) {
        QElapsedTimer t;
        t.start();
        const auto rows = reader.value()->events(someIds);
        pageMs.push_back(double(t.nsecsElapsed()) / 1e6);
        if (!rows || rows->size() != someIds.size())
            return 1;
    }
    std::printf("page of %lld event rows by id (with payloads): %.2f ms (median of 20)\n",
                static_cast<long long>(someIds.size()), median(pageMs));
    return 0;
}
