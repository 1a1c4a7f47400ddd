#pragma once

#include <QDockWidget>

#include <functional>

namespace pimscope {
class CaptureQueries;
}

namespace pimscope::ui {

class ChartsView;

/**
 * The Charts dock (Ctrl+G): the ChartsView of what the table's filter matches, computed on the capture's summary
 * thread while the dock is shown (once more after a computation that was asked for again meanwhile), never
 * shorter than 260 px when docked. A range dragged on a chart is handed to the window to narrow the filter.
 */
class ChartsDock : public QDockWidget
{
    Q_OBJECT
public:
    explicit ChartsDock(QWidget *parent = nullptr);

    ChartsView *view() const { return m_view; }
    /** The capture's figures come from `queries` within `context` (null: no capture). */
    void setCapture(CaptureQueries *queries, QObject *context);
    /** The filter the charts are of (the table's). */
    void setFilterSource(std::function<QString()> filter) { m_filter = std::move(filter); }
    /** Asks for the figures again (when shown). */
    void refresh();

Q_SIGNALS:
    /** A range of received times was dragged: [fromMs, toMs). */
    void rangeSelected(qint64 fromMs, qint64 toMs);

private:
    ChartsView *m_view;
    CaptureQueries *m_queries = nullptr;
    QObject *m_context = nullptr;
    std::function<QString()> m_filter;
    bool m_asked = false;
    bool m_again = false; ///< asked for while a computation ran: once more after it
};

} // namespace pimscope::ui
