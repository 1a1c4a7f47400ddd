#include "testutil.h"

#include "demo/demoevents.h"
#include "receiver/signatureverifier.h"
#include "store/eventstore.h"
#include "store/storereader.h"

#include <QDateTime>
#include <QTemporaryDir>
#include <QTest>

using namespace pimscope;

class TestDemoEvents : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void showsEveryKindOfProblem();
    void signaturesAreReal();
};

void TestDemoEvents::showsEveryKindOfProblem()
{
    QTemporaryDir dir;
    auto store = EventStore::open(dir.filePath(QStringLiteral("demo.db")));
    QVERIFY2(store, qPrintable(store.error()));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QList<Delivery> demo = demo::demoDeliveries(now);
    QVERIFY(demo.size() > 50);
    for (const Delivery &d : demo) {
        QVERIFY(d.receivedAtMs <= now);
        QVERIFY(d.receivedAtMs > now - 3600 * 1000);
        store.value()->enqueue(d);
    }
    QVERIFY(store.value()->flush());
    const auto s = store.value()->reader().statistics();
    QVERIFY2(s, qPrintable(s.error()));
    QCOMPARE(s->deliveries, qint64(demo.size()));
    QVERIFY(s->events > 200);
    for (const char *format : {"akeneo", "akeneo-test", "quable", "akeneo-event-platform", "unknown"})
        QVERIFY2(s->byFormat.value(QString::fromLatin1(format)) > 0, format);
    // One of each problem Pimscope explains.
    QCOMPARE(s->byFlag.value(QStringLiteral("duplicate")) > 0, true);
    for (const char *flag : {"out_of_order", "stale", "bad_signature", "slow_ack", "error"})
        QVERIFY2(s->byFlag.value(QString::fromLatin1(flag)) > 0, flag);
    QVERIFY(s->deliveriesByFlag.value(QStringLiteral("error")) >= 3); // 401, 400 (not JSON), 500
    for (const char *action : {"product.created", "product.updated", "product.removed", "product_model.updated"})
        QVERIFY2(s->byAction.value(QString::fromLatin1(action)) > 0, action);
    // The same "now" gives the same traffic.
    QCOMPARE(demo::demoDeliveries(now).size(), demo.size());
    QCOMPARE(demo::demoDeliveries(now).at(10).body, demo.at(10).body);
}

void TestDemoEvents::signaturesAreReal()
{
    SignatureSettings settings;
    SignatureRule rule;
    rule.pathPrefix = "/akeneo";
    rule.akeneoSecret = demo::demoSecret();
    settings.rules = {rule};
    settings.maxSkewMs = -1;
    const SignatureVerifier verifier(settings);
    int valid = 0, invalid = 0;
    for (const Delivery &d : demo::demoDeliveries(QDateTime::currentMSecsSinceEpoch())) {
        if (!d.path.startsWith("/akeneo") || d.body.isEmpty())
            continue;
        const SignatureCheck check = verifier.verify(d.path, d.headers, d.body, d.receivedAtMs);
        QCOMPARE(check.verdict, d.signature); // what the demo says is what a receiver would find
        (check.verdict == Signature::Valid ? valid : invalid)++;
    }
    QVERIFY(valid > 50);
    QCOMPARE(invalid, 2); // the mis-signed batch, and the HTML page of a proxy (no signature)
}

QTEST_GUILESS_MAIN(TestDemoEvents)
#include "tst_demoevents.moc"
