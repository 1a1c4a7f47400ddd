#include "mainwindow.h"

#include "chartsview.h"
#include "deliverysummary.h"
#include "diagnosticspanel.h"
#include "exportdialog.h"
#include "filterbar.h"
#include "jsontreeview.h"
#include "logimportrunner.h"
#include "replaydialog.h"
#include "settingsdialog.h"
#include "severitydelegate.h"
#include "theme.h"

#include "analysis/budgets.h"
#include "analysis/jsondiff.h"

#include "demo/demoevents.h"
#include "filter/filter.h"
#include "models/eventtablemodel.h"
#include "models/pagedtablemodel.h"
#include "receiver/keychainrules.h"
#include "replay/replayplan.h"
#include "replay/replaysigner.h"
#include "secrets/keychainsecretstore.h"
#include "store/capturequeries.h"
#include "store/chartqueries.h"
#include "store/eventstore.h"
#include "store/storereader.h"
#include "util/jsonindent.h"
#include "util/timeutil.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QElapsedTimer>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QShortcut>
#include <QSignalBlocker>
#include <QSplitter>
#include <QStatusBar>
#include <QSysInfo>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTcpServer>
#include <QTextEdit>
#include <QTimer>
#include <QToolBar>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>

#include <span>

namespace pimscope::ui {

namespace {

/** The first port from `from` on that `address` can listen on, or 0. */
quint16 nextFreePort(const QHostAddress &address, quint16 from)
{
    for (quint32 p = from; p < from + 100u && p <= 65535u; ++p) {
        QTcpServer probe;
        if (probe.listen(address, quint16(p)))
            return quint16(p);
    }
    return 0;
}

/** JSON indented in its own member order with its own bytes; anything else as it is. */
QString prettyJson(const QByteArray &bytes)
{
    QJsonParseError error;
    QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError)
        return QString::fromUtf8(bytes);
    return QString::fromUtf8(indentJson(bytes));
}

QPlainTextEdit *codeView(QWidget *parent)
{
    auto *view = new QPlainTextEdit(parent);
    view->setReadOnly(true);
    view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    view->setLineWrapMode(QPlainTextEdit::NoWrap);
    return view;
}

} // namespace

MainWindow::MainWindow(const QString &path, const QHostAddress &address, quint16 port, QWidget *parent)
    : QMainWindow(parent)
    , m_address(address)
    , m_port(port)
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
        startReceiver(port);
}

bool MainWindow::openCapture(const QString &path)
{
    const bool wasReceiving = m_receiver != nullptr;
    stopReceiver();
    if (m_model)
        saveLayout();
    m_table->setModel(nullptr);
    delete m_replayDialog; // a replay into the previous capture is cancelled (what was sent stays in it)
    m_replayDialog = nullptr;
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
    m_chartsAsked = false;
    // Answers still on their way about the previous capture are dropped with their context (ids start at 1 in
    // every capture: a late one could otherwise be shown for a row of this one).
    delete m_captureContext;
    m_captureContext = new QObject(this);
    delete m_importRunner; // a file being imported into the previous capture is cancelled (nothing of it kept)
    m_importRunner = nullptr;
    m_store.reset();
    m_shownDelivery = 0;
    for (QPlainTextEdit *view : {m_eventJson, m_raw, m_rawPretty, m_delivery})
        view->clear();
    m_eventTree->clear();
    m_headers->setRowCount(0);
    m_path = path;
    setWindowTitle(QStringLiteral("%1 — Pimscope").arg(QFileInfo(path).fileName()));

    auto store = EventStore::open(path);
    m_filter->setEnabled(bool(store));
    m_receiverAction->setEnabled(bool(store));
    if (!store) {
        showBanner(QStringLiteral("<b>Cannot open the capture.</b> %1").arg(store.error().toHtmlEscaped()));
        updateStatus();
        return false;
    }
    m_bannerBox->hide();
    m_store = std::move(store.value());
    m_importRunner = new LogImportRunner(m_store.get(), statusBar(), this);
    statusBar()->addPermanentWidget(m_importRunner->progressWidget());
    connect(m_importRunner, &LogImportRunner::imported, this, &MainWindow::showImportSummary);
    connect(m_importRunner, &LogImportRunner::failed, this, [this](const QString &file, const QString &error) {
        QMessageBox::warning(this, QStringLiteral("Import failed"),
                             error.isEmpty() ? QStringLiteral("Cannot import %1").arg(file) : error);
    });
    connect(
        m_store.get(), &EventStore::importRemoved, this,
        [this] {
            if (m_model)
                activeModel()->refreshAll();
            refreshSummary();
        },
        Qt::QueuedConnection);
    m_queries = new CaptureQueries(m_store->path(), this);
    m_summaryQueries = new CaptureQueries(m_store->path(), this);
    m_model = new EventTableModel(m_queries, this);
    m_deliveryModel = new DeliveryTableModel(m_queries, this);
    // Whatever is written to the capture (received, demo, imported) shows up, four refreshes a second at most.
    const auto arrived = [this] {
        if (!m_live->isActive())
            m_live->start();
    };
    connect(m_store.get(), &EventStore::deliveriesStored, this, arrived, Qt::QueuedConnection);
    connect(m_store.get(), &EventStore::eventsIndexed, this, arrived, Qt::QueuedConnection);
    for (PagedTableModel *model :
         {static_cast<PagedTableModel *>(m_model), static_cast<PagedTableModel *>(m_deliveryModel)}) {
        connect(model, &PagedTableModel::matched, this, &MainWindow::updateStatus);
        // A row fetched after it was selected.
        connect(model, &QAbstractItemModel::dataChanged, this,
                [this, model](const QModelIndex &from, const QModelIndex &to) {
                    const int current = m_table->currentIndex().row();
                    if (model == activeModel() && current >= from.row() && current <= to.row()
                        && m_eventJson->toPlainText().isEmpty())
                        showSelected();
                });
    }
    connect(
        m_store.get(), &EventStore::pruned, this,
        [this](qint64 deliveries, qint64 events) {
            statusBar()->showMessage(
                QStringLiteral("Retention: deleted %L1 old deliveries (%L2 events)").arg(deliveries).arg(events), 8000);
            if (m_model)
                activeModel()->refreshAll();
        },
        Qt::QueuedConnection);
    applyCaptureSettings();
    attachTable();
    const Filter filter = Filter::parse(m_filter->text());
    activeModel()->setFilter(filter.isValid() ? m_filter->text() : QString());
    if (wasReceiving)
        startReceiver(m_port);
    updateStatus();
    refreshSummary();
    m_knownValuesAt = -1;
    return true;
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
            m_filterBar->setKnownValues(values->first, values->second);
    });
}

PagedTableModel *MainWindow::activeModel() const
{
    if (showingDeliveries())
        return m_deliveryModel;
    return m_model;
}

bool MainWindow::showingDeliveries() const
{
    return m_deliveriesAction->isChecked();
}

void MainWindow::showDeliveries(bool deliveries)
{
    if (m_model)
        saveLayout();
    m_deliveriesAction->setChecked(deliveries);
    if (!m_model)
        return;
    attachTable();
    const Filter filter = Filter::parse(m_filter->text());
    const QString text = filter.isValid() ? m_filter->text() : QString();
    if (activeModel()->filter() != text || activeModel()->matchCount() == 0)
        activeModel()->setFilter(text);
    else
        activeModel()->refresh();
    updateStatus();
}

void MainWindow::attachTable()
{
    m_table->setSortingEnabled(false);
    m_table->setModel(activeModel());
    m_shownDelivery = 0;
    sizeColumns();
    const QString key
        = showingDeliveries() ? QStringLiteral("window/deliveryColumns") : QStringLiteral("window/eventColumns");
    if (const QByteArray state = QSettings().value(key).toByteArray(); !state.isEmpty())
        m_table->horizontalHeader()->restoreState(state); // with its sort order
    else
        m_table->horizontalHeader()->setSortIndicator(0, Qt::AscendingOrder); // oldest first, as they arrived
    // A click on a header sorts by that column (in the database: the table holds no more than a few pages).
    if (m_table->horizontalHeader()->sortIndicatorSection() >= m_table->model()->columnCount())
        m_table->horizontalHeader()->setSortIndicator(0, Qt::AscendingOrder);
    m_table->setSortingEnabled(true);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &MainWindow::showSelected);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MainWindow::updateCompare);
    m_details->setTabEnabled(m_details->indexOf(m_timeline->parentWidget()), !showingDeliveries());
    m_details->setTabEnabled(compareTabIndex(), false);
    if (showingDeliveries() && m_details->currentIndex() == 0)
        m_details->setCurrentWidget(m_delivery);
}

void MainWindow::refreshCharts()
{
    if (!m_chartsDock || !m_chartsDock->isVisible() || !m_summaryQueries)
        return;
    if (m_chartsAsked) {
        m_chartsAgain = true;
        return;
    }
    m_chartsAsked = true;
    const QString filter = m_model ? activeModel()->filter() : QString();
    const ChartStack stack = m_charts->stack();
    const auto query
        = [filter, stack](StoreReader &reader) { return computeCharts(reader, Filter::parse(filter), stack); };
    m_summaryQueries->run<CaptureCharts>(m_captureContext, query, [this](Result<CaptureCharts> charts) {
        m_chartsAsked = false;
        if (charts)
            m_charts->setCharts(std::move(*charts));
        else
            statusBar()->showMessage(charts.error(), 8000);
        if (std::exchange(m_chartsAgain, false))
            refreshCharts();
    });
}

void MainWindow::filterToRange(qint64 fromMs, qint64 toMs)
{
    const QString range
        = QStringLiteral("received >= \"%1\" && received < \"%2\"").arg(toIsoUtc(fromMs), toIsoUtc(toMs));
    const QString current = m_filter->text().trimmed();
    m_filter->setText(current.isEmpty() ? range : QStringLiteral("(%1) && %2").arg(current, range));
    applyFilter();
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
            if (s)
                showSummary(*s);
            else
                statusBar()->showMessage(QStringLiteral("Cannot read the capture's figures: %1").arg(s.error()), 8000);
        });
}

void MainWindow::showSummary(const CaptureSummary &s)
{
    m_diagnostics->setSummary(s);
    refreshKnownValues(s.events);
    m_counts->setText(QStringLiteral("%L1 events · %L2 deliveries · %L3 events/min")
                          .arg(s.events)
                          .arg(s.deliveries)
                          .arg(s.eventsLastMinute));
    m_quota->setValue(int(std::min<qint64>(s.requestsLastHour, qint64(budgets::akeneoRequestsPerHour))));
    m_quota->setFormat(QStringLiteral("%L1 / %L2 requests in the last hour")
                           .arg(s.requestsLastHour)
                           .arg(budgets::akeneoRequestsPerHour));
    const bool nearQuota = s.requestsLastHour >= budgets::akeneoRequestsPerHour * 8 / 10;
    m_quota->setStyleSheet(nearQuota ? QStringLiteral("QProgressBar::chunk { background: #e53935; }") : QString());
    if (s.ackMsP99LastHour) {
        const bool slow = *s.ackMsP99LastHour > budgets::ackBudgetMs(Format::Akeneo);
        m_p99->setText(QStringLiteral("p99 answer %1 ms / 500").arg(*s.ackMsP99LastHour, 0, 'f', 1));
        m_p99->setStyleSheet(slow ? QStringLiteral("color: #c62828; font-weight: bold;") : QString());
    } else {
        m_p99->setText(QStringLiteral("p99 answer —"));
        m_p99->setStyleSheet(QString());
    }
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

void MainWindow::sizeColumns()
{
    // Each column as wide as a typical value (the last one stretches).
    static const char *const eventSamples[] = {"000000",
                                               "2026-11-22 10:00:05.049",
                                               "2026-11-22 10:00:05.049",
                                               "product_model.updated",
                                               "SNEAKER-RUN-200-BLK-42",
                                               "erp_connector_04",
                                               "Author type",
                                               "https://acme-retail.cloud",
                                               "receiver",
                                               "Delivery",
                                               "Status",
                                               "unchecked"};
    static const char *const deliverySamples[] = {"000000",
                                                  "2026-11-22 10:00:05.049",
                                                  "receiver",
                                                  "Method · level",
                                                  "/akeneo/staging",
                                                  "akeneo-event-platform",
                                                  "Events",
                                                  "Status",
                                                  "Answer ms",
                                                  "unchecked",
                                                  "203.0.113.240:51234",
                                                  "bad_signature, error"};
    const QFontMetrics fm = m_table->fontMetrics();
    QHeaderView *header = m_table->horizontalHeader();
    int column = 0;
    for (const char *sample : showingDeliveries() ? std::span(deliverySamples) : std::span(eventSamples))
        header->resizeSection(column++, fm.horizontalAdvance(QString::fromUtf8(sample)) + 16);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveLayout();
    QMainWindow::closeEvent(event);
}

void MainWindow::saveLayout()
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    if (m_model && m_table->model()) {
        settings.setValue(showingDeliveries() ? QStringLiteral("window/deliveryColumns")
                                              : QStringLiteral("window/eventColumns"),
                          m_table->horizontalHeader()->saveState());
    }
}

QString MainWindow::cellFilter(const QModelIndex &index, bool exclude) const
{
    if (!index.isValid())
        return {};
    // The filter field of each column (the columns whose values the filter language can compare).
    static const QHash<int, QString> eventFields = {
        {EventTableModel::Action, QStringLiteral("action")},
        {EventTableModel::Subject, QStringLiteral("subject")},
        {EventTableModel::Author, QStringLiteral("author")},
        {EventTableModel::AuthorType, QStringLiteral("author_type")},
        {EventTableModel::PimSource, QStringLiteral("pim_source")},
        {EventTableModel::Origin, QStringLiteral("origin")},
        {EventTableModel::DeliveryColumn, QStringLiteral("delivery_id")},
    };
    static const QHash<int, QString> deliveryFields = {
        {DeliveryTableModel::Origin, QStringLiteral("origin")},
        {DeliveryTableModel::Method, QStringLiteral("method")},
        {DeliveryTableModel::Path, QStringLiteral("path")},
        {DeliveryTableModel::Format, QStringLiteral("format")},
        {DeliveryTableModel::Status, QStringLiteral("status")},
        {DeliveryTableModel::SignatureColumn, QStringLiteral("signature")},
        {DeliveryTableModel::Remote, QStringLiteral("remote")},
    };
    QString field = (showingDeliveries() ? deliveryFields : eventFields).value(index.column());
    if (showingDeliveries() && index.data(PagedTableModel::LogLevelRole).isValid()) {
        // A log line shows its level, message kind and file:line in those columns.
        static const QHash<int, QString> logFields = {{DeliveryTableModel::Method, QStringLiteral("level")},
                                                      {DeliveryTableModel::Path, QStringLiteral("message")}};
        field = logFields.value(index.column(), index.column() == DeliveryTableModel::Remote ? QString() : field);
    }
    const QVariant raw = index.data(PagedTableModel::RawRole);
    if (field.isEmpty() || !raw.isValid() || raw.toString().isEmpty())
        return {};
    const bool number
        = raw.typeId() == QMetaType::Int || raw.typeId() == QMetaType::LongLong || raw.typeId() == QMetaType::Double;
    const QString value = number ? raw.toString() : Filter::quoted(raw.toString());
    const QString clause = field + (exclude ? QStringLiteral(" != ") : QStringLiteral(" == ")) + value;
    const QString current = m_filter->text().trimmed();
    const QString combined = current.isEmpty() || !Filter::parse(current).isValid()
        ? clause
        : u'(' + current + QStringLiteral(") && ") + clause;
    return Filter::parse(combined).isValid() ? combined : QString();
}

void MainWindow::fillRowMenu(QMenu &menu, const QModelIndex &index, QAction *copyAction)
{
    if (!showingDeliveries())
        menu.addAction(copyAction);
    else
        menu.addAction(QStringLiteral("Copy body"), this, &MainWindow::copyEventJson);
    const QString header
        = index.isValid() ? m_table->model()->headerData(index.column(), Qt::Horizontal).toString() : QString();
    const QString shown = index.isValid() ? index.data(Qt::DisplayRole).toString() : QString();
    for (const bool exclude : {false, true}) {
        const QString filter = cellFilter(index, exclude);
        if (filter.isEmpty())
            continue;
        QAction *a
            = menu.addAction(exclude ? QStringLiteral("Hide rows where %1 is “%2”").arg(header, shown.left(40))
                                     : QStringLiteral("Show only rows where %1 is “%2”").arg(header, shown.left(40)),
                             this, [this, filter] {
                                 m_filter->setText(filter);
                                 applyFilter();
                             });
        a->setToolTip(filter);
    }
    menu.addSeparator();
    QAction *replay = menu.addAction(QStringLiteral("Replay…"), this, &MainWindow::replaySelection);
    replay->setShortcut(m_replayAction->shortcut());
    QAction *curl = menu.addAction(QStringLiteral("Copy as cURL"), this, [this] { copyAsCurl(false); });
    curl->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    menu.addAction(QStringLiteral("Copy as cURL with secrets"), this, [this] { copyAsCurl(true); });
    curl->setEnabled(index.isValid());
    if (!showingDeliveries()) {
        menu.addSeparator();
        QAction *timeline = menu.addAction(QStringLiteral("Timeline of this subject"), this,
                                           [this] { m_details->setCurrentWidget(m_timeline->parentWidget()); });
        timeline->setEnabled(index.isValid());
        QAction *compare = menu.addAction(QStringLiteral("Compare the two selected events"), this,
                                          [this] { m_details->setCurrentIndex(compareTabIndex()); });
        compare->setEnabled(m_details->isTabEnabled(compareTabIndex()));
    }
}

int MainWindow::compareTabIndex() const
{
    return m_details->indexOf(m_compareTab);
}

void MainWindow::copyEventJson()
{
    if (showingDeliveries()) {
        const qint64 id = m_deliveryModel->idAt(m_table->currentIndex().row());
        if (id > 0)
            m_queries->delivery(id, m_captureContext, [this](Result<Delivery> d) {
                if (d) {
                    QGuiApplication::clipboard()->setText(QString::fromUtf8(d->body));
                    statusBar()->showMessage(QStringLiteral("Copied the body of delivery %1").arg(d->id), 3000);
                }
            });
        return;
    }
    const EventRecord *r = m_model ? m_model->record(m_table->currentIndex().row()) : nullptr;
    if (!r)
        return;
    QGuiApplication::clipboard()->setText(QString::fromUtf8(r->payload));
    statusBar()->showMessage(QStringLiteral("Copied the JSON of event %1").arg(r->event.eventId), 3000);
}

void MainWindow::replaySelection()
{
    if (!m_store || !m_queries)
        return;
    if (!m_replayDialog) {
        if (!m_keychain)
            m_keychain = new KeychainSecretStore(this);
        m_replayDialog = new ReplayDialog(m_store.get(), m_queries, m_keychain, this);
    }
    QList<qint64> ids;
    QString filter = m_filter->text().trimmed();
    const QModelIndexList rows
        = m_table->selectionModel() ? m_table->selectionModel()->selectedRows() : QModelIndexList();
    if (showingDeliveries()) {
        // The events of the selected deliveries, by a filter of their ids.
        QStringList deliveries;
        for (const QModelIndex &row : rows) {
            if (const qint64 id = m_deliveryModel->idAt(row.row()); id > 0)
                deliveries << QString::number(id);
        }
        if (!deliveries.isEmpty())
            filter = QStringLiteral("delivery_id in {%1}").arg(deliveries.join(QStringLiteral(", ")));
    } else if (m_model) {
        for (const QModelIndex &row : rows) {
            if (const qint64 id = m_model->idAt(row.row()); id > 0) // rows whose page is not loaded too
                ids.append(id);
        }
    }
    m_replayDialog->setRedactor(m_settings.redactor());
    m_replayDialog->setSelection(ids, filter);
    m_replayDialog->show();
    m_replayDialog->raise();
}

void MainWindow::exportRows()
{
    PagedTableModel *model = showingDeliveries() ? static_cast<PagedTableModel *>(m_deliveryModel) : m_model;
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
    QList<qint64> selected;
    if (m_table->selectionModel()) {
        QModelIndexList rows = m_table->selectionModel()->selectedRows();
        std::sort(rows.begin(), rows.end(),
                  [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
        for (const QModelIndex &row : rows) {
            if (const qint64 id = model->idAt(row.row()); id > 0) // rows whose page is not loaded too
                selected.append(id);
        }
    }
    m_exportDialog->setCapturePath(m_path);
    m_exportDialog->setRows(showingDeliveries() ? FilterTarget::Deliveries : FilterTarget::Events, selected,
                            model->ids());
    m_exportDialog->show();
    m_exportDialog->raise();
}

QString MainWindow::aboutText()
{
    return QStringLiteral(
               "<h3>Pimscope %1</h3>"
               "<p>Monitor and debug PIM webhook events: Akeneo PIM's Events API and Event Platform, "
               "Quable PIM's webhooks.</p>"
               "<p>Qt %2 at run time, built with Qt %3<br>%4, %5<br>Built %6 with %7</p>"
               "<p>Captures: <code>%8</code></p>"
               "<p>MIT licence. <a href=\"https://github.com/pimscope/pimscope\">github.com/pimscope/pimscope</a></p>")
        .arg(QStringLiteral(PIMSCOPE_VERSION), QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR),
             QSysInfo::prettyProductName(), QSysInfo::buildAbi(), QStringLiteral(__DATE__),
#if defined(__clang__)
             QStringLiteral("clang " __clang_version__),
#elif defined(__GNUC__)
             QStringLiteral("GCC " __VERSION__),
#else
             QStringLiteral("an unknown compiler"),
#endif
             EventStore::defaultPath().toHtmlEscaped());
}

void MainWindow::showAbout()
{
    QMessageBox box(this);
    box.setWindowTitle(QStringLiteral("About Pimscope"));
    box.setIconPixmap(windowIcon().pixmap(64, 64));
    box.setTextFormat(Qt::RichText);
    box.setText(aboutText());
    box.setTextInteractionFlags(Qt::TextBrowserInteraction);
    box.exec();
}

void MainWindow::copyAsCurl(bool withSecrets, std::function<void(const QString &)> done)
{
    const auto finish = [this, done](const QString &command, const QString &message) {
        if (!command.isEmpty())
            QGuiApplication::clipboard()->setText(command);
        statusBar()->showMessage(message, 5000);
        if (done)
            done(command);
    };
    qint64 deliveryId = 0;
    if (showingDeliveries()) {
        deliveryId = m_deliveryModel ? m_deliveryModel->idAt(m_table->currentIndex().row()) : 0;
    } else if (const EventRecord *r = m_model ? m_model->record(m_table->currentIndex().row()) : nullptr) {
        deliveryId = r->event.deliveryId;
    }
    if (deliveryId <= 0 || !m_queries)
        return finish({}, QStringLiteral("Select a row to copy as cURL"));
    // The replay target and secret (Replay dialog), else the receiver itself, unsigned.
    QSettings settings;
    settings.beginGroup(QStringLiteral("replay"));
    QString target = settings.value(QStringLiteral("url")).toString();
    const int secretSource = settings.value(QStringLiteral("secretSource"), 0).toInt();
    const QString secretName = settings.value(QStringLiteral("secretName")).toString();
    const int timeoutMs = settings.value(QStringLiteral("timeoutMs"), 500).toInt();
    settings.endGroup();
    const auto build = [this, finish, withSecrets, timeoutMs, deliveryId](QString url, QByteArray secret,
                                                                          QString note) {
        m_queries->delivery(
            deliveryId, m_captureContext,
            [this, finish, withSecrets, timeoutMs, url, secret, note](Result<Delivery> d) {
                if (!d)
                    return finish({}, d.error());
                const auto make = [finish, withSecrets, timeoutMs, url, secret, note](Format format,
                                                                                      const QByteArray &body) {
                    const Headers headers = replayHeaders(format, body, secret, QDateTime::currentSecsSinceEpoch());
                    QString command = curlCommand(QUrl(url), headers, body, timeoutMs, withSecrets);
                    if (!note.isEmpty())
                        command.prepend(QStringLiteral("# ") + note + u'\n');
                    finish(command, QStringLiteral("Copied a curl command that sends this delivery to %1").arg(url));
                };
                if (d->origin != Origin::Log)
                    return make(d->format, d->body);
                // A log line is not a request body: its events in an envelope, as the replay sends them.
                m_queries->eventsOfDelivery(d->id, m_captureContext, [make](Result<QList<EventRecord>> events) {
                    QList<QByteArray> payloads;
                    if (events) {
                        for (const EventRecord &e : *events)
                            payloads.append(e.payload);
                    }
                    make(Format::Akeneo, akeneoEnvelope(payloads));
                });
            });
    };
    if (target.isEmpty()) {
        if (!m_receiver)
            return finish({}, QStringLiteral("Set a replay target first (Replay…, Ctrl+R)"));
        return build(m_receiver->url(), {},
                     QStringLiteral("unsigned: no replay target set, this sends to Pimscope's own receiver"));
    }
    if (secretSource == 2) {
        const QByteArray secret = qgetenv(secretName.toLocal8Bit().constData());
        return build(target, secret,
                     secret.isEmpty() ? QStringLiteral("unsigned: %1 is not set").arg(secretName) : QString());
    }
    if (secretSource == 1 && !secretName.isEmpty()) {
        if (!m_keychain)
            m_keychain = new KeychainSecretStore(this);
        m_keychain->readOnce(secretName, m_captureContext, [build, target](Result<QByteArray> secret) {
            if (secret)
                build(target, secret.value(), {});
            else
                build(target, {}, QStringLiteral("unsigned: ") + secret.error());
        });
        return;
    }
    build(target, {}, QStringLiteral("unsigned: no replay secret set"));
}

void MainWindow::showTimeline(const EventRecord &selected)
{
    const Event &e = selected.event;
    const QString key = e.subjectUuid.isEmpty() ? e.subjectId : e.subjectUuid;
    if (key.isEmpty()) {
        m_timelineSubject.clear();
        m_timeline->clear();
        m_timelineSummary->setText(QStringLiteral("This event names no product, product model or document."));
        return;
    }
    const QString subject = e.subjectType + u'\x1f' + key;
    const qint64 selectedId = e.id;
    m_timelineSubject = subject;
    const QString title = EventTableModel::subjectText(e);
    m_queries->eventsOfSubject(
        e.subjectType, key, m_captureContext,
        [this, subject, selectedId, title, type = e.subjectType](Result<QList<EventRecord>> rows) {
            if (subject != m_timelineSubject)
                return; // another row was selected meanwhile
            m_timeline->clear();
            if (!rows) {
                m_timelineSummary->setText(rows.error());
                return;
            }
            QMap<QString, int> byAction;
            int duplicates = 0, outOfOrder = 0;
            for (const EventRecord &r : *rows) {
                const Event &ev = r.event;
                auto *item = new QTreeWidgetItem(m_timeline);
                item->setText(0, ev.eventTimeMs ? toTableUtc(*ev.eventTimeMs) : QString());
                item->setText(1, ev.action);
                item->setText(2, ev.author);
                item->setText(3, originName(r.origin));
                item->setText(4, toTableUtc(r.receivedAtMs));
                item->setText(5, QString::number(ev.deliveryId));
                item->setText(6, EventTableModel::flagsText(ev.flags));
                item->setData(0, Qt::UserRole, ev.id);
                if (const QColor tint = severityTint(severityOf(ev.flags)); tint.isValid()) {
                    for (int c = 0; c < 7; ++c)
                        item->setBackground(c, tint);
                }
                if (ev.id == selectedId) {
                    QFont bold = item->font(0);
                    bold.setBold(true);
                    for (int c = 0; c < 7; ++c)
                        item->setFont(c, bold);
                    m_timeline->setCurrentItem(item);
                }
                const QString verb = ev.action.section(u'.', -1);
                byAction[verb.isEmpty() ? ev.action : verb]++;
                duplicates += ev.flags.testFlag(Flag::Duplicate) ? 1 : 0;
                outOfOrder += ev.flags.testFlag(Flag::OutOfOrder) ? 1 : 0;
            }
            QStringList counts;
            for (auto it = byAction.cbegin(); it != byAction.cend(); ++it)
                counts << QStringLiteral("%1 %2×").arg(it.key()).arg(it.value());
            QString text = QStringLiteral("<b>%1</b> (%2): %3 events — %4")
                               .arg(title.toHtmlEscaped(), type.toHtmlEscaped())
                               .arg(rows->size())
                               .arg(counts.join(QStringLiteral(", ")).toHtmlEscaped());
            if (duplicates)
                text += QStringLiteral(" · <span style='color:#b58900'>%1 delivered again</span>").arg(duplicates);
            if (outOfOrder)
                text += QStringLiteral(" · <span style='color:#b58900'>%1 older than one already received</span>")
                            .arg(outOfOrder);
            m_timelineSummary->setText(text);
            for (int c = 0; c < 7; ++c)
                m_timeline->resizeColumnToContents(c);
        });
}

void MainWindow::updateCompare()
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    const bool two = rows.size() == 2 && !showingDeliveries();
    m_details->setTabEnabled(compareTabIndex(), two);
    if (!two) {
        m_compare->clear();
        return;
    }
    const EventRecord *a = m_model->record(std::min(rows[0].row(), rows[1].row()));
    const EventRecord *b = m_model->record(std::max(rows[0].row(), rows[1].row()));
    if (!a || !b)
        return;
    // Compare what the events are about (the resource), or the whole events when they have none.
    const auto resource = [](const QByteArray &payload) {
        const QJsonObject o = QJsonDocument::fromJson(payload).object();
        const QJsonValue r = o.value(u"data").toObject().value(u"resource");
        return r.isObject() ? r : QJsonValue(o);
    };
    const QList<JsonChange> changes = jsonDiff(resource(a->payload), resource(b->payload));
    QString html = QStringLiteral("<p><b>#%1</b> %2 %3 → <b>#%4</b> %5 %6: %7</p>")
                       .arg(a->event.id)
                       .arg(a->event.action.toHtmlEscaped(),
                            a->event.eventTimeMs ? toTableUtc(*a->event.eventTimeMs) : QString())
                       .arg(b->event.id)
                       .arg(b->event.action.toHtmlEscaped(),
                            b->event.eventTimeMs ? toTableUtc(*b->event.eventTimeMs) : QString())
                       .arg(changes.isEmpty() ? QStringLiteral("no difference")
                                              : (changes.size() > 1 ? QStringLiteral("%1 differences")
                                                                    : QStringLiteral("%1 difference"))
                                                    .arg(changes.size()));
    html += QStringLiteral("<pre>");
    for (const JsonChange &c : changes) {
        const QString path = c.path.isEmpty() ? QStringLiteral("(the whole value)") : c.path;
        switch (c.kind) {
        case JsonChange::Added:
            html += QStringLiteral("<span style='color:#2e7d32'>+ %1: %2</span>\n")
                        .arg(path.toHtmlEscaped(), compactJson(c.after).toHtmlEscaped());
            break;
        case JsonChange::Removed:
            html += QStringLiteral("<span style='color:#c62828'>- %1: %2</span>\n")
                        .arg(path.toHtmlEscaped(), compactJson(c.before).toHtmlEscaped());
            break;
        case JsonChange::Changed:
            html += QStringLiteral("<span style='color:#b26a00'>~ %1: %2 → %3</span>\n")
                        .arg(path.toHtmlEscaped(), compactJson(c.before).toHtmlEscaped(),
                             compactJson(c.after).toHtmlEscaped());
            break;
        }
    }
    html += QStringLiteral("</pre>");
    m_compare->setHtml(html);
}

MainWindow::~MainWindow()
{
    delete m_replayDialog;
    m_replayDialog = nullptr;
    delete m_exportDialog;
    m_exportDialog = nullptr;
    m_receiver.reset(); // answers still owed go out before the store closes
    delete m_importRunner;
    m_importRunner = nullptr;
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
    const QStringList paths
        = QFileDialog::getOpenFileNames(this, QStringLiteral("Import Akeneo event-subscription logs"),
                                        QSettings().value(QStringLiteral("import/folder")).toString(),
                                        QStringLiteral("Akeneo logs (*.txt *.log);;All files (*)"));
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
    auto *dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setObjectName(QStringLiteral("importSummary"));
    dialog->setWindowTitle(QStringLiteral("Imported %1").arg(summary.record.file));
    auto *layout = new QVBoxLayout(dialog);
    auto *text = new QPlainTextEdit(dialog);
    text->setReadOnly(true);
    text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    text->setLineWrapMode(QPlainTextEdit::NoWrap);
    text->setPlainText(describeImport(summary, 500));
    layout->addWidget(text);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    const QString file = Filter::quoted(summary.record.file);
    QPushButton *showLines = buttons->addButton(QStringLiteral("Show its lines"), QDialogButtonBox::ActionRole);
    connect(showLines, &QPushButton::clicked, this, [this, file] {
        showDeliveries(true);
        m_filter->setText(QStringLiteral("log_file == %1").arg(file));
        applyFilter();
    });
    QPushButton *showProblems = buttons->addButton(QStringLiteral("Show its errors"), QDialogButtonBox::ActionRole);
    showProblems->setEnabled(summary.errors() + summary.malformedLines > 0);
    connect(showProblems, &QPushButton::clicked, this, [this, file] {
        showDeliveries(true);
        m_filter->setText(QStringLiteral("log_file == %1 && (level == error || error ~ \"\")").arg(file));
        applyFilter();
    });
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
    layout->addWidget(buttons);
    dialog->resize(760, 420);
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
    auto *toolbar = addToolBar(QStringLiteral("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolbar"));
    toolbar->setMovable(false);
    m_receiverAction = toolbar->addAction(QStringLiteral("Receiver"));
    m_receiverAction->setCheckable(true);
    m_receiverAction->setToolTip(QStringLiteral("Start or stop the receiver"));
    connect(m_receiverAction, &QAction::triggered, this, [this](bool on) {
        if (on)
            startReceiver(m_port);
        else
            stopReceiver();
    });
    m_urlLabel = new QLabel(toolbar);
    m_urlLabel->setObjectName(QStringLiteral("receiverUrl"));
    m_urlLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_urlLabel->setContentsMargins(8, 0, 8, 0);
    toolbar->addWidget(m_urlLabel);
    m_publicUrl = new QLineEdit(toolbar);
    m_publicUrl->setPlaceholderText(QStringLiteral("Public URL of your tunnel (optional)"));
    m_publicUrl->setToolTip(QStringLiteral("A real Akeneo or Quable only calls public HTTPS URLs: run a tunnel (ngrok, "
                                           "cloudflared…) to this receiver and enter its public URL here; it is the "
                                           "one shown and copied"));
    m_publicUrl->setClearButtonEnabled(true);
    m_publicUrl->setMaximumWidth(320);
    m_publicUrl->setText(QSettings().value(QStringLiteral("receiver/publicUrl")).toString());
    connect(m_publicUrl, &QLineEdit::textChanged, this, [this](const QString &text) {
        const QUrl url(text.trimmed(), QUrl::StrictMode);
        const bool ok = text.trimmed().isEmpty()
            || (url.isValid() && (url.scheme() == u"https" || url.scheme() == u"http") && !url.host().isEmpty());
        m_publicUrl->setStyleSheet(ok ? QString() : QStringLiteral("QLineEdit { border: 1px solid #c62828; }"));
        if (ok)
            QSettings().setValue(QStringLiteral("receiver/publicUrl"), text.trimmed());
        updateStatus();
    });
    toolbar->addWidget(m_publicUrl);
    QAction *copy = toolbar->addAction(QStringLiteral("Copy URL"));
    copy->setToolTip(QStringLiteral("Copy the receiver's URL, to paste into the PIM's event subscription"));
    connect(copy, &QAction::triggered, this, [this] { QGuiApplication::clipboard()->setText(shownUrl()); });
    toolbar->addSeparator();
    m_deliveriesAction = toolbar->addAction(QStringLiteral("Deliveries"));
    m_deliveriesAction->setCheckable(true);
    m_deliveriesAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    m_deliveriesAction->setToolTip(
        QStringLiteral("One row per HTTP request or log line instead of one per event (Ctrl+D)"));
    connect(m_deliveriesAction, &QAction::triggered, this, &MainWindow::showDeliveries);
    toolbar->addSeparator();
    m_importAction = toolbar->addAction(QStringLiteral("Import log…"));
    m_importAction->setShortcut(QKeySequence::Open);
    m_importAction->setToolTip(QStringLiteral("Import an Akeneo event-subscription log (Connection settings > Event "
                                              "subscription > Download logs) and see what went wrong (Ctrl+O; or drop "
                                              "files on the window)"));
    connect(m_importAction, &QAction::triggered, this, &MainWindow::chooseLogsToImport);
    m_replayAction = toolbar->addAction(QStringLiteral("Replay…"));
    m_replayAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_replayAction->setToolTip(
        QStringLiteral("Send the selected events (or the filter's) to your connector, signed and "
                       "paced like the PIM (Ctrl+R)"));
    connect(m_replayAction, &QAction::triggered, this, &MainWindow::replaySelection);
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
    auto *exportAction = new QAction(QStringLiteral("Export…"), this);
    exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    exportAction->setToolTip(QStringLiteral("Write the selected rows, or every row shown, as JSON lines, CSV, HAR or "
                                            "the PIM's log format (Ctrl+E)"));
    connect(exportAction, &QAction::triggered, this, &MainWindow::exportRows);
    toolbar->insertAction(m_replayAction, exportAction);

    // The menus hold the toolbar's actions (one QAction each: one shortcut, one state).
    QMenu *fileMenu = menuBar()->addMenu(QStringLiteral("&File"));
    fileMenu->addAction(create);
    fileMenu->addAction(open);
    fileMenu->addSeparator();
    fileMenu->addAction(m_importAction);
    fileMenu->addAction(exportAction);
    fileMenu->addSeparator();
    fileMenu->addAction(demoAction);
    fileMenu->addSeparator();
    QAction *quit = fileMenu->addAction(QStringLiteral("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    QMenu *captureMenu = menuBar()->addMenu(QStringLiteral("&Capture"));
    captureMenu->addAction(m_receiverAction);
    captureMenu->addAction(copy);
    captureMenu->addSeparator();
    captureMenu->addAction(m_deliveriesAction);
    captureMenu->addAction(m_replayAction);
    captureMenu->addSeparator();
    captureMenu->addAction(settingsAction);
    QMenu *helpMenu = menuBar()->addMenu(QStringLiteral("&Help"));
    helpMenu->addAction(QStringLiteral("&About Pimscope"), this, &MainWindow::showAbout);
    helpMenu->addAction(QStringLiteral("About &Qt"), qApp, &QApplication::aboutQt);

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(6, 6, 6, 0);
    layout->setSpacing(4);

    m_bannerBox = new QWidget(central);
    auto *bannerLayout = new QHBoxLayout(m_bannerBox);
    bannerLayout->setContentsMargins(8, 6, 8, 6);
    m_bannerBox->setStyleSheet(QStringLiteral("background: palette(alternate-base); border-radius: 4px;"));
    m_banner = new QLabel(m_bannerBox);
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_banner->setOpenExternalLinks(false);
    m_otherPort = new QPushButton(m_bannerBox);
    m_otherPort->hide();
    connect(m_otherPort, &QPushButton::clicked, this,
            [this] { startReceiver(quint16(m_otherPort->property("port").toUInt())); });
    bannerLayout->addWidget(m_banner, 1);
    bannerLayout->addWidget(m_otherPort);
    m_bannerBox->hide();
    layout->addWidget(m_bannerBox);

    m_filterBar = new FilterBar(central);
    m_filter = m_filterBar->edit();
    connect(m_filterBar, &FilterBar::picked, this, [this](const QString &filter) {
        m_filter->setText(filter);
        applyFilter();
    });
    m_filterError = new QLabel(central);
    m_filterError->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_filterError->hide();
    layout->addWidget(m_filterBar);
    layout->addWidget(m_filterError);
    // A filter that reads every payload (contains-anywhere, regex) streams its rows: how far it got, and a way out.
    m_scanBox = new QWidget(central);
    auto *scanLayout = new QHBoxLayout(m_scanBox);
    scanLayout->setContentsMargins(0, 0, 0, 0);
    m_scanProgress = new QProgressBar(m_scanBox);
    m_scanProgress->setRange(0, 1000);
    m_scanProgress->setMaximumHeight(m_scanProgress->fontMetrics().height() + 4);
    m_stopScan = new QPushButton(QStringLiteral("Stop"), m_scanBox);
    m_stopScan->setToolTip(QStringLiteral("Stop the search (Esc): the rows found so far stay"));
    connect(m_stopScan, &QPushButton::clicked, this, [this] {
        if (m_model)
            activeModel()->cancel();
    });
    scanLayout->addWidget(m_scanProgress, 1);
    scanLayout->addWidget(m_stopScan);
    m_scanBox->hide();
    layout->addWidget(m_scanBox);
    m_scanShow = new QTimer(this);
    m_scanShow->setSingleShot(true);
    m_scanShow->setInterval(150); // a quick filter never flashes it
    connect(m_scanShow, &QTimer::timeout, this, &MainWindow::updateStatus);
    auto *stopShortcut = new QShortcut(QKeySequence(Qt::Key_Escape), m_filter, [this] {
        if (m_model && activeModel()->isQuerying())
            activeModel()->cancel();
    });
    stopShortcut->setContext(Qt::WidgetShortcut);
    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(250);
    connect(m_filter, &QLineEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_filter, &QLineEdit::returnPressed, this, &MainWindow::applyFilter);
    connect(m_debounce, &QTimer::timeout, this, &MainWindow::applyFilter);
    new QShortcut(QKeySequence::Find, this, [this] {
        m_filter->setFocus();
        m_filter->selectAll();
    });
    new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_L), this, [this] { m_filter->clear(); });
    auto *copyShortcut = new QShortcut(QKeySequence::Copy, this, [this] { copyEventJson(); });
    copyShortcut->setContext(Qt::WidgetWithChildrenShortcut);
    new QShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C), this, [this] { copyAsCurl(false); });

    auto *splitter = new QSplitter(Qt::Vertical, central);
    m_table = new QTableView(splitter);
    m_table->setObjectName(QStringLiteral("captureTable"));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setSectionsMovable(true);
    m_table->horizontalHeader()->setHighlightSections(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setItemDelegate(new SeverityDelegate(PagedTableModel::FlagsRole, PagedTableModel::ColourRole,
                                                  PagedTableModel::LogLevelRole, m_table));
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    auto *copyAction = new QAction(QStringLiteral("Copy event JSON"), m_table);
    copyAction->setShortcut(QKeySequence::Copy);
    copyAction->setShortcutContext(Qt::WidgetShortcut);
    connect(copyAction, &QAction::triggered, this, &MainWindow::copyEventJson);
    m_table->addAction(copyAction);
    connect(m_table, &QWidget::customContextMenuRequested, this, [this, copyAction](const QPoint &at) {
        QMenu menu(this);
        fillRowMenu(menu, m_table->indexAt(at), copyAction);
        menu.exec(m_table->viewport()->mapToGlobal(at));
    });
    // Columns: moved by dragging, hidden and shown from the header's menu, remembered.
    QHeaderView *columns = m_table->horizontalHeader();
    // A click on a column the query cannot order (the events' status and signature) leaves the order, and the
    // indicator shows the order there is.
    connect(
        columns, &QHeaderView::sortIndicatorChanged, this,
        [this, columns](int column, Qt::SortOrder) {
            PagedTableModel *model = m_model ? activeModel() : nullptr;
            if (model && model->sortColumn() != column) {
                const QSignalBlocker blocker(columns);
                columns->setSortIndicator(model->sortColumn(),
                                          model->sortDescending() ? Qt::DescendingOrder : Qt::AscendingOrder);
            }
        },
        Qt::QueuedConnection);
    columns->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(columns, &QHeaderView::customContextMenuRequested, this, [this, columns](const QPoint &at) {
        QMenu menu(this);
        for (int c = 0; m_table->model() && c < m_table->model()->columnCount(); ++c) {
            QAction *a = menu.addAction(m_table->model() ? m_table->model()->headerData(c, Qt::Horizontal).toString()
                                                         : QString::number(c));
            a->setCheckable(true);
            a->setChecked(!columns->isSectionHidden(c));
            connect(a, &QAction::toggled, columns, [columns, c](bool on) { columns->setSectionHidden(c, !on); });
        }
        menu.exec(columns->mapToGlobal(at));
    });

    m_details = new QTabWidget(splitter);
    m_details->setObjectName(QStringLiteral("details"));
    // Event: the tree (search, copy value or path) over the indented text.
    auto *eventTab = new QSplitter(Qt::Vertical, m_details);
    m_eventTree = new JsonTreeView(eventTab);
    m_eventJson = codeView(eventTab);
    eventTab->addWidget(m_eventTree);
    eventTab->addWidget(m_eventJson);
    eventTab->setStretchFactor(0, 3);
    eventTab->setStretchFactor(1, 2);
    // Raw: the body's exact bytes, and beside them the same JSON indented.
    auto *rawTab = new QSplitter(Qt::Horizontal, m_details);
    m_raw = codeView(rawTab);
    m_raw->setToolTip(QStringLiteral("The body exactly as received"));
    m_rawPretty = codeView(rawTab);
    m_rawPretty->setToolTip(QStringLiteral("The same body indented (members in their order)"));
    rawTab->addWidget(m_raw);
    rawTab->addWidget(m_rawPretty);
    m_headers = new QTableWidget(0, 2, m_details);
    m_headers->setHorizontalHeaderLabels({QStringLiteral("Header"), QStringLiteral("Value")});
    m_headers->horizontalHeader()->setStretchLastSection(true);
    m_headers->verticalHeader()->hide();
    m_headers->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_delivery = codeView(m_details);
    m_delivery->setObjectName(QStringLiteral("deliveryText"));
    m_details->addTab(eventTab, QStringLiteral("Event"));
    m_details->addTab(rawTab, QStringLiteral("Raw"));
    m_details->addTab(m_headers, QStringLiteral("Headers"));
    m_details->addTab(m_delivery, QStringLiteral("Delivery"));
    auto *timelineTab = new QWidget(m_details);
    auto *timelineLayout = new QVBoxLayout(timelineTab);
    timelineLayout->setContentsMargins(4, 4, 4, 4);
    m_timelineSummary = new QLabel(timelineTab);
    m_timelineSummary->setWordWrap(true);
    m_timeline = new QTreeWidget(timelineTab);
    m_timeline->setRootIsDecorated(false);
    m_timeline->setUniformRowHeights(true);
    m_timeline->setHeaderLabels({QStringLiteral("Event time (UTC)"), QStringLiteral("Action"), QStringLiteral("Author"),
                                 QStringLiteral("Origin"), QStringLiteral("Received (UTC)"), QStringLiteral("Delivery"),
                                 QStringLiteral("Flags")});
    connect(m_timeline, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        // Jump to that event in the table when it is shown there.
        const int row = m_model ? m_model->rowOf(item->data(0, Qt::UserRole).toLongLong()) : -1;
        if (row >= 0)
            m_table->selectRow(row);
    });
    timelineLayout->addWidget(m_timelineSummary);
    timelineLayout->addWidget(m_timeline, 1);
    m_details->addTab(timelineTab, QStringLiteral("Timeline"));
    m_compareTab = new QWidget(m_details);
    auto *compareLayout = new QVBoxLayout(m_compareTab);
    compareLayout->setContentsMargins(4, 4, 4, 4);
    m_compare = new QTextEdit(m_compareTab);
    m_compare->setReadOnly(true);
    m_compare->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    compareLayout->addWidget(m_compare);
    m_details->addTab(m_compareTab, QStringLiteral("Compare"));
    m_details->setTabEnabled(compareTabIndex(), false);
    m_details->setTabToolTip(compareTabIndex(), QStringLiteral("Select two events (Ctrl+click) to compare them"));
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);
    setCentralWidget(central);

    m_statusText = new QLabel(this);
    statusBar()->addWidget(m_statusText, 1);
    // A temporary message takes the label's place. (QStatusBar hides it, but a message shown before the window
    // is shown left it visible under the message.)
    connect(statusBar(), &QStatusBar::messageChanged, m_statusText,
            [this](const QString &message) { m_statusText->setVisible(message.isEmpty()); });
    m_counts = new QLabel(this);
    statusBar()->addPermanentWidget(m_counts);
    m_quota = new QProgressBar(this);
    m_quota->setRange(0, int(budgets::akeneoRequestsPerHour));
    m_quota->setValue(0);
    m_quota->setFormat(QStringLiteral("%v / %m requests in the last hour"));
    m_quota->setToolTip(QStringLiteral("Akeneo sends at most 4,000 requests an hour to a subscription; past that it "
                                       "logs \"quota reached\" and holds events back"));
    m_quota->setMinimumWidth(280);
    m_quota->setMaximumWidth(320);
    m_quota->setTextVisible(true);
    statusBar()->addPermanentWidget(m_quota);
    m_p99 = new QLabel(this);
    m_p99->setToolTip(QStringLiteral("The slowest 1% of the answers of the last hour, against Akeneo's 500 ms"));
    statusBar()->addPermanentWidget(m_p99);

    auto *dock = new QDockWidget(QStringLiteral("Diagnostics"), this);
    dock->setObjectName(QStringLiteral("diagnosticsDock"));
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable
                      | QDockWidget::DockWidgetClosable);
    m_diagnostics = new DiagnosticsPanel(dock);
    dock->setWidget(m_diagnostics);
    addDockWidget(Qt::RightDockWidgetArea, dock);
    resizeDocks({dock}, {360}, Qt::Horizontal);
    connect(m_diagnostics, &DiagnosticsPanel::filterRequested, this, [this](const QString &filter) {
        m_filter->setText(filter);
        applyFilter();
    });

    m_chartsDock = new QDockWidget(QStringLiteral("Charts"), this);
    m_chartsDock->setObjectName(QStringLiteral("chartsDock"));
    m_chartsDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable
                              | QDockWidget::DockWidgetClosable);
    m_charts = new ChartsView(m_chartsDock);
    m_chartsDock->setWidget(m_charts);
    addDockWidget(Qt::BottomDockWidgetArea, m_chartsDock);
    m_chartsDock->hide();
    m_chartsAction = m_chartsDock->toggleViewAction();
    m_chartsAction->setText(QStringLiteral("Charts"));
    m_chartsAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_G));
    m_chartsAction->setToolTip(
        QStringLiteral("Events per minute, answer times against 500 ms, requests per hour against "
                       "the quota, of what the filter matches; drag a range to filter (Ctrl+G)"));
    toolbar->insertAction(m_importAction, m_chartsAction);
    captureMenu->insertAction(m_replayAction, m_chartsAction);
    connect(m_chartsDock, &QDockWidget::visibilityChanged, this, [this](bool visible) {
        if (!visible)
            return;
        // Once the layout has placed it (a resize before that is lost): never shorter than 260 px when docked.
        QTimer::singleShot(0, this, [this] {
            if (m_chartsDock->isVisible() && !m_chartsDock->isFloating() && m_chartsDock->height() < 260)
                resizeDocks({m_chartsDock}, {260}, Qt::Vertical);
        });
        refreshCharts();
    });
    connect(m_charts, &ChartsView::stackChanged, this, &MainWindow::refreshCharts);
    connect(m_charts, &ChartsView::rangeSelected, this, &MainWindow::filterToRange);

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
}

QString MainWindow::shownUrl() const
{
    if (!m_receiver)
        return {};
    const QString publicUrl = m_publicUrl->text().trimmed();
    const QUrl url(publicUrl, QUrl::StrictMode);
    if (!publicUrl.isEmpty() && url.isValid() && (url.scheme() == u"https" || url.scheme() == u"http")
        && !url.host().isEmpty())
        return publicUrl;
    return m_receiver->url();
}

bool MainWindow::startReceiver(quint16 port)
{
    stopReceiver();
    if (!m_store)
        return false;
    auto configured = m_settings.receiverSettings();
    if (!configured) {
        showBanner(QStringLiteral("<b>The receiver is not running.</b> %1 (Settings, Receiver)")
                       .arg(configured.error().toHtmlEscaped()));
        Q_EMIT receiverChanged();
        return false;
    }
    ReceiverSettings settings = std::move(configured.value());
    settings.address = m_address;
    settings.port = port;
    if (!m_settings.secretRules.isEmpty()) {
        // The secrets come from the keychain, which may take a while (or ask the user): the window goes on
        // meanwhile and the receiver starts when they are in.
        if (!m_rulesLoaded || m_loadedRulesFor != m_settings.secretRules) {
            loadSecretsThenStart(port);
            return true;
        }
        settings.signatures.rules = m_loadedRules;
    }
    auto receiver = std::make_unique<Receiver>(m_store.get(), settings);
    const auto bound = receiver->start();
    if (!bound) {
        const quint16 free = port ? nextFreePort(m_address, quint16(port + 1)) : 0;
        showBanner(QStringLiteral("<b>The receiver is not running.</b> %1").arg(bound.error().toHtmlEscaped()), free);
        m_receiverAction->setChecked(false);
        updateStatus();
        Q_EMIT receiverChanged();
        return false;
    }
    m_port = *bound;
    m_receiver = std::move(receiver);
    // What the receiver could not do (a full disk, the capture deleted or replaced): the PIM is answered 503 and
    // nothing is stored meanwhile, so it must be in sight, not only in a log.
    connect(m_receiver.get(), &Receiver::problem, this, [this](const QString &message) {
        const QString sentence = message.left(1).toUpper() + message.mid(1);
        showBanner(QStringLiteral("<b>Deliveries are not being stored.</b> %1. The PIM gets 503 answers until this is "
                                  "resolved.")
                       .arg(sentence.toHtmlEscaped()));
    });
    m_receiverAction->setChecked(true);
    if (!m_address.isLoopback()) {
        // As `pimscope receive` warns on stderr: whoever can reach this machine can post into the capture.
        showBanner(
            QStringLiteral("<b>The receiver is reachable from the network</b> (it listens on %1): anyone who can "
                           "reach this machine on port %2 can post events into this capture. Listen on "
                           "127.0.0.1 (Settings, Receiver) unless that is what you want.")
                .arg(m_address.toString().toHtmlEscaped())
                .arg(m_port));
        updateStatus();
        Q_EMIT receiverChanged();
        return true;
    }
    if (!m_secretFailures.isEmpty()) {
        showBanner(
            QStringLiteral("<b>Some signature checks are off:</b> %1. Set the secrets again in Settings, Signatures.")
                .arg(m_secretFailures.join(QStringLiteral("; ")).toHtmlEscaped()));
        updateStatus();
        Q_EMIT receiverChanged();
        return true;
    }
    if (m_model && activeModel()->matchCount() == 0 && m_filter->text().isEmpty()) {
        showBanner(
            QStringLiteral(
                "<b>Waiting for events.</b> Point the PIM's event subscription at <b>%1</b>. A real Akeneo or Quable "
                "only calls public HTTPS URLs: put a tunnel (ngrok, cloudflared…) in front of this address and give "
                "the PIM the tunnel's URL.")
                .arg(shownUrl().toHtmlEscaped()));
    } else {
        m_bannerBox->hide();
    }
    updateStatus();
    Q_EMIT receiverChanged();
    return true;
}

void MainWindow::loadSecretsThenStart(quint16 port)
{
    delete m_loader;
    if (!m_keychain)
        m_keychain = new KeychainSecretStore(this);
    m_loader = new KeychainRuleLoader(m_keychain, m_settings.secretRules, this);
    const QList<KeychainRule> wanted = m_settings.secretRules;
    connect(m_loader, &KeychainRuleLoader::loaded, this,
            [this, port, wanted](const QList<SignatureRule> &rules, const QStringList &failures) {
                m_loader->deleteLater();
                m_loader = nullptr;
                if (wanted != m_settings.secretRules)
                    return; // the settings changed meanwhile: their own load is on its way
                m_loadedRules = rules;
                m_loadedRulesFor = wanted;
                m_rulesLoaded = true;
                m_secretFailures = failures;
                startReceiver(port);
            });
    m_loader->start();
    updateStatus();
}

void MainWindow::stopReceiver()
{
    const bool was = m_receiver != nullptr;
    m_receiver.reset();
    m_receiverAction->setChecked(false);
    updateStatus();
    if (was)
        Q_EMIT receiverChanged();
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
    const bool listenerChanged = settings.listen != old.listen || settings.tlsCertificate != old.tlsCertificate
        || settings.tlsKey != old.tlsKey || settings.answerStatus != old.answerStatus
        || settings.answerDelayMs != old.answerDelayMs || settings.maxBodyBytes != old.maxBodyBytes
        || settings.acceptInvalidSignature != old.acceptInvalidSignature || settings.secretRules != old.secretRules
        || !secrets.isEmpty();
    if (!listenerChanged)
        return;
    QHostAddress address;
    quint16 port = 0;
    if (parseListenAddress(settings.listen, address, port)) {
        m_address = address;
        m_port = port;
    }
    const bool restart = m_receiver || m_loader || m_receiverAction->isChecked();
    if (secrets.isEmpty()) {
        if (restart)
            startReceiver(m_port);
        return;
    }
    // The values typed in go to the keychain; the receiver restarts once every write is answered, reading them back.
    if (!m_keychain)
        m_keychain = new KeychainSecretStore(this);
    auto outstanding = std::make_shared<qsizetype>(secrets.size());
    auto failures = std::make_shared<QStringList>();
    auto *context = new QObject(this);
    const auto answered = [this, outstanding, failures, context, restart] {
        if (--*outstanding > 0)
            return;
        context->deleteLater();
        m_rulesLoaded = false;
        if (restart)
            startReceiver(m_port);
        if (!failures->isEmpty())
            showBanner(QStringLiteral("<b>Could not store a secret in the keychain:</b> %1")
                           .arg(failures->join(QStringLiteral("; ")).toHtmlEscaped()));
    };
    connect(m_keychain, &SecretStore::secretWritten, context, [secrets, answered](const QString &name) {
        if (secrets.contains(name))
            answered();
    });
    connect(m_keychain, &SecretStore::secretFailed, context,
            [secrets, failures, answered](const QString &name, SecretStore::ErrorKind, const QString &message) {
                if (!secrets.contains(name))
                    return;
                failures->append(message);
                answered();
            });
    stopReceiver();
    for (auto it = secrets.cbegin(); it != secrets.cend(); ++it)
        m_keychain->write(it.key(), it.value());
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

void MainWindow::showBanner(const QString &html, quint16 suggestedPort)
{
    m_banner->setText(html);
    m_otherPort->setVisible(suggestedPort != 0);
    if (suggestedPort) {
        m_otherPort->setText(QStringLiteral("Use port %1").arg(suggestedPort));
        m_otherPort->setProperty("port", suggestedPort);
    }
    m_bannerBox->show();
}

void MainWindow::applyFilter()
{
    m_debounce->stop();
    const QString text = m_filter->text();
    const Filter filter = Filter::parse(text);
    if (!filter.isValid()) {
        m_filterError->setText(
            QStringLiteral("At %1: %2").arg(filter.error().position + 1).arg(filter.error().message));
        m_filterError->show();
        m_filter->setStyleSheet(QStringLiteral("QLineEdit { border: 1px solid #c62828; }"));
        return;
    }
    m_filterError->hide();
    m_filter->setStyleSheet(QString());
    m_filterBar->remember(text);
    if (m_model && text != activeModel()->filter()) {
        activeModel()->setFilter(text);
        refreshCharts();
    }
}

void MainWindow::updateStatus()
{
    QStringList parts;
    bool scanning = false;
    if (PagedTableModel *model = m_model ? activeModel() : nullptr) {
        const QString what = showingDeliveries() ? QStringLiteral("deliveries") : QStringLiteral("events");
        scanning = model->isQuerying() && model->progress() < 1.0;
        if (scanning) {
            parts << QStringLiteral("searching: %L1 %2 match so far").arg(model->matchCount()).arg(what);
            m_scanProgress->setValue(int(model->progress() * 1000));
            m_scanProgress->setFormat(QStringLiteral("Searching the capture: %1%").arg(int(model->progress() * 100)));
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
        if (model->matchCount() > 0 && m_bannerBox->isVisible() && !m_otherPort->isVisible()
            && m_banner->text().startsWith(QStringLiteral("<b>Waiting")))
            m_bannerBox->hide();
    }
    if (!scanning) {
        m_scanBox->hide();
        m_scanShow->stop();
        m_scanArmed = false;
    } else if (!m_scanArmed) {
        m_scanArmed = true;
        m_scanShow->start();
    } else if (!m_scanShow->isActive()) {
        m_scanBox->show();
    }
    parts << (m_receiver     ? QStringLiteral("receiver on %1").arg(m_receiver->url())
                  : m_loader ? QStringLiteral("receiver starting: reading its secrets from the keychain…")
                             : QStringLiteral("receiver stopped"));
    m_statusText->setText(parts.join(QStringLiteral("   ·   ")));
    m_statusText->setToolTip(m_path);
    if (!m_receiver)
        m_urlLabel->setText(QStringLiteral("(stopped)"));
    else if (shownUrl() != m_receiver->url())
        m_urlLabel->setText(QStringLiteral("%1 → %2").arg(shownUrl(), m_receiver->url())); // public URL -> receiver
    else
        m_urlLabel->setText(m_receiver->url());
}

void MainWindow::showSelected()
{
    const int row = m_table->currentIndex().row();
    if (m_model && showingDeliveries()) {
        const Delivery *d = m_deliveryModel->delivery(row);
        if (!d) {
            m_eventJson->clear();
            return;
        }
        const qint64 id = d->id;
        // The Event tab lists the delivery's events, each as the PIM sent it.
        m_queries->eventsOfDelivery(id, m_captureContext, [this, id](Result<QList<EventRecord>> events) {
            if (id != m_shownDelivery || !events)
                return;
            QStringList parts;
            for (const EventRecord &e : *events) {
                parts << QStringLiteral("// event %1 of %2: %3 %4")
                             .arg(e.event.seq + 1)
                             .arg(events->size())
                             .arg(e.event.action, EventTableModel::subjectText(e.event))
                      << prettyJson(e.payload);
            }
            m_eventJson->setPlainText(parts.isEmpty() ? QStringLiteral("// no event in this delivery")
                                                      : parts.join(u'\n'));
            m_eventTree->clear();
        });
        showDelivery(id);
        return;
    }
    const EventRecord *r = m_model ? m_model->record(row) : nullptr;
    if (!r) {
        m_eventJson->clear();
        m_eventTree->clear();
        return;
    }
    m_eventJson->setPlainText(prettyJson(r->payload));
    m_eventTree->setJson(r->payload);
    showTimeline(*r);
    showDelivery(r->event.deliveryId);
}

void MainWindow::showDelivery(qint64 deliveryId)
{
    if (deliveryId == m_shownDelivery)
        return;
    m_shownDelivery = deliveryId;
    // Nothing of the previous selection stays on show while this one is read.
    m_raw->setPlainText(QStringLiteral("…"));
    m_rawPretty->clear();
    m_delivery->setPlainText(QStringLiteral("…"));
    m_headers->setRowCount(0);
    m_queries->delivery(deliveryId, m_captureContext, [this, deliveryId](Result<Delivery> d) {
        if (deliveryId != m_shownDelivery)
            return;
        if (!d) {
            m_delivery->setPlainText(d.error());
            return;
        }
        // Exactly as received (bytes that are not UTF-8 show as U+FFFD here; exports keep them).
        m_raw->setPlainText(QString::fromUtf8(d->body));
        m_rawPretty->setPlainText(prettyJson(d->body));
        m_headers->setRowCount(int(d->headers.size()));
        for (int i = 0; i < d->headers.size(); ++i) {
            m_headers->setItem(i, 0, new QTableWidgetItem(QString::fromLatin1(d->headers[i].name)));
            m_headers->setItem(i, 1, new QTableWidgetItem(QString::fromUtf8(d->headers[i].value)));
        }
        m_delivery->setPlainText(deliverySummary(*d));
    });
}

QIcon applicationIcon()
{
    // The icon theme's (the package installs it in hicolor), else the same PNGs built in.
    QIcon builtIn;
    for (const int size : {16, 24, 32, 48, 64, 128, 256})
        builtIn.addFile(QStringLiteral(":/icons/%1x%1/apps/io.github.pimscope.Pimscope.png").arg(size),
                        QSize(size, size));
    return QIcon::fromTheme(QStringLiteral("io.github.pimscope.Pimscope"), builtIn);
}

} // namespace pimscope::ui
