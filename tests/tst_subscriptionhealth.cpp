#include "analysis/subscriptionhealth.h"

#include <QTest>

using namespace pimscope;

/** Each sender's cut-off rules applied to a sequence of answers (model/senderprofile.h holds the rules). */
class TestSubscriptionHealth : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void quableDisablesAfterThreeFailuresInARow();
    void eventPlatformSuspendsOn404AndRedirects();
    void eventPlatformSuspendsBelowNinetyPercent();
    void eventPlatformThrottling();
    void eventsApiQuota();
    void rollingHourSlides();
    void pathsAndSendersApart();
    void testCallsAndUnknownBodiesAreNotSubscriptions();
    void eventPlatformNotices();
};

namespace {

constexpr qint64 t0 = 1'742'284'800'000; // 2025-03-18T08:00:00Z
const QByteArray hook = "/hook";

SubscriptionHealth only(const HealthTracker &t)
{
    const QList<SubscriptionHealth> all = t.all();
    return all.size() == 1 ? all.front() : SubscriptionHealth{};
}

} // namespace

void TestSubscriptionHealth::quableDisablesAfterThreeFailuresInARow()
{
    HealthTracker t;
    QVERIFY(!t.record(hook, Format::Quable, 1, t0, 500, 10));
    QCOMPARE(only(t).state(), SubscriptionHealth::State::AtRisk);
    QCOMPARE(only(t).meterText(), QStringLiteral("1 failure in a row"));
    QVERIFY(!t.record(hook, Format::Quable, 2, t0 + 1000, 200, 10)); // a success resets the count
    QCOMPARE(only(t).failureStreak, 0);
    QCOMPARE(only(t).state(), SubscriptionHealth::State::Healthy);
    QVERIFY(!t.record(hook, Format::Quable, 3, t0 + 2000, 500, 10));
    QVERIFY(!t.record(hook, Format::Quable, 4, t0 + 3000, 200, 5001)); // too slow: a failure
    QVERIFY(t.record(hook, Format::Quable, 5, t0 + 4000, 302, 10)); // not 2xx: the third
    SubscriptionHealth h = only(t);
    QCOMPARE(h.state(), SubscriptionHealth::State::CutOff);
    QCOMPARE(h.cutOffDeliveryId, 5);
    QCOMPARE(h.cutOffAtMs, t0 + 4000);
    QCOMPARE(h.cutOffReason, QStringLiteral("3rd consecutive failure, answered 302 in 10 ms"));
    QCOMPARE(h.meterText(), QStringLiteral("disabled (3 failures in a row)"));
    QVERIFY2(h.cutOffSentence().startsWith(
                 QStringLiteral("Quable would have disabled the webhook for /hook at 2025-03-18 08:00:04.000 UTC")),
             qPrintable(h.cutOffSentence()));
    // More failures while disabled: no second cut-off. A success: re-enabled by hand.
    QVERIFY(!t.record(hook, Format::Quable, 6, t0 + 5000, 500, 10));
    QCOMPARE(only(t).cutOffs, 1);
    QVERIFY(!t.record(hook, Format::Quable, 7, t0 + 6000, 204, 10));
    h = only(t);
    QCOMPARE(h.state(), SubscriptionHealth::State::Healthy);
    QCOMPARE(h.cutOffs, 1);
    QCOMPARE(h.cutOffDeliveryId, 5); // the last cut-off stays told
    QCOMPARE(h.longestStreak, 4);
    QCOMPARE(h.requests, 7);
    QCOMPARE(h.failures, 5);
}

void TestSubscriptionHealth::eventPlatformSuspendsOn404AndRedirects()
{
    HealthTracker t;
    QVERIFY(t.record(hook, Format::AkeneoEventPlatform, 1, t0, 404, 10));
    QCOMPARE(only(t).cutOffReason, QStringLiteral("answered 404"));
    QVERIFY2(only(t).cutOffSentence().startsWith(QStringLiteral(
                 "the Event Platform would have suspended the subscription for /hook at 2025-03-18 08:00:00.000 UTC")),
             qPrintable(only(t).cutOffSentence()));
    QVERIFY(!t.record(hook, Format::AkeneoEventPlatform, 2, t0 + 1000, 200, 10)); // resumed
    QVERIFY(t.record(hook, Format::AkeneoEventPlatform, 3, t0 + 2000, 301, 10));
    QCOMPARE(only(t).cutOffReason, QStringLiteral("answered 301, a redirect, which it never follows"));
    QCOMPARE(only(t).cutOffs, 2);
    // A 500 alone does not suspend (retried; the rate needs answers to be a rate).
    HealthTracker u;
    QVERIFY(!u.record(hook, Format::AkeneoEventPlatform, 1, t0, 500, 10));
    QCOMPARE(only(u).state(), SubscriptionHealth::State::AtRisk);
    // The Events API and Quable do not suspend on a 404 at once.
    QVERIFY(!u.record(hook, Format::Quable, 2, t0, 404, 10));
    QVERIFY(!u.record(hook, Format::Akeneo, 3, t0, 404, 10));
}

void TestSubscriptionHealth::eventPlatformSuspendsBelowNinetyPercent()
{
    HealthTracker t;
    qint64 id = 0;
    const auto answer = [&](int status, double ackMs) {
        ++id;
        return t.record(hook, Format::AkeneoEventPlatform, id, t0 + id * 1000, status, ackMs);
    };
    // 18 successes, then failures: 18/19 = 94.7 %, 18/20 = 90 % (not below), 18/21 = 85.7 %: suspended there.
    for (int i = 0; i < 18; ++i)
        QVERIFY(!answer(200, 50));
    QCOMPARE(only(t).meterText(), QStringLiteral("success 100.0 %"));
    QVERIFY(!answer(503, 50));
    QVERIFY(!answer(200, 5500)); // timed out
    QCOMPARE(only(t).successRate(), 0.9);
    QVERIFY(answer(400, 50));
    const SubscriptionHealth h = only(t);
    QCOMPARE(h.cutOffDeliveryId, 21);
    QCOMPARE(h.cutOffReason, QStringLiteral("success rate 85.7 % over the rolling hour, 18 of 21 answers, below 90 %"));
    QCOMPARE(h.meterText(), QStringLiteral("suspended (success 85.7 %)"));
}

void TestSubscriptionHealth::eventPlatformThrottling()
{
    HealthTracker t;
    qint64 id = 0;
    const auto answer = [&](int status, double ackMs) {
        ++id;
        return t.record(hook, Format::AkeneoEventPlatform, id, t0 + id, status, ackMs);
    };
    for (int i = 0; i < 5; ++i)
        QVERIFY(!answer(429, 5));
    SubscriptionHealth h = only(t);
    // 100 -> 50 -> 25 -> 12.5 -> 6.25 -> 3.125 events/s; 429s are not failures of the rate.
    QCOMPARE(h.eventsPerSecond, 3.125);
    QCOMPARE(h.throttled, 5);
    QCOMPARE(h.hourCounted, 0);
    QCOMPARE(h.state(), SubscriptionHealth::State::AtRisk);
    QCOMPARE(h.meterText(), QStringLiteral("no answer counted yet, throttled to 3/s"));
    for (int i = 0; i < 3; ++i)
        QVERIFY(!answer(200, 5));
    h = only(t);
    QCOMPARE(h.eventsPerSecond, 6.125);
    QCOMPARE(h.meterText(), QStringLiteral("success 100.0 %, throttled to 6/s"));
    for (int i = 0; i < 1000; ++i)
        answer(200, 5);
    QCOMPARE(only(t).eventsPerSecond, 100.0);
    QCOMPARE(only(t).state(), SubscriptionHealth::State::Healthy);
}

void TestSubscriptionHealth::eventsApiQuota()
{
    HealthTracker t;
    // 4,000 requests within the hour: the quota is reached at the 4,000th.
    for (qint64 i = 1; i < 4000; ++i)
        QVERIFY(!t.record(hook, Format::Akeneo, i, t0 + i * 500, 200, 20));
    QCOMPARE(only(t).state(), SubscriptionHealth::State::AtRisk);
    QCOMPARE(only(t).meterText(), QStringLiteral("3,999 / 4,000 requests"));
    QVERIFY(t.record(hook, Format::Akeneo, 4000, t0 + 4000 * 500, 200, 20));
    QCOMPARE(only(t).cutOffReason, QStringLiteral("4,000 requests in the rolling hour"));
    // An hour after the first ones, room again.
    QVERIFY(!t.record(hook, Format::Akeneo, 4001, t0 + 3'700'000, 200, 20));
    QVERIFY(!only(t).cutOff);
    QVERIFY(only(t).hourRequests < 4000);
    // An Events API 302 is a success there.
    QCOMPARE(only(t).failures, 0);
}

void TestSubscriptionHealth::rollingHourSlides()
{
    HealthTracker t;
    t.record(hook, Format::AkeneoEventPlatform, 1, t0, 500, 5);
    t.record(hook, Format::AkeneoEventPlatform, 2, t0 + 1'800'000, 200, 5);
    QCOMPARE(only(t).hourRequests, 2);
    QCOMPARE(only(t).successRate(), 0.5);
    // An answer recorded late (timed after the commit) counts in its own second.
    t.record(hook, Format::AkeneoEventPlatform, 3, t0 + 1'799'000, 200, 5);
    QCOMPARE(only(t).hourRequests, 3);
    // One hour after the first: it left the window, the others stay.
    t.record(hook, Format::AkeneoEventPlatform, 4, t0 + 3'600'000, 200, 5);
    QCOMPARE(only(t).hourRequests, 3);
    QCOMPARE(only(t).successRate(), 1.0);
    // Far later: only the new one.
    t.record(hook, Format::AkeneoEventPlatform, 5, t0 + 100 * 3'600'000LL, 200, 5);
    QCOMPARE(only(t).hourRequests, 1);
    // Something older than the hour being told late is not in it.
    t.record(hook, Format::AkeneoEventPlatform, 6, t0, 500, 5);
    QCOMPARE(only(t).hourRequests, 1);
    QCOMPARE(only(t).requests, 6);
    // Three seconds, each in and out of the window, many times round the ring.
    HealthTracker u;
    for (qint64 s = 0; s < 20000; ++s)
        u.record(hook, Format::AkeneoEventPlatform, s, t0 + s * 1000, s % 10 == 0 ? 500 : 200, 5);
    QCOMPARE(only(u).hourRequests, 3600);
    QCOMPARE(only(u).hourCounted, 3600);
    QCOMPARE(only(u).hourSuccesses, 3240);
}

void TestSubscriptionHealth::pathsAndSendersApart()
{
    HealthTracker t;
    t.record("/a", Format::Quable, 1, t0, 500, 5);
    t.record("/b", Format::Quable, 2, t0, 500, 5);
    t.record("/a", Format::AkeneoEventPlatform, 3, t0, 500, 5);
    t.record("/a", Format::Quable, 4, t0, 500, 5);
    const QList<SubscriptionHealth> all = t.all();
    QCOMPARE(all.size(), 3);
    QCOMPARE(all[0].path, "/a");
    QCOMPARE(all[0].sender, Format::AkeneoEventPlatform);
    QCOMPARE(all[1].sender, Format::Quable);
    QCOMPARE(all[1].failureStreak, 2);
    QCOMPARE(all[2].path, "/b");
    QCOMPARE(all[2].failureStreak, 1);
    QVERIFY(t.takeChanged());
    QVERIFY(!t.takeChanged());
}

void TestSubscriptionHealth::testCallsAndUnknownBodiesAreNotSubscriptions()
{
    HealthTracker t;
    QVERIFY(!t.record(hook, Format::AkeneoTest, 1, t0, 500, 5));
    QVERIFY(!t.record(hook, Format::Unknown, 2, t0, 500, 5));
    QVERIFY(t.all().isEmpty());
    QVERIFY(!t.takeChanged());
}

void TestSubscriptionHealth::eventPlatformNotices()
{
    HealthTracker t;
    // Predicted from the answers first: the notice confirms it, no second cut-off.
    QVERIFY(t.record(hook, Format::AkeneoEventPlatform, 1, t0, 404, 10));
    t.notice(hook, 2, t0 + 1000, QStringLiteral("subscription.suspended.system"), QString());
    QCOMPARE(only(t).cutOffs, 1);
    QCOMPARE(only(t).cutOffReason, QStringLiteral("answered 404"));
    QCOMPARE(only(t).notice, QStringLiteral("subscription.suspended.system"));
    QCOMPARE(only(t).noticeAtMs, t0 + 1000);
    t.notice(hook, 3, t0 + 2000, QStringLiteral("subscription.resumed"), QString());
    QVERIFY(!only(t).cutOff);
    // Suspended by a user: said by the notice alone.
    t.notice(hook, 4, t0 + 3000, QStringLiteral("subscription.suspended.user"), QStringLiteral("maintenance"));
    QVERIFY(only(t).cutOff);
    QCOMPARE(only(t).cutOffs, 2);
    QCOMPARE(only(t).cutOffDeliveryId, 4);
    QCOMPARE(only(t).cutOffReason, QStringLiteral("its notification said subscription.suspended.user: maintenance"));
    QCOMPARE(only(t).requests, 1); // the 404; notices are not the subscription's requests
}

QTEST_GUILESS_MAIN(TestSubscriptionHealth)
#include "tst_subscriptionhealth.moc"
