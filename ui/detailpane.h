#pragma once

#include "model/delivery.h"
#include "store/records.h"

#include <QTabWidget>

class QLabel;
class QPlainTextEdit;
class QTableWidget;
class QTextEdit;
class QTreeWidget;

namespace pimscope {
class CaptureQueries;
}

namespace pimscope::ui {

class JsonTreeView;

/**
 * The detail pane under the table: the tabs about the selected row. Event (the JSON as a tree over the indented
 * text), Raw (the body's exact bytes beside the same JSON indented), Headers, Delivery (what the delivery is, for
 * its origin), Timeline (every event of the same subject, the selected one in bold) and Compare (two selected
 * events, what differs). What it shows is read on the capture's query thread; an answer about a row no longer
 * selected is dropped.
 */
class DetailPane : public QTabWidget
{
    Q_OBJECT
public:
    explicit DetailPane(QWidget *parent = nullptr);

    /** The capture whose rows are shown; its queries answer within `context` (deleted with the capture). */
    void setCapture(CaptureQueries *queries, QObject *context);
    /** Shows nothing (another capture). */
    void clear();
    /** Events or deliveries in the table: the Timeline and Compare tabs are about events only. */
    void setShowingDeliveries(bool deliveries);

    /** An event row: its JSON, its subject's timeline and its delivery. */
    void showEventRecord(const EventRecord &record);
    /** A delivery row: its events, each as the PIM sent it, and the delivery. */
    void showDeliveryRow(qint64 deliveryId);
    /** The Event tab shows nothing (a row whose page is not read yet). */
    void clearEvent();
    /** Whether the Event tab shows something. */
    bool showsEvent() const;
    /**
     * Reads the delivery on show again for its Connector section (a forward's outcome was recorded): the Delivery tab
     * is rewritten where it shows, the rest of the pane stays.
     */
    void refreshConnector();

    /**
     * The difference between two events (a before b); none: the Compare tab shows what the row on show changed when it
     * is a request Pimscope sent edited (Edit and send), else it is disabled.
     */
    void compare(const EventRecord *a, const EventRecord *b);
    bool canCompare() const;
    void showCompareTab();
    void showTimelineTab();

Q_SIGNALS:
    /** An event of the timeline was activated (double-click, Enter): show it in the table. */
    void eventActivated(qint64 eventId);

private:
    void showDelivery(qint64 deliveryId);
    /** The Delivery tab for `d` (on show), once its forward is read when it was forwarded; the scroll stays. */
    void showDeliverySummary(Delivery d);
    void showTimeline(const EventRecord &selected);
    /** A request Pimscope sent: what it changed from what it was made of (Edit and send), in the Compare tab. */
    void showEditDifference(const Delivery &sent);
    int compareTabIndex() const;

    CaptureQueries *m_queries = nullptr;
    QObject *m_context = nullptr;
    qint64 m_shownDelivery = 0;
    QString m_timelineSubject; ///< type + key of the subject shown

    QPlainTextEdit *m_eventJson;
    JsonTreeView *m_eventTree;
    QPlainTextEdit *m_raw;
    QPlainTextEdit *m_rawPretty;
    QTableWidget *m_headers;
    QPlainTextEdit *m_delivery;
    QWidget *m_timelineTab;
    QTreeWidget *m_timeline;
    QLabel *m_timelineSummary;
    QWidget *m_compareTab;
    QTextEdit *m_compare;
    QString m_editDifference; ///< the delivery on show is an edited request: what it changed (HTML)
    bool m_comparing = false; ///< two events are compared
};

} // namespace pimscope::ui
