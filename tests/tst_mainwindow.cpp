#include "screenshots.h"
#include "signedtarget.h"
#include "testconnector.h"
#include "testutil.h"
#include "widgets.h"
#include "windowfixture.h"

#include "chartsview.h"
#include "deliverysummary.h"
#include "diagnosticspanel.h"
#include "exportdialog.h"
#include "filter/filter.h"
#include "filterbar.h"
#include "jsontreeview.h"
#include "logimportrunner.h"
#include "mainwindow.h"
#include "models/eventtablemodel.h"
#include "receiver/receiver.h"
#include "replaydialog.h"
#include "settings/replaychoices.h"
#include "settingsdialog.h"
#include "severitydelegate.h"
#include "signing/hmac.h"
#include "store/eventstore.h"
#include "store/storereader.h"
#include "util/timeutil.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDialog>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QDropEvent>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMimeData>
#include <QMouseEvent>
#include <QPlainTextEdit>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTextEdit>
#include <QTreeWidget>

using namespace pimscope;
using namespace pimscope::test;

namespace {

/** Copy as cURL (Ctrl+Shift+C) on the window's selected row: the command, empty when none came. */
QString copyAsCurl(ui::MainWindow &window)
{
    window.activateWindow();
    if (!QTest::qWaitForWindowActive(&window))
        return {};
    QGuiApplication::clipboard()->clear();
    QTest::keyClick(captureTable(window), Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier);
    const bool copied
        = QTest::qWaitFor([] { return QGuiApplication::clipboard()->text().startsWith(QStringLiteral("curl ")); });
    // QTest leaves Shift in the application's modifier state after that click: a key without one clears it (or the
    // next test's selectRow would toggle rows as with Shift held).
    QTest::keyClick(captureTable(window), Qt::Key_Escape);
    return copied ? QGuiApplication::clipboard()->text() : QString();
}

/** Runs `command` with bash (curl needed: .ci/install-deps installs it); its exit code, -1 when it did not finish. */
int runInBash(const QString &command)
{
    if (QStandardPaths::findExecutable(QStringLiteral("curl")).isEmpty())
        qFatal("curl is needed (.ci/install-deps installs it)");
    QProcess bash;
    bash.start(QStringLiteral("bash"), {QStringLiteral("-c"), command});
    return bash.waitForFinished(20000) ? bash.exitCode() : -1;
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void liveEventsAndFilter();
    void retriesShowAsAChain();
    void portTakenOffersTheNextOne();
    void unreadableCaptureIsShown();
    void demoEventsInAScratchCapture();
    void columnLayoutIsRemembered();
    void tunnelUrlIsShownAndRemembered();
    void rowMenuFiltersOnACell();
    void importingLogs();
    void logFilesOnTheCommandLine();
    void replayFromTheWindow();
    void replayAsTheSender();
    void replayWithTheSecondarySecret();
    void exportFromTheWindow();
    void chartsFilterTheTable();
    void aboutShowsVersions();
    void warnsWhenReachableFromTheNetwork();
    void deliveryTabSaysWhatEachOriginHas();
    void forwardingToTheConnector();
    void ackForwardsUpdateTheRowsOnShow();
    void noMojibakeInWhatIsShown();
};

void TestMainWindow::importingLogs()
{
    WindowFixture fixture;
    ui::MainWindow &window = fixture.window;
    QTemporaryDir &dir = fixture.dir;
    const QString log = QStringLiteral(PIMSCOPE_SAMPLES_DIR "/akeneo_log_example.log");
    // Dropped on the window: imported, with a summary.
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(log)});
    QDragEnterEvent enter(QPoint(300, 300), Qt::CopyAction, &mime, Qt::LeftButton, {});
    QCoreApplication::sendEvent(&window, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(300, 300), Qt::CopyAction, &mime, Qt::LeftButton, {});
    QCoreApplication::sendEvent(&window, &drop);
    QTRY_VERIFY_WITH_TIMEOUT(window.findChild<QDialog *>(QStringLiteral("importSummary")) != nullptr, 10000);
    auto *dialog = window.findChild<QDialog *>(QStringLiteral("importSummary"));
    const QString text = dialog->findChild<QPlainTextEdit *>()->toPlainText();
    QVERIFY2(text.contains(QStringLiteral("35 lines (35 added")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("hourly quota reached")), qPrintable(text));
    // "Show its errors" narrows the deliveries table to its ERROR lines.
    QPushButton *errors = nullptr;
    for (QPushButton *b : dialog->findChildren<QPushButton *>()) {
        if (b->text() == QStringLiteral("Show its errors"))
            errors = b;
    }
    QVERIFY(errors);
    errors->click();
    QVERIFY(window.showingDeliveries());
    DeliveryTableModel *deliveries = deliveriesModel(window);
    QTRY_COMPARE_WITH_TIMEOUT(deliveries->rowCount(), 12, 5000);
    dialog->close();
    // Rows by severity: errors and timeouts red, quota warnings amber, notices muted.
    filterEdit(window)->clear();
    QTRY_COMPARE_WITH_TIMEOUT(deliveries->rowCount(), 35, 5000);
    QMap<int, ui::Severity> byLevel;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (int row = 0; row < deliveries->rowCount(); ++row) {
                const QModelIndex index = deliveries->index(row, 0);
                const QVariant level = index.data(PagedTableModel::LogLevelRole);
                const QVariant flags = index.data(PagedTableModel::FlagsRole);
                if (!level.isValid() || !flags.isValid())
                    return false;
                byLevel[level.toInt()] = ui::severityOf(Flags::fromInt(flags.toInt()), LogLevel(level.toInt()));
            }
            return byLevel.size() == 4;
        }(),
        5000);
    QCOMPARE(byLevel.value(int(LogLevel::Error)), ui::Severity::Error);
    QCOMPARE(byLevel.value(int(LogLevel::Warning)), ui::Severity::Warning);
    QCOMPARE(byLevel.value(int(LogLevel::Info)), ui::Severity::None);
    // The diagnostics list what the log says went wrong.
    ui::DiagnosticsPanel *panel = diagnostics(window);
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (int i = 0; i < panel->topLevelItemCount(); ++i) {
                if (panel->topLevelItem(i)->text(0) == QStringLiteral("Log: 500 ms timeouts"))
                    return panel->topLevelItem(i)->text(3) == QStringLiteral("4");
            }
            return false;
        }(),
        5000);
    // A log line's Delivery tab says what the log said (an endpoint error: its URL and status).
    auto *table = window.findChild<QTableView *>(QStringLiteral("captureTable"));
    for (int row = 0; row < deliveries->rowCount(); ++row) {
        if (deliveries->index(row, DeliveryTableModel::Path).data().toString() == QStringLiteral("endpoint_error")) {
            table->selectRow(row);
            break;
        }
    }
    auto *deliveryText = window.findChild<QPlainTextEdit *>(QStringLiteral("deliveryText"));
    QTRY_VERIFY2(deliveryText->toPlainText().contains(QStringLiteral("Message    endpoint_error")),
                 qPrintable(deliveryText->toPlainText()));
    window.findChild<QTabWidget *>(QStringLiteral("details"))->setCurrentIndex(3);
    saveScreenshot(window, "imported-log.png");

    // The same file again adds nothing (Ctrl+O's path: importLogs).
    window.importLogs({log});
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (auto *d : window.findChildren<QDialog *>(QStringLiteral("importSummary")))
                if (d->isVisible()
                    && d->findChild<QPlainTextEdit *>()->toPlainText().contains(QStringLiteral("0 added")))
                    return true;
            return false;
        }(),
        10000);

    // A large file, cancelled from the status bar: nothing of it stays.
    const QString big = dir.filePath(QStringLiteral("big.log"));
    {
        QFile f(big);
        QVERIFY(f.open(QIODevice::WriteOnly));
        const QByteArray sampleLog = readFile(log);
        const QList<QByteArray> lines = sampleLog.split('\n');
        for (int copy = 0; copy < 3000; ++copy) {
            for (const QByteArray &line : lines) {
                if (!line.isEmpty())
                    f.write(line.left(line.size() - 2) + ",\"copy\":" + QByteArray::number(copy) + "}\n");
            }
        }
    }
    window.importLogs({big});
    QTRY_VERIFY_WITH_TIMEOUT(window.importRunner()->progressWidget()->isVisible(), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(deliveries->rowCount() > 35, 10000);
    window.importRunner()->cancelButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(!window.importRunner()->isRunning(), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(deliveries->rowCount(), 35, 10000);
    QVERIFY(!window.importRunner()->progressWidget()->isVisible());
}

void TestMainWindow::logFilesOnTheCommandLine()
{
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("c.db"));
    QProcess p;
    p.start(qEnvironmentVariable("PIMSCOPE_BIN"),
            {QStringLiteral("--db"), db, QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
             QStringLiteral(PIMSCOPE_SAMPLES_DIR "/akeneo_log_example.log"), QStringLiteral("--screenshot"),
             dir.filePath(QStringLiteral("shot.png"))});
    QVERIFY(p.waitForFinished(30000));
    QCOMPARE(p.exitCode(), 0);
    auto reader = StoreReader::open(db);
    QVERIFY(reader);
    const auto ids
        = reader.value()->matchingIds(Filter::parse(QStringLiteral("origin == log")), FilterTarget::Deliveries);
    QVERIFY(ids);
    QCOMPARE(ids->size(), 35);
}

void TestMainWindow::exportFromTheWindow()
{
    WindowFixture fixture;
    ui::MainWindow &window = fixture.window;
    QTemporaryDir &dir = fixture.dir;
    QVERIFY(fixture.postAndWait("akeneo_batch_example.json", 10));
    EventTableModel *model = eventsModel(window);

    // Two rows selected, Ctrl+E: the dialog offers them (and all ten); CSV of the two.
    captureTable(window)->selectRow(1);
    captureTable(window)->selectionModel()->select(model->index(3, 0),
                                                   QItemSelectionModel::Select | QItemSelectionModel::Rows);
    QTest::keyClick(&window, Qt::Key_E, Qt::ControlModifier);
    ui::ExportDialog *dialog = exportDialog(window);
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    QVERIFY(dialog->selectedButton()->isChecked());
    QCOMPARE(dialog->selectedButton()->text(), QStringLiteral("The 2 selected events"));
    QCOMPARE(dialog->allButton()->text(), QStringLiteral("All 10 events shown (what matches the filter)"));
    dialog->formatBox()->setCurrentIndex(dialog->formatBox()->findData(QStringLiteral("csv")));
    const QString csvPath = dir.filePath(QStringLiteral("two.csv"));
    dialog->fileEdit()->setText(csvPath);
    QSignalSpy exported(dialog, &ui::ExportDialog::exported);
    QTest::mouseClick(dialog->exportButton(), Qt::LeftButton);
    QVERIFY(exported.wait(20000));
    QVERIFY2(dialog->statusLabel()->text().startsWith(QStringLiteral("Exported 2 events")),
             qPrintable(dialog->statusLabel()->text()));
    // Rows end with CRLF (the payloads' own newlines are LF, inside quotes).
    const QByteArray csv = readFile(csvPath);
    QCOMPARE(csv.count("\r\n"), 3); // the header, two rows
    const qsizetype second = csv.indexOf(model->record(1)->event.eventId.toUtf8());
    const qsizetype fourth = csv.indexOf(model->record(3)->event.eventId.toUtf8());
    QVERIFY(second > 0 && fourth > second);

    // Every row shown, as HAR: one entry (the ten events came in one request); the file name follows the format.
    dialog->allButton()->setChecked(true);
    dialog->fileEdit()->setText(dir.filePath(QStringLiteral("all.csv")));
    dialog->formatBox()->setCurrentIndex(dialog->formatBox()->findData(QStringLiteral("har")));
    QCOMPARE(dialog->fileEdit()->text(), dir.filePath(QStringLiteral("all.har")));
    QTest::mouseClick(dialog->exportButton(), Qt::LeftButton);
    QVERIFY(exported.wait(20000));
    saveScreenshot(*dialog, "export.png");
    const QJsonDocument har = QJsonDocument::fromJson(readFile(dir.filePath(QStringLiteral("all.har"))));
    QCOMPARE(har.object()[u"log"].toObject()[u"entries"].toArray().size(), 1);

    // A file that cannot be written: the reason named, nothing crashes.
    dialog->fileEdit()->setText(dir.filePath(QStringLiteral("missing/folder/x.har")));
    QSignalSpy failed(dialog, &ui::ExportDialog::failed);
    QTest::mouseClick(dialog->exportButton(), Qt::LeftButton);
    QVERIFY(failed.wait(20000));
    QVERIFY2(dialog->statusLabel()->text().contains(QStringLiteral("cannot write")),
             qPrintable(dialog->statusLabel()->text()));
    // The menus carry the actions (File > Export…).
    QStringList fileMenu;
    for (QAction *a : window.menuBar()->actions().front()->menu()->actions())
        fileMenu << a->text();
    QVERIFY2(fileMenu.contains(QStringLiteral("Export…")), qPrintable(fileMenu.join(u',')));
}

void TestMainWindow::chartsFilterTheTable()
{
    WindowFixture fixture;
    ui::MainWindow &window = fixture.window;
    QVERIFY(window.loadDemo());
    EventTableModel *model = eventsModel(window);
    QTRY_VERIFY_WITH_TIMEOUT(model->rowCount() > 200, 10000);
    // The demo's log is imported on a thread of its own: its lines' events come a little later (under ASan on a
    // loaded machine, after the first rows). Until the table stops growing:
    for (int last = -1; last != model->rowCount();) {
        last = model->rowCount();
        QTest::qWait(1500);
    }
    const int all = model->rowCount();

    // Ctrl+G shows the charts of what the table shows.
    QVERIFY(!chartsView(window)->isVisible());
    QTest::keyClick(&window, Qt::Key_G, Qt::ControlModifier);
    ui::ChartsView *charts = chartsView(window);
    QTRY_VERIFY(charts->isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(charts->charts().bucketCount() > 30, 10000);
    // It opens tall enough to read (a dock gets its widgets' size hints, and at least 260 px).
    QTRY_VERIFY2(window.findChild<QDockWidget *>(QStringLiteral("chartsDock"))->height() >= 260,
                 qPrintable(QString::number(window.findChild<QDockWidget *>(QStringLiteral("chartsDock"))->height())));
    qint64 events = 0;
    for (const auto &bucket : charts->charts().events)
        for (const qint64 n : bucket)
            events += n;
    QCOMPARE(events, qint64(all));
    QVERIFY(charts->charts().answers.answered > 0);
    QVERIFY(charts->charts().answers.overBudget > 0); // the demo has slow answers
    QVERIFY(!charts->connectorChart()->isVisible()); // nothing was forwarded
    QVERIFY(charts->legendLabel()->text().contains(QStringLiteral("product.updated")));
    QTest::qWait(300);
    saveScreenshot(window, "charts.png");

    // By severity: four stacks, the same events.
    charts->setStack(ChartStack::Severity);
    QTRY_COMPARE(charts->charts().stacks.size(), 4);
    QTRY_VERIFY(charts->legendLabel()->text().contains(QStringLiteral("error")));

    // A drag over the first quarter of the events chart narrows the filter to that range; the table follows.
    ui::Chart *chart = charts->eventsChart();
    const QRect plot = chart->plotRect();
    const QPoint from(plot.left() + 2, plot.center().y());
    const QPoint to(plot.left() + plot.width() / 4, plot.center().y());
    QSignalSpy picked(charts, &ui::ChartsView::rangeSelected);
    QTest::mousePress(chart, Qt::LeftButton, {}, from);
    QMouseEvent move(QEvent::MouseMove, QPointF(to), chart->mapToGlobal(QPointF(to)), Qt::NoButton, Qt::LeftButton,
                     Qt::NoModifier);
    QApplication::sendEvent(chart, &move);
    QTest::mouseRelease(chart, Qt::LeftButton, {}, to);
    QCOMPARE(picked.size(), 1);
    const qint64 fromMs = picked.front().at(0).toLongLong();
    const qint64 toMs = picked.front().at(1).toLongLong();
    QCOMPARE(fromMs, charts->charts().startMs);
    QVERIFY(toMs > fromMs);
    QVERIFY2(filterEdit(window)->text().startsWith(QStringLiteral("received >= \"")),
             qPrintable(filterEdit(window)->text()));
    QTRY_VERIFY_WITH_TIMEOUT(model->rowCount() > 0 && model->rowCount() < all, 10000);
    QTRY_VERIFY(model->record(0) != nullptr);
    QVERIFY(model->record(0)->receivedAtMs >= fromMs && model->record(0)->receivedAtMs < toMs);
    // The charts follow the filter.
    QTRY_VERIFY_WITH_TIMEOUT(charts->charts().startMs == fromMs && charts->charts().bucketCount() < 60, 10000);

    // A second drag is combined with the filter there is.
    const QString before = filterEdit(window)->text();
    window.filterToRange(fromMs, fromMs + 60'000);
    QCOMPARE(filterEdit(window)->text(),
             QStringLiteral("(%1) && received >= \"%2\" && received < \"%3\"")
                 .arg(before, toIsoUtc(fromMs), toIsoUtc(fromMs + 60'000)));
}

void TestMainWindow::aboutShowsVersions()
{
    const QString text = ui::MainWindow::aboutText();
    QVERIFY(text.contains(QStringLiteral("Pimscope " PIMSCOPE_VERSION)));
    QVERIFY(text.contains(QString::fromLatin1(qVersion())));
    QVERIFY(text.contains(QStringLiteral(QT_VERSION_STR)));
    QVERIFY(text.contains(QSysInfo::buildAbi()));
    QStringList menus;
    QTemporaryDir dir;
    ui::MainWindow window(dir.filePath(QStringLiteral("c.db")), QHostAddress::LocalHost, 0);
    for (QAction *a : window.menuBar()->actions())
        menus << a->text();
    QCOMPARE(menus, QStringList({QStringLiteral("&File"), QStringLiteral("&Capture"), QStringLiteral("&Help")}));
    QStringList help;
    for (QAction *a : window.menuBar()->actions().back()->menu()->actions())
        help << a->text();
    QVERIFY(help.contains(QStringLiteral("&About Pimscope")));
    // The window has the application's icon at every size, built in when no icon theme has it.
    const QIcon icon = window.windowIcon();
    QVERIFY(!icon.isNull());
    for (const int size : {16, 48, 256})
        QVERIFY2(!icon.pixmap(size, size).isNull(), qPrintable(QString::number(size)));
    QVERIFY(QFile::exists(QStringLiteral(":/icons/256x256/apps/io.github.pimscope.Pimscope.png")));
}

void TestMainWindow::warnsWhenReachableFromTheNetwork()
{
    // Listening on every interface: the window says so at once, as `pimscope receive` does on stderr.
    WindowFixture fixture(QHostAddress::AnyIPv4);
    ui::MainWindow &window = fixture.window;
    QTemporaryDir &dir = fixture.dir;
    QVERIFY(window.receiver());
    QTRY_VERIFY2(visibleLabelText(window).contains(QStringLiteral("reachable from the network")),
                 qPrintable(visibleLabelText(window)));
    // On the loopback there is no such warning.
    ui::MainWindow local(dir.filePath(QStringLiteral("d.db")), QHostAddress::LocalHost, 0);
    local.show();
    QVERIFY(local.receiver());
    QVERIFY(!visibleLabelText(local).contains(QStringLiteral("reachable from the network")));
}

void TestMainWindow::replayFromTheWindow()
{
    // A connector under development: another receiver, with its own capture and a secret.
    WindowFixture fixture;
    ui::MainWindow &window = fixture.window;
    QTemporaryDir &dir = fixture.dir;
    SignedTarget target(dir.filePath(QStringLiteral("target.db")), "window-replay-secret");
    qputenv("PIMSCOPE_TEST_REPLAY_SECRET", "window-replay-secret");

    QVERIFY(fixture.postAndWait("akeneo_batch_example.json", 10));
    EventTableModel *model = eventsModel(window);

    // Two rows selected, Ctrl+R: the dialog offers those two events.
    captureTable(window)->selectRow(1);
    captureTable(window)->selectionModel()->select(model->index(2, 0),
                                                   QItemSelectionModel::Select | QItemSelectionModel::Rows);
    QTest::keyClick(&window, Qt::Key_R, Qt::ControlModifier);
    ui::ReplayDialog *dialog = replayDialog(window);
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    // With a password in the URL and "accept any certificate" ticked: neither is remembered afterwards.
    QUrl withPassword(target.url());
    withPassword.setUserInfo(QStringLiteral("user:pw-never-saved"));
    dialog->urlEdit()->setText(withPassword.toString());
    dialog->insecureBox()->setChecked(true);
    dialog->setSecretFromEnvironment(QStringLiteral("PIMSCOPE_TEST_REPLAY_SECRET"));
    dialog->setBatchSize(10);
    QSignalSpy finished(dialog, &ui::ReplayDialog::replayFinished);
    QTest::mouseClick(dialog->startButton(), Qt::LeftButton);
    QVERIFY(finished.wait(20000));
    {
        QSettings stored;
        QCOMPARE(stored.value(QStringLiteral("replay/url")).toString(), target.url());
        QVERIFY(!stored.contains(QStringLiteral("replay/insecure")));
        QFile file(stored.fileName());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(!file.readAll().contains("pw-never-saved"));
    }
    const auto summary = finished.takeFirst().at(0).value<ReplaySummary>();
    QCOMPARE(summary.sent, 1);
    QCOMPARE(summary.ok, 1);
    QCOMPARE(summary.events, 2);
    QCOMPARE(dialog->resultsList()->topLevelItemCount(), 1);
    QCOMPARE(dialog->resultsList()->topLevelItem(0)->text(2), QStringLiteral("200"));
    QVERIFY(dialog->summaryLabel()->text().contains(QStringLiteral("1 answered 2xx")));
    QList<Delivery> got = target.received();
    QCOMPARE(got.size(), 1);
    QCOMPARE(got.front().signature, Signature::Valid);
    QCOMPARE(got.front().eventCount, 2);
    // The result is in the window's capture too, as a delivery of origin replay.
    filterEdit(window)->setText(QStringLiteral("origin == replay"));
    Q_EMIT filterEdit(window)->returnPressed();
    QTRY_COMPARE(model->rowCount(), 2);

    // Copy as cURL (Ctrl+Shift+C): the selected delivery, to the replay target, freshly signed; it works as it is.
    filterEdit(window)->clear();
    Q_EMIT filterEdit(window)->returnPressed();
    QTRY_COMPARE(model->rowCount(), 12);
    QTRY_VERIFY(model->record(0) != nullptr);
    captureTable(window)->selectRow(0);
    dialog->close(); // back to the main window, whose shortcut it is
    const QString command = copyAsCurl(window);
    QVERIFY(command.contains(QStringLiteral("X-Akeneo-Request-Signature")));
    QCOMPARE(runInBash(command), 0);
    got = target.received();
    QCOMPARE(got.size(), 2);
    QCOMPARE(got.last().signature, Signature::Valid);
    QCOMPARE(got.last().body, sample("akeneo_batch_example.json")); // the delivery's exact body
    QVERIFY2(dialog->messageLabel()->text().isEmpty(), qPrintable(dialog->messageLabel()->text()));

    // Again, unsigned and paced by the hour: the dialog says the requests go unsigned, and the receiver refuses them.
    dialog->show();
    dialog->urlEdit()->setText(target.url());
    dialog->insecureBox()->setChecked(false);
    dialog->setUnsigned();
    dialog->setRate(2);
    dialog->setRatePerHour(7200);
    QCOMPARE(dialog->ratePerSecond(), 2.0);
    QTest::mouseClick(dialog->startButton(), Qt::LeftButton);
    QVERIFY(finished.wait(20000));
    const auto refused = finished.takeFirst().at(0).value<ReplaySummary>();
    QCOMPARE(refused.endpointErrors, 1);
    QVERIFY2(dialog->messageLabel()->text().contains(QStringLiteral("the requests go unsigned")),
             qPrintable(dialog->messageLabel()->text()));
    QCOMPARE(dialog->resultsList()->topLevelItem(0)->text(2), QStringLiteral("401"));
    saveScreenshot(*dialog, "replay.png");
}

void TestMainWindow::replayAsTheSender()
{
    // A Quable notification replayed to a connector that fails (500), as Quable would deliver it: retried twice (its
    // 5 minutes scaled down), and stopped at the 3rd failure in a row, where Quable disables the webhook.
    WindowFixture fixture;
    ui::MainWindow &window = fixture.window;
    QVERIFY(fixture.postAndWait("quable_example.json", 1));
    auto connectorStore = EventStore::open(fixture.dir.filePath(QStringLiteral("connector.db")));
    QVERIFY2(connectorStore, qPrintable(connectorStore.error()));
    ReceiverSettings failing;
    failing.port = 0;
    failing.answerStatus = 500;
    Receiver connector(connectorStore.value().get(), failing);
    QVERIFY(connector.start());

    captureTable(window)->selectRow(0);
    QTest::keyClick(&window, Qt::Key_R, Qt::ControlModifier);
    ui::ReplayDialog *dialog = replayDialog(window);
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    dialog->urlEdit()->setText(connector.url() + QStringLiteral("quable"));
    dialog->setUnsigned();
    // The retry scale only matters as the sender; as the sender, each sender's own deadline replaces the timeout.
    QVERIFY(!dialog->retryScaleSpin()->isEnabled());
    dialog->asSenderBox()->setChecked(true);
    QVERIFY(dialog->retryScaleSpin()->isEnabled());
    dialog->retryScaleSpin()->setValue(0.0002);
    QSignalSpy finished(dialog, &ui::ReplayDialog::replayFinished);
    QTest::mouseClick(dialog->startButton(), Qt::LeftButton);
    QVERIFY(finished.wait(20000));
    const auto summary = finished.takeFirst().at(0).value<ReplaySummary>();
    QCOMPARE(summary.retries, 2);
    QCOMPARE(summary.delivered, 0);
    QVERIFY2(summary.cutOff.startsWith(QStringLiteral("Quable would have disabled the webhook after request 3")),
             qPrintable(summary.cutOff));
    QCOMPARE(dialog->resultsList()->topLevelItemCount(), 3);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(dialog->resultsList()->topLevelItem(i)->text(2), QStringLiteral("500"));
    QVERIFY2(dialog->summaryLabel()->text().contains(
                 QStringLiteral("stopped: Quable would have disabled the webhook after request 3")),
             qPrintable(dialog->summaryLabel()->text()));
    // The connector got the notification three times.
    connectorStore.value()->flush();
    QCOMPARE(allDeliveries(connectorStore.value()->reader()).size(), 3);
    saveScreenshot(*dialog, "replay-as-sender.png");
    dialog->asSenderBox()->setChecked(false);
    dialog->close();
}

void TestMainWindow::replayWithTheSecondarySecret()
{
    // An Event Platform connector rotating its secret: it verifies with the new one only, the subscription's
    // secondary secret. The dialog signs with both, as the platform does; so does Copy as cURL.
    WindowFixture fixture;
    ui::MainWindow &window = fixture.window;
    SignatureRule rule;
    rule.eventPlatformSecrets = {"rotated-new-secret"};
    SignedTarget target(fixture.dir.filePath(QStringLiteral("target.db")), rule);
    qputenv("PIMSCOPE_TEST_EP_PRIMARY", "rotated-old-secret");
    qputenv("PIMSCOPE_TEST_EP_SECONDARY", "rotated-new-secret");
    QCOMPARE(fixture.post(readFile(QStringLiteral(PIMSCOPE_TEST_DATA_DIR "/formats/event_platform_single/body"))), 200);
    EventTableModel *model = eventsModel(window);
    QTRY_VERIFY(model->rowCount() == 1 && model->record(0) != nullptr);

    captureTable(window)->selectRow(0);
    QTest::keyClick(&window, Qt::Key_R, Qt::ControlModifier);
    ui::ReplayDialog *dialog = replayDialog(window);
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    auto *secondarySource = dialog->findChild<QComboBox *>(QStringLiteral("secondarySource"));
    auto *secondaryName = dialog->findChild<QLineEdit *>(QStringLiteral("secondaryName"));
    QVERIFY(secondarySource && secondaryName);
    dialog->urlEdit()->setText(target.url("event-platform"));
    // Unsigned: no secondary secret either.
    dialog->setUnsigned();
    QVERIFY(!secondarySource->isEnabled() && !secondaryName->isEnabled());
    dialog->setSecretFromEnvironment(QStringLiteral("PIMSCOPE_TEST_EP_PRIMARY"));
    QVERIFY(secondarySource->isEnabled() && !secondaryName->isEnabled());
    secondarySource->setCurrentIndex(int(ReplayChoices::SecretSource::Environment));
    QVERIFY(secondaryName->isEnabled());
    // A secondary variable that is not set: said, nothing sent.
    secondaryName->setText(QStringLiteral("PIMSCOPE_TEST_NOT_SET"));
    QTest::mouseClick(dialog->startButton(), Qt::LeftButton);
    QTRY_VERIFY2(visibleLabelText(*dialog).contains(QStringLiteral("PIMSCOPE_TEST_NOT_SET (the secondary secret)")),
                 qPrintable(visibleLabelText(*dialog)));
    QVERIFY(dialog->startButton()->isEnabled());
    QCOMPARE(target.received().size(), 0);
    secondaryName->setText(QStringLiteral("PIMSCOPE_TEST_EP_SECONDARY"));
    QSignalSpy finished(dialog, &ui::ReplayDialog::replayFinished);
    QTest::mouseClick(dialog->startButton(), Qt::LeftButton);
    QVERIFY(finished.wait(20000));
    QCOMPARE(finished.takeFirst().at(0).value<ReplaySummary>().ok, 1);
    QList<Delivery> got = target.received();
    QCOMPARE(got.size(), 1);
    QCOMPARE(got.front().signature, Signature::Valid);
    QCOMPARE(got.front().signatureDetail,
             QStringLiteral("valid: X-AKENEO-SIGNATURE-SECONDARY matches the primary secret"));
    QCOMPARE(headerValue(got.front().headers, "X-AKENEO-SIGNATURE-PRIMARY"),
             hmacSha256Hex("rotated-old-secret", got.front().body));
    saveScreenshot(*dialog, "replay-secondary-secret.png");
    {
        // Remembered by name, never by value.
        QSettings stored;
        QCOMPARE(stored.value(QStringLiteral("replay/secondarySecretName")).toString(),
                 QStringLiteral("PIMSCOPE_TEST_EP_SECONDARY"));
        QFile file(stored.fileName());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(!file.readAll().contains("rotated-new-secret"));
    }
    dialog->close();

    // Copy as cURL: both signatures, and the command is accepted as it is.
    captureTable(window)->selectRow(0);
    const QString command = copyAsCurl(window);
    QVERIFY2(command.contains(QStringLiteral("X-AKENEO-SIGNATURE-SECONDARY")), qPrintable(command));
    QCOMPARE(runInBash(command), 0);
    got = target.received();
    QCOMPARE(got.size(), 2);
    QCOMPARE(got.last().signature, Signature::Valid);
    // The next tests' replays are the Events API's: no secondary secret remembered for them.
    QSettings().remove(QStringLiteral("replay/secondarySecretSource"));
}

void TestMainWindow::rowMenuFiltersOnACell()
{
    WindowFixture fixture;
    ui::MainWindow &window = fixture.window;
    QVERIFY(fixture.postAndWait("akeneo_batch_example.json", 10));
    EventTableModel *model = eventsModel(window);
    const QString action = model->record(0)->event.action;
    const QModelIndex cell = model->index(0, EventTableModel::Action);
    QCOMPARE(window.cellFilter(cell), QStringLiteral("action == \"%1\"").arg(action));
    QCOMPARE(window.cellFilter(cell, true), QStringLiteral("action != \"%1\"").arg(action));
    QVERIFY(window.cellFilter(model->index(0, EventTableModel::Received)).isEmpty()); // not a field to compare
    // Applied, it narrows the rows; a second one is combined with the first.
    filterEdit(window)->setText(window.cellFilter(cell));
    Q_EMIT filterEdit(window)->returnPressed();
    QTRY_VERIFY(!model->isQuerying() && model->filter() == filterEdit(window)->text());
    const int sameAction = model->rowCount();
    QVERIFY(sameAction > 0 && sameAction < 10);
    QTRY_VERIFY(model->record(0) != nullptr);
    const QString combined = window.cellFilter(model->index(0, EventTableModel::Author));
    QCOMPARE(combined,
             QStringLiteral("(action == \"%1\") && author == \"%2\"").arg(action, model->record(0)->event.author));
    // Numbers are compared as numbers.
    QVERIFY(window.cellFilter(model->index(0, EventTableModel::DeliveryColumn))
                .endsWith(QStringLiteral("delivery_id == 1")));
}

void TestMainWindow::retriesShowAsAChain()
{
    // A failing connector (the receiver answers 500): Quable sends its notification again, twice. Each redelivery is
    // the next attempt of the first, not a duplicate; the timeline nests them under it with the answers.
    WindowFixture fixture;
    ui::MainWindow &window = fixture.window;
    const AppSettings before = window.settings();
    AppSettings failing = before;
    failing.answerStatus = 500;
    window.applySettings(failing);
    const auto restore = qScopeGuard([&] { window.applySettings(before); }); // (the settings are saved)
    for (int i = 0; i < 3; ++i)
        QCOMPARE(fixture.post(sample("quable_example.json")), 500);
    EventTableModel *model = eventsModel(window);
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 3, 10000);
    QTRY_VERIFY(model->record(0) && model->record(1) && model->record(2));
    QCOMPARE(model->data(model->index(0, EventTableModel::Attempt)).toString(), QString());
    QCOMPARE(model->data(model->index(1, EventTableModel::Attempt)).toString(), QStringLiteral("2 ← #1"));
    QCOMPARE(model->data(model->index(2, EventTableModel::Attempt)).toString(), QStringLiteral("3 ← #1"));
    for (int row = 0; row < 3; ++row)
        QVERIFY(!model->data(model->index(row, EventTableModel::FlagsColumn))
                     .toString()
                     .contains(QStringLiteral("duplicate")));
    QVERIFY(window.cellFilter(model->index(2, EventTableModel::Attempt)).endsWith(QStringLiteral("attempt == 3")));
    captureTable(window)->selectRow(0);
    QTRY_COMPARE_WITH_TIMEOUT(timeline(window)->topLevelItemCount(), 1, 5000);
    QTreeWidgetItem *first = timeline(window)->topLevelItem(0);
    QCOMPARE(first->childCount(), 2);
    QCOMPARE(first->text(6), QStringLiteral("1"));
    QCOMPARE(first->child(1)->text(6), QStringLiteral("retry 3"));
    QVERIFY2(first->child(1)->text(7).startsWith(QStringLiteral("500 in ")), qPrintable(first->child(1)->text(7)));
    QVERIFY2(first->child(1)->text(7).endsWith(QStringLiteral(", failed")), qPrintable(first->child(1)->text(7)));
    QVERIFY2(timelineSummary(window)->text().contains(QStringLiteral("2 retries of a failed delivery")),
             qPrintable(timelineSummary(window)->text()));
    detailTabs(window)->setCurrentWidget(timeline(window)->parentWidget());

    // The third failure disables a Quable webhook: said in a banner as it happens, in Quable's meter (the Events
    // API's quota meter is not shown: no Events API traffic), and first in the diagnostics.
    auto *banner = part<QLabel>(window, "cutOffBanner");
    QTRY_VERIFY(banner->isVisible());
    QVERIFY2(banner->text().contains(QStringLiteral("Quable would have disabled the webhook for /hook at ")),
             qPrintable(banner->text()));
    auto *quable = part<QProgressBar>(window, "quableMeter");
    QVERIFY(quable->isVisible());
    QCOMPARE(quable->text(), QStringLiteral("Quable disabled"));
    QCOMPARE(quable->value(), 3);
    QVERIFY(!quotaMeter(window)->isVisible());
    QVERIFY(!part<QProgressBar>(window, "eventPlatformMeter")->isVisible());
    ui::DiagnosticsPanel *panel = diagnostics(window);
    QTreeWidgetItem *row = panel->topLevelItem(0);
    QCOMPARE(row->text(0), QStringLiteral("Quable /hook: disabled"));
    QCOMPARE(row->text(1), QStringLiteral("Error"));
    QCOMPARE(row->text(3), QStringLiteral("3"));
    QSignalSpy filtered(panel, &ui::DiagnosticsPanel::filterRequested);
    Q_EMIT panel->itemActivated(row, 0);
    QCOMPARE(filtered.size(), 1);
    QCOMPARE(filtered.first().first().toString(),
             QStringLiteral("origin == receiver && format == quable && path == \"/hook\""));
    QTRY_COMPARE(filterEdit(window)->text(), filtered.first().first().toString());
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 3, 5000);
    saveScreenshot(window, "retries.png");
    // Dismissed, it stays hidden until the next cut-off.
    QTest::qWait(50);
    Q_EMIT banner->linkActivated(QStringLiteral("dismiss"));
    QVERIFY(!banner->isVisible());
}

void TestMainWindow::liveEventsAndFilter()
{
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("c.db"));
    ui::MainWindow window(db, QHostAddress::LocalHost, 0);
    window.show();
    QVERIFY(window.receiver());
    const quint16 port = quint16(QUrl(window.shownUrl()).port());
    QVERIFY(port > 0);
    saveScreenshot(window, "empty.png");

    // Events a PIM posts show up without anything being clicked.
    QCOMPARE(postTo(port, sample("akeneo_batch_example.json")), 200);
    QCOMPARE(postTo(port, sample("quable_example.json")), 200);
    EventTableModel *model = eventsModel(window);
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 11, 10000);

    // Typing a filter narrows the rows (debounced); a wrong one says what is wrong and keeps the rows.
    QTest::keyClicks(filterEdit(window), QStringLiteral("action == \"product.removed\""));
    QTRY_VERIFY_WITH_TIMEOUT(model->rowCount() < 11 && model->rowCount() > 0, 5000);
    const int removed = model->rowCount();
    QVERIFY(filterError(window)->isHidden());
    filterEdit(window)->setText(QStringLiteral("action == "));
    QTRY_VERIFY(!filterError(window)->isHidden());
    QVERIFY(!filterError(window)->text().isEmpty());
    QCOMPARE(model->rowCount(), removed);

    // Selecting a row shows its event's JSON.
    filterEdit(window)->clear();
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 11, 5000);
    QTRY_VERIFY(model->record(0) != nullptr);
    captureTable(window)->selectRow(0);
    QTRY_VERIFY(eventJson(window)->toPlainText().contains(QStringLiteral("\"event_id\"")));
    // The tree of the event: in its order, searchable, its paths copied.
    ui::JsonTreeView *tree = eventTree(window);
    QTRY_COMPARE(tree->tree()->topLevelItemCount(), 1);
    QCOMPARE(tree->tree()->topLevelItem(0)->child(0)->text(0), QStringLiteral("action"));
    QVERIFY(tree->findNext(QStringLiteral("TSHIRT-ORG-BLU-M")));
    QCOMPARE(ui::JsonTreeView::pathOf(tree->tree()->currentItem()), QStringLiteral("data.resource.identifier"));
    QVERIFY(!tree->findNext(QStringLiteral("no such text anywhere")));
    // Raw: the exact bytes of the body (the sample escapes "/" as "\/", as Akeneo does).
    QTRY_VERIFY(rawBody(window)->toPlainText().toUtf8() == sample("akeneo_batch_example.json"));

    // In the PIM's own member order ("action" first in the sample), not sorted.
    QVERIFY(eventJson(window)->toPlainText().indexOf(QStringLiteral("\"action\""))
            < eventJson(window)->toPlainText().indexOf(QStringLiteral("\"author\"")));

    // The same batch again: ten duplicates, flagged and tinted, while the selection stays on row 0.
    QCOMPARE(postTo(port, sample("akeneo_batch_example.json")), 200);
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 21, 10000);
    QTRY_VERIFY(
        model->data(model->index(20, EventTableModel::FlagsColumn)).toString().contains(QStringLiteral("duplicate")));
    QVERIFY(
        !model->data(model->index(0, EventTableModel::FlagsColumn)).toString().contains(QStringLiteral("duplicate")));
    QCOMPARE(captureTable(window)->currentIndex().row(), 0);
    QCOMPARE(ui::severityOf(Flags(Flag::Duplicate)), ui::Severity::Notice);
    QCOMPARE(ui::severityOf(Flag::BadSignature | Flag::Duplicate), ui::Severity::Error);
    QCOMPARE(ui::severityOf(Flags(Flag::SlowAck)), ui::Severity::Warning);
    QCOMPARE(ui::severityOf(Flags(Flag::Self)), ui::Severity::None);

    // Ctrl+C copies the event's JSON as the PIM sent it.
    window.copyEventJson();
    QTRY_VERIFY(model->record(0));
    QCOMPARE(QGuiApplication::clipboard()->text().toUtf8(), model->record(0)->payload);

    // The timeline of the selected product: its event, then the same event delivered again.
    captureTable(window)->selectRow(1);
    captureTable(window)->selectRow(0);
    QTRY_COMPARE_WITH_TIMEOUT(timeline(window)->topLevelItemCount(), 2, 5000);
    QVERIFY(timeline(window)->topLevelItem(1)->text(8).contains(QStringLiteral("duplicate")));
    QVERIFY2(timelineSummary(window)->text().contains(QStringLiteral("1 delivered again")),
             qPrintable(timelineSummary(window)->text()));

    // Compare needs two selected events: a product and its own redelivery are the same; two products differ.
    const int compare = compareTab(window);
    QVERIFY(!detailTabs(window)->isTabEnabled(compare));
    QItemSelectionModel *selection = captureTable(window)->selectionModel();
    selection->select(model->index(11, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
    QTRY_VERIFY(detailTabs(window)->isTabEnabled(compare));
    QVERIFY2(compareView(window)->toPlainText().contains(QStringLiteral("no difference")),
             qPrintable(compareView(window)->toPlainText()));
    captureTable(window)->selectRow(0);
    selection->select(model->index(1, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
    QTRY_VERIFY(compareView(window)->toPlainText().contains(QStringLiteral("differences")));
    QVERIFY2(compareView(window)->toPlainText().contains(
                 QStringLiteral("~ identifier: \"TSHIRT-ORG-BLU-M\" → \"TSHIRT-ORG-BLU-L\"")),
             qPrintable(compareView(window)->toPlainText()));
    detailTabs(window)->setCurrentIndex(compare);
    saveScreenshot(window, "compare.png");
    captureTable(window)->selectRow(0);
    QTRY_VERIFY(!detailTabs(window)->isTabEnabled(compare));
    detailTabs(window)->setCurrentIndex(0);
    saveScreenshot(window, "live.png");
}

void TestMainWindow::columnLayoutIsRemembered()
{
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("c.db"));
    {
        ui::MainWindow window(db, QHostAddress::LocalHost, 0);
        window.show();
        QVERIFY(!captureTable(window)->isColumnHidden(EventTableModel::PimSource));
        captureTable(window)->horizontalHeader()->setSectionHidden(EventTableModel::PimSource, true);
        captureTable(window)->horizontalHeader()->moveSection(EventTableModel::FlagsColumn, 1);
        window.close();
    }
    ui::MainWindow window(db, QHostAddress::LocalHost, 0);
    window.show();
    QVERIFY(captureTable(window)->isColumnHidden(EventTableModel::PimSource));
    QCOMPARE(captureTable(window)->horizontalHeader()->visualIndex(EventTableModel::FlagsColumn), 1);
    // Put it back for the other tests.
    captureTable(window)->horizontalHeader()->setSectionHidden(EventTableModel::PimSource, false);
    captureTable(window)->horizontalHeader()->moveSection(1, EventTableModel::FlagsColumn);
    window.close();
}

void TestMainWindow::portTakenOffersTheNextOne()
{
    QTcpServer taken;
    QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
    QTemporaryDir dir;
    ui::MainWindow window(dir.filePath(QStringLiteral("c.db")), QHostAddress::LocalHost, taken.serverPort());
    window.show();
    QVERIFY(!window.receiver());
    QPushButton *other = otherPortButton(window);
    QVERIFY(other->isVisible());
    QVERIFY(other->text().startsWith(QStringLiteral("Use port ")));
    QTest::mouseClick(other, Qt::LeftButton);
    QVERIFY(window.receiver());
    QVERIFY(quint16(QUrl(window.shownUrl()).port()) != taken.serverPort());
}

void TestMainWindow::unreadableCaptureIsShown()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("notes.txt"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("these are my notes, not a capture\n");
    f.close();
    ui::MainWindow window(path, QHostAddress::LocalHost, 0);
    window.show();
    QVERIFY(!window.receiver());
    QVERIFY(!filterEdit(window)->isEnabled());
    // The file is left as it was.
    QCOMPARE(readFile(path), QByteArray("these are my notes, not a capture\n"));
}

void TestMainWindow::demoEventsInAScratchCapture()
{
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("c.db"));
    ui::MainWindow window(db, QHostAddress::LocalHost, 0);
    window.resize(1400, 860);
    window.show();
    QVERIFY(window.receiver());
    QVERIFY(window.loadDemo());
    QVERIFY(window.capturePath() != db);
    QVERIFY(window.capturePath().startsWith(QDir::tempPath()));
    // The receiver moved to the scratch capture with it.
    QVERIFY(window.receiver());
    EventTableModel *model = eventsModel(window);
    QTRY_VERIFY_WITH_TIMEOUT(model->rowCount() > 200, 10000);
    filterEdit(window)->setText(QStringLiteral("flag:bad_signature || flag:slow_ack || flag:out_of_order"));
    QTRY_VERIFY_WITH_TIMEOUT(model->rowCount() > 0 && model->rowCount() < 40, 5000);

    // Completion of the word being typed: fields, flags, and the actions and authors of the capture, quoted.
    ui::FilterBar *bar = filterBar(window);
    QVERIFY(bar->completionsFor(QStringLiteral("auth")).contains(QStringLiteral("author_type")));
    QCOMPARE(bar->completionsFor(QStringLiteral("flag:dup")), QStringList{QStringLiteral("flag:duplicate")});
    QTRY_VERIFY(bar->completionsFor(QStringLiteral("action == \"product_m"))
                    .contains(QStringLiteral("\"product_model.updated\"")));
    QVERIFY(bar->completionsFor(QStringLiteral("author == eRP")).contains(QStringLiteral("\"erp_connector_0417\"")));
    // Filters applied are remembered, most recent first.
    QCOMPARE(bar->history().value(0), QStringLiteral("flag:bad_signature || flag:slow_ack || flag:out_of_order"));
    bar->save(QStringLiteral("problems"), QStringLiteral("flag:error"));
    QCOMPARE(bar->saved().value(0).second, QStringLiteral("flag:error"));
    Q_EMIT bar->picked(QStringLiteral("flag:error"));
    QCOMPARE(filterEdit(window)->text(), QStringLiteral("flag:error"));
    QTRY_VERIFY_WITH_TIMEOUT(model->filter() == QStringLiteral("flag:error") && model->rowCount() > 0, 5000);

    // The diagnostics list every problem of the demo with its count; clicking one filters the table to it.
    // First the subscriptions each sender would have cut off: the Event Platform's, suspended on a 404; Quable's,
    // disabled at the 3rd failure in a row and re-enabled since.
    ui::DiagnosticsPanel *panel = diagnostics(window);
    // (The connector's rows show only once something was forwarded: the demo forwards nothing.)
    const auto shownGroups = std::count_if(
        ui::DiagnosticsPanel::groups().cbegin(), ui::DiagnosticsPanel::groups().cend(),
        [](const ui::DiagnosticsPanel::Group &g) { return g.source != ui::DiagnosticsPanel::Source::Connector; });
    QTRY_COMPARE_WITH_TIMEOUT(panel->topLevelItemCount(), int(shownGroups) + 2, 5000);
    QCOMPARE(panel->topLevelItem(0)->text(0), QStringLiteral("Event Platform /event-platform: suspended"));
    QCOMPARE(panel->topLevelItem(0)->text(1), QStringLiteral("Error"));
    QCOMPARE(panel->topLevelItem(1)->text(0), QStringLiteral("Quable /quable: was disabled (1×)"));
    QCOMPARE(panel->topLevelItem(1)->text(1), QStringLiteral("Note"));
    // Each sender's meter, and the banner: the demo's traffic is stored as if it arrived now.
    QCOMPARE(part<QProgressBar>(window, "eventPlatformMeter")->text(), QStringLiteral("Event Platform suspended"));
    QVERIFY(part<QProgressBar>(window, "eventPlatformMeter")->toolTip().contains(QStringLiteral("/event-platform: ")));
    QCOMPARE(part<QProgressBar>(window, "quableMeter")->text(), QStringLiteral("Quable 0/3 failures"));
    QVERIFY(part<QLabel>(window, "cutOffBanner")->isVisible());
    QVERIFY(part<QLabel>(window, "cutOffBanner")
                ->text()
                .contains(QStringLiteral(
                    "The Event Platform would have suspended the subscription for /event-platform at ")));
    QTreeWidgetItem *duplicates = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (int i = 0; i < panel->topLevelItemCount(); ++i) {
                QTreeWidgetItem *item = panel->topLevelItem(i);
                if (item->text(0) == QStringLiteral("Duplicates") && item->text(2).toInt() > 0)
                    duplicates = item;
            }
            return duplicates != nullptr;
        }(),
        5000);
    // Every group has something, those of the PIM's log (imported with the demo) and of the reconciliation included.
    const auto emptyGroup = [&]() -> QString {
        for (int i = 0; i < panel->topLevelItemCount(); ++i) {
            const QTreeWidgetItem *item = panel->topLevelItem(i);
            if (item->text(2).toInt() == 0 && item->text(3).toInt() == 0)
                return item->text(0);
        }
        return {};
    };
    QTRY_VERIFY2_WITH_TIMEOUT(emptyGroup().isEmpty(), qPrintable(emptyGroup()), 10000);
    for (int i = 0; i < panel->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = panel->topLevelItem(i);
        if (item->text(0) == QStringLiteral("In the log, never received")) {
            QCOMPARE(item->text(2), QStringLiteral("1"));
            QTest::mouseClick(panel->viewport(), Qt::LeftButton, {}, panel->visualItemRect(item).center());
            QCOMPARE(filterEdit(window)->text(), QStringLiteral("recon == not_captured"));
            QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 1, 5000);
            QTRY_COMPARE(model->data(model->index(0, EventTableModel::Subject)).toString(),
                         QStringLiteral("BAG-TOTE-CANVAS"));
        }
    }
    const int duplicateEvents = duplicates->text(2).toInt();
    QTest::mouseClick(panel->viewport(), Qt::LeftButton, {}, panel->visualItemRect(duplicates).center());
    QCOMPARE(filterEdit(window)->text(), QStringLiteral("flag:duplicate"));
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), duplicateEvents, 5000);

    // The status bar: requests in the rolling hour against Akeneo's 4,000, and the p99 answer time.
    QTRY_VERIFY(quotaMeter(window)->value() > 50);
    QCOMPARE(quotaMeter(window)->maximum(), 4000);
    QVERIFY2(part<QLabel>(window, "p99Answer")->text().contains(QStringLiteral("ms")),
             qPrintable(part<QLabel>(window, "p99Answer")->text()));
    filterEdit(window)->clear();
    QTRY_VERIFY_WITH_TIMEOUT(model->rowCount() > 200, 5000);
    // A click on a header sorts by that column; on one the query cannot order, nothing moves.
    QHeaderView *header = captureTable(window)->horizontalHeader();
    const auto clickHeader = [&](int column) {
        QTest::mouseClick(
            header->viewport(), Qt::LeftButton, {},
            QPoint(header->sectionViewportPosition(column) + header->sectionSize(column) / 2, header->height() / 2));
    };
    captureTable(window)->scrollTo(model->index(0, EventTableModel::Action));
    clickHeader(EventTableModel::Action);
    QTRY_COMPARE_WITH_TIMEOUT(model->sortKey(), QStringLiteral("action"), 5000);
    QTRY_COMPARE(model->data(model->index(0, EventTableModel::Action)).toString(),
                 QStringLiteral("com.akeneo.pim.v1.product.updated"));
    captureTable(window)->scrollTo(model->index(0, EventTableModel::SignatureColumn));
    clickHeader(EventTableModel::SignatureColumn);
    QCoreApplication::processEvents(); // a sort it would ask for is asked for by now (the click is handled at once)
    QCOMPARE(model->sortKey(), QStringLiteral("action"));
    QTRY_COMPARE(header->sortIndicatorSection(), int(EventTableModel::Action));
    captureTable(window)->scrollTo(model->index(0, EventTableModel::Number));
    clickHeader(EventTableModel::Number);
    QTRY_COMPARE(model->sortKey(), QStringLiteral("id"));

    // The deliveries table: one row per request, and back.
    window.showDeliveries(true);
    QVERIFY(window.showingDeliveries());
    DeliveryTableModel *deliveries = deliveriesModel(window);
    QCOMPARE(captureTable(window)->model(), deliveries);
    // The demo's requests, then the lines of its PIM log.
    QTRY_VERIFY_WITH_TIMEOUT(deliveries->rowCount() > 200 && deliveries->rowCount() < 260, 5000);
    QTRY_VERIFY(deliveries->delivery(0) != nullptr);
    QCOMPARE(deliveries->data(deliveries->index(0, DeliveryTableModel::Format)).toString(),
             QStringLiteral("akeneo-test"));
    captureTable(window)->selectRow(1);
    QTRY_VERIFY(eventJson(window)->toPlainText().startsWith(QStringLiteral("// event 1 of")));
    saveScreenshot(window, "deliveries.png");
    filterEdit(window)->setText(QStringLiteral("origin == receiver && format in {akeneo, unknown} && status >= 400"));
    QTRY_COMPARE_WITH_TIMEOUT(deliveries->rowCount(), 3, 5000); // 401, 400 and 500
    // The Event Platform's and Quable's failures: 503, 500, 429 × 3, 404; 500, 500 (the too slow one is a 200).
    filterEdit(window)->setText(
        QStringLiteral("origin == receiver && format in {akeneo-event-platform, quable} && status >= 400"));
    QTRY_COMPARE_WITH_TIMEOUT(deliveries->rowCount(), 8, 5000);
    filterEdit(window)->clear();
    window.showDeliveries(false);
    QCOMPARE(captureTable(window)->model(), model);
    QTRY_VERIFY_WITH_TIMEOUT(model->rowCount() > 200, 5000);

    captureTable(window)->scrollToBottom();
    const int last = model->rowCount() - 1;
    QTRY_VERIFY(model->record(last) != nullptr);
    captureTable(window)->selectRow(last - 3);
    QTRY_VERIFY(!eventJson(window)->toPlainText().isEmpty());
    // Its delivery's tab follows (not the one shown before).
    QTRY_VERIFY(window.findChildren<QPlainTextEdit *>().size() >= 3);
    const qint64 deliveryId = model->record(last - 3)->event.deliveryId;
    QTRY_VERIFY([&] {
        for (QPlainTextEdit *view : window.findChildren<QPlainTextEdit *>()) {
            if (view->toPlainText().startsWith(QStringLiteral("Delivery   %1 ").arg(deliveryId)))
                return true;
        }
        return false;
    }());
    detailTabs(window)->setCurrentIndex(0);
    saveScreenshot(window, "demo.png");
    QFile::remove(window.capturePath());
}

void TestMainWindow::tunnelUrlIsShownAndRemembered()
{
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("c.db"));
    {
        ui::MainWindow window(db, QHostAddress::LocalHost, 0);
        window.show();
        const QString local = window.shownUrl();
        QVERIFY(local.startsWith(QStringLiteral("http://127.0.0.1:")));
        publicUrlEdit(window)->setText(QStringLiteral("not a url"));
        QCOMPARE(window.shownUrl(), local); // an invalid one is not shown
        publicUrlEdit(window)->setText(QStringLiteral("https://pim-hooks.example.ngrok.app/akeneo"));
        QCOMPARE(window.shownUrl(), QStringLiteral("https://pim-hooks.example.ngrok.app/akeneo"));
        // The toolbar shows where the PIM's requests go: the public URL, then this receiver.
        auto *label = window.findChild<QLabel *>(QStringLiteral("receiverUrl"));
        QVERIFY(label);
        QCOMPARE(label->text(), QStringLiteral("https://pim-hooks.example.ngrok.app/akeneo → ") + local);
        publicUrlEdit(window)->setText(QStringLiteral("not a url"));
        QCOMPARE(label->text(), local);
        publicUrlEdit(window)->setText(QStringLiteral("https://pim-hooks.example.ngrok.app/akeneo"));
        window.stopReceiver();
        QCOMPARE(label->text(), QStringLiteral("(stopped)"));
        QCOMPARE(window.shownUrl(), QString()); // nothing to give the PIM while stopped
    }
    ui::MainWindow window(db, QHostAddress::LocalHost, 0);
    window.show();
    QCOMPARE(window.shownUrl(), QStringLiteral("https://pim-hooks.example.ngrok.app/akeneo"));
    publicUrlEdit(window)->clear();
}

void TestMainWindow::forwardingToTheConnector()
{
    TestConnector connector;
    connector.setBehaviour({"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-Connector: yes\r\n"
                            "Content-Length: 17\r\n\r\n{\"imported\":true}"});
    // Set in the settings (the Forwarding page writes them): everything received goes on to the connector.
    QSettings().setValue(QStringLiteral("receiver/forwardRules"),
                         QStringList{QStringLiteral("/=%1").arg(connector.url(QStringLiteral("/hooks")))});
    QTemporaryDir dir;
    ui::MainWindow window(dir.filePath(QStringLiteral("c.db")), QHostAddress::LocalHost, 0);
    window.resize(1400, 900);
    window.show();
    QVERIFY(window.receiver());
    const quint16 port = quint16(QUrl(window.shownUrl()).port());
    // The toolbar says where deliveries go on.
    auto *url = window.findChild<QLabel *>(QStringLiteral("receiverUrl"));
    QVERIFY2(url->text().contains(QStringLiteral("-> %1").arg(connector.url(QStringLiteral("/hooks")))),
             qPrintable(url->text()));

    // The PIM gets the connector's answer; the tables show it beside Pimscope's own columns.
    QCOMPARE(postTo(port, sample("akeneo_batch_example.json"), "/akeneo"), 201);
    QVERIFY(connector.waitForRequests(1));
    QCOMPARE(connector.requests().front().target(), QByteArray("/hooks/akeneo"));
    EventTableModel *model = eventsModel(window);
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 10, 10000);
    QTRY_COMPARE(model->data(model->index(0, EventTableModel::ConnectorStatus)).toString(), QStringLiteral("201"));
    QVERIFY(!model->data(model->index(0, EventTableModel::ConnectorMs)).toString().isEmpty());
    const QString verdict = model->data(model->index(0, EventTableModel::ConnectorVerdictColumn)).toString();
    QVERIFY2(verdict == u"sent" || verdict == u"timeout", qPrintable(verdict)); // timeout on a loaded machine
    QCOMPARE(model->headerData(EventTableModel::ConnectorStatus, Qt::Horizontal).toString(),
             QStringLiteral("Connector"));

    // The Delivery tab's Connector section: where it went, the answer, what the sender makes of it.
    captureTable(window)->selectRow(0);
    auto *deliveryText = window.findChild<QPlainTextEdit *>(QStringLiteral("deliveryText"));
    detailTabs(window)->setCurrentWidget(deliveryText);
    QTRY_VERIFY2(deliveryText->toPlainText().contains(QStringLiteral("Connector")),
                 qPrintable(deliveryText->toPlainText()));
    const QString text = deliveryText->toPlainText();
    QVERIFY2(text.contains(QStringLiteral("Target     %1 (proxy").arg(connector.url(QStringLiteral("/hooks/akeneo")))),
             qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Answered   201 in ")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Header     X-Connector: yes")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Body       {\"imported\":true}")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Verdict    ")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Answered   201 in")), qPrintable(text));

    // The diagnostics count what the connector answered (their rows show once something was forwarded).
    const auto diagnosticsTitles = [&window] {
        QStringList titles;
        for (int i = 0; i < diagnostics(window)->topLevelItemCount(); ++i)
            titles << diagnostics(window)->topLevelItem(i)->text(0);
        return titles;
    };
    QTRY_VERIFY_WITH_TIMEOUT(diagnosticsTitles().contains(QStringLiteral("Connector: 2xx to bad signatures")), 10000);
    QVERIFY(diagnosticsTitles().contains(QStringLiteral("Forwards waiting")));
    // The status bar's connector meter: the share delivered and the p99 of its answers.
    auto *meter = window.findChild<QProgressBar *>(QStringLiteral("connectorMeter"));
    QTRY_VERIFY(meter->isVisible());
    QVERIFY2(meter->text().startsWith(QStringLiteral("connector ")) && meter->text().contains(QStringLiteral("p99")),
             qPrintable(meter->text()));
    // The charts: the connector's answer times against the sender's deadline, beside Pimscope's own.
    QTest::keyClick(&window, Qt::Key_G, Qt::ControlModifier);
    ui::ChartsView *charts = chartsView(window);
    QTRY_COMPARE_WITH_TIMEOUT(charts->charts().connector.answered, 1, 10000);
    QVERIFY(charts->connectorChart()->isVisible());
    QVERIFY2(charts->summaryLabel()->text().contains(QStringLiteral("connector: 1 answers")),
             qPrintable(charts->summaryLabel()->text()));
    QTest::qWait(300);
    saveScreenshot(window, "forwarding.png");
    QTest::keyClick(&window, Qt::Key_G, Qt::ControlModifier);

    // The connector's fields filter the table.
    filterEdit(window)->setText(QStringLiteral("connector_status == 201 && forward_state == answered"));
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 10, 5000);
    filterEdit(window)->setText(QStringLiteral("connector_status != 201"));
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 0, 5000);

    // The settings' Forwarding page: one rule per line, each problem named.
    AppSettings s;
    s.forwardRules = {QStringLiteral("/akeneo=http://localhost:3000/hooks,mode=ack")};
    ui::SettingsDialog dialog(s);
    QCOMPARE(dialog.forwardRulesEdit()->toPlainText(), QStringLiteral("/akeneo=http://localhost:3000/hooks,mode=ack"));
    dialog.forwardRulesEdit()->setPlainText(QStringLiteral("/akeneo=http://localhost:3000/hooks\n\n/quable=ftp://x"));
    QCOMPARE(dialog.settings().forwardRules.size(), 2);
    const QStringList problems = dialog.settings().problems();
    QCOMPARE(problems.size(), 1);
    QVERIFY2(problems.front().startsWith(QStringLiteral("Forwarding rule '/quable=ftp://x': ")),
             qPrintable(problems.front()));
    QSettings().remove(QStringLiteral("receiver/forwardRules"));
}

void TestMainWindow::ackForwardsUpdateTheRowsOnShow()
{
    // Ack mode: Pimscope answers, the forward waits for a connector that is down (a port nobody listens on), then
    // goes once it is up. The row on show follows, with nothing else arriving to refresh the table.
    quint16 connectorPort = 0;
    {
        const TestConnector probe;
        connectorPort = quint16(QUrl(probe.url(QStringLiteral("/"))).port());
    }
    QSettings().setValue(QStringLiteral("receiver/forwardRules"),
                         QStringList{QStringLiteral("/=http://127.0.0.1:%1/hooks,mode=ack").arg(connectorPort)});
    QTemporaryDir dir;
    ui::MainWindow window(dir.filePath(QStringLiteral("c.db")), QHostAddress::LocalHost, 0);
    window.resize(1400, 900);
    window.show();
    QVERIFY(window.receiver());
    const quint16 port = quint16(QUrl(window.shownUrl()).port());
    QCOMPARE(postTo(port, sample("quable_example.json"), "/quable"), 200); // Pimscope's own answer
    EventTableModel *model = eventsModel(window);
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 1, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(model->data(model->index(0, EventTableModel::ConnectorStatus)).toString(),
                              QStringLiteral("queued"), 10000);
    captureTable(window)->selectRow(0);
    auto *deliveryText = window.findChild<QPlainTextEdit *>(QStringLiteral("deliveryText"));
    detailTabs(window)->setCurrentWidget(deliveryText);
    QTRY_VERIFY2(deliveryText->toPlainText().contains(QStringLiteral("ack: Pimscope answered the PIM")),
                 qPrintable(deliveryText->toPlainText()));

    // The connector comes up on that port: the next attempt (the back-off starts at 1 s) is answered.
    TestConnector connector(false, connectorPort);
    connector.setBehaviour({"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"});
    QVERIFY(connector.waitForRequests(1, 15000));
    QTRY_COMPARE_WITH_TIMEOUT(model->data(model->index(0, EventTableModel::ConnectorStatus)).toString(),
                              QStringLiteral("202"), 5000);
    QCOMPARE(model->data(model->index(0, EventTableModel::ConnectorVerdictColumn)).toString(), QStringLiteral("sent"));
    QCOMPARE(model->rowCount(), 1);
    // The selected row's Delivery tab too.
    QTRY_VERIFY2(deliveryText->toPlainText().contains(QStringLiteral("Answered   202 in ")),
                 qPrintable(deliveryText->toPlainText()));
    QSettings().remove(QStringLiteral("receiver/forwardRules"));
}

void TestMainWindow::deliveryTabSaysWhatEachOriginHas()
{
    // A received request: when, from where, what, the verdict and the answer.
    Delivery received;
    received.id = 7;
    received.receivedAtMs = 1'764'000'000'000;
    received.method = "POST";
    received.path = "/akeneo";
    received.remote = QStringLiteral("127.0.0.1:51234");
    received.bodySize = 357;
    received.format = Format::Akeneo;
    received.signature = Signature::Valid;
    received.answeredStatus = 200;
    received.ackMs = 3.46;
    QString text = ui::deliverySummary(received);
    QVERIFY2(text.contains(QStringLiteral("Received   2025-11-24T16:00:00.000Z from 127.0.0.1:51234")),
             qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Request    POST /akeneo, 357 bytes, format akeneo")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Answered   200 in 3.5 ms")), qPrintable(text));

    // An imported log line has no request, remote nor body size: it says what the log said instead.
    Delivery logged;
    logged.id = 8;
    logged.origin = Origin::Log;
    logged.receivedAtMs = received.receivedAtMs;
    logged.logFile = QStringLiteral("event_subscription.log");
    logged.logLine = 12;
    logged.logLevel = LogLevel::Error;
    logged.logMessage = LogMessage::EndpointError;
    logged.url = QStringLiteral("https://connector.example.com/hook");
    logged.statusCode = 500;
    logged.eventCount = 3;
    text = ui::deliverySummary(logged);
    QVERIFY2(text.contains(QStringLiteral("Log line   event_subscription.log:12")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Level      ERROR")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Message    endpoint_error")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("URL        https://connector.example.com/hook")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Status     500")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Events     3")), qPrintable(text));
    for (const char *absent : {"Received", "Request", " from", "bytes", "Signature"})
        QVERIFY2(!text.contains(QLatin1String(absent)), absent);

    // A replay: where it went and what came back.
    Delivery replayed = received;
    replayed.origin = Origin::Replay;
    replayed.answeredStatus.reset();
    replayed.url = QStringLiteral("http://127.0.0.1:3000/hook");
    replayed.statusCode.reset();
    replayed.ackMs = 500;
    replayed.logMessage = LogMessage::Timeout;
    text = ui::deliverySummary(replayed);
    QVERIFY2(text.contains(QStringLiteral("Sent       2025-11-24T16:00:00.000Z to http://127.0.0.1:3000/hook")),
             qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Answered   no answer after 500.0 ms")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Outcome    timeout")), qPrintable(text));

    // In the window: a log line's Delivery tab.
    WindowFixture fixture;
    ui::MainWindow &window = fixture.window;
    window.importLogs({QStringLiteral(PIMSCOPE_SAMPLES_DIR "/akeneo_log_example.log")});
    QTRY_VERIFY_WITH_TIMEOUT(window.findChild<QDialog *>(QStringLiteral("importSummary")) != nullptr, 10000);
    window.findChild<QDialog *>(QStringLiteral("importSummary"))->close();
    window.showDeliveries(true);
    DeliveryTableModel *deliveries = deliveriesModel(window);
    QTRY_COMPARE_WITH_TIMEOUT(deliveries->rowCount(), 35, 5000);
    QTRY_VERIFY(deliveries->delivery(0) != nullptr);
    auto *table = window.findChild<QTableView *>(QStringLiteral("captureTable"));
    QVERIFY(table);
    table->selectRow(0);
    auto *tab = window.findChild<QPlainTextEdit *>(QStringLiteral("deliveryText"));
    QVERIFY(tab);
    QTRY_VERIFY2(tab->toPlainText().contains(QStringLiteral("Log line   akeneo_log_example.log:")),
                 qPrintable(tab->toPlainText()));
    QVERIFY2(!tab->toPlainText().contains(QStringLiteral("Request  ")), qPrintable(tab->toPlainText()));
}

void TestMainWindow::noMojibakeInWhatIsShown()
{
    // Every text a person reads in the window (both tables' headers, labels, buttons, actions, menus, tooltips,
    // tabs, docks) is decoded as written: no UTF-8 read as Latin-1 ('Â·', 'â†'), no replacement character.
    WindowFixture fixture;
    ui::MainWindow &window = fixture.window;
    publicUrlEdit(window)->setText(QStringLiteral("https://pim-hooks.example.ngrok.app/akeneo"));
    QStringList texts;
    const auto collect = [&texts, &window] {
        for (QWidget *w : window.findChildren<QWidget *>()) {
            texts << w->toolTip() << w->windowTitle() << w->accessibleName();
            for (const char *property : {"text", "title", "placeholderText", "plainText"})
                texts << w->property(property).toString();
            if (auto *tabs = qobject_cast<QTabWidget *>(w))
                for (int i = 0; i < tabs->count(); ++i)
                    texts << tabs->tabText(i) << tabs->tabToolTip(i);
            if (auto *view = qobject_cast<QAbstractItemView *>(w); view && view->model())
                for (int c = 0; c < view->model()->columnCount(); ++c)
                    texts << view->model()->headerData(c, Qt::Horizontal).toString();
        }
        for (QAction *a : window.findChildren<QAction *>())
            texts << a->text() << a->toolTip() << a->statusTip();
    };
    collect();
    window.showDeliveries(true);
    collect();
    texts.removeAll(QString());
    QVERIFY(texts.size() > 100);
    QVERIFY(texts.join(u'\n').contains(QStringLiteral("Method · level")));
    for (const QString &t : std::as_const(texts)) {
        for (const QString &bad : {QStringLiteral("Â"), QStringLiteral("â€"), QStringLiteral("â†"), QStringLiteral("Ã"),
                                   QString(QChar::ReplacementCharacter)})
            QVERIFY2(!t.contains(bad), qPrintable(t));
    }
    publicUrlEdit(window)->clear(); // remembered otherwise
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
