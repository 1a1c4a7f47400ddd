// Edit and send, and New event, in the window (offscreen), against real receivers on loopback ports (Pimscope's own,
// verifying signatures): an event of the capture edited (body and headers) and sent, its exact bytes arriving signed,
// the answer and the sender's verdict shown, the request stored as a replay with what it was made from and the Compare
// tab showing the difference; broken JSON shown with its position and sent as it is; a new event from a template,
// its fields completed from the capture, the Events API's batch builder past the limit, a fault one click away.

#include "screenshots.h"
#include "signedtarget.h"
#include "testutil.h"
#include "windowfixture.h"

#include "composedialog.h"
#include "filter/filter.h"
#include "formats/payloadparser.h"
#include "mainwindow.h"
#include "store/eventstore.h"
#include "store/storereader.h"

#include <QAbstractItemModel>
#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTableWidget>
#include <QTest>
#include <QTextEdit>
#include <QTreeWidget>

using namespace pimscope;
using namespace pimscope::test;

/** A window, and a connector of the test: a receiver verifying the Events API's signatures with a secret the
 * environment variable PIMSCOPE_TEST_COMPOSE_SECRET holds. */
struct ComposeFixture
{
    ComposeFixture() { qputenv("PIMSCOPE_TEST_COMPOSE_SECRET", QByteArrayLiteral("compose-secret")); }
    WindowFixture fixture;
    SignedTarget target{fixture.dir.filePath(QStringLiteral("target.db")), "compose-secret"};
};

class TestComposeWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void editAnEventAndSend();
    void brokenJsonSentAsIs();
    void newEventFromATemplate();
    void batchBuilderAndFaults();
    void unchangedBytesGoAsTheyWere();

private:
    /** The composer (made on first use: null before). */
    static ui::ComposeDialog *composer(const QObject &window)
    {
        return window.findChild<ui::ComposeDialog *>(QStringLiteral("composeDialog"));
    }
    /** Clicks Send and waits for every answer; the summary the dialog got. */
    static ReplaySummary sendAndWait(ui::ComposeDialog *dialog)
    {
        QSignalSpy sent(dialog, &ui::ComposeDialog::sent);
        QTest::mouseClick(dialog->sendButton(), Qt::LeftButton);
        if (!sent.wait(20000))
            return {};
        return sent.takeFirst().at(0).value<ReplaySummary>();
    }
    /** The value of a header of the table (first of that name), or null. */
    static QString tableValue(const QTableWidget *table, const QString &name)
    {
        for (int row = 0; row < table->rowCount(); ++row) {
            if (table->item(row, 0) && table->item(row, 0)->text().compare(name, Qt::CaseInsensitive) == 0)
                return table->item(row, 1)->text();
        }
        return {};
    }
};

void TestComposeWindow::init()
{
    QSettings().clear(); // no target nor secret remembered from another test
}

void TestComposeWindow::editAnEventAndSend()
{
    ComposeFixture f;
    WindowFixture &fixture = f.fixture;
    ui::MainWindow &window = fixture.window;
    SignedTarget &target = f.target;
    QVERIFY(fixture.postAndWait("akeneo_batch_example.json", 10));
    EventTableModel *model = eventsModel(window);
    const EventRecord source = *model->record(2);

    // Ctrl+Shift+E on an event row: that event alone, in the Events API's envelope, with its delivery's headers.
    captureTable(window)->selectRow(2);
    QTest::keyClick(&window, Qt::Key_E, Qt::ControlModifier | Qt::ShiftModifier);
    QTRY_VERIFY(composer(window) && composer(window)->isVisible());
    ui::ComposeDialog *dialog = composer(window);
    QTRY_VERIFY(!dialog->bodyEdit()->toPlainText().isEmpty());
    QVERIFY2(dialog->sourceLabel()->text().contains(QStringLiteral("#%1").arg(source.event.id)),
             qPrintable(dialog->sourceLabel()->text()));
    QCOMPARE(dialog->bodyEdit()->toPlainText().toUtf8(), QByteArray("{\"events\":[" + source.payload + "]}"));
    QCOMPARE(dialog->senderBox()->currentIndex(), 0); // the Events API
    QCOMPARE(tableValue(dialog->headersTable(), QStringLiteral("Content-Type")), QStringLiteral("application/json"));
    // The signer's headers are not among the editable ones: they are computed when the request goes.
    QVERIFY(tableValue(dialog->headersTable(), QStringLiteral("X-Akeneo-Request-Signature")).isNull());
    QVERIFY(tableValue(dialog->headersTable(), QStringLiteral("Host")).isNull());
    QCOMPARE(tableValue(dialog->signingTable(), QStringLiteral("X-Akeneo-Request-Signature")),
             QStringLiteral("computed when sent"));
    QVERIFY2(dialog->bodyProblemLabel()->text().contains(QStringLiteral("1 event")),
             qPrintable(dialog->bodyProblemLabel()->text()));

    // Edited: the author changed, a header added.
    QString text = dialog->bodyEdit()->toPlainText();
    const QString author = QJsonDocument::fromJson(source.payload).object().value(u"author").toString();
    QVERIFY(!author.isEmpty());
    text.replace(QRegularExpression(QStringLiteral(R"("author":\s*"[^"]*")")),
                 QStringLiteral("\"author\":\"edited-by-hand\""));
    QVERIFY(text.contains(QStringLiteral("edited-by-hand")));
    dialog->bodyEdit()->setPlainText(text);
    QTableWidget *headers = dialog->headersTable();
    headers->insertRow(headers->rowCount());
    headers->setItem(headers->rowCount() - 1, 0, new QTableWidgetItem(QStringLiteral("X-Test-Case")));
    headers->setItem(headers->rowCount() - 1, 1, new QTableWidgetItem(QStringLiteral("edit and send")));
    dialog->urlEdit()->setText(target.url("edited"));
    dialog->setSecretFromEnvironment(QStringLiteral("PIMSCOPE_TEST_COMPOSE_SECRET"));

    const ReplaySummary s = sendAndWait(dialog);
    QCOMPARE(s.sent, 1);
    QCOMPARE(s.ok, 1);
    // The answer and the sender's verdict.
    QCOMPARE(dialog->answersList()->topLevelItemCount(), 1);
    QCOMPARE(dialog->answersList()->topLevelItem(0)->text(1), QStringLiteral("200"));
    QVERIFY2(
        dialog->answersList()->topLevelItem(0)->text(3).contains(QStringLiteral("a success for Akeneo Events API")),
        qPrintable(dialog->answersList()->topLevelItem(0)->text(3)));
    QVERIFY2(dialog->answerView()->toPlainText().contains(QStringLiteral("200 in")),
             qPrintable(dialog->answerView()->toPlainText()));
    QVERIFY(dialog->answerView()->toPlainText().contains(QStringLiteral("content-type"), Qt::CaseInsensitive));
    // The signature that went, shown.
    const QString signature = tableValue(dialog->signingTable(), QStringLiteral("X-Akeneo-Request-Signature"));
    QCOMPARE(signature.size(), 64);
    // What arrived: the exact edited bytes, signed, with the header added.
    const QList<Delivery> got = target.received();
    QCOMPARE(got.size(), 1);
    QCOMPARE(got.front().body, text.toUtf8());
    QCOMPARE(got.front().signature, Signature::Valid);
    QCOMPARE(headerValue(got.front().headers, "X-Test-Case"), QByteArray("edit and send"));
    const QList<Event> events = PayloadParser().parse(got.front().body).events;
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.front().author, QStringLiteral("edited-by-hand"));
    saveScreenshot(*dialog, "edit-and-send.png");

    // In the window's capture: a replay that says what it was edited from, and the Compare tab shows what changed.
    filterEdit(window)->setText(QStringLiteral("origin == replay"));
    Q_EMIT filterEdit(window)->returnPressed();
    QTRY_COMPARE(model->rowCount(), 1);
    QTRY_VERIFY(model->record(0) != nullptr);
    {
        auto reader = StoreReader::open(fixture.path());
        QVERIFY(reader);
        const auto edit = (*reader)->editSource(model->record(0)->event.deliveryId);
        QVERIFY(edit && edit->has_value());
        QCOMPARE((*edit)->eventId, source.event.id);
        QCOMPARE((*edit)->deliveryId, source.event.deliveryId);
        QVERIFY((*edit)->handEdited);
        QVERIFY((*edit)->faults.isEmpty());
    }
    dialog->close();
    captureTable(window)->selectRow(0);
    QTRY_VERIFY(detailTabs(window)->isTabEnabled(compareTab(window)));
    const QString compare = compareView(window)->toPlainText();
    QVERIFY2(compare.contains(QStringLiteral("edited from event #%1").arg(source.event.id)), qPrintable(compare));
    QVERIFY2(compare.contains(QStringLiteral("changed by hand")), qPrintable(compare));
    QVERIFY2(compare.contains(QStringLiteral("~ events[0].author: \"%1\" → \"edited-by-hand\"").arg(author)),
             qPrintable(compare));
    QVERIFY2(compare.contains(QStringLiteral("+ X-Test-Case: \"edit and send\""), Qt::CaseInsensitive),
             qPrintable(compare));
    detailTabs(window)->setCurrentIndex(compareTab(window));
    saveScreenshot(window, "edit-and-send-compare.png");

    // A delivery row: its exact body; sent unchanged, the same bytes arrive (and the Compare tab says no difference).
    window.findChild<QAction *>(QStringLiteral("deliveriesAction"))->trigger();
    filterEdit(window)->setText(QStringLiteral("origin == receiver"));
    Q_EMIT filterEdit(window)->returnPressed();
    // (The table held one row before the filter applied too: the replay's.)
    QTRY_VERIFY([&] {
        captureTable(window)->selectRow(0);
        return captureTable(window)->currentDeliveryId() == source.event.deliveryId; // its page read
    }());
    window.findChild<QAction *>(QStringLiteral("editAndSendAction"))->trigger(); // as from the Capture menu
    QTRY_VERIFY(dialog->sourceLabel()->text().contains(
        QStringLiteral("Edited from delivery <b>#%1</b>").arg(source.event.deliveryId)));
    QCOMPARE(dialog->bodyEdit()->toPlainText().toUtf8(), sample("akeneo_batch_example.json"));
    // The events' own faults are a template's: not offered here.
    QVERIFY(!dialog->faultBox(Fault::OversizedBatch)->isEnabled());
    QVERIFY(!dialog->faultBox(Fault::StaleEventTime)->isEnabled());
    QVERIFY(dialog->faultBox(Fault::Truncated)->isEnabled());
    QVERIFY(sendAndWait(dialog).ok == 1);
    QCOMPARE(target.received().last().body, sample("akeneo_batch_example.json"));
    QCOMPARE(target.received().last().signature, Signature::Valid);
    // Its Compare tab: nothing changed.
    dialog->close();
    filterEdit(window)->setText(QStringLiteral("origin == replay"));
    Q_EMIT filterEdit(window)->returnPressed();
    QTRY_VERIFY([&] {
        captureTable(window)->selectRow(1);
        return captureTable(window)->model()->rowCount() == 2 && captureTable(window)->currentDeliveryId() > 0;
    }());
    QTRY_VERIFY(compareView(window)->toPlainText().contains(
        QStringLiteral("edited from delivery #%1").arg(source.event.deliveryId)));
    const QString unchanged = compareView(window)->toPlainText();
    QVERIFY2(unchanged.contains(QStringLiteral("Body: no difference")), qPrintable(unchanged));
    QVERIFY2(!unchanged.contains(QStringLiteral("changed by hand")), qPrintable(unchanged));
}

void TestComposeWindow::unchangedBytesGoAsTheyWere()
{
    // A body the editor cannot hold as it is (CR LF line ends, a non-breaking space, a byte that is not UTF-8), sent
    // unchanged: the same bytes arrive, and it is not said to be changed by hand.
    ComposeFixture f;
    ui::MainWindow &window = f.fixture.window;
    const QByteArray body = "{\r\n\"events\":[{\"action\":\"product.updated\",\"author\":\"a\xc2\xa0"
                            "b\",\"pim_source\":\"\xff\"}]\r\n}";
    QCOMPARE(f.fixture.post(body), 400); // not JSON (a byte is not UTF-8): refused, and kept as it came
    window.findChild<QAction *>(QStringLiteral("deliveriesAction"))->trigger();
    QTRY_VERIFY([&] {
        captureTable(window)->selectRow(0);
        return captureTable(window)->currentDeliveryId() > 0;
    }());
    window.findChild<QAction *>(QStringLiteral("editAndSendAction"))->trigger();
    QTRY_VERIFY(composer(window) && composer(window)->isVisible());
    ui::ComposeDialog *dialog = composer(window);
    QTRY_VERIFY(dialog->sourceLabel()->text().contains(QStringLiteral("Edited from delivery")));
    dialog->urlEdit()->setText(f.target.url());
    dialog->setSecretFromEnvironment(QStringLiteral("PIMSCOPE_TEST_COMPOSE_SECRET"));
    sendAndWait(dialog);
    QCOMPARE(f.target.received().size(), 1);
    QCOMPARE(f.target.received().front().body, body);
    QCOMPARE(f.target.received().front().signature, Signature::Valid); // signed over those bytes
    auto reader = StoreReader::open(f.fixture.path());
    QVERIFY(reader);
    QTRY_VERIFY([&] {
        const auto edit = (*reader)->editSource(2);
        return edit && edit->has_value() && !(*edit)->handEdited;
    }());
}

void TestComposeWindow::brokenJsonSentAsIs()
{
    ComposeFixture f;
    WindowFixture &fixture = f.fixture;
    ui::MainWindow &window = fixture.window;
    SignedTarget &target = f.target;
    QVERIFY(fixture.postAndWait("akeneo_batch_example.json", 10));
    captureTable(window)->selectRow(0);
    QTest::keyClick(&window, Qt::Key_E, Qt::ControlModifier | Qt::ShiftModifier);
    QTRY_VERIFY(composer(window) && composer(window)->isVisible());
    ui::ComposeDialog *dialog = composer(window);
    QTRY_VERIFY(!dialog->bodyEdit()->toPlainText().isEmpty());

    // Broken on purpose: where it stops being JSON is said, and it is sent all the same, byte for byte.
    const QByteArray broken = "{\"events\":[{\"action\":\"product.updated\",\n  \"author\": oops}]}";
    dialog->bodyEdit()->setPlainText(QString::fromUtf8(broken));
    QVERIFY2(dialog->bodyProblemLabel()->text().contains(QStringLiteral("Not JSON at line 2, column")),
             qPrintable(dialog->bodyProblemLabel()->text()));
    QVERIFY(dialog->bodyProblemLabel()->text().contains(QStringLiteral("sent as it is")));
    dialog->urlEdit()->setText(target.url());
    dialog->setSecretFromEnvironment(QStringLiteral("PIMSCOPE_TEST_COMPOSE_SECRET"));
    const ReplaySummary s = sendAndWait(dialog);
    QCOMPARE(s.sent, 1);
    QCOMPARE(s.endpointErrors, 1);
    QCOMPARE(dialog->answersList()->topLevelItem(0)->text(1), QStringLiteral("400"));
    QVERIFY2(dialog->answersList()->topLevelItem(0)->text(3).contains(QStringLiteral("an endpoint error")),
             qPrintable(dialog->answersList()->topLevelItem(0)->text(3)));
    const QList<Delivery> got = target.received();
    QCOMPARE(got.size(), 1);
    QCOMPARE(got.front().body, broken); // kept where it was received, exactly
    QVERIFY(!got.front().error.isEmpty());
    // Fixed again: the problem is gone.
    dialog->bodyEdit()->setPlainText(QStringLiteral("{\"events\":[]}"));
    QVERIFY2(dialog->bodyProblemLabel()->text().startsWith(QStringLiteral("JSON, ")),
             qPrintable(dialog->bodyProblemLabel()->text()));
}

void TestComposeWindow::newEventFromATemplate()
{
    WindowFixture fixture;
    ui::MainWindow &window = fixture.window;
    SignatureRule rule;
    rule.eventPlatformSecrets = {QByteArrayLiteral("platform-secret")};
    SignedTarget target(fixture.dir.filePath(QStringLiteral("target.db")), rule);
    qputenv("PIMSCOPE_TEST_PLATFORM_SECRET", QByteArrayLiteral("platform-secret"));
    QVERIFY(fixture.postAndWait("akeneo_batch_example.json", 10));
    // A product of the capture, to be offered.
    std::optional<EventRecord> known;
    for (int row = 0; row < eventsModel(window)->rowCount() && !known; ++row) {
        if (eventsModel(window)->record(row)->event.subjectType == u"product")
            known = *eventsModel(window)->record(row);
    }
    QVERIFY(known);

    window.findChild<QAction *>(QStringLiteral("newEventAction"))->trigger();
    QTRY_VERIFY(composer(window) && composer(window)->isVisible());
    ui::ComposeDialog *dialog = composer(window);
    QVERIFY(dialog->templateBox()->isVisible());
    // The Events API first, its product templates listed.
    QVERIFY(dialog->templateBox()->findText(QStringLiteral("product.created")) >= 0);
    QVERIFY(dialog->templateBox()->findText(QStringLiteral("uuid-product.updated")) >= 0);
    QVERIFY(dialog->templateBox()->findText(QStringLiteral("product_model.removed")) >= 0);
    // The fields complete with the capture's own subjects and authors.
    QLineEdit *identifier = dialog->field(QStringLiteral("identifier"));
    QTRY_VERIFY(identifier->completer() != nullptr);
    const QAbstractItemModel *offered = identifier->completer()->model();
    QStringList identifiers;
    for (int row = 0; row < offered->rowCount(); ++row)
        identifiers << offered->index(row, 0).data().toString();
    QVERIFY2(identifiers.contains(known->event.subjectId), qPrintable(identifiers.join(u',')));
    QVERIFY(dialog->field(QStringLiteral("author"))->completer()->model()->rowCount() > 0);

    // The Event Platform's product.updated.delta, for the identifier and the author typed.
    dialog->senderBox()->setCurrentIndex(1);
    QVERIFY(!dialog->batchSpin()->isEnabled()); // one event a request
    QVERIFY(!dialog->faultBox(Fault::Expired)->isEnabled()); // no timestamp signed
    const int delta = dialog->templateBox()->findText(QStringLiteral("product.updated.delta"));
    QVERIFY(delta >= 0);
    dialog->templateBox()->setCurrentIndex(delta);
    // Its events name the product by its uuid: the identifier is not one of its fields.
    QVERIFY(!identifier->isEnabled());
    const QString uuid = QStringLiteral("0f8e6a51-3c2d-4b7e-9a10-5d4c3b2a1f00");
    QTest::keyClicks(dialog->field(QStringLiteral("uuid")), uuid);
    QTest::keyClicks(dialog->field(QStringLiteral("author")), QStringLiteral("julia"));
    // The body follows the fields while it is not typed in.
    QVERIFY2(dialog->bodyEdit()->toPlainText().contains(uuid), qPrintable(dialog->bodyEdit()->toPlainText()));
    QVERIFY(dialog->bodyProblemLabel()->text().startsWith(QStringLiteral("JSON, ")));
    dialog->urlEdit()->setText(target.url("platform"));
    dialog->setSecretFromEnvironment(QStringLiteral("PIMSCOPE_TEST_PLATFORM_SECRET"));
    const ReplaySummary s = sendAndWait(dialog);
    QCOMPARE(s.ok, 1);
    QVERIFY2(dialog->answersList()->topLevelItem(0)->text(3).contains(QStringLiteral("Event Platform")),
             qPrintable(dialog->answersList()->topLevelItem(0)->text(3)));
    QVERIFY(!tableValue(dialog->signingTable(), QStringLiteral("X-AKENEO-SIGNATURE-PRIMARY")).isEmpty());
    const QList<Delivery> got = target.received();
    QCOMPARE(got.size(), 1);
    QCOMPARE(got.front().format, Format::AkeneoEventPlatform);
    QCOMPARE(got.front().signature, Signature::Valid);
    const QList<Event> events = PayloadParser().parse(got.front().body).events;
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.front().subjectUuid, uuid);
    QCOMPARE(events.front().author, QStringLiteral("julia"));
    saveScreenshot(*dialog, "new-event.png");

    // Stored with its template; the Compare tab says what it was composed from.
    QTRY_VERIFY(QTest::qWaitFor([&] {
        auto reader = StoreReader::open(fixture.path());
        const auto ids = reader
            ? (*reader)->matchingIds(Filter::parse(QStringLiteral("origin == replay")), FilterTarget::Deliveries)
            : Result<QList<qint64>>::failure(QString());
        if (!ids || ids->size() != 1)
            return false;
        const auto edit = (*reader)->editSource(ids->front());
        return edit && edit->has_value() && (*edit)->templateKey == u"event-platform:product.updated.delta"
            && !(*edit)->handEdited;
    }));
}

void TestComposeWindow::batchBuilderAndFaults()
{
    ComposeFixture f;
    WindowFixture &fixture = f.fixture;
    ui::MainWindow &window = fixture.window;
    SignedTarget &target = f.target;
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QTest::keyClick(&window, Qt::Key_N, Qt::ControlModifier | Qt::ShiftModifier);
    QTRY_VERIFY(composer(window) && composer(window)->isVisible());
    ui::ComposeDialog *dialog = composer(window);
    QCOMPARE(dialog->senderBox()->currentIndex(), 0);
    dialog->templateBox()->setCurrentIndex(dialog->templateBox()->findText(QStringLiteral("product.updated")));

    // 11 events: past Akeneo's limit, said beside the batch, the body holds them.
    dialog->batchSpin()->setValue(11);
    QVERIFY(dialog->findChild<QLabel *>(QStringLiteral("composeBatchNote"))
                ->text()
                .contains(QStringLiteral("more than Akeneo's 10")));
    const QJsonObject envelope = QJsonDocument::fromJson(dialog->bodyEdit()->toPlainText().toUtf8()).object();
    QCOMPARE(envelope.value(u"events").toArray().size(), 11);
    dialog->urlEdit()->setText(target.url());
    dialog->setSecretFromEnvironment(QStringLiteral("PIMSCOPE_TEST_COMPOSE_SECRET"));
    ReplaySummary s = sendAndWait(dialog);
    QCOMPARE(s.ok, 1); // taken, and the receiver says it is over the limit
    QList<Delivery> got = target.received();
    QCOMPARE(got.last().eventCount, 11);
    QVERIFY2(got.last().warnings.join(u' ').contains(QStringLiteral("11")), qPrintable(got.last().warnings.join(u' ')));

    // One click: an invalid signature, sent twice; the receiver refuses each with its reason, the verdict says it.
    dialog->batchSpin()->setValue(1);
    dialog->faultBox(Fault::InvalidSignature)->setChecked(true);
    dialog->timesSpin()->setValue(2);
    s = sendAndWait(dialog);
    QCOMPARE(s.sent, 2);
    QCOMPARE(s.endpointErrors, 2);
    QCOMPARE(dialog->answersList()->topLevelItemCount(), 2);
    QCOMPARE(dialog->answersList()->topLevelItem(1)->text(1), QStringLiteral("401"));
    dialog->answersList()->setCurrentItem(dialog->answersList()->topLevelItem(1));
    QVERIFY2(dialog->answerView()->toPlainText().startsWith(QStringLiteral("#2  401")),
             qPrintable(dialog->answerView()->toPlainText()));
    got = target.received();
    QCOMPARE(got.size(), 3);
    QCOMPARE(got.last().signature, Signature::Invalid);

    // Expired: signed 10 minutes ago; the receiver says so.
    dialog->faultBox(Fault::InvalidSignature)->setChecked(false);
    dialog->faultBox(Fault::Expired)->setChecked(true);
    dialog->timesSpin()->setValue(1);
    s = sendAndWait(dialog);
    QCOMPARE(s.endpointErrors, 1);
    QCOMPARE(target.received().last().signature, Signature::Expired);
    // Stale: the event time 3 hours ago, in the body.
    dialog->faultBox(Fault::Expired)->setChecked(false);
    dialog->faultBox(Fault::StaleEventTime)->setChecked(true);
    const QString time = QJsonDocument::fromJson(dialog->bodyEdit()->toPlainText().toUtf8())
                             .object()
                             .value(u"events")
                             .toArray()
                             .at(0)
                             .toObject()
                             .value(u"event_datetime")
                             .toString();
    const QDateTime eventTime = QDateTime::fromString(time, Qt::ISODate);
    QVERIFY2(eventTime.isValid(), qPrintable(time));
    const qint64 ageMs = QDateTime::currentMSecsSinceEpoch() - eventTime.toMSecsSinceEpoch();
    QVERIFY2(ageMs > 2 * 3600 * 1000 && ageMs < 4 * 3600 * 1000, qPrintable(time));
}

QTEST_MAIN(TestComposeWindow)
#include "tst_composewindow.moc"
