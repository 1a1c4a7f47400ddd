#include "chartsdock.h"

#include "chartsview.h"

#include "filter/filter.h"
#include "store/capturequeries.h"
#include "store/chartqueries.h"

#include <QAction>
#include <QMainWindow>
#include <QStatusBar>
#include <QTimer>

#include <utility>

namespace pimscope::ui {

ChartsDock::ChartsDock(QWidget *parent)
    : QDockWidget(QStringLiteral("Charts"), parent)
{
    setObjectName(QStringLiteral("chartsDock"));
    setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable | QDockWidget::DockWidgetClosable);
    m_view = new ChartsView(this);
    m_view->setObjectName(QStringLiteral("charts"));
    setWidget(m_view);
    QAction *toggle = toggleViewAction();
    toggle->setText(QStringLiteral("Charts"));
    toggle->setObjectName(QStringLiteral("chartsAction"));
    toggle->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_G));
    toggle->setToolTip(QStringLiteral("Events per minute, answer times against 500 ms, requests per hour against "
                                      "the quota, of what the filter matches; drag a range to filter (Ctrl+G)"));
    connect(this, &QDockWidget::visibilityChanged, this, [this](bool visible) {
        if (!visible)
            return;
        // Once the layout has placed it (a resize before that is lost): never shorter than 260 px when docked.
        QTimer::singleShot(0, this, [this] {
            auto *window = qobject_cast<QMainWindow *>(parentWidget());
            if (window && isVisible() && !isFloating() && height() < 260)
                window->resizeDocks({this}, {260}, Qt::Vertical);
        });
        refresh();
    });
    connect(m_view, &ChartsView::stackChanged, this, &ChartsDock::refresh);
    connect(m_view, &ChartsView::rangeSelected, this, &ChartsDock::rangeSelected);
}

void ChartsDock::setCapture(CaptureQueries *queries, QObject *context)
{
    m_queries = queries;
    m_context = context;
    m_asked = false;
    m_again = false;
}

void ChartsDock::refresh()
{
    if (!isVisible() || !m_queries)
        return;
    if (m_asked) {
        m_again = true;
        return;
    }
    m_asked = true;
    const QString filter = m_filter ? m_filter() : QString();
    const ChartStack stack = m_view->stack();
    const auto query
        = [filter, stack](StoreReader &reader) { return computeCharts(reader, Filter::parse(filter), stack); };
    m_queries->run<CaptureCharts>(m_context, query, [this](Result<CaptureCharts> charts) {
        m_asked = false;
        if (charts)
            m_view->setCharts(std::move(*charts));
        else if (auto *window = qobject_cast<QMainWindow *>(parentWidget()))
            window->statusBar()->showMessage(charts.error(), 8000);
        if (std::exchange(m_again, false))
            refresh();
    });
}

} // namespace pimscope::ui
