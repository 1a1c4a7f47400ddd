#include "capturetableview.h"

#include "severitydelegate.h"

#include "filter/filter.h"
#include "models/eventtablemodel.h"
#include "models/pagedtablemodel.h"
#include "store/capturequeries.h"

#include <QAction>
#include <QClipboard>
#include <QGuiApplication>
#include <QHeaderView>
#include <QMenu>
#include <QSettings>
#include <QSignalBlocker>

#include <algorithm>
#include <span>

namespace pimscope::ui {

CaptureTableView::CaptureTableView(QWidget *parent)
    : QTableView(parent)
{
    setObjectName(QStringLiteral("captureTable"));
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setAlternatingRowColors(true);
    setWordWrap(false);
    verticalHeader()->hide();
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    horizontalHeader()->setSectionsMovable(true);
    horizontalHeader()->setHighlightSections(false);
    horizontalHeader()->setStretchLastSection(true);
    setItemDelegate(new SeverityDelegate(PagedTableModel::FlagsRole, PagedTableModel::ColourRole,
                                         PagedTableModel::LogLevelRole, this));
    setContextMenuPolicy(Qt::CustomContextMenu);
    m_copyAction = new QAction(QStringLiteral("Copy event JSON"), this);
    m_copyAction->setShortcut(QKeySequence::Copy);
    m_copyAction->setShortcutContext(Qt::WidgetShortcut);
    connect(m_copyAction, &QAction::triggered, this, &CaptureTableView::copyCurrent);
    addAction(m_copyAction);
    connect(this, &QWidget::customContextMenuRequested, this, [this](const QPoint &at) {
        QMenu menu(this);
        fillRowMenu(menu, indexAt(at));
        menu.exec(viewport()->mapToGlobal(at));
    });
    // Columns: moved by dragging, hidden and shown from the header's menu, remembered.
    QHeaderView *columns = horizontalHeader();
    // A click on a column the query cannot order (the events' status and signature) leaves the order, and the
    // indicator shows the order there is.
    connect(
        columns, &QHeaderView::sortIndicatorChanged, this,
        [this, columns](int column, Qt::SortOrder) {
            PagedTableModel *model = activeModel();
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
        for (int c = 0; model() && c < model()->columnCount(); ++c) {
            QAction *a = menu.addAction(model()->headerData(c, Qt::Horizontal).toString());
            a->setCheckable(true);
            a->setChecked(!columns->isSectionHidden(c));
            connect(a, &QAction::toggled, columns, [columns, c](bool on) { columns->setSectionHidden(c, !on); });
        }
        menu.exec(columns->mapToGlobal(at));
    });
}

void CaptureTableView::setCapture(EventTableModel *events, DeliveryTableModel *deliveries, CaptureQueries *queries,
                                  QObject *context)
{
    if (m_events)
        saveColumnLayout();
    setModel(nullptr);
    m_events = events;
    m_deliveries = deliveries;
    m_queries = queries;
    m_context = context;
    if (m_events)
        attach();
}

void CaptureTableView::setShowingDeliveries(bool deliveries)
{
    if (m_events)
        saveColumnLayout();
    m_showingDeliveries = deliveries;
    if (m_events)
        attach();
}

PagedTableModel *CaptureTableView::activeModel() const
{
    if (m_showingDeliveries)
        return m_deliveries;
    return m_events;
}

void CaptureTableView::attach()
{
    setSortingEnabled(false);
    setModel(activeModel());
    sizeColumns();
    const QString key
        = m_showingDeliveries ? QStringLiteral("window/deliveryColumns") : QStringLiteral("window/eventColumns");
    if (const QByteArray state = QSettings().value(key).toByteArray(); !state.isEmpty())
        horizontalHeader()->restoreState(state); // with its sort order
    else
        horizontalHeader()->setSortIndicator(0, Qt::AscendingOrder); // oldest first, as they arrived
    // A click on a header sorts by that column (in the database: the table holds no more than a few pages).
    if (horizontalHeader()->sortIndicatorSection() >= model()->columnCount())
        horizontalHeader()->setSortIndicator(0, Qt::AscendingOrder);
    setSortingEnabled(true);
    connect(selectionModel(), &QItemSelectionModel::currentRowChanged, this, &CaptureTableView::currentRowChanged);
    connect(selectionModel(), &QItemSelectionModel::selectionChanged, this, &CaptureTableView::rowsSelected);
}

void CaptureTableView::saveColumnLayout() const
{
    if (!model())
        return;
    QSettings().setValue(m_showingDeliveries ? QStringLiteral("window/deliveryColumns")
                                             : QStringLiteral("window/eventColumns"),
                         horizontalHeader()->saveState());
}

void CaptureTableView::sizeColumns()
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
                                               "Attempt",
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
    const QFontMetrics fm = fontMetrics();
    QHeaderView *header = horizontalHeader();
    int column = 0;
    for (const char *sample : m_showingDeliveries ? std::span<const char *const>(deliverySamples)
                                                  : std::span<const char *const>(eventSamples))
        header->resizeSection(column++, fm.horizontalAdvance(QString::fromUtf8(sample)) + 16);
}

QString CaptureTableView::cellFilter(const QModelIndex &index, bool exclude) const
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
        {EventTableModel::Attempt, QStringLiteral("attempt")},
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
    QString field = (m_showingDeliveries ? deliveryFields : eventFields).value(index.column());
    if (m_showingDeliveries && index.data(PagedTableModel::LogLevelRole).isValid()) {
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
    const QString current = m_currentFilter ? m_currentFilter().trimmed() : QString();
    const QString combined = current.isEmpty() || !Filter::parse(current).isValid()
        ? clause
        : u'(' + current + QStringLiteral(") && ") + clause;
    return Filter::parse(combined).isValid() ? combined : QString();
}

void CaptureTableView::fillRowMenu(QMenu &menu, const QModelIndex &index)
{
    if (!m_showingDeliveries)
        menu.addAction(m_copyAction);
    else
        menu.addAction(QStringLiteral("Copy body"), this, &CaptureTableView::copyCurrent);
    const QString header = index.isValid() ? model()->headerData(index.column(), Qt::Horizontal).toString() : QString();
    const QString shown = index.isValid() ? index.data(Qt::DisplayRole).toString() : QString();
    for (const bool exclude : {false, true}) {
        const QString filter = cellFilter(index, exclude);
        if (filter.isEmpty())
            continue;
        QAction *a
            = menu.addAction(exclude ? QStringLiteral("Hide rows where %1 is “%2”").arg(header, shown.left(40))
                                     : QStringLiteral("Show only rows where %1 is “%2”").arg(header, shown.left(40)),
                             this, [this, filter] { Q_EMIT filterRequested(filter); });
        a->setToolTip(filter);
    }
    menu.addSeparator();
    QAction *replay = menu.addAction(QStringLiteral("Replay…"), this, &CaptureTableView::replayRequested);
    replay->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    QAction *edit = menu.addAction(QStringLiteral("Edit and send…"), this, &CaptureTableView::editRequested);
    edit->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    edit->setEnabled(index.isValid());
    QAction *curl = menu.addAction(QStringLiteral("Copy as cURL"), this, [this] { Q_EMIT curlRequested(false); });
    curl->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    menu.addAction(QStringLiteral("Copy as cURL with secrets"), this, [this] { Q_EMIT curlRequested(true); });
    curl->setEnabled(index.isValid());
    if (!m_showingDeliveries) {
        menu.addSeparator();
        QAction *timeline
            = menu.addAction(QStringLiteral("Timeline of this subject"), this, &CaptureTableView::timelineRequested);
        timeline->setEnabled(index.isValid());
        QAction *compare = menu.addAction(QStringLiteral("Compare the two selected events"), this,
                                          &CaptureTableView::compareRequested);
        compare->setEnabled(m_canCompare);
    }
}

QList<qint64> CaptureTableView::selectedIds() const
{
    QList<qint64> ids;
    PagedTableModel *model = activeModel();
    if (!model || !selectionModel())
        return ids;
    QModelIndexList rows = selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    for (const QModelIndex &row : rows) {
        if (const qint64 id = model->idAt(row.row()); id > 0) // rows whose page is not loaded too
            ids.append(id);
    }
    return ids;
}

const EventRecord *CaptureTableView::currentEvent() const
{
    return m_events && !m_showingDeliveries ? m_events->record(currentIndex().row()) : nullptr;
}

qint64 CaptureTableView::currentDeliveryId() const
{
    if (m_showingDeliveries)
        return m_deliveries ? m_deliveries->idAt(currentIndex().row()) : 0;
    const EventRecord *r = currentEvent();
    return r ? r->event.deliveryId : 0;
}

void CaptureTableView::copyCurrent()
{
    if (m_showingDeliveries) {
        const qint64 id = currentDeliveryId();
        if (id > 0 && m_queries)
            m_queries->delivery(id, m_context, [this](Result<Delivery> d) {
                if (d) {
                    QGuiApplication::clipboard()->setText(QString::fromUtf8(d->body));
                    Q_EMIT message(QStringLiteral("Copied the body of delivery %1").arg(d->id));
                }
            });
        return;
    }
    const EventRecord *r = currentEvent();
    if (!r)
        return;
    QGuiApplication::clipboard()->setText(QString::fromUtf8(r->payload));
    Q_EMIT message(QStringLiteral("Copied the JSON of event %1").arg(r->event.eventId));
}

} // namespace pimscope::ui
