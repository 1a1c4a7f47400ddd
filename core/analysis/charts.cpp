#include "charts.h"

#include <QHash>

#include <algorithm>
#include <limits>

namespace pimscope {

namespace {

constexpr qint64 minuteMs = 60'000;
constexpr int maxActions = 6;

/** Answer times in bins, each against its sender's deadline. */
AnswerTimeBins answerTimeBins(const ChartCounts::Timings &timings)
{
    AnswerTimeBins bins;
    bins.edges = {0, 5, 10, 25, 50, 100, 200, 300, 400, 500, 750, 1000, 2000, 5000};
    bins.counts = QList<qint64>(bins.edges.size(), 0);
    for (qsizetype i = 0; i < timings.ms.size(); ++i) {
        const double ms = timings.ms[i];
        const double deadline = timings.deadlinesMs.value(i, CaptureCharts::budgetMs);
        const auto bin = std::upper_bound(bins.edges.cbegin(), bins.edges.cend(), ms) - bins.edges.cbegin() - 1;
        ++bins.counts[std::max<qsizetype>(0, bin)];
        ++bins.answered;
        bins.overBudget += ms > deadline;
        bins.answeredWithin5s += deadline > CaptureCharts::budgetMs;
    }
    bins.unanswered = timings.unanswered;
    return bins;
}

} // namespace

qint64 chartBucketMs(qint64 spanMs)
{
    static constexpr qint64 steps[]
        = {minuteMs, 5 * minuteMs, 15 * minuteMs, 60 * minuteMs, 360 * minuteMs, 1440 * minuteMs};
    for (const qint64 step : steps) {
        if (spanMs / step < 360)
            return step;
    }
    qint64 step = 1440 * minuteMs;
    while (spanMs / step >= 360)
        step *= 2;
    return step;
}

QString chartBucketName(qint64 bucketMs)
{
    static constexpr struct
    {
        qint64 ms;
        const char *one;
        const char *many;
    } units[] = {
        {1440 * minuteMs, "day", "%1 days"}, {60 * minuteMs, "hour", "%1 hours"}, {minuteMs, "minute", "%1 minutes"}};
    for (const auto &unit : units) {
        if (bucketMs >= unit.ms && bucketMs % unit.ms == 0) {
            const qint64 n = bucketMs / unit.ms;
            return n == 1 ? QString::fromLatin1(unit.one) : QString::fromLatin1(unit.many).arg(n);
        }
    }
    return QStringLiteral("%1 s").arg(double(bucketMs) / 1000);
}

CaptureCharts chartsFromCounts(const ChartCounts &counts, ChartStack stack)
{
    CaptureCharts charts;
    QHash<QString, qint64> totals;
    qint64 first = std::numeric_limits<qint64>::max();
    qint64 last = std::numeric_limits<qint64>::min();
    for (const ChartCounts::Cell &c : counts.events) {
        totals[c.key] += c.count;
        first = std::min(first, c.minute);
        last = std::max(last, c.minute);
    }
    if (!counts.requests.isEmpty()) {
        first = std::min(first, counts.requests.firstKey());
        last = std::max(last, counts.requests.lastKey());
    }
    const QList<ChartCounts::Cell> &cells = counts.events;
    const QMap<qint64, qint64> &requests = counts.requests;

    charts.answers = answerTimeBins(counts.answers);
    charts.connector = answerTimeBins(counts.connector);

    if (first > last)
        return charts; // nothing over time

    // The buckets.
    charts.bucketMs = chartBucketMs((last - first + 1) * minuteMs);
    const qint64 minutesPerBucket = charts.bucketMs / minuteMs;
    const qint64 firstBucket = first * minuteMs / charts.bucketMs;
    charts.startMs = firstBucket * charts.bucketMs;
    const int buckets = int((last * minuteMs) / charts.bucketMs - firstBucket + 1);
    if (stack == ChartStack::Action) {
        QList<QString> keys = totals.keys();
        std::sort(keys.begin(), keys.end(), [&](const QString &a, const QString &b) {
            return totals[a] != totals[b] ? totals[a] > totals[b] : a < b;
        });
        for (int i = 0; i < std::min<qsizetype>(maxActions, keys.size()); ++i)
            charts.stacks << (keys[i].isEmpty() ? QStringLiteral("(no action)") : keys[i]);
        if (keys.size() > maxActions)
            charts.stacks << QStringLiteral("other");
    } else {
        charts.stacks
            = {QStringLiteral("none"), QStringLiteral("notice"), QStringLiteral("warning"), QStringLiteral("error")};
    }
    charts.events = QList<QList<qint64>>(buckets, QList<qint64>(charts.stacks.size(), 0));
    for (const ChartCounts::Cell &c : cells) {
        const int b = int(c.minute * minuteMs / charts.bucketMs - firstBucket);
        int s = 0;
        if (stack == ChartStack::Action) {
            const QString name = c.key.isEmpty() ? QStringLiteral("(no action)") : c.key;
            s = int(charts.stacks.indexOf(name));
            if (s < 0)
                s = int(charts.stacks.size()) - 1; // other
        } else {
            s = std::clamp(c.key.toInt(), 0, 3);
        }
        charts.events[b][s] += c.count;
    }
    for (const auto &bucket : std::as_const(charts.events)) {
        qint64 total = 0;
        for (const qint64 n : bucket)
            total += n;
        charts.maxBucketTotal = std::max(charts.maxBucketTotal, total);
    }

    // Requests in the hour ending at each minute (a sliding sum over the minutes), the most of each bucket.
    charts.requestsPerHour = QList<qint64>(buckets, 0);
    qint64 window = 0;
    auto tail = requests.cbegin();
    for (qint64 minute = first; minute <= last; ++minute) {
        window += requests.value(minute);
        while (tail != requests.cend() && tail.key() <= minute - 60) {
            window -= tail.value();
            ++tail;
        }
        const int b = int(minute / minutesPerBucket - firstBucket);
        if (b >= 0 && b < buckets)
            charts.requestsPerHour[b] = std::max(charts.requestsPerHour[b], window);
        charts.maxRequestsPerHour = std::max(charts.maxRequestsPerHour, window);
    }
    return charts;
}

} // namespace pimscope
