#include "chartsview.h"

#include "util/timeutil.h"

#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace pimscope::ui {

namespace {

constexpr int leftMargin = 52;
constexpr int rightMargin = 10;
constexpr int topMargin = 20;
constexpr int bottomMargin = 20;

/** A round axis maximum at or above `value`: 1, 2, 5 x 10^n. */
qint64 niceMax(qint64 value)
{
    if (value <= 0)
        return 1;
    qint64 step = 1;
    while (true) {
        for (const qint64 m : {1, 2, 5}) {
            if (m * step >= value)
                return m * step;
        }
        step *= 10;
    }
}

QString shortNumber(qint64 n)
{
    if (n >= 10'000)
        return QStringLiteral("%1k").arg(double(n) / 1000.0, 0, 'g', 3);
    return QLocale().toString(n);
}

QColor withAlpha(QColor c, int alpha)
{
    c.setAlpha(alpha);
    return c;
}

const QColor budgetColour(229, 57, 53);

void paintValueAxis(QPainter &p, const QRect &plot, qint64 max, const QPalette &palette)
{
    p.setPen(withAlpha(palette.color(QPalette::WindowText), 40));
    for (int i = 0; i <= 4; ++i) {
        const int y = plot.bottom() - int(std::lround(double(plot.height()) * i / 4.0));
        p.drawLine(plot.left(), y, plot.right(), y);
    }
    p.setPen(palette.color(QPalette::WindowText));
    const QFontMetrics fm = p.fontMetrics();
    for (int i = 0; i <= 4; i += 2) {
        const int y = plot.bottom() - int(std::lround(double(plot.height()) * i / 4.0));
        const QString text = shortNumber(max * i / 4);
        p.drawText(QRect(0, y - fm.height() / 2, leftMargin - 6, fm.height()), Qt::AlignRight | Qt::AlignVCenter, text);
    }
}

} // namespace

Chart::Chart(Kind kind, QWidget *parent)
    : QWidget(parent)
    , m_kind(kind)
{
    setMouseTracking(false);
    if (isTimeChart()) {
        setCursor(Qt::CrossCursor);
        setToolTip(QStringLiteral("Drag over a time range to show only its rows"));
    }
}

QRect Chart::plotRect() const
{
    return QRect(leftMargin, topMargin, std::max(10, width() - leftMargin - rightMargin),
                 std::max(10, height() - topMargin - bottomMargin));
}

int Chart::bucketAt(int x) const
{
    if (!m_charts || m_charts->bucketCount() == 0)
        return -1;
    const QRect plot = plotRect();
    const int n = m_charts->bucketCount();
    return std::clamp(int(double(x - plot.left()) * n / plot.width()), 0, n - 1);
}

void Chart::mousePressEvent(QMouseEvent *event)
{
    if (!isTimeChart() || event->button() != Qt::LeftButton)
        return QWidget::mousePressEvent(event);
    m_dragFrom = m_dragTo = bucketAt(event->position().toPoint().x());
    update();
}

void Chart::mouseMoveEvent(QMouseEvent *event)
{
    if (m_dragFrom < 0)
        return QWidget::mouseMoveEvent(event);
    m_dragTo = bucketAt(event->position().toPoint().x());
    update();
}

void Chart::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_dragFrom < 0 || event->button() != Qt::LeftButton)
        return QWidget::mouseReleaseEvent(event);
    m_dragTo = bucketAt(event->position().toPoint().x());
    const int first = std::min(m_dragFrom, m_dragTo);
    const int last = std::max(m_dragFrom, m_dragTo);
    m_dragFrom = m_dragTo = -1;
    update();
    if (m_charts && first >= 0)
        Q_EMIT rangeSelected(m_charts->startMs + first * m_charts->bucketMs,
                             m_charts->startMs + (last + 1) * m_charts->bucketMs);
}

void Chart::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, false);
    const QRect plot = plotRect();
    const QPalette &pal = palette();
    p.setPen(pal.color(QPalette::WindowText));
    QFont title = font();
    title.setBold(true);
    p.setFont(title);
    const QString titles[] = {
        QStringLiteral("Events per %1 (UTC)").arg(chartBucketName(m_charts ? m_charts->bucketMs : 60'000)),
        QStringLiteral("Answer time of received requests (ms)"),
        QStringLiteral("Events API requests per rolling hour"),
        QStringLiteral("Connector's answer time (ms)"),
    };
    p.drawText(QRect(leftMargin, 0, width() - leftMargin, topMargin), Qt::AlignLeft | Qt::AlignVCenter,
               titles[int(m_kind)]);
    p.setFont(font());
    const bool empty = !m_charts
        || (m_kind == Kind::Latency         ? m_charts->answers.answered == 0
                : m_kind == Kind::Connector ? m_charts->connector.answered == 0
                                            : m_charts->bucketCount() == 0);
    if (empty) {
        const QString unanswered = m_kind == Kind::Connector && m_charts && m_charts->connector.unanswered > 0
            ? QStringLiteral("%L1 forwards, none answered").arg(m_charts->connector.unanswered)
            : QString();
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(plot, Qt::AlignCenter,
                   unanswered.isEmpty() ? QStringLiteral("Nothing to show for this filter") : unanswered);
        return;
    }
    switch (m_kind) {
    case Kind::Events:
        paintEvents(p, plot);
        break;
    case Kind::Latency:
        paintLatency(p, plot, m_charts->answers);
        break;
    case Kind::Connector:
        paintLatency(p, plot, m_charts->connector);
        break;
    case Kind::Requests:
        paintRequests(p, plot);
        break;
    }
    if (m_dragFrom >= 0 && isTimeChart()) {
        const int n = m_charts->bucketCount();
        const int first = std::min(m_dragFrom, m_dragTo);
        const int last = std::max(m_dragFrom, m_dragTo);
        const int x0 = plot.left() + int(double(first) * plot.width() / n);
        const int x1 = plot.left() + int(double(last + 1) * plot.width() / n);
        p.fillRect(QRect(x0, plot.top(), std::max(1, x1 - x0), plot.height()),
                   withAlpha(pal.color(QPalette::Highlight), 70));
    }
}

void Chart::paintTimeAxis(QPainter &p, const QRect &plot)
{
    const int n = m_charts->bucketCount();
    const qint64 span = qint64(n) * m_charts->bucketMs;
    const bool days = span > 2 * 86'400'000LL;
    const QString format = days ? QStringLiteral("MM-dd HH:mm") : QStringLiteral("HH:mm");
    const QFontMetrics fm = p.fontMetrics();
    const int labels = std::max(2, plot.width() / (fm.horizontalAdvance(QStringLiteral("00-00 00:00")) + 24));
    p.setPen(palette().color(QPalette::WindowText));
    for (int i = 0; i <= labels; ++i) {
        const qint64 at = m_charts->startMs + span * i / labels;
        const int x = plot.left() + int(double(plot.width()) * i / labels);
        const QString text = utcDateTime(at).toString(format);
        const int w = fm.horizontalAdvance(text);
        const int left = std::clamp(x - w / 2, 0, width() - w);
        p.drawText(QRect(left, plot.bottom() + 2, w, bottomMargin - 2), Qt::AlignCenter, text);
    }
}

void Chart::paintEvents(QPainter &p, const QRect &plot)
{
    const qint64 max = niceMax(m_charts->maxBucketTotal);
    paintValueAxis(p, plot, max, palette());
    const int n = m_charts->bucketCount();
    const ChartStack stack = m_charts->stacks.size() == 4 && m_charts->stacks.front() == u"none" ? ChartStack::Severity
                                                                                                 : ChartStack::Action;
    for (int b = 0; b < n; ++b) {
        const int x0 = plot.left() + int(double(b) * plot.width() / n);
        const int x1 = plot.left() + int(double(b + 1) * plot.width() / n);
        const int w = std::max(1, x1 - x0 - (x1 - x0 > 3 ? 1 : 0));
        qint64 below = 0;
        for (int s = 0; s < m_charts->stacks.size(); ++s) {
            const qint64 count = m_charts->events[b][s];
            if (count == 0)
                continue;
            const int y0 = plot.bottom() - int(std::lround(double(plot.height()) * below / max));
            const int y1 = plot.bottom() - int(std::lround(double(plot.height()) * (below + count) / max));
            p.fillRect(QRect(x0, y1, w, std::max(1, y0 - y1)), ChartsView::stackColour(stack, s));
            below += count;
        }
    }
    paintTimeAxis(p, plot);
}

void Chart::paintLatency(QPainter &p, const QRect &plot, const AnswerTimeBins &bins)
{
    const auto &counts = bins.counts;
    const auto &edges = bins.edges;
    const qint64 max = niceMax(*std::max_element(counts.cbegin(), counts.cend()));
    paintValueAxis(p, plot, max, palette());
    const int n = int(counts.size());
    const QFontMetrics fm = p.fontMetrics();
    for (int i = 0; i < n; ++i) {
        const int x0 = plot.left() + int(double(i) * plot.width() / n);
        const int x1 = plot.left() + int(double(i + 1) * plot.width() / n);
        const bool over = edges[i] >= CaptureCharts::budgetMs;
        const int h = int(std::lround(double(plot.height()) * counts[i] / max));
        if (counts[i] > 0)
            p.fillRect(QRect(x0 + 1, plot.bottom() - std::max(1, h), std::max(1, x1 - x0 - 2), std::max(1, h)),
                       over ? budgetColour : QColor(78, 121, 167));
        p.setPen(palette().color(QPalette::WindowText));
        // The bin's lower edge under its left side; every other one when they would touch.
        const QString label
            = edges[i] >= 1000 ? QStringLiteral("%1 s").arg(edges[i] / 1000) : QString::number(edges[i]);
        const int w = fm.horizontalAdvance(label);
        const bool roomy = fm.horizontalAdvance(QStringLiteral("5 s")) + 8 <= x1 - x0;
        if (roomy || i % 2 == 0)
            p.drawText(QRect(x0 - w / 2, plot.bottom() + 2, w, bottomMargin - 2), Qt::AlignCenter, label);
    }
    // Each sender's deadline between the bins below and above it: the Events API's 500 ms, and 5 s when the Event
    // Platform's or Quable's answers are there.
    const auto deadlineLine = [&](double ms, const QString &text, int row) {
        const auto bin = std::find(edges.cbegin(), edges.cend(), ms) - edges.cbegin();
        const int x = plot.left() + int(double(bin) * plot.width() / n);
        p.setPen(QPen(budgetColour, 2, Qt::DashLine));
        p.drawLine(x, plot.top(), x, plot.bottom());
        p.setPen(budgetColour);
        const int w = fm.horizontalAdvance(text);
        const bool left = x + 4 + w > plot.right();
        p.drawText(QRect(left ? x - 4 - w : x + 4, plot.top() + row * fm.height(), w, fm.height()),
                   Qt::AlignLeft | Qt::AlignTop, text);
    };
    const bool longDeadlines = bins.answeredWithin5s > 0;
    if (bins.answered > bins.answeredWithin5s)
        deadlineLine(CaptureCharts::budgetMs,
                     QStringLiteral("500 ms (Events API)%1")
                         .arg(longDeadlines ? QString() : QStringLiteral(": %L1 later").arg(bins.overBudget)),
                     0);
    if (longDeadlines)
        deadlineLine(5000, QStringLiteral("5 s (Event Platform, Quable)"), 1);
    // Below the deadlines' labels: how many were late when both deadlines are drawn, and the connector's forwards
    // without an answer (not in the bins).
    QStringList notes;
    if (longDeadlines)
        notes << QStringLiteral("%L1 later than their sender's deadline").arg(bins.overBudget);
    if (bins.unanswered > 0)
        notes << QStringLiteral("%L1 not answered").arg(bins.unanswered);
    p.setPen(budgetColour);
    for (int i = 0; i < notes.size(); ++i)
        p.drawText(QRect(plot.left() + 4, plot.top() + (2 + i) * fm.height(), plot.width() - 8, fm.height()),
                   Qt::AlignLeft | Qt::AlignTop, notes[i]);
}

void Chart::paintRequests(QPainter &p, const QRect &plot)
{
    // The quota's line when the requests come within a quarter of it; else the scale of the requests, the quota named.
    const bool quotaShown = m_charts->maxRequestsPerHour * 4 >= CaptureCharts::quota;
    const qint64 max = quotaShown
        ? niceMax(std::max<qint64>(m_charts->maxRequestsPerHour, CaptureCharts::quota + CaptureCharts::quota / 10))
        : niceMax(m_charts->maxRequestsPerHour + m_charts->maxRequestsPerHour / 5);
    paintValueAxis(p, plot, max, palette());
    const int n = m_charts->bucketCount();
    p.setRenderHint(QPainter::Antialiasing, true);
    QPainterPath line;
    for (int b = 0; b < n; ++b) {
        const double x = plot.left() + (b + 0.5) * plot.width() / n;
        const double y = plot.bottom() - double(plot.height()) * double(m_charts->requestsPerHour[b]) / double(max);
        if (b == 0)
            line.moveTo(x, y);
        else
            line.lineTo(x, y);
    }
    QPainterPath area = line;
    area.lineTo(plot.left() + (n - 0.5) * plot.width() / n, plot.bottom());
    area.lineTo(plot.left() + 0.5 * plot.width() / n, plot.bottom());
    area.closeSubpath();
    const QColor blue(78, 121, 167);
    p.fillPath(area, withAlpha(blue, 60));
    p.setPen(QPen(blue, 2));
    p.drawPath(line);
    p.setRenderHint(QPainter::Antialiasing, false);
    const int fh = p.fontMetrics().height();
    if (quotaShown) {
        const int y = plot.bottom() - int(std::lround(double(plot.height()) * CaptureCharts::quota / max));
        p.setPen(QPen(budgetColour, 2, Qt::DashLine));
        p.drawLine(plot.left(), y, plot.right(), y);
        p.setPen(budgetColour);
        p.drawText(QRect(plot.left() + 4, y - fh - 1, plot.width() - 8, fh), Qt::AlignLeft,
                   QStringLiteral("Akeneo's quota: 4,000 per hour (most: %L1)").arg(m_charts->maxRequestsPerHour));
    } else {
        p.setPen(palette().color(QPalette::WindowText));
        p.drawText(QRect(plot.left() + 4, plot.top(), plot.width() - 8, fh), Qt::AlignLeft,
                   QStringLiteral("Most: %L1 in an hour, %2% of Akeneo's 4,000 quota")
                       .arg(m_charts->maxRequestsPerHour)
                       .arg(100.0 * double(m_charts->maxRequestsPerHour) / CaptureCharts::quota, 0, 'f', 1));
    }
    paintTimeAxis(p, plot);
}

ChartsView::ChartsView(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    auto *top = new QHBoxLayout;
    m_stack = new QComboBox(this);
    m_stack->addItem(QStringLiteral("Stacked by action"));
    m_stack->addItem(QStringLiteral("Stacked by severity"));
    m_summary = new QLabel(this);
    m_legend = new QLabel(this);
    m_legend->setTextFormat(Qt::RichText);
    top->addWidget(m_stack);
    top->addWidget(m_legend, 1);
    top->addWidget(m_summary);
    layout->addLayout(top);
    auto *charts = new QHBoxLayout;
    m_events = new Chart(Chart::Kind::Events, this);
    m_latency = new Chart(Chart::Kind::Latency, this);
    m_requests = new Chart(Chart::Kind::Requests, this);
    m_connector = new Chart(Chart::Kind::Connector, this);
    charts->addWidget(m_events, 5);
    charts->addWidget(m_latency, 3);
    charts->addWidget(m_connector, 3);
    charts->addWidget(m_requests, 4);
    layout->addLayout(charts, 1);
    connect(m_stack, &QComboBox::currentIndexChanged, this, &ChartsView::stackChanged);
    connect(m_events, &Chart::rangeSelected, this, &ChartsView::rangeSelected);
    connect(m_requests, &Chart::rangeSelected, this, &ChartsView::rangeSelected);
    setCharts({});
}

ChartStack ChartsView::stack() const
{
    return m_stack->currentIndex() == 1 ? ChartStack::Severity : ChartStack::Action;
}

void ChartsView::setStack(ChartStack stack)
{
    m_stack->setCurrentIndex(stack == ChartStack::Severity ? 1 : 0);
}

QColor ChartsView::stackColour(ChartStack stack, int index)
{
    if (stack == ChartStack::Severity) {
        static const QColor severity[]
            = {QColor(144, 164, 174), QColor(253, 216, 53), QColor(251, 140, 0), QColor(229, 57, 53)};
        return severity[std::clamp(index, 0, 3)];
    }
    // Tableau 10: distinct, and readable on light and dark bases.
    static const QColor actions[]
        = {QColor(78, 121, 167),  QColor(242, 142, 43), QColor(89, 161, 79),  QColor(225, 87, 89),
           QColor(118, 183, 178), QColor(237, 201, 72), QColor(176, 122, 161)};
    return actions[index % 7];
}

void ChartsView::setCharts(CaptureCharts charts)
{
    m_charts = std::move(charts);
    for (Chart *c : {m_events, m_latency, m_requests, m_connector})
        c->setCharts(&m_charts);
    m_connector->setVisible(!m_charts.connector.isEmpty());
    qint64 events = 0;
    for (const auto &bucket : std::as_const(m_charts.events)) {
        for (const qint64 n : bucket)
            events += n;
    }
    const AnswerTimeBins &connector = m_charts.connector;
    m_summary->setText(
        m_charts.isEmpty()
            ? QString()
            : QStringLiteral(
                  "%L1 events · %L2 answers, %L3 past their sender's deadline%4 · at most %L5 requests in an hour")
                  .arg(events)
                  .arg(m_charts.answers.answered)
                  .arg(m_charts.answers.overBudget)
                  .arg(connector.isEmpty()
                           ? QString()
                           : QStringLiteral(" · connector: %L1 answers, %L2 past the deadline%3")
                                 .arg(connector.answered)
                                 .arg(connector.overBudget)
                                 .arg(connector.unanswered > 0
                                          ? QStringLiteral(", %L1 not answered").arg(connector.unanswered)
                                          : QString()))
                  .arg(m_charts.maxRequestsPerHour));
    updateLegend();
}

void ChartsView::updateLegend()
{
    const ChartStack s
        = m_charts.stacks.size() == 4 && m_charts.stacks.front() == u"none" ? ChartStack::Severity : ChartStack::Action;
    QString html;
    for (int i = 0; i < m_charts.stacks.size(); ++i)
        html += QStringLiteral("<span style=\"color:%1\">■</span>&nbsp;%2&nbsp;&nbsp; ")
                    .arg(stackColour(s, i).name(), m_charts.stacks[i].toHtmlEscaped());
    m_legend->setText(html);
}

} // namespace pimscope::ui
