#include "charts.h"

#include "filter/filter.h"
#include "filter/sqlcompiler.h"
#include "model/enums.h"
#include "store/storereader.h"

#include <QHash>
#include <QMap>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>
#include <limits>

namespace pimscope {

namespace {

constexpr qint64 minuteMs = 60'000;
constexpr int maxActions = 6;

/** " AND e.id IN (...)" for a filter that is not empty; its bindings are added to `bindings`. */
QString restriction(const Filter &filter, FilterTarget target, QVariantList &bindings)
{
    if (filter.isEmpty())
        return {};
    const CompiledFilter compiled = filter.compile(target);
    bindings += compiled.bindings;
    return (target == FilterTarget::Events ? QStringLiteral(" AND e.id IN (") : QStringLiteral(" AND d.id IN ("))
        + filterIdsSql(compiled, target) + u')';
}

/** Prepares `sql`, binds `bindings` in order and runs it. */
bool run(QSqlQuery &q, const QString &sql, const QVariantList &bindings)
{
    q.prepare(sql);
    for (const QVariant &v : bindings)
        q.addBindValue(v);
    return q.exec();
}

template<typename T>
Result<T> failure(const QSqlQuery &q, const char *what)
{
    return Result<T>::failure(QStringLiteral("cannot read %1 for the charts: %2").arg(QLatin1StringView(what), q.lastError().text()));
}

/** The severity of an event as SQL, as severityOf() gives it for the table's tint (0 none ... 3 error). */
QString severitySql()
{
    const auto bits = [](Flags f) { return QString::number(uint(f)); };
    return QStringLiteral("CASE WHEN e.flags & %1 THEN 3 WHEN (e.flags & %2) OR d.log_level = %3 THEN 2 "
                          "WHEN e.flags & %4 THEN 1 ELSE 0 END")
        .arg(bits(Flag::Error | Flag::BadSignature), bits(Flag::SlowAck | Flag::Stale),
             QString::number(int(LogLevel::Warning)), bits(Flag::Duplicate | Flag::OutOfOrder));
}

} // namespace

qint64 chartBucketMs(qint64 spanMs)
{
    static constexpr qint64 steps[] = {minuteMs, 5 * minuteMs, 15 * minuteMs, 60 * minuteMs, 360 * minuteMs, 1440 * minuteMs};
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
    static constexpr struct {
        qint64 ms;
        const char *one;
        const char *many;
    } units[] = {{1440 * minuteMs, "day", "%1 days"}, {60 * minuteMs, "hour", "%1 hours"}, {minuteMs, "minute", "%1 minutes"}};
    for (const auto &unit : units) {
        if (bucketMs >= unit.ms && bucketMs % unit.ms == 0) {
            const qint64 n = bucketMs / unit.ms;
            return n == 1 ? QString::fromLatin1(unit.one) : QString::fromLatin1(unit.many).arg(n);
        }
    }
    return QStringLiteral("%1 s").arg(double(bucketMs) / 1000);
}

Result<CaptureCharts> computeCharts(StoreReader &reader, const Filter &filter, ChartStack stack)
{
    CaptureCharts charts;
    QSqlQuery q(reader.db());
    q.setForwardOnly(true);

    // Events per minute and stack key.
    QVariantList bindings;
    const QString key = stack == ChartStack::Action ? QStringLiteral("coalesce(e.action, '')") : severitySql();
    const QString perMinute = QStringLiteral("SELECT e.received_at / 60000, %1, count(*) FROM events e "
                                             "JOIN deliveries d ON d.id = e.delivery_id WHERE 1%2 GROUP BY 1, 2")
                                  .arg(key, restriction(filter, FilterTarget::Events, bindings));
    if (!run(q, perMinute, bindings))
        return failure<CaptureCharts>(q, "events per minute");
    struct Cell
    {
        qint64 minute;
        QString key;
        qint64 count;
    };
    QList<Cell> cells;
    QHash<QString, qint64> totals;
    qint64 first = std::numeric_limits<qint64>::max();
    qint64 last = std::numeric_limits<qint64>::min();
    while (q.next()) {
        Cell c{q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toLongLong()};
        totals[c.key] += c.count;
        first = std::min(first, c.minute);
        last = std::max(last, c.minute);
        cells.append(std::move(c));
    }

    // Requests per minute: what the PIM sent (received, or logged as sent / failed), for the rolling hour.
    bindings.clear();
    const QString requestsSql = QStringLiteral("SELECT d.received_at / 60000, count(*) FROM deliveries d WHERE (d.origin = %1 OR "
                                               "(d.origin = %2 AND d.log_message IN (%3, %4, %5)))%6 GROUP BY 1")
                                    .arg(int(Origin::Receiver))
                                    .arg(int(Origin::Log))
                                    .arg(int(LogMessage::RequestSent))
                                    .arg(int(LogMessage::EndpointError))
                                    .arg(int(LogMessage::Timeout))
                                    .arg(restriction(filter, FilterTarget::Deliveries, bindings));
    if (!run(q, requestsSql, bindings))
        return failure<CaptureCharts>(q, "requests per minute");
    QMap<qint64, qint64> requests;
    while (q.next()) {
        const qint64 minute = q.value(0).toLongLong();
        requests.insert(minute, q.value(1).toLongLong());
        first = std::min(first, minute);
        last = std::max(last, minute);
    }

    // Answer times of the received deliveries.
    charts.latencyEdges = {0, 5, 10, 25, 50, 100, 200, 300, 400, 500, 750, 1000, 2000, 5000};
    charts.latencyCounts = QList<qint64>(charts.latencyEdges.size(), 0);
    bindings.clear();
    const QString answers = QStringLiteral("SELECT d.ack_ms FROM deliveries d WHERE d.origin = %1 AND d.ack_ms IS NOT NULL%2")
                                .arg(int(Origin::Receiver))
                                .arg(restriction(filter, FilterTarget::Deliveries, bindings));
    if (!run(q, answers, bindings))
        return failure<CaptureCharts>(q, "answer times");
    while (q.next()) {
        const double ms = q.value(0).toDouble();
        const auto bin = std::upper_bound(charts.latencyEdges.cbegin(), charts.latencyEdges.cend(), ms) - charts.latencyEdges.cbegin() - 1;
        ++charts.latencyCounts[std::max<qsizetype>(0, bin)];
        ++charts.answered;
        charts.overBudget += ms > CaptureCharts::budgetMs;
    }

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
        charts.stacks = {QStringLiteral("none"), QStringLiteral("notice"), QStringLiteral("warning"), QStringLiteral("error")};
    }
    charts.events = QList<QList<qint64>>(buckets, QList<qint64>(charts.stacks.size(), 0));
    for (const Cell &c : std::as_const(cells)) {
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
