#pragma once

#include "model/delivery.h"
#include "store/records.h"

#include <QTableView>

#include <functional>

namespace pimscope {
class CaptureQueries;
class DeliveryTableModel;
class EventTableModel;
class PagedTableModel;
} // namespace pimscope

namespace pimscope::ui {

/**
 * The capture's table: events (one row per event) or deliveries (one per request or log line), paged from the
 * capture. Rows coloured by severity; a click on a header sorts in the database; columns moved by dragging, hidden
 * from the header's menu and remembered per table; a row menu that filters on a cell's value, copies, replays and
 * compares. What the menu asks for that is not the table's own is a signal for the window.
 */
class CaptureTableView : public QTableView
{
    Q_OBJECT
public:
    explicit CaptureTableView(QWidget *parent = nullptr);

    /** The models of a capture (both null: none open); its queries answer within `context`. */
    void setCapture(EventTableModel *events, DeliveryTableModel *deliveries, CaptureQueries *queries, QObject *context);
    /** Shows the deliveries table, or the events table, with its remembered column layout. */
    void setShowingDeliveries(bool deliveries);
    bool showingDeliveries() const { return m_showingDeliveries; }
    /** The model shown (null when no capture is open). */
    PagedTableModel *activeModel() const;
    EventTableModel *eventsModel() const { return m_events; }
    DeliveryTableModel *deliveriesModel() const { return m_deliveries; }
    /** The text of the filter in use: the cell filters add to it. */
    void setFilterSource(std::function<QString()> currentFilter) { m_currentFilter = std::move(currentFilter); }
    /** Whether "Compare the two selected events" is offered enabled. */
    void setCanCompare(bool can) { m_canCompare = can; }

    /** Remembers the shown table's column layout (order, widths, hidden, sort). */
    void saveColumnLayout() const;
    /**
     * The filter that narrows the table to rows whose value in `index`'s column is the one there (or, with
     * `exclude`, to the others), combined with the current filter; empty when that column cannot be filtered on.
     */
    QString cellFilter(const QModelIndex &index, bool exclude = false) const;

    /** The ids of the selected rows in row order (rows whose page is not read yet too). */
    QList<qint64> selectedIds() const;
    /** The selected event at the current row (events table), or null. */
    const EventRecord *currentEvent() const;
    /** The delivery of the current row: the row's own, or the current event's. */
    qint64 currentDeliveryId() const;
    /** Copies the current event's JSON exactly as the PIM sent it, or the current delivery's body. */
    void copyCurrent();

Q_SIGNALS:
    void filterRequested(const QString &filter);
    void replayRequested();
    void editRequested();
    void curlRequested(bool withSecrets);
    void timelineRequested();
    void compareRequested();
    /** A row became current, or the selection changed (after setCapture/setShowingDeliveries too). */
    void currentRowChanged();
    void rowsSelected();
    /** Something to say in the status bar. */
    void message(const QString &text);

private:
    void attach();
    void sizeColumns();
    void fillRowMenu(QMenu &menu, const QModelIndex &index);

    EventTableModel *m_events = nullptr;
    DeliveryTableModel *m_deliveries = nullptr;
    CaptureQueries *m_queries = nullptr;
    QObject *m_context = nullptr;
    bool m_showingDeliveries = false;
    bool m_canCompare = false;
    std::function<QString()> m_currentFilter;
    QAction *m_copyAction;
};

} // namespace pimscope::ui
