// The charts' figures from a real capture: events per bucket stacked by action (the commonest six, the rest as
// "other") or by severity (as the table tints), bucket sizes for long captures, the answer-time bins against 500 ms,
// the connector's answer times against each sender's deadline, the requests per rolling hour (a sliding hour, not clock
// hours) against the quota, and the filter restricting all.

#include "analysis/charts.h"
#include "filter/filter.h"
#include "model/connectoranswer.h"
#include "store/chartqueries.h"
#include "store/eventstore.h"
#include "store/storereader.h"
#include "testutil.h"
#include "util/timeutil.h"

#include <QTemporaryDir>
#include <QTest>

using namespace pimscope;
using namespace pimscope::test;

class TestCharts : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void bucketSizes();
    void eventsStackedByAction();
    void eventsStackedBySeverity();
    void latencyAgainstTheBudget();
    void connectorAnswersAgainstTheDeadline();
    void requestsPerRollingHour();
    void filterRestrictsEverything();
    void emptyCapture();

private:
    void add(qint64 atMs, const QString &action, double ackMs = 10, const QString &author = QStringLiteral("julia"));
    CaptureCharts charts(const QString &filter = {}, ChartStack stack = ChartStack::Action);
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<EventStore> m_store;
    int m_n = 0;
};

void TestCharts::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_store = std::move(EventStore::open(m_dir->filePath(QStringLiteral("c.db"))).value());
    m_n = 0;
}

void TestCharts::cleanup()
{
    m_store.reset();
    m_dir.reset();
}

void TestCharts::add(qint64 atMs, const QString &action, double ackMs, const QString &author)
{
    const QString time = utcDateTime(atMs).toString(Qt::ISODate);
    const int n = ++m_n;
    m_store->enqueue(receivedDelivery(akeneoBody({akeneoEvent(QStringLiteral("ev-%1").arg(n), action, time,
                                                              QStringLiteral("SKU-%1").arg(n), author)}),
                                      atMs, ackMs));
}

CaptureCharts TestCharts::charts(const QString &filter, ChartStack stack)
{
    if (!m_store->flush())
        qFatal("flush failed");
    auto c = computeCharts(m_store->reader(), Filter::parse(filter), stack);
    if (!c)
        qFatal("charts: %s", qPrintable(c.error()));
    return *c;
}

void TestCharts::bucketSizes()
{
    const qint64 minute = 60'000;
    QCOMPARE(chartBucketMs(0), minute);
    QCOMPARE(chartBucketMs(6 * 60 * minute - 1), minute); // 6 hours: per minute
    QCOMPARE(chartBucketMs(2 * 1440 * minute), 15 * minute); // two days: 192 bars
    QCOMPARE(chartBucketMs(30LL * 1440 * minute), 360 * minute); // a month: 120 bars
    QVERIFY(30LL * 1440 * minute / chartBucketMs(365LL * 1440 * minute) < 360); // a year still fits
    QVERIFY(365LL * 1440 * minute / chartBucketMs(365LL * 1440 * minute) < 360);
    // Titles say the bucket in the largest whole unit ("Events per 8 days", not "per 11520 minutes").
    QCOMPARE(chartBucketName(minute), QStringLiteral("minute"));
    QCOMPARE(chartBucketName(15 * minute), QStringLiteral("15 minutes"));
    QCOMPARE(chartBucketName(60 * minute), QStringLiteral("hour"));
    QCOMPARE(chartBucketName(360 * minute), QStringLiteral("6 hours"));
    QCOMPARE(chartBucketName(1440 * minute), QStringLiteral("day"));
    QCOMPARE(chartBucketName(11520 * minute), QStringLiteral("8 days"));
    QCOMPARE(chartBucketName(chartBucketMs(8LL * 365 * 1440 * minute)), QStringLiteral("16 days"));
    QCOMPARE(chartBucketName(90 * minute), QStringLiteral("90 minutes"));
}

void TestCharts::eventsStackedByAction()
{
    const qint64 t0 = iso("2026-11-20T10:00:00Z");
    // Eight actions: the six commonest get their own stack, the two rarest are "other".
    const QStringList actions = {QStringLiteral("product.updated"),       QStringLiteral("product.created"),
                                 QStringLiteral("product.removed"),       QStringLiteral("product_model.updated"),
                                 QStringLiteral("product_model.created"), QStringLiteral("product_model.removed"),
                                 QStringLiteral("category.updated"),      QStringLiteral("asset.updated")};
    for (int a = 0; a < actions.size(); ++a) {
        for (int k = 0; k < 8 - a; ++k)
            add(t0 + k * 60'000 + a * 1000, actions[a]); // minute k
    }
    add(t0 + 30 * 60'000, actions[0]); // minute 30, after a gap
    const CaptureCharts c = charts();
    QCOMPARE(c.bucketMs, 60'000);
    QCOMPARE(c.startMs, t0);
    QCOMPARE(c.bucketCount(), 31);
    QCOMPARE(c.stacks, (actions.mid(0, 6) << QStringLiteral("other")));
    QCOMPARE(c.events[0], (QList<qint64>{1, 1, 1, 1, 1, 1, 2})); // minute 0: every action once, two in "other"
    QCOMPARE(c.events[7], (QList<qint64>{1, 0, 0, 0, 0, 0, 0}));
    QCOMPARE(c.events[15], (QList<qint64>{0, 0, 0, 0, 0, 0, 0})); // the gap is there, empty
    QCOMPARE(c.events[30], (QList<qint64>{1, 0, 0, 0, 0, 0, 0}));
    QCOMPARE(c.maxBucketTotal, 8);
}

void TestCharts::eventsStackedBySeverity()
{
    const qint64 t0 = iso("2026-11-20T10:00:00Z");
    add(t0, QStringLiteral("product.updated"), 10);
    add(t0 + 1000, QStringLiteral("product.updated"), 900); // slow: warning
    Delivery bad
        = receivedDelivery(akeneoBody({akeneoEvent(QStringLiteral("bad"), QStringLiteral("product.updated"),
                                                   QStringLiteral("2026-11-20T10:00:02+00:00"), QStringLiteral("X"))}),
                           t0 + 2000);
    bad.answeredStatus = 500; // an error answer: error
    m_store->enqueue(bad);
    // The same event id again: a duplicate (notice).
    m_store->enqueue(receivedDelivery(
        akeneoBody({akeneoEvent(QStringLiteral("ev-1"), QStringLiteral("product.updated"),
                                QStringLiteral("2026-11-20T10:00:00+00:00"), QStringLiteral("SKU-1"))}),
        t0 + 3000));
    const CaptureCharts c = charts({}, ChartStack::Severity);
    QCOMPARE(c.stacks,
             (QStringList{QStringLiteral("none"), QStringLiteral("notice"), QStringLiteral("warning"),
                          QStringLiteral("error")}));
    QCOMPARE(c.bucketCount(), 1);
    QCOMPARE(c.events[0], (QList<qint64>{1, 1, 1, 1}));
}

void TestCharts::latencyAgainstTheBudget()
{
    const qint64 t0 = iso("2026-11-20T10:00:00Z");
    const QList<double> acks = {0.4, 3, 7, 120, 499.9, 500, 501, 800, 4000, 60000};
    for (qsizetype i = 0; i < acks.size(); ++i)
        add(t0 + i, QStringLiteral("product.updated"), acks[i]);
    const CaptureCharts c = charts();
    QCOMPARE(c.answers.answered, 10);
    QCOMPARE(c.answers.overBudget, 4); // 501, 800, 4000, 60000 (500 itself is in time)
    QCOMPARE(c.answers.edges.front(), 0.0);
    const auto countIn = [&](double from) { return c.answers.counts[c.answers.edges.indexOf(from)]; };
    QCOMPARE(countIn(0), 2); // 0.4 and 3 in [0, 5)
    QCOMPARE(countIn(5), 1); // 7 in [5, 10)
    QCOMPARE(countIn(100), 1);
    QCOMPARE(countIn(400), 1);
    QCOMPARE(countIn(500), 2); // 500 and 501
    QCOMPARE(countIn(750), 1);
    QCOMPARE(countIn(2000), 1);
    QCOMPARE(countIn(5000), 1); // 5 s and above
    qint64 total = 0;
    for (const qint64 n : c.answers.counts)
        total += n;
    QCOMPARE(total, 10);
    QCOMPARE(c.answers.answeredWithin5s, 0);

    // Each sender's own deadline: Quable waits 5 s, so 800 ms is in time for it and 5.2 s is not.
    for (const double ack : {800.0, 5200.0})
        m_store->enqueue(receivedDelivery(sample("quable_example.json"), t0 + 100, ack));
    QVERIFY(m_store->flush());
    const CaptureCharts mixed = charts();
    QCOMPARE(mixed.answers.answered, 12);
    QCOMPARE(mixed.answers.overBudget, 5);
    QCOMPARE(mixed.answers.answeredWithin5s, 2);
}

void TestCharts::connectorAnswersAgainstTheDeadline()
{
    const qint64 t0 = iso("2026-11-20T10:00:00Z");
    // Deliveries 1-6 from the Events API (Pimscope answered each in 10 ms), 7 from Quable.
    for (int i = 0; i < 6; ++i)
        add(t0 + i, QStringLiteral("product.updated"));
    m_store->enqueue(receivedDelivery(sample("quable_example.json"), t0 + 10, 10));
    QVERIFY(m_store->flush());
    QVERIFY(charts().connector.isEmpty()); // nothing forwarded yet

    const auto forward = [](qint64 id, ForwardState state, std::optional<double> endMs, std::optional<int> status) {
        ConnectorAnswer f;
        f.deliveryId = id;
        f.target = QStringLiteral("http://127.0.0.1:3000/hooks");
        f.state = state;
        f.endMs = endMs;
        f.status = status;
        if (!status)
            f.error = QStringLiteral("Connection refused");
        return f;
    };
    QVERIFY(m_store->waitForTicket(m_store->recordForwards({
        forward(1, ForwardState::Answered, 3, 200), forward(2, ForwardState::Answered, 420, 200),
        forward(3, ForwardState::Answered, 650, 200), // over the Events API's 500 ms
        forward(4, ForwardState::Answered, 1200, 500), // over it too, whatever the status
        forward(5, ForwardState::Failed, 2, std::nullopt), // refused: no answer, not in the bins
        forward(6, ForwardState::Queued, std::nullopt, std::nullopt), // waiting: no outcome yet, not counted
        forward(7, ForwardState::Answered, 1200, 200), // Quable waits 5 s: in time
    })));
    const CaptureCharts c = charts();
    const AnswerTimeBins &bins = c.connector;
    QCOMPARE(bins.answered, 5);
    QCOMPARE(bins.overBudget, 2);
    QCOMPARE(bins.answeredWithin5s, 1);
    QCOMPARE(bins.unanswered, 1);
    const auto countIn = [&](double from) { return bins.counts[bins.edges.indexOf(from)]; };
    QCOMPARE(countIn(0), 1);
    QCOMPARE(countIn(400), 1);
    QCOMPARE(countIn(500), 1);
    QCOMPARE(countIn(1000), 2);
    // Pimscope's own answers are still its own.
    QCOMPARE(c.answers.answered, 7);
    QCOMPARE(c.answers.overBudget, 0);

    // The filter restricts them like everything else.
    const CaptureCharts slow = charts(QStringLiteral("connector_ms > 500"));
    QCOMPARE(slow.connector.answered, 3);
    QCOMPARE(slow.connector.unanswered, 0);
    QCOMPARE(slow.connector.overBudget, 2);
    const CaptureCharts none = charts(QStringLiteral("connector_status == 404"));
    QVERIFY(none.connector.isEmpty());
}

void TestCharts::requestsPerRollingHour()
{
    const qint64 t0 = iso("2026-11-20T10:00:00Z");
    // 30 requests in minute 0, 20 in minute 59 (same hour: 50), 25 in minute 61 (minute 0 has left: 45),
    // 10 in minute 200 (alone: 10). Clock hours would give 50 and 25.
    for (int i = 0; i < 30; ++i)
        add(t0 + i * 100, QStringLiteral("product.updated"));
    for (int i = 0; i < 20; ++i)
        add(t0 + 59 * 60'000 + i * 100, QStringLiteral("product.updated"));
    for (int i = 0; i < 25; ++i)
        add(t0 + 61 * 60'000 + i * 100, QStringLiteral("product.updated"));
    for (int i = 0; i < 10; ++i)
        add(t0 + 200 * 60'000 + i * 100, QStringLiteral("product.updated"));
    const CaptureCharts c = charts();
    QCOMPARE(c.bucketMs, 60'000);
    QCOMPARE(c.requestsPerHour[0], 30);
    QCOMPARE(c.requestsPerHour[58], 30);
    QCOMPARE(c.requestsPerHour[59], 50);
    QCOMPARE(c.requestsPerHour[60], 20);
    QCOMPARE(c.requestsPerHour[61], 45);
    QCOMPARE(c.requestsPerHour[120], 25);
    QCOMPARE(c.requestsPerHour[121], 0);
    QCOMPARE(c.requestsPerHour[200], 10);
    QCOMPARE(c.maxRequestsPerHour, 50);
    // The quota is the Events API's: Quable's requests (it has none) are not counted against it.
    for (int i = 0; i < 40; ++i)
        m_store->enqueue(receivedDelivery(sample("quable_example.json"), t0 + 59 * 60'000 + i * 100));
    QVERIFY(m_store->flush());
    QCOMPARE(charts().maxRequestsPerHour, 50);
}

void TestCharts::filterRestrictsEverything()
{
    const qint64 t0 = iso("2026-11-20T10:00:00Z");
    for (int i = 0; i < 5; ++i)
        add(t0 + i * 60'000, QStringLiteral("product.updated"), 700, QStringLiteral("peter"));
    for (int i = 0; i < 3; ++i)
        add(t0 + i * 60'000, QStringLiteral("product.created"), 10, QStringLiteral("julia"));
    const CaptureCharts c = charts(QStringLiteral("author == peter"));
    QCOMPARE(c.stacks, QStringList{QStringLiteral("product.updated")});
    QCOMPARE(c.bucketCount(), 5);
    QCOMPARE(c.answers.answered, 5);
    QCOMPARE(c.answers.overBudget, 5);
    QCOMPARE(c.maxRequestsPerHour, 5);
    const CaptureCharts none = charts(QStringLiteral("author == nobody"));
    QVERIFY(none.isEmpty());
    QCOMPARE(none.bucketCount(), 0);
}

void TestCharts::emptyCapture()
{
    const CaptureCharts c = charts();
    QVERIFY(c.isEmpty());
    QCOMPARE(c.maxRequestsPerHour, 0);
}

QTEST_GUILESS_MAIN(TestCharts)
#include "tst_charts.moc"
