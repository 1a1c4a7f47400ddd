#pragma once

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace pimscope {

/** What the events-over-time chart stacks its bars by. */
enum class ChartStack { Action, Severity };

/**
 * The figures of the charts view for the events (and deliveries) matching a filter:
 *  - events per time bucket over the capture, stacked by action (the 6 commonest, the rest as "other") or by
 *    severity (none, notice, warning, error: as the table tints its rows); a bucket is a minute, or longer when the
 *    capture spans more than 6 hours (5, 15, 60 minutes, 6 hours, a day: at most about 360 bars);
 *  - the answer latency distribution of the received deliveries, in bins, against each sender's deadline (the Events
 *    API's 500 ms; 5 s for the Event Platform and Quable); the same for the connector's answers to the forwarded
 *    deliveries (the time to the end of its answer, as the sender would see it);
 *  - the Events API's requests per rolling hour (its received deliveries, and logged requests: sent, errors,
 *    timeouts; the quota is its own, the other senders have none),
 *    against its 4,000 per hour: the largest value within each bucket.
 */
struct AnswerTimeBins
{
    QList<double> edges; ///< bin i holds [edges[i], edges[i+1]); the last bin is edges.back() and above
    QList<qint64> counts;
    qint64 answered = 0; ///< answers with a time
    qint64 overBudget = 0; ///< of them, answered after their sender's deadline
    qint64 answeredWithin5s = 0; ///< of them, those of a sender that waits 5 s (the Event Platform, Quable)
    qint64 unanswered = 0; ///< forwards the connector never answered (no time: not in the bins)

    bool isEmpty() const { return answered == 0 && unanswered == 0; }
};

struct CaptureCharts
{
    qint64 startMs = 0; ///< the first bucket's start (UTC ms)
    qint64 bucketMs = 60'000;
    QStringList stacks; ///< the names of the stacks, bottom first
    QList<QList<qint64>> events; ///< [bucket][stack]
    qint64 maxBucketTotal = 0;

    static constexpr double budgetMs = 500;
    AnswerTimeBins
        answers; ///< Pimscope's answers to the received deliveries (in proxy mode, the connector's passed on)
    AnswerTimeBins connector; ///< the connector's answers to the forwarded deliveries

    static constexpr int quota = 4000;
    QList<qint64> requestsPerHour; ///< [bucket]: the most requests in the hour ending within that bucket
    qint64 maxRequestsPerHour = 0;

    int bucketCount() const { return int(events.size()); }
    bool isEmpty() const { return events.isEmpty() && answers.isEmpty() && connector.isEmpty(); }
};

/** Which buckets: a minute up to 6 hours, then the smallest step that keeps the bars at most about 360. */
qint64 chartBucketMs(qint64 spanMs);

/**
 * A bucket's length as a person says it, in the largest whole unit: "minute", "15 minutes", "hour", "6 hours",
 * "day", "8 days" (for a title: "Events per 8 days").
 */
QString chartBucketName(qint64 bucketMs);

/** What the charts are made of, as the store counts it (store/chartqueries.h: readChartCounts). */
struct ChartCounts
{
    struct Cell
    {
        qint64 minute = 0; ///< UTC minutes since the epoch
        QString key; ///< the stack: an action ("" for none), or a severity 0-3 as text
        qint64 count = 0;
    };
    QList<Cell> events; ///< events per minute and stack key
    QMap<qint64, qint64> requests; ///< the PIM's requests per minute (received, or logged as sent or failed)
    struct Timings
    {
        QList<double> ms; ///< answer times
        QList<double> deadlinesMs; ///< beside each, its sender's deadline (model/senderprofile.h)
        qint64 unanswered = 0; ///< without an answer (forwards only)
    };
    Timings answers; ///< the received deliveries' answers
    Timings connector; ///< the connector's answers to the forwarded deliveries (whatever their mode)
};

/** The charts of those counts (pure): buckets, stacks, latency bins against the deadlines, requests per rolling hour.
 */
CaptureCharts chartsFromCounts(const ChartCounts &counts, ChartStack stack);

} // namespace pimscope
