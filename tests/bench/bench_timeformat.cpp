// How long formatting a UTC time as text takes (the table's time columns, every export row, the log export's
// lines): util/timeutil's formatter against QDateTime in UTC through a QTimeZone (what builds without deprecation
// warnings on Qt 6.8) and, on Qt < 6.8, through the Qt::UTC time spec (what the code did before).
//
//   bench_timeformat [N]     (N times each, default 2,000,000)

#include "util/timeutil.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QTimeZone>

#include <cstdio>
#include <cstdlib>
#include <functional>

using namespace pimscope;

namespace {

volatile qsizetype sink = 0;

void measure(const char *label, qint64 n, const std::function<QString(qint64)> &format)
{
    const qint64 start = 1'795'340'800'000; // 2026-11-22T08:00:00Z, a millisecond and a bit more each time
    QElapsedTimer timer;
    timer.start();
    for (qint64 i = 0; i < n; ++i)
        sink = sink + format(start + i * 1'001).size();
    const double ns = double(timer.nsecsElapsed()) / double(n);
    std::printf("%-58s %8.1f ns per time\n", label, ns);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const qint64 n = argc > 1 ? std::atoll(argv[1]) : 2'000'000;
    const QString pattern = QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ");
    std::printf("%lld times each, \"%s\"\n", static_cast<long long>(n), qPrintable(toIsoUtc(0)));
    measure("toIsoUtc (util/timeutil, by hand)", n, [](qint64 ms) { return toIsoUtc(ms); });
    measure("QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc())", n,
            [&](qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(pattern); });
#if QT_VERSION < QT_VERSION_CHECK(6, 8, 0)
    measure("QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC) (before)", n,
            [&](qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(pattern); });
#endif
    return 0;
}
