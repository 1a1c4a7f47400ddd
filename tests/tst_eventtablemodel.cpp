#include "testutil.h"

#include "filter/filter.h"
#include "models/eventtablemodel.h"
#include "store/capturequeries.h"
#include "store/eventstore.h"
#include "store/storereader.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace pimscope;
using namespace pimscope::test;

namespace {

/** A body of `n` Akeneo events, SKU-<first>.. SKU-<first+n-1>, updated by api or ui in turn. */
QByteArray batch(int first, int n)
{
    QList<QByteArray> events;
    for (int i = first; i < first + n; ++i) {
        events.append(akeneoEvent(QStringLiteral("00000000-0000-4000-8000-%1").arg(i, 12, 10, QChar(u'0')),
                                  QStringLiteral("product.updated"), QStringLiteral("2026-11-22T10:00:00+00:00"),
                                  QStringLiteral("SKU-%1").arg(i), QStringLiteral("julia"),
                                  i % 2 ? QStringLiteral("api") : QStringLiteral("ui")));
    }
    return akeneoBody(events);
}

} // namespace

class TestEventTableModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void showsEveryEventInPages();
    void filterNarrowsAndErrorsKeepRows();
    void liveArrivalsAreAppended();
    void deliveriesTable();
    void sortedInTheDatabase();
    void twoTablesOnOneQueryThread();
    void longSearchesStreamAndCancel();

private:
    void waitForMatch(PagedTableModel &model);
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<EventStore> m_store;
};

void TestEventTableModel::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    auto store = EventStore::open(m_dir->filePath(QStringLiteral("c.db")));
    QVERIFY2(store, qPrintable(store.error()));
    m_store = std::move(store.value());
    // 50 deliveries of 10 events: 500 rows, three pages.
    for (int d = 0; d < 50; ++d)
        m_store->enqueue(receivedDelivery(batch(d * 10, 10), iso("2026-11-22T10:00:05Z") + d));
    QVERIFY(m_store->flush());
}

void TestEventTableModel::cleanup()
{
    m_store.reset();
    m_dir.reset();
}

void TestEventTableModel::waitForMatch(PagedTableModel &model)
{
    QSignalSpy spy(&model, &PagedTableModel::matched);
    QVERIFY(spy.wait(10000));
}

void TestEventTableModel::showsEveryEventInPages()
{
    CaptureQueries queries(m_store->path());
    EventTableModel model(&queries);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.refresh();
    waitForMatch(model);
    QCOMPARE(model.rowCount(), 500);
    QCOMPARE(model.columnCount(), int(EventTableModel::ColumnCount));
    QCOMPARE(model.headerData(EventTableModel::Action, Qt::Horizontal).toString(), QStringLiteral("Action"));

    // A row not fetched yet shows a placeholder, then its page arrives.
    const QModelIndex last = model.index(499, EventTableModel::Subject);
    QCOMPARE(model.data(last).toString(), QStringLiteral("…"));
    QTRY_COMPARE(model.data(last).toString(), QStringLiteral("SKU-499"));
    QCOMPARE(model.data(model.index(499, EventTableModel::Action)).toString(), QStringLiteral("product.updated"));
    QCOMPARE(model.data(model.index(499, EventTableModel::AuthorType)).toString(), QStringLiteral("api"));
    QCOMPARE(model.data(model.index(499, EventTableModel::Received)).toString(),
             QStringLiteral("2026-11-22 10:00:05.049"));
    QCOMPARE(model.data(model.index(499, EventTableModel::Origin)).toString(), QStringLiteral("receiver"));
    QCOMPARE(model.data(model.index(499, EventTableModel::Status)).toInt(), 200);
    QCOMPARE(model.data(model.index(499, EventTableModel::SignatureColumn)).toString(), QStringLiteral("unchecked"));
    QCOMPARE(model.data(model.index(499, EventTableModel::Received), EventTableModel::RawRole).toLongLong(),
             iso("2026-11-22T10:00:05Z") + 49);
    const EventRecord *r = model.record(499);
    QVERIFY(r);
    QVERIFY(r->payload.contains("SKU-499"));
    QCOMPARE(model.rowOf(r->event.id), 499);
    QCOMPARE(model.data(last, EventTableModel::IdRole).toLongLong(), r->event.id);
    // Only that page was fetched: the first row still waits for its own.
    QVERIFY(!model.record(0) || model.record(0)->event.id == model.idAt(0));
}

void TestEventTableModel::filterNarrowsAndErrorsKeepRows()
{
    CaptureQueries queries(m_store->path());
    EventTableModel model(&queries);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setFilter(QStringLiteral("author_type == \"api\""));
    waitForMatch(model);
    QCOMPARE(model.rowCount(), 250);
    QVERIFY(model.error().isEmpty());
    model.setFilter(QStringLiteral("subject ~ \"SKU-12\""));
    waitForMatch(model);
    QCOMPARE(model.rowCount(), 11); // SKU-12 and SKU-120..129
    QTRY_COMPARE(model.data(model.index(0, EventTableModel::Subject)).toString(), QStringLiteral("SKU-12"));
    model.setFilter(QStringLiteral("action == "));
    waitForMatch(model);
    QVERIFY(!model.error().isEmpty());
    QCOMPARE(model.rowCount(), 11); // the last good rows stay
}

void TestEventTableModel::liveArrivalsAreAppended()
{
    CaptureQueries queries(m_store->path());
    EventTableModel model(&queries);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.refresh();
    waitForMatch(model);
    QTRY_COMPARE(model.data(model.index(0, EventTableModel::Subject)).toString(), QStringLiteral("SKU-0"));
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    m_store->enqueue(receivedDelivery(batch(500, 10), iso("2026-11-22T10:01:00Z")));
    QVERIFY(m_store->flush());
    model.refresh();
    waitForMatch(model);
    QCOMPARE(model.rowCount(), 510);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.first().at(1).toInt(), 500);
    QCOMPARE(inserted.first().at(2).toInt(), 509);
    QCOMPARE(reset.size(), 0);
    // Rows already shown keep their text while their page is fetched again.
    QCOMPARE(model.data(model.index(0, EventTableModel::Subject)).toString(), QStringLiteral("SKU-0"));
    QTRY_COMPARE(model.data(model.index(509, EventTableModel::Subject)).toString(), QStringLiteral("SKU-509"));
}

void TestEventTableModel::deliveriesTable()
{
    Delivery failed = receivedDelivery("{\"events\": [", iso("2026-11-22T10:02:00Z"), 3.5);
    failed.answeredStatus = 400;
    m_store->enqueue(failed);
    QVERIFY(m_store->flush());
    CaptureQueries queries(m_store->path());
    DeliveryTableModel model(&queries);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.refresh();
    waitForMatch(model);
    QCOMPARE(model.rowCount(), 51);
    QCOMPARE(model.headerData(DeliveryTableModel::AckMs, Qt::Horizontal).toString(), QStringLiteral("Answer ms"));
    // Names that join two columns' meanings with a middle dot (U+00B7), read as UTF-8 (not 'Method Â· level').
    QCOMPARE(model.headerData(DeliveryTableModel::Method, Qt::Horizontal).toString(), QStringLiteral("Method · level"));
    QCOMPARE(model.headerData(DeliveryTableModel::Path, Qt::Horizontal).toString(), QStringLiteral("Path · message"));
    QCOMPARE(model.headerData(DeliveryTableModel::Remote, Qt::Horizontal).toString(),
             QStringLiteral("Remote · log line"));
    QCOMPARE(model.headerData(DeliveryTableModel::Method, Qt::Horizontal).toString().at(7), QChar(0x00B7));
    QTRY_COMPARE(model.data(model.index(0, DeliveryTableModel::Events)).toInt(), 10);
    QCOMPARE(model.data(model.index(0, DeliveryTableModel::Format)).toString(), QStringLiteral("akeneo"));
    QCOMPARE(model.data(model.index(0, DeliveryTableModel::AckMs)).toString(), QStringLiteral("12.5"));
    QCOMPARE(model.data(model.index(0, DeliveryTableModel::Path)).toString(), QStringLiteral("/hook/events"));
    QVERIFY(!model.delivery(0)->body.size()); // tables do not carry bodies
    model.setFilter(QStringLiteral("status >= 400"));
    waitForMatch(model);
    QCOMPARE(model.rowCount(), 1);
    QTRY_COMPARE(model.data(model.index(0, DeliveryTableModel::Status)).toInt(), 400);
    QVERIFY(!model.data(model.index(0, DeliveryTableModel::Problem)).toString().isEmpty());
    QVERIFY(model.data(model.index(0, DeliveryTableModel::FlagsColumn)).toString().contains(QStringLiteral("error")));
    QVERIFY(Flags::fromInt(model.data(model.index(0, 0), PagedTableModel::FlagsRole).toInt()).testFlag(Flag::Error));
}

void TestEventTableModel::sortedInTheDatabase()
{
    CaptureQueries queries(m_store->path());
    EventTableModel model(&queries);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setFilter(QStringLiteral("author_type == \"api\""));
    waitForMatch(model);
    model.sort(EventTableModel::Subject, Qt::DescendingOrder);
    waitForMatch(model);
    QCOMPARE(model.sortKey(), QStringLiteral("subject"));
    QCOMPARE(model.rowCount(), 250); // the filter still holds
    QTRY_COMPARE(model.data(model.index(0, EventTableModel::Subject)).toString(), QStringLiteral("SKU-99"));
    QTRY_COMPARE(model.data(model.index(249, EventTableModel::Subject)).toString(), QStringLiteral("SKU-1"));
    const qint64 id = model.idAt(10);
    QCOMPARE(model.rowOf(id), 10);
    // A column the query cannot order leaves the order as it is.
    model.sort(EventTableModel::SignatureColumn);
    QCOMPARE(model.sortKey(), QStringLiteral("subject"));
    // Live arrivals in a sorted table: the new rows take their place.
    m_store->enqueue(receivedDelivery(batch(999, 1), iso("2026-11-22T10:05:00Z")));
    QVERIFY(m_store->flush());
    model.refresh();
    waitForMatch(model);
    QCOMPARE(model.rowCount(), 251);
    QTRY_COMPARE(model.data(model.index(0, EventTableModel::Subject)).toString(), QStringLiteral("SKU-999"));

    DeliveryTableModel deliveries(&queries);
    deliveries.sort(DeliveryTableModel::Received, Qt::DescendingOrder);
    waitForMatch(deliveries);
    QTRY_COMPARE(deliveries.data(deliveries.index(0, DeliveryTableModel::Received)).toString(),
                 QStringLiteral("2026-11-22 10:05:00.000"));
}

void TestEventTableModel::twoTablesOnOneQueryThread()
{
    // A newer query of one table supersedes that table's older ones only, never the other table's.
    CaptureQueries queries(m_store->path());
    EventTableModel events(&queries);
    DeliveryTableModel deliveries(&queries);
    QSignalSpy deliveriesMatched(&deliveries, &PagedTableModel::matched);
    for (int i = 0; i < 5; ++i)
        events.setFilter(QStringLiteral("author_type == \"api\""));
    deliveries.refresh();
    events.setFilter(QString());
    QVERIFY(deliveriesMatched.wait(10000));
    QCOMPARE(deliveries.rowCount(), 50);
    QTRY_COMPARE(events.rowCount(), 500);
}

void TestEventTableModel::longSearchesStreamAndCancel()
{
    // 25,000 events: more than the first range of a scan (16,384 ids), so a search answers in parts.
    m_store->beginBulk();
    for (int d = 50; d < 2500; ++d)
        m_store->enqueue(receivedDelivery(batch(d * 10, 10), iso("2026-11-22T10:00:05Z") + d));
    m_store->endBulk();
    QVERIFY(m_store->flush(60000));
    const auto expected = [this](const char *text) {
        auto n = m_store->reader().countMatching(Filter::parse(QString::fromLatin1(text)), FilterTarget::Events);
        return n ? n.value() : -1;
    };
    CaptureQueries queries(m_store->path());
    EventTableModel model(&queries);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QList<double> progress;
    QList<qsizetype> counts;
    connect(&model, &PagedTableModel::matched, this, [&] {
        progress << model.progress();
        counts << model.matchCount();
    });

    model.setFilter(QStringLiteral("subject ~ \"SKU-2\""));
    QTRY_VERIFY_WITH_TIMEOUT(!model.isQuerying(), 20000);
    QVERIFY2(progress.size() >= 2, "the search answered in one piece");
    QVERIFY(progress.first() > 0 && progress.first() < 1);
    QVERIFY(counts.first() > 0 && counts.first() < counts.last()); // rows shown before the end
    QCOMPARE(progress.last(), 1.0);
    QCOMPARE(model.matchCount(), expected("subject ~ \"SKU-2\""));
    QVERIFY(!model.wasCancelled());
    for (int row = 1; row < model.rowCount(); ++row)
        QVERIFY(model.idAt(row - 1) < model.idAt(row));

    // Stopped after its first part: what was found stays, nothing more arrives, refreshes wait for a new filter.
    const qsizetype all = expected("subject ~ \"SKU-2\"");
    auto stopper = connect(&model, &PagedTableModel::matched, this, [&] {
        if (model.isQuerying())
            model.cancel();
    });
    model.setFilter(QStringLiteral("subject ~ \"SKU-2\""));
    QTRY_VERIFY_WITH_TIMEOUT(!model.isQuerying(), 20000);
    disconnect(stopper);
    QVERIFY(model.wasCancelled());
    const qsizetype partial = model.matchCount();
    QVERIFY(partial > 0 && partial < all);
    QVERIFY(model.progress() > 0 && model.progress() < 1);
    // Every task the query thread still had is done and what it answered is delivered: nothing more arrived.
    queries.waitForIdle();
    QCoreApplication::processEvents();
    QCOMPARE(model.matchCount(), partial);
    model.refresh();
    QVERIFY(!model.isQuerying());

    model.setFilter(QStringLiteral("subject ~ \"SKU-2\""));
    QVERIFY(!model.wasCancelled());
    QTRY_VERIFY_WITH_TIMEOUT(!model.isQuerying(), 20000);
    QCOMPARE(model.matchCount(), all);
}

QTEST_GUILESS_MAIN(TestEventTableModel)
#include "tst_eventtablemodel.moc"
