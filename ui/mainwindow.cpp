#include "mainwindow.h"

#include "about.h"
#include "capturetableview.h"
#include "chartsdock.h"
#include "composedialog.h"
#include "curlcopy.h"
#include "detailpane.h"
#include "diagnosticspanel.h"
#include "exportdialog.h"
#include "filterbar.h"
#include "followcontroller.h"
#include "importsummarydialog.h"
#include "logimportrunner.h"
#include "receivercontroller.h"
#include "replaydialog.h"
#include "searcharea.h"
#include "settingsdialog.h"
#include "statusmeters.h"
#include "theme.h"
#include "tunnelcontroller.h"

#include "demo/demoevents.h"
#include "filter/filter.h"
#include "models/eventtablemodel.h"
#include "models/pagedtablemodel.h"
#include "replay/replayplan.h"
#include "secrets/keychainsecretstore.h"
#include "store/capturequeries.h"
#include "store/eventstore.h"
#include "store/storereader.h"
#include "util/timeutil.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QStatusBar>
#include <QSysInfo>
#include <QTimer>
#include <QToolBar>
#include <QUrl>
#include <QVBoxLayout>

namespace pimscope::ui {

MainWindow::MainWindow(const QString &path, const QHostAddress &address, quint16 port, QWidget *parent)
    : QMainWindow(parent)
{
    setWindowTitle(QStringLiteral("Pimscope"));
    // The application's, so that its dialogs have it too.
    QApplication::setWindowIcon(applicationIcon());
    resize(1280, 800);
    {
        QSettings stored;
        m_settings = AppSettings::load(stored);
    }
    if (auto *app = qobject_cast<QApplication *>(QCoreApplication::instance());
        app && m_settings.theme != Theme::System)
        applyTheme(*app, m_settings.theme);
    m_receiver = new ReceiverController(this, [this] { return keychain(); });
    m_receiver->setSettings(m_settings);
    m_receiver->setListenAddress(address, port);
    m_receiver->setCaptureEmpty(
        [this] { return m_model && activeModel()->matchCount() == 0 && m_search->text().isEmpty(); });
    connect(m_receiver, &ReceiverController::changed, this, &MainWindow::receiverChanged);
    connect(m_receiver, &ReceiverController::shownChanged, this, &MainWindow::updateStatus);
    m_tunnel = new TunnelController(this, m_receiver, [this] { return keychain(); });
    m_follow = new FollowController(this, m_receiver, [this] { return keychain(); });
    buildUi();
    setAcceptDrops(true);
    m_retentionTimer = new QTimer(this);
    m_retentionTimer->setInterval(10 * 60 * 1000);
    connect(m_retentionTimer, &QTimer::timeout, this, [this] {
        if (m_store && m_settings.retention.isSet())
            m_store->prune(m_settings.retention, QDateTime::currentMSecsSinceEpoch());
    });
    m_retentionTimer->start();
    if (openCapture(path))
        m_receiver->start(port);
    m_tunnel->startIfAsked(); // once the receiver runs
    m_follow->startIfAsked();
}

MainWindow::~MainWindow()
{
    delete m_replayDialog;
    m_replayDialog = nullptr;
    delete m_composeDialog;
    m_composeDialog = nullptr;
    delete m_exportDialog;
    m_exportDialog = nullptr;
    m_tunnel->stop(); // its program goes first: nothing comes through it to a receiver that stopped
    m_follow->setCapture(nullptr); // stopped, and its batch in flight committed before the store closes
    m_receiver->stop(); // answers still owed go out before the store closes
    delete m_importRunner;
    m_importRunner = nullptr;
}

SecretStore *MainWindow::keychain()
{
    if (!m_keychain)
        m_keychain = new KeychainSecretStore(this);
    return m_keychain;
}

void MainWindow::closeCapture()
{
    m_follow->setCapture(nullptr); // it copies into this capture: stopped first
    if (m_model)
        saveLayout();
    m_table->setCapture(nullptr, nullptr, nullptr, nullptr);
    m_search->setModel(nullptr);
    delete m_replayDialog; // a replay into the previous capture is cancelled (what was sent stays in it)
    m_replayDialog = nullptr;
    delete m_composeDialog; // the same for a request being sent
    m_composeDialog = nullptr;
    delete m_exportDialog; // an export of the previous capture is cancelled (no file written)
    m_exportDialog = nullptr;
    delete m_model;
    m_model = nullptr;
    delete m_deliveryModel;
    m_deliveryModel = nullptr;
    delete m_queries;
    m_queries = nullptr;
    delete m_summaryQueries;
    m_summaryQueries = nullptr;
    m_summaryAsked = false;
    // Answers still on their way about the previous capture are dropped with their context (ids start at 1 in
    // every capture: a late one could otherwise be shown for a row of this one).
    delete m_captureContext;
    m_captureContext = new QObject(this);
    delete m_importRunner; // a file being imported into the previous capture is cancelled (nothing of it kept)
    m_importRunner = nullptr;
    m_receiver->setStore(nullptr);
    m_store.reset();
    m_newCutOffs.clear();
    m_cutOffsShown.clear();
    m_cutOffBanner->hide();
    showHealth({}, true);
    m_details->setCapture(nullptr, m_captureContext);
    m_chartsDock->setCapture(nullptr, nullptr);
}

bool MainWindow::openCapture(const QString &path)
{
    const bool wasReceiving = m_receiver->receiver() != nullptr;
    m_receiver->stop();
    closeCapture();
    m_path = path;
    setWindowTitle(QStringLiteral("%1 — Pimscope").arg(QFileInfo(path).fileName()));

    auto store = EventStore::open(path);
    m_search->setEnabled(bool(store));
    if (!store) {
        m_receiver->showBanner(QStringLiteral("<b>Cannot open the capture.</b> %1").arg(store.error().toHtmlEscaped()));
        updateStatus();
        return false;
    }
    m_receiver->hideBanner();
    m_store = std::move(store.value());
    m_receiver->setStore(m_store.get());
    m_follow->setCapture(m_store.get());
    m_importRunner = new LogImportRunner(m_store.get(), statusBar(), this);
    statusBar()->addPermanentWidget(m_importRunner->progressWidget());
    statusBar()->addPermanentWidget(m_follow->status());
    connect(m_importRunner, &LogImportRunner::imported, this, &MainWindow::showImportSummary);
    connect(m_importRunner, &LogImportRunner::failed, this, [this](const QString &file, const QString &error) {
        QMessageBox::warning(this, QStringLiteral("Import failed"),
                             error.isEmpty() ? QStringLiteral("Cannot import %1").arg(file) : error);
    });
    const auto refreshAll = [this] {
        if (m_model)
            activeModel()->refreshAll();
    };
    connect(
        m_store.get(), &EventStore::importRemoved, this,
        [this, refreshAll] {
            refreshAll();
            refreshSummary();
        },
        Qt::QueuedConnection);
    connect(
        m_store.get(), &EventStore::pruned, this,
        [this, refreshAll](qint64 deliveries, qint64 events) {
            statusBar()->showMessage(
                QStringLiteral("Retention: deleted %L1 old deliveries (%L2 events)").arg(deliveries).arg(events), 8000);
            refreshAll();
        },
        Qt::QueuedConnection);
    m_queries = new CaptureQueries(m_store->path(), this);
    m_summaryQueries = new CaptureQueries(m_store->path(), this);
    m_model = new EventTableModel(m_queries, this);
    m_model->setObjectName(QStringLiteral("eventsModel"));
    m_deliveryModel = new DeliveryTableModel(m_queries, this);
    m_deliveryModel->setObjectName(QStringLiteral("deliveriesModel"));
    // Whatever is written to the capture (received, demo, imported) shows up, four refreshes a second at most.
    const auto arrived = [this] {
        if (!m_live->isActive())
            m_live->start();
    };
    connect(m_store.get(), &EventStore::deliveriesStored, this, arrived, Qt::QueuedConnection);
    connect(
        m_store.get(), &EventStore::healthChanged, m_captureContext,
        [this](const QList<SubscriptionHealth> &health, bool read) { showHealth(health, read); }, Qt::QueuedConnection);
    showHealth(m_store->health(), true);
    connect(m_store.get(), &EventStore::eventsIndexed, this, arrived, Qt::QueuedConnection);
    // A forward's outcome (the connector answered, failed, was given up; ack mode's come long after the delivery)
    // changes the rows on show, not which rows there are: see m_forwardsRecorded.
    connect(
        m_store.get(), &EventStore::forwardsStored, this,
        [this] {
            if (!m_forwardsRecorded->isActive())
                m_forwardsRecorded->start();
        },
        Qt::QueuedConnection);
    for (PagedTableModel *model :
         {static_cast<PagedTableModel *>(m_model), static_cast<PagedTableModel *>(m_deliveryModel)}) {
        connect(model, &PagedTableModel::matched, this, &MainWindow::updateStatus);
        // A row fetched after it was selected.
        connect(model, &QAbstractItemModel::dataChanged, this,
                [this, model](const QModelIndex &from, const QModelIndex &to) {
                    const int current = m_table->currentIndex().row();
                    if (model == activeModel() && current >= from.row() && current <= to.row()
                        && !m_details->showsEvent())
                        showSelected();
                });
    }
    applyCaptureSettings();
    m_details->setCapture(m_queries, m_captureContext);
    m_chartsDock->setCapture(m_summaryQueries, m_captureContext);
    m_details->setShowingDeliveries(showingDeliveries());
    m_table->setCapture(m_model, m_deliveryModel, m_queries, m_captureContext);
    m_search->setModel(activeModel());
    const Filter filter = Filter::parse(m_search->text());
    activeModel()->setFilter(filter.isValid() ? m_search->text() : QString());
    if (wasReceiving)
        m_receiver->restart();
    updateStatus();
    refreshSummary();
    m_knownValuesAt = -1;
    return true;
}

PagedTableModel *MainWindow::activeModel() const
{
    return m_table->activeModel();
}

bool MainWindow::showingDeliveries() const
{
    return m_table->showingDeliveries();
}

void MainWindow::showDeliveries(bool deliveries)
{
    m_deliveriesAction->setChecked(deliveries);
    m_table->setShowingDeliveries(deliveries);
    m_details->setShowingDeliveries(deliveries);
    m_search->setModel(activeModel());
    if (!m_model)
        return;
    const Filter filter = Filter::parse(m_search->text());
    const QString text = filter.isValid() ? m_search->text() : QString();
    if (activeModel()->filter() != text || activeModel()->matchCount() == 0)
        activeModel()->setFilter(text);
    else
        activeModel()->refresh();
    updateStatus();
}

QString MainWindow::cellFilter(const QModelIndex &index, bool exclude) const
{
    return m_table->cellFilter(index, exclude);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveLayout();
    m_table->saveColumnLayout(); // on switching captures or tables, the table saves its own
    QMainWindow::closeEvent(event);
}

void MainWindow::saveLayout()
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
}

void MainWindow::refreshKnownValues(qint64 events)
{
    // The actions and authors for completion: when the capture has changed, at most every 30 s (a scan of the
    // events), and at once when the last look found an empty capture.
    if (!m_summaryQueries || events == m_knownValuesAt
        || (m_knownValuesAt > 0 && m_knownValuesAge.isValid() && m_knownValuesAge.elapsed() < 30000))
        return;
    m_knownValuesAt = events;
    m_knownValuesAge.start();
    m_summaryQueries->knownValues(m_captureContext, [this](Result<QPair<QStringList, QStringList>> values) {
        if (values)
            m_search->bar()->setKnownValues(values->first, values->second);
    });
}

void MainWindow::refreshCharts()
{
    m_chartsDock->refresh();
}

void MainWindow::filterToRange(qint64 fromMs, qint64 toMs)
{
    const QString range
        = QStringLiteral("received >= \"%1\" && received < \"%2\"").arg(toIsoUtc(fromMs), toIsoUtc(toMs));
    const QString current = m_search->text().trimmed();
    setFilter(current.isEmpty() ? range : QStringLiteral("(%1) && %2").arg(current, range));
}

void MainWindow::refreshSummary()
{
    refreshCharts();
    if (!m_summaryQueries || m_summaryAsked)
        return;
    m_summaryAsked = true;
    QElapsedTimer took;
    took.start();
    m_summaryQueries->summary(
        QDateTime::currentMSecsSinceEpoch(), m_captureContext, [this, took](Result<CaptureSummary> s) {
            m_summaryAsked = false;
            // Its scans grow with the capture: on a large one, ask for it less often (five times its cost at least).
            m_summaryTimer->setInterval(int(std::clamp<qint64>(took.elapsed() * 5, 1000, 30000)));
            if (s) {
                m_diagnostics->setSummary(*s);
                m_meters->showSummary(*s);
                refreshKnownValues(s->events);
            } else {
                statusBar()->showMessage(QStringLiteral("Cannot read the capture's figures: %1").arg(s.error()), 8000);
            }
        });
}

void MainWindow::showHealth(const QList<SubscriptionHealth> &health, bool read)
{
    m_meters->showHealth(health);
    m_diagnostics->setHealth(health);
    m_cutOffsShown << m_newCutOffs.update(health, read);
    if (m_cutOffsShown.isEmpty())
        return;
    QString html = QStringLiteral("<b>A subscription would have been cut off.</b>");
    for (const QString &sentence : std::as_const(m_cutOffsShown)) {
        QString s = sentence.toHtmlEscaped();
        s[0] = s[0].toUpper();
        html += QStringLiteral("<br>") + s + u'.';
    }
    html += QStringLiteral("<br>The answers come from Settings (simulated status, delay, signature checks). "
                           "<a href=\"dismiss\">Dismiss</a>");
    m_cutOffBanner->setText(html);
    m_cutOffBanner->show();
}

bool MainWindow::loadDemo()
{
    const QString path = QDir(QDir::tempPath())
                             .filePath(QStringLiteral("pimscope-demo-%1.db").arg(QDateTime::currentMSecsSinceEpoch()));
    if (!openCapture(path))
        return false;
    const QList<Delivery> demo = demo::demoDeliveries(QDateTime::currentMSecsSinceEpoch());
    for (const Delivery &d : demo)
        m_store->enqueue(d);
    // The writer parses and flags them; the table shows them as they are committed. The PIM's log of that hour is
    // imported too, as a user would (named as Akeneo names its downloads).
    const QString log = QFileInfo(path).dir().filePath(
        QFileInfo(path).completeBaseName()
        + QStringLiteral("-events_api_logs_%1.txt")
              .arg(QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd_HHmmss"))));
    QFile file(log);
    if (file.open(QIODevice::WriteOnly) && file.write(demo::demoLog(demo)) > 0) {
        file.close();
        importLogs({log}, false);
    }
    statusBar()->showMessage(QStringLiteral("Loaded %1 demo deliveries into a scratch capture").arg(demo.size()), 8000);
    return true;
}

void MainWindow::copyEventJson()
{
    m_table->copyCurrent();
}

void MainWindow::replaySelection()
{
    if (!m_store || !m_queries)
        return;
    if (!m_replayDialog)
        m_replayDialog = new ReplayDialog(m_store.get(), m_queries, keychain(), this);
    QList<qint64> ids;
    QString filter = m_search->text().trimmed();
    if (showingDeliveries()) {
        // The events of the selected deliveries, by a filter of their ids.
        QStringList deliveries;
        for (const qint64 id : m_table->selectedIds())
            deliveries << QString::number(id);
        if (!deliveries.isEmpty())
            filter = QStringLiteral("delivery_id in {%1}").arg(deliveries.join(QStringLiteral(", ")));
    } else {
        ids = m_table->selectedIds();
    }
    m_replayDialog->setRedactor(m_settings.redactor());
    m_replayDialog->setSelection(ids, filter);
    m_replayDialog->show();
    m_replayDialog->raise();
}

ComposeDialog *MainWindow::composeDialog()
{
    if (!m_store || !m_queries)
        return nullptr;
    if (!m_composeDialog)
        m_composeDialog = new ComposeDialog(m_store.get(), keychain(), this);
    m_composeDialog->setRedactor(m_settings.redactor());
    // The capture's own subjects and authors, offered as the fields are typed.
    m_queries->run<ComposeSuggestions>(
        m_composeDialog, [](StoreReader &reader) { return reader.composeSuggestions(); },
        [dialog = m_composeDialog](Result<ComposeSuggestions> s) {
            if (s)
                dialog->setSuggestions(*s);
        });
    return m_composeDialog;
}

void MainWindow::newEvent()
{
    ComposeDialog *dialog = composeDialog();
    if (!dialog)
        return;
    ++m_composeGeneration; // an Edit and send still reading its row does not take the dialog over
    dialog->startNew();
    dialog->show();
    dialog->raise();
}

void MainWindow::editAndSend()
{
    const qint64 deliveryId = m_table->currentDeliveryId();
    if (deliveryId <= 0 || !composeDialog())
        return;
    // An event row: that event alone (its record as shown); a delivery row: its exact body, but for a log line (the
    // line is no request body): its events in the envelope the Events API sends, as Replay sends them.
    std::optional<EventRecord> event;
    if (const EventRecord *r = m_table->currentEvent())
        event = *r;
    const quint64 generation = ++m_composeGeneration;
    const auto edit = [this, generation, event](const Delivery &d) {
        if (generation != m_composeGeneration)
            return;
        m_composeDialog->editFrom(d, event ? &*event : nullptr);
        m_composeDialog->show();
        m_composeDialog->raise();
    };
    m_queries->delivery(deliveryId, m_composeDialog, [this, event, edit](Result<Delivery> d) {
        if (!d) {
            statusBar()->showMessage(d.error(), 5000);
            return;
        }
        if (event || d->origin != Origin::Log)
            return edit(*d);
        m_queries->eventsOfDelivery(d->id, m_composeDialog,
                                    [edit, line = std::move(*d)](Result<QList<EventRecord>> events) mutable {
                                        if (!events)
                                            return;
                                        line.body = logLineBody(*events);
                                        line.format = Format::Akeneo;
                                        edit(line);
                                    });
    });
}

void MainWindow::exportRows()
{
    PagedTableModel *model = m_model ? activeModel() : nullptr;
    if (!model)
        return;
    if (!m_exportDialog)
        m_exportDialog = new ExportDialog(m_path, this);
    if (m_exportDialog->isRunning()) {
        m_exportDialog->show();
        m_exportDialog->raise();
        return;
    }
    m_exportDialog->setRedactor(m_settings.redactor());
    m_exportDialog->setCapturePath(m_path);
    m_exportDialog->setRows(showingDeliveries() ? FilterTarget::Deliveries : FilterTarget::Events,
                            m_table->selectedIds(), model->ids());
    m_exportDialog->show();
    m_exportDialog->raise();
}

QString MainWindow::aboutText()
{
    return ui::aboutText();
}

void MainWindow::showAbout()
{
    showAboutBox(this);
}

void MainWindow::copyAsCurl(bool withSecrets, std::function<void(const QString &)> done)
{
    makeCurlCommand(
        m_queries, m_captureContext, [this] { return keychain(); }, m_table->currentDeliveryId(),
        m_receiver->receiver() ? m_receiver->receiver()->url() : QString(), withSecrets,
        [this, done](const QString &command, const QString &message) {
            if (!command.isEmpty())
                QGuiApplication::clipboard()->setText(command);
            statusBar()->showMessage(message, 5000);
            if (done)
                done(command);
        });
}

void MainWindow::importLogs(const QStringList &paths, bool showSummary)
{
    if (!m_importRunner || paths.isEmpty())
        return;
    for (const QString &p : paths)
        m_quietImports.insert(QFileInfo(p).absoluteFilePath(), !showSummary);
    m_importRunner->setRedactor(m_settings.redactor());
    m_importRunner->import(paths);
}

void MainWindow::chooseLogsToImport()
{
    const QStringList paths = QFileDialog::getOpenFileNames(
        this, QStringLiteral("Import Akeneo logs"), QSettings().value(QStringLiteral("import/folder")).toString(),
        QStringLiteral("Akeneo logs (*.txt *.log *.json *.jsonl);;Events API logs "
                       "(*.txt *.log);;Event Platform Logs API (*.json *.jsonl);;"
                       "All files (*)"));
    if (paths.isEmpty())
        return;
    QSettings().setValue(QStringLiteral("import/folder"), QFileInfo(paths.front()).path());
    importLogs(paths);
}

void MainWindow::showImportSummary(const LogImportSummary &summary)
{
    refreshSummary();
    const bool quiet = m_quietImports.take(summary.record.path);
    if (summary.cancelled) {
        statusBar()->showMessage(
            QStringLiteral("Import of %1 cancelled: nothing of it was kept").arg(summary.record.file), 8000);
        return;
    }
    if (quiet)
        return;
    statusBar()->showMessage(QStringLiteral("Imported %1: %L2 lines (%L3 new), %L4 errors")
                                 .arg(summary.record.file)
                                 .arg(summary.record.lines)
                                 .arg(summary.record.added)
                                 .arg(summary.errors()),
                             10000);
    auto *dialog = new ImportSummaryDialog(summary, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ImportSummaryDialog::deliveriesFilterRequested, this, [this](const QString &filter) {
        showDeliveries(true);
        setFilter(filter);
    });
    dialog->show();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    QStringList paths;
    for (const QUrl &url : event->mimeData()->urls()) {
        if (url.isLocalFile())
            paths << url.toLocalFile();
    }
    if (paths.isEmpty())
        return;
    event->acceptProposedAction();
    importLogs(paths);
}

void MainWindow::buildUi()
{
    m_chartsDock = new ChartsDock(this); // docked in buildDocks(); its action is the toolbar's and the menu's
    buildActions();
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(6, 6, 6, 0);
    layout->setSpacing(4);
    m_receiver->banner()->setParent(central);
    layout->addWidget(m_receiver->banner());
    m_cutOffBanner = new QLabel(central);
    m_cutOffBanner->setObjectName(QStringLiteral("cutOffBanner"));
    m_cutOffBanner->setWordWrap(true);
    m_cutOffBanner->setTextFormat(Qt::RichText);
    m_cutOffBanner->setStyleSheet(QStringLiteral("QLabel { background: #fdecea; color: #611a15; border: 1px solid "
                                                 "#e53935; border-radius: 3px; padding: 6px; }"));
    m_cutOffBanner->hide();
    connect(m_cutOffBanner, &QLabel::linkActivated, this, [this] {
        m_cutOffsShown.clear();
        m_cutOffBanner->hide();
    });
    layout->addWidget(m_cutOffBanner);
    buildFilterArea(central, layout);

    auto *splitter = new QSplitter(Qt::Vertical, central);
    m_table = new CaptureTableView(splitter);
    m_table->setFilterSource([this] { return m_search->text(); });
    connect(m_table, &CaptureTableView::filterRequested, this, &MainWindow::setFilter);
    connect(m_table, &CaptureTableView::replayRequested, this, &MainWindow::replaySelection);
    connect(m_table, &CaptureTableView::editRequested, this, &MainWindow::editAndSend);
    connect(m_table, &CaptureTableView::curlRequested, this, [this](bool withSecrets) { copyAsCurl(withSecrets); });
    connect(m_table, &CaptureTableView::message, this,
            [this](const QString &text) { statusBar()->showMessage(text, 3000); });
    connect(m_table, &CaptureTableView::currentRowChanged, this, &MainWindow::showSelected);
    m_details = new DetailPane(splitter);
    connect(m_table, &CaptureTableView::timelineRequested, m_details, &DetailPane::showTimelineTab);
    connect(m_table, &CaptureTableView::compareRequested, m_details, &DetailPane::showCompareTab);
    connect(m_table, &CaptureTableView::rowsSelected, this, [this] {
        // Two events selected: what differs between them (the older first).
        const QModelIndexList rows = m_table->selectionModel()->selectedRows();
        const bool two = rows.size() == 2 && !showingDeliveries();
        const EventRecord *a = two ? m_model->record(std::min(rows[0].row(), rows[1].row())) : nullptr;
        const EventRecord *b = two ? m_model->record(std::max(rows[0].row(), rows[1].row())) : nullptr;
        m_details->compare(a, b);
        m_table->setCanCompare(m_details->canCompare());
    });
    connect(m_details, &DetailPane::eventActivated, this, [this](qint64 id) {
        // Jump to that event in the table when it is shown there.
        const int row = m_model && !showingDeliveries() ? m_model->rowOf(id) : -1;
        if (row >= 0)
            m_table->selectRow(row);
    });
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);
    setCentralWidget(central);
    m_meters = new StatusMeters(statusBar());
    buildDocks();

    // The figures of the diagnostics and the status bar: at most once a second while events arrive, and every
    // 10 s anyway (the last minute and the last hour move on).
    m_summaryTimer = new QTimer(this);
    m_summaryTimer->setSingleShot(true);
    m_summaryTimer->setInterval(1000);
    connect(m_summaryTimer, &QTimer::timeout, this, &MainWindow::refreshSummary);
    auto *periodic = new QTimer(this);
    periodic->setInterval(10000);
    connect(periodic, &QTimer::timeout, this, &MainWindow::refreshSummary);
    periodic->start();

    // Live arrivals refresh the table at most four times a second.
    m_live = new QTimer(this);
    m_live->setSingleShot(true);
    m_live->setInterval(250);
    connect(m_live, &QTimer::timeout, this, [this] {
        if (m_model)
            activeModel()->refresh();
        if (!m_summaryTimer->isActive())
            m_summaryTimer->start();
    });
    // Forwards recorded: the rows on show are fetched again at once (their connector columns, the Delivery tab of the
    // selected one), four times a second at most; a filter on the connector's fields is run again over every row
    // once the next full pass is due (PagedTableModel::refresh), even when nothing else arrives.
    m_forwardsRecorded = new QTimer(this);
    m_forwardsRecorded->setSingleShot(true);
    m_forwardsRecorded->setInterval(250);
    auto *fullPass = new QTimer(this);
    fullPass->setSingleShot(true);
    fullPass->setInterval(PagedTableModel::fullEveryMs + 500);
    connect(m_forwardsRecorded, &QTimer::timeout, this, [this, fullPass] {
        if (!m_model)
            return;
        activeModel()->refreshShownRows();
        m_details->refreshConnector();
        if (!fullPass->isActive())
            fullPass->start();
        if (!m_summaryTimer->isActive())
            m_summaryTimer->start();
    });
    connect(fullPass, &QTimer::timeout, this, [this] {
        if (m_model)
            activeModel()->refresh();
    });
}

void MainWindow::buildActions()
{
    QToolBar *toolbar = addToolBar(QStringLiteral("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolbar"));
    toolbar->setMovable(false);
    toolbar->addAction(m_receiver->action());
    m_receiver->urlLabel()->setParent(toolbar);
    toolbar->addWidget(m_receiver->urlLabel());
    m_receiver->publicUrlEdit()->setParent(toolbar);
    toolbar->addWidget(m_receiver->publicUrlEdit());
    toolbar->addAction(m_tunnel->action());
    QAction *copy = toolbar->addAction(QStringLiteral("Copy URL"));
    copy->setToolTip(QStringLiteral("Copy the receiver's URL, to paste into the PIM's event subscription"));
    connect(copy, &QAction::triggered, this, [this] { QGuiApplication::clipboard()->setText(shownUrl()); });
    toolbar->addSeparator();
    m_deliveriesAction = toolbar->addAction(QStringLiteral("Deliveries"));
    m_deliveriesAction->setObjectName(QStringLiteral("deliveriesAction"));
    m_deliveriesAction->setCheckable(true);
    m_deliveriesAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    m_deliveriesAction->setToolTip(
        QStringLiteral("One row per HTTP request or log line instead of one per event (Ctrl+D)"));
    connect(m_deliveriesAction, &QAction::triggered, this, &MainWindow::showDeliveries);
    toolbar->addSeparator();
    QAction *charts = m_chartsDock->toggleViewAction();
    toolbar->addAction(charts);
    QAction *importAction = toolbar->addAction(QStringLiteral("Import log…"));
    importAction->setShortcut(QKeySequence::Open);
    importAction->setToolTip(QStringLiteral("Import an Akeneo event-subscription log (Connection settings > Event "
                                            "subscription > Download logs) or the Event Platform's Logs API JSON, and "
                                            "see what went wrong (Ctrl+O; or drop files on the window)"));
    connect(importAction, &QAction::triggered, this, &MainWindow::chooseLogsToImport);
    QAction *exportAction = toolbar->addAction(QStringLiteral("Export…"));
    exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    exportAction->setToolTip(QStringLiteral("Write the selected rows, or every row shown, as JSON lines, CSV, HAR or "
                                            "the PIM's log format (Ctrl+E)"));
    connect(exportAction, &QAction::triggered, this, &MainWindow::exportRows);
    QAction *replayAction = toolbar->addAction(QStringLiteral("Replay…"));
    replayAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    replayAction->setToolTip(QStringLiteral("Send the selected events (or the filter's) to your connector, signed and "
                                            "paced like the PIM (Ctrl+R)"));
    connect(replayAction, &QAction::triggered, this, &MainWindow::replaySelection);
    auto *editAction = new QAction(QStringLiteral("Edit and send…"), this);
    editAction->setObjectName(QStringLiteral("editAndSendAction"));
    editAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    editAction->setToolTip(QStringLiteral("Edit the selected event (or delivery) and send it, signed as its sender "
                                          "signs (Ctrl+Shift+E)"));
    connect(editAction, &QAction::triggered, this, &MainWindow::editAndSend);
    addAction(editAction); // its shortcut works from the window
    QAction *newEventAction = toolbar->addAction(QStringLiteral("New event…"));
    newEventAction->setObjectName(QStringLiteral("newEventAction"));
    newEventAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
    newEventAction->setToolTip(QStringLiteral("Compose an event from a template (Events API, Event Platform, Quable), "
                                              "with faults if you like, and send it (Ctrl+Shift+N)"));
    connect(newEventAction, &QAction::triggered, this, &MainWindow::newEvent);
    toolbar->addSeparator();
    QAction *open = toolbar->addAction(QStringLiteral("Open…"));
    open->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    open->setToolTip(QStringLiteral("Open another capture file (Ctrl+Shift+O)"));
    connect(open, &QAction::triggered, this, [this] {
        const QString path
            = QFileDialog::getOpenFileName(this, QStringLiteral("Open a capture"), QFileInfo(m_path).path(),
                                           QStringLiteral("Pimscope captures (*.db);;All files (*)"));
        if (!path.isEmpty())
            openCapture(path);
    });
    QAction *create = toolbar->addAction(QStringLiteral("New…"));
    create->setShortcut(QKeySequence::New);
    create->setToolTip(QStringLiteral("Start a new, empty capture file"));
    connect(create, &QAction::triggered, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, QStringLiteral("New capture"), QFileInfo(m_path).path(),
                                                          QStringLiteral("Pimscope captures (*.db)"));
        if (!path.isEmpty())
            openCapture(path.endsWith(QStringLiteral(".db")) ? path : path + QStringLiteral(".db"));
    });
    QAction *settingsAction = toolbar->addAction(QStringLiteral("Settings…"));
    settingsAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    settingsAction->setToolTip(
        QStringLiteral("Receiver, signatures, capture retention, colouring rules, theme (Ctrl+,)"));
    connect(settingsAction, &QAction::triggered, this, &MainWindow::showSettings);
    QAction *demoAction = toolbar->addAction(QStringLiteral("Load demo events"));
    demoAction->setToolTip(QStringLiteral("Explore Pimscope without a PIM: an hour of realistic traffic, with its "
                                          "problems, in a scratch capture"));
    connect(demoAction, &QAction::triggered, this, &MainWindow::loadDemo);

    // The menus hold the toolbar's actions (one QAction each: one shortcut, one state).
    QMenu *fileMenu = menuBar()->addMenu(QStringLiteral("&File"));
    fileMenu->addAction(create);
    fileMenu->addAction(open);
    fileMenu->addSeparator();
    fileMenu->addAction(importAction);
    fileMenu->addAction(exportAction);
    fileMenu->addSeparator();
    fileMenu->addAction(demoAction);
    fileMenu->addSeparator();
    QAction *quit = fileMenu->addAction(QStringLiteral("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    QMenu *captureMenu = menuBar()->addMenu(QStringLiteral("&Capture"));
    captureMenu->addAction(m_receiver->action());
    captureMenu->addAction(copy);
    captureMenu->addAction(m_tunnel->action());
    captureMenu->addAction(m_tunnel->settingsAction());
    captureMenu->addAction(m_tunnel->dock()->toggleViewAction());
    captureMenu->addSeparator();
    captureMenu->addAction(m_follow->action());
    captureMenu->addSeparator();
    captureMenu->addAction(m_deliveriesAction);
    captureMenu->addAction(charts);
    captureMenu->addAction(replayAction);
    captureMenu->addAction(editAction);
    captureMenu->addAction(newEventAction);
    captureMenu->addSeparator();
    captureMenu->addAction(settingsAction);
    QMenu *helpMenu = menuBar()->addMenu(QStringLiteral("&Help"));
    helpMenu->addAction(QStringLiteral("&About Pimscope"), this, &MainWindow::showAbout);
    helpMenu->addAction(QStringLiteral("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::buildFilterArea(QWidget *central, QLayout *layout)
{
    m_search = new SearchArea(central);
    connect(m_search, &SearchArea::applied, this, &MainWindow::applyFilter);
    layout->addWidget(m_search);
    auto *copyShortcut = new QShortcut(QKeySequence::Copy, this, [this] { m_table->copyCurrent(); });
    copyShortcut->setContext(Qt::WidgetWithChildrenShortcut);
    new QShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C), this, [this] { copyAsCurl(false); });
}

void MainWindow::buildDocks()
{
    auto *dock = new QDockWidget(QStringLiteral("Diagnostics"), this);
    dock->setObjectName(QStringLiteral("diagnosticsDock"));
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable
                      | QDockWidget::DockWidgetClosable);
    m_diagnostics = new DiagnosticsPanel(dock);
    m_diagnostics->setObjectName(QStringLiteral("diagnostics"));
    dock->setWidget(m_diagnostics);
    addDockWidget(Qt::RightDockWidgetArea, dock);
    resizeDocks({dock}, {360}, Qt::Horizontal);
    connect(m_diagnostics, &DiagnosticsPanel::filterRequested, this, &MainWindow::setFilter);

    m_chartsDock->setFilterSource([this] { return m_model ? activeModel()->filter() : QString(); });
    addDockWidget(Qt::BottomDockWidgetArea, m_chartsDock);
    m_chartsDock->hide();
    addDockWidget(Qt::BottomDockWidgetArea, m_tunnel->dock());
    m_tunnel->dock()->hide();
    connect(m_chartsDock, &ChartsDock::rangeSelected, this, &MainWindow::filterToRange);
}

bool MainWindow::startReceiver(quint16 port)
{
    return m_receiver->start(port);
}

void MainWindow::stopReceiver()
{
    m_receiver->stop();
}

Receiver *MainWindow::receiver() const
{
    return m_receiver->receiver();
}

bool MainWindow::readingSecrets() const
{
    return m_receiver->readingSecrets();
}

QString MainWindow::shownUrl() const
{
    return m_receiver->shownUrl();
}

void MainWindow::showSettings()
{
    auto *dialog = new SettingsDialog(m_settings, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this,
            [this, dialog] { applySettings(dialog->settings(), dialog->newSecrets()); });
    dialog->open();
}

void MainWindow::applySettings(const AppSettings &settings, const QHash<QString, QByteArray> &secrets)
{
    const AppSettings old = m_settings;
    m_settings = settings;
    {
        QSettings stored;
        settings.save(stored);
    }
    if (settings.theme != old.theme) {
        if (auto *app = qobject_cast<QApplication *>(QCoreApplication::instance()))
            applyTheme(*app, settings.theme);
    }
    applyCaptureSettings();
    m_receiver->applySettings(old, settings, secrets);
}

void MainWindow::applyCaptureSettings()
{
    if (!m_store)
        return;
    if (auto current = m_store->reader().selfAuthor(); current && current.value() != m_settings.selfAuthor) {
        m_store->setSelfAuthor(m_settings.selfAuthor);
        QTimer::singleShot(500, m_captureContext, [this] {
            if (m_model)
                activeModel()->refreshAll();
        });
    }
    if (m_settings.retention.isSet())
        m_store->prune(m_settings.retention, QDateTime::currentMSecsSinceEpoch());
    for (PagedTableModel *model :
         {static_cast<PagedTableModel *>(m_model), static_cast<PagedTableModel *>(m_deliveryModel)}) {
        if (model)
            model->setColourRules(m_settings.colourRules);
    }
}

void MainWindow::setFilter(const QString &filter)
{
    m_search->setFilter(filter);
}

void MainWindow::applyFilter(const QString &filter)
{
    if (m_model && filter != activeModel()->filter()) {
        activeModel()->setFilter(filter);
        refreshCharts();
    }
}

void MainWindow::updateStatus()
{
    QStringList parts;
    if (PagedTableModel *model = m_model ? activeModel() : nullptr) {
        const QString what = showingDeliveries() ? QStringLiteral("deliveries") : QStringLiteral("events");
        if (model->isQuerying() && model->progress() < 1.0) {
            parts << QStringLiteral("searching: %L1 %2 match so far").arg(model->matchCount()).arg(what);
        } else if (model->wasCancelled()) {
            parts << QStringLiteral("search stopped at %1% of the capture: %L2 %3 match in that part")
                         .arg(int(model->progress() * 100))
                         .arg(model->matchCount())
                         .arg(what);
        } else if (!model->filter().isEmpty()) {
            parts << QStringLiteral("%L1 %2 match").arg(model->matchCount()).arg(what);
        }
        if (!model->error().isEmpty())
            parts << QStringLiteral("query failed: %1").arg(model->error());
        if (model->matchCount() > 0)
            m_receiver->dismissWaitingBanner();
    }
    m_search->showProgress();
    parts << m_receiver->stateText();
    m_meters->setStatus(parts.join(QStringLiteral("   ·   ")), m_path);
}

void MainWindow::showSelected()
{
    const int row = m_table->currentIndex().row();
    if (m_model && showingDeliveries()) {
        if (const Delivery *d = m_deliveryModel->delivery(row))
            m_details->showDeliveryRow(d->id);
        else
            m_details->clearEvent();
        return;
    }
    if (const EventRecord *r = m_table->currentEvent())
        m_details->showEventRecord(*r);
    else
        m_details->clearEvent();
}

} // namespace pimscope::ui
