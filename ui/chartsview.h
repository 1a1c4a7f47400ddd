#pragma once

#include "analysis/charts.h"

#include <QWidget>

class QComboBox;
class QLabel;

namespace pimscope::ui {

/** One painted chart over the capture's buckets (or the latency bins); a drag over the time charts picks a range. */
class Chart : public QWidget
{
    Q_OBJECT
public:
    enum class Kind { Events, Latency, Requests, Connector };
    Chart(Kind kind, QWidget *parent = nullptr);
    void setCharts(const CaptureCharts *charts)
    {
        m_charts = charts;
        update();
    }
    QSize minimumSizeHint() const override { return {240, 110}; }
    /** Tall enough for the axes, the 500 ms and quota lines and a readable plot: the dock opens at about 260 px. */
    QSize sizeHint() const override { return {420, 230}; }
    /** The plot area (inside the axes), for tests that drag over it. */
    QRect plotRect() const;

Q_SIGNALS:
    /** A drag over a time chart: from the first bucket's start to the last one's end (UTC ms). */
    void rangeSelected(qint64 fromMs, qint64 toMs);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;

private:
    /** The charts over time (events, requests): a drag picks a range. */
    bool isTimeChart() const { return m_kind == Kind::Events || m_kind == Kind::Requests; }
    int bucketAt(int x) const;
    void paintEvents(QPainter &p, const QRect &plot);
    void paintLatency(QPainter &p, const QRect &plot, const AnswerTimeBins &bins);
    void paintRequests(QPainter &p, const QRect &plot);
    void paintTimeAxis(QPainter &p, const QRect &plot);

    Kind m_kind;
    const CaptureCharts *m_charts = nullptr;
    int m_dragFrom = -1;
    int m_dragTo = -1;
};

/**
 * The charts view: events per minute over the capture (stacked by action or by severity), the answer latency
 * distribution against each sender's deadline (the Events API's 500 ms, 5 s), the connector's answer times against
 * the same deadlines (shown once something the filter matches was forwarded), and the PIM's requests per rolling hour
 * against its 4,000 quota, all of what the filter matches. Dragging over a time chart picks a range: rangeSelected()
 * (the window narrows its filter to it). Painted with the palette (text, grid) and colours that read on light and dark
 * bases.
 */
class ChartsView : public QWidget
{
    Q_OBJECT
public:
    explicit ChartsView(QWidget *parent = nullptr);

    void setCharts(CaptureCharts charts);
    const CaptureCharts &charts() const { return m_charts; }
    ChartStack stack() const;
    void setStack(ChartStack stack);

    /** The colour of stack `index` of `count` (severity: none grey, notice yellow, warning orange, error red). */
    static QColor stackColour(ChartStack stack, int index);

    // For tests.
    Chart *eventsChart() const { return m_events; }
    Chart *latencyChart() const { return m_latency; }
    Chart *requestsChart() const { return m_requests; }
    Chart *connectorChart() const { return m_connector; }
    QLabel *summaryLabel() const { return m_summary; }
    QLabel *legendLabel() const { return m_legend; }

Q_SIGNALS:
    void stackChanged();
    void rangeSelected(qint64 fromMs, qint64 toMs);

private:
    void updateLegend();

    CaptureCharts m_charts;
    QComboBox *m_stack = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_legend = nullptr;
    Chart *m_events = nullptr;
    Chart *m_latency = nullptr;
    Chart *m_requests = nullptr;
    Chart *m_connector = nullptr;
};

} // namespace pimscope::ui
