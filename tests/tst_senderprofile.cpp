#include "model/senderprofile.h"

#include <QTest>

using namespace pimscope;

/** Each sender's rules as its documentation states them (sources in model/senderprofile.h). */
class TestSenderProfile : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void eventsApi();
    void eventPlatform();
    void quable();
    void successRules_data();
    void successRules();
    void everyFormatHasASender();
    void risksOfSimulatedAnswers();
};

void TestSenderProfile::eventsApi()
{
    const SenderProfile &p = senderProfile(Format::Akeneo);
    QCOMPARE(p.name, "Akeneo Events API");
    QCOMPARE(p.deadlineMs, 500.0);
    QCOMPARE(p.retries, 0);
    QCOMPARE(p.requestsPerHour, 4000);
    QCOMPARE(p.staleAfterMs, qint64{2} * 3600 * 1000);
    QCOMPARE(p.disableAfterFailures, 0);
    QVERIFY(!p.suspendOnNotFound && !p.suspendOnRedirect);
    QCOMPARE(p.minSuccessRate, 0.0);
    QVERIFY(!p.atLeastOnce);
    QCOMPARE(p.successWording(), QStringLiteral("below 400"));
    QCOMPARE(p.retryWording(), QStringLiteral("does not retry"));
    // The test button's call and bodies of no known shape are judged as the Events API judges.
    QCOMPARE(&senderProfile(Format::AkeneoTest), &p);
    QCOMPARE(&senderProfile(Format::Unknown), &p);
}

void TestSenderProfile::eventPlatform()
{
    const SenderProfile &p = senderProfile(Format::AkeneoEventPlatform);
    QCOMPARE(p.name, "Akeneo Event Platform");
    QCOMPARE(p.deadlineMs, 5000.0);
    QCOMPARE(p.retries, 3);
    const qint64 minute = 60 * 1000;
    QCOMPARE(p.retryDelaysMs, (std::array<qint64, 3>{5 * minute, 10 * minute, 20 * minute}));
    QVERIFY(p.suspendOnNotFound);
    QVERIFY(p.suspendOnRedirect);
    QCOMPARE(p.minSuccessRate, 0.9);
    QCOMPARE(p.successWindowMs, 60 * minute);
    QCOMPARE(p.throttledCountsAfterMs, 60 * minute);
    QCOMPARE(p.minEventsPerSecond, 1);
    QCOMPARE(p.maxEventsPerSecond, 100);
    QCOMPARE(p.requestsPerHour, 0);
    QCOMPARE(p.staleAfterMs, 0);
    QVERIFY(p.atLeastOnce);
    QCOMPARE(p.successWording(), QStringLiteral("2xx"));
    QCOMPARE(p.retryWording(),
             QStringLiteral("retries 5, 10 and 20 min after each failed attempt, then drops the event"));
}

void TestSenderProfile::quable()
{
    const SenderProfile &p = senderProfile(Format::Quable);
    QCOMPARE(p.name, "Quable");
    QCOMPARE(p.deadlineMs, 5000.0);
    QCOMPARE(p.retries, 2);
    QCOMPARE(p.retryDelaysMs[0], qint64{5} * 60 * 1000);
    QCOMPARE(p.retryDelaysMs[1], qint64{5} * 60 * 1000);
    QCOMPARE(p.disableAfterFailures, 3);
    QVERIFY(!p.suspendOnNotFound && !p.suspendOnRedirect);
    QCOMPARE(p.requestsPerHour, 0);
    QCOMPARE(p.staleAfterMs, 0);
    QCOMPARE(p.retryWording(),
             QStringLiteral("retries twice, 5 min apart, and disables the webhook after 3 consecutive failures"));
}

void TestSenderProfile::successRules_data()
{
    QTest::addColumn<int>("format");
    QTest::addColumn<int>("status");
    QTest::addColumn<double>("ms");
    QTest::addColumn<bool>("success");
    const int events = int(Format::Akeneo);
    const int platform = int(Format::AkeneoEventPlatform);
    const int quable = int(Format::Quable);
    QTest::newRow("events api 200 in 500 ms") << events << 200 << 500.0 << true;
    QTest::newRow("events api 200 in 501 ms") << events << 200 << 501.0 << false;
    QTest::newRow("events api 302") << events << 302 << 10.0 << true;
    QTest::newRow("events api 399") << events << 399 << 10.0 << true;
    QTest::newRow("events api 400") << events << 400 << 10.0 << false;
    QTest::newRow("platform 204 in 4.9 s") << platform << 204 << 4900.0 << true;
    QTest::newRow("platform 200 in 5.01 s") << platform << 200 << 5010.0 << false;
    QTest::newRow("platform 302") << platform << 302 << 10.0 << false;
    QTest::newRow("platform 429") << platform << 429 << 10.0 << false;
    QTest::newRow("quable 299") << quable << 299 << 10.0 << true;
    QTest::newRow("quable 300") << quable << 300 << 10.0 << false;
    QTest::newRow("quable 200 in 5 s") << quable << 200 << 5000.0 << true;
    QTest::newRow("quable 500") << quable << 500 << 10.0 << false;
    QTest::newRow("quable 100") << quable << 100 << 10.0 << false;
}

void TestSenderProfile::successRules()
{
    QFETCH(int, format);
    QFETCH(int, status);
    QFETCH(double, ms);
    QFETCH(bool, success);
    const SenderProfile &p = senderProfile(Format(format));
    QCOMPARE(p.isSuccess(status, ms), success);
    if (ms <= p.deadlineMs)
        QCOMPARE(p.isSuccessStatus(status), success);
}

void TestSenderProfile::everyFormatHasASender()
{
    for (const Format f :
         {Format::Unknown, Format::Akeneo, Format::AkeneoTest, Format::AkeneoEventPlatform, Format::Quable})
        QVERIFY(senderProfile(f).deadlineMs >= shortestDeadlineMs());
    QCOMPARE(shortestDeadlineMs(), 500.0);
}

void TestSenderProfile::risksOfSimulatedAnswers()
{
    QVERIFY(risksOfAnswering(200, 0).isEmpty());
    QVERIFY(risksOfAnswering(204, 499).isEmpty());
    // 500: a failure for all three, each with its consequence.
    QStringList risks = risksOfAnswering(500, 0);
    QCOMPARE(risks.size(), 3);
    QCOMPARE(risks[0],
             QStringLiteral("Akeneo Events API: 500 is a failure for it (success is below 400); it does not retry: the "
                            "events are lost for the connector."));
    QCOMPARE(risks[1],
             QStringLiteral("Akeneo Event Platform: 500 is a failure for it (success is 2xx); it retries 5, 10 "
                            "and 20 min after each failed attempt, and suspends the subscription once under "
                            "90 % success in an hour."));
    QCOMPARE(risks[2],
             QStringLiteral("Quable: 500 is a failure for it (success is 2xx); it retries twice, 5 min apart: "
                            "the webhook is disabled after the 3rd request."));
    // A redirect: fine for the Events API, an immediate suspension for the Event Platform.
    risks = risksOfAnswering(302, 0);
    QCOMPARE(risks.size(), 2);
    QVERIFY2(risks[0].startsWith(QStringLiteral("Akeneo Event Platform: 302 is a failure")), qPrintable(risks[0]));
    QVERIFY2(risks[0].endsWith(QStringLiteral("it suspends the subscription at the first such answer.")),
             qPrintable(risks[0]));
    QVERIFY(risks[1].startsWith(QStringLiteral("Quable: 302")));
    // 404 suspends the Event Platform too.
    QVERIFY(risksOfAnswering(404, 0)[1].endsWith(QStringLiteral("at the first such answer.")));
    // A 1 s delay: late only for the Events API.
    risks = risksOfAnswering(200, 1000);
    QCOMPARE(risks.size(), 1);
    QCOMPARE(risks[0],
             QStringLiteral("Akeneo Events API: answering after 1000 ms misses its 500 ms deadline; it does "
                            "not retry: the events are lost for the connector."));
    QCOMPARE(risksOfAnswering(200, 6000).size(), 3);
}

QTEST_GUILESS_MAIN(TestSenderProfile)
#include "tst_senderprofile.moc"
