#include "statusmeters.h"

#include "model/senderprofile.h"
#include "util/timeutil.h"

#include <QLabel>
#include <QProgressBar>
#include <QStatusBar>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace pimscope::ui {

StatusMeters::StatusMeters(QStatusBar *bar)
    : QObject(bar)
{
    m_status = new QLabel(bar);
    m_status->setObjectName(QStringLiteral("statusText"));
    bar->addWidget(m_status, 1);
    // A temporary message takes the label's place. (QStatusBar hides it, but a message shown before the window
    // is shown left it visible under the message.)
    connect(bar, &QStatusBar::messageChanged, m_status,
            [this](const QString &message) { m_status->setVisible(message.isEmpty()); });
    m_counts = new QLabel(bar);
    m_counts->setObjectName(QStringLiteral("captureCounts"));
    bar->addPermanentWidget(m_counts);
    m_quota = new QProgressBar(bar);
    m_quota->setObjectName(QStringLiteral("quotaMeter"));
    m_quota->setRange(0, int(senderProfile(Format::Akeneo).requestsPerHour));
    m_quota->setValue(0);
    m_quota->setFormat(QStringLiteral("%v / %m requests in the last hour"));
    m_quota->setToolTip(QStringLiteral("Akeneo sends at most 4,000 requests an hour to a subscription; past that it "
                                       "logs \"quota reached\" and holds events back"));
    m_quota->setMinimumWidth(280);
    m_quota->setMaximumWidth(320);
    m_quota->setTextVisible(true);
    bar->addPermanentWidget(m_quota);
    m_p99 = new QLabel(bar);
    m_p99->setObjectName(QStringLiteral("p99Answer"));
    m_p99->setToolTip(QStringLiteral("The slowest 1% of the answers of the last hour, against Akeneo's 500 ms"));
    bar->addPermanentWidget(m_p99);
    const auto meter = [bar](const char *name, int maximum) {
        auto *m = new QProgressBar(bar);
        m->setObjectName(QString::fromLatin1(name));
        m->setRange(0, maximum);
        m->setMinimumWidth(170);
        m->setMaximumWidth(230);
        m->setTextVisible(true);
        m->hide(); // until that sender is seen
        bar->addPermanentWidget(m);
        return m;
    };
    m_platform = meter("eventPlatformMeter", 1000);
    m_quable = meter("quableMeter", senderProfile(Format::Quable).disableAfterFailures);
    m_connector = meter("connectorMeter", 1000);
    m_connector->setMinimumWidth(260);
    m_connector->setMaximumWidth(360);
}

void StatusMeters::showHealth(const QList<SubscriptionHealth> &health)
{
    // Per sender, the subscription in the worst state first (cut off, at risk), then the lowest rate or longest
    // streak.
    const auto worst = [&health](Format sender) {
        const SubscriptionHealth *w = nullptr;
        QStringList lines;
        for (const SubscriptionHealth &h : health) {
            if (h.sender != sender)
                continue;
            lines << QStringLiteral("%1: %2").arg(QString::fromUtf8(h.path), h.meterText());
            if (h.cutOffAtMs != 0)
                lines << QStringLiteral("    last cut off: ") + h.cutOffSentence();
            if (!h.notice.isEmpty())
                lines << QStringLiteral("    its notification at %1 UTC: %2").arg(toTableUtc(h.noticeAtMs), h.notice);
            const auto rank = [](const SubscriptionHealth &x) {
                return std::tuple(int(x.state()), x.failureStreak, -x.successRate());
            };
            if (!w || rank(h) > rank(*w))
                w = &h;
        }
        return std::pair(w, lines.join(u'\n'));
    };
    const auto paint = [](QProgressBar *m, SubscriptionHealth::State state) {
        static const char *const colours[] = {"#43a047", "#fb8c00", "#e53935"};
        m->setStyleSheet(
            QStringLiteral("QProgressBar::chunk { background: %1; }").arg(QLatin1StringView(colours[int(state)])));
    };
    if (const auto [h, tip] = worst(Format::AkeneoEventPlatform); h) {
        const double rate = h->successRate();
        m_platform->setValue(rate < 0 ? 0 : int(rate * 1000));
        // Short (the tooltip tells the rest): "Event Platform 97.5 %", "… suspended", "… 12/s".
        QString text = rate < 0 ? QStringLiteral("no answer yet") : successPercent(rate);
        if (h->cutOff)
            text = QStringLiteral("suspended");
        else if (h->eventsPerSecond > 0 && h->eventsPerSecond < senderProfile(h->sender).maxEventsPerSecond)
            text += QStringLiteral(", %1/s").arg(qRound(h->eventsPerSecond));
        m_platform->setFormat(QStringLiteral("Event Platform ") + text);
        m_platform->setToolTip(QStringLiteral("Success rate over the rolling hour, per subscription (suspended below "
                                              "90 %, or at once on a 404 or a 3xx):\n")
                               + tip);
        paint(m_platform, h->state());
        m_platform->show();
    }
    if (const auto [h, tip] = worst(Format::Quable); h) {
        m_quable->setValue(std::min(h->failureStreak, m_quable->maximum()));
        m_quable->setFormat(
            h->cutOff ? QStringLiteral("Quable disabled")
                      : QStringLiteral("Quable %1/%2 failures").arg(h->failureStreak).arg(m_quable->maximum()));
        m_quable->setToolTip(QStringLiteral("Consecutive failed answers, per webhook (disabled after the 3rd):\n")
                             + tip);
        paint(m_quable, h->state());
        m_quable->show();
    }
    // The quota meter stays for the Events API, or alone while no sender is known yet.
    const bool eventsApi = std::any_of(health.cbegin(), health.cend(),
                                       [](const SubscriptionHealth &h) { return h.sender == Format::Akeneo; });
    const bool quota = eventsApi || (m_platform->isHidden() && m_quable->isHidden());
    m_quota->setVisible(quota);
    m_p99->setVisible(quota);
}

void StatusMeters::setStatus(const QString &text, const QString &toolTip)
{
    m_status->setText(text);
    m_status->setToolTip(toolTip);
}

void StatusMeters::showConnector(const CaptureSummary &s)
{
    const qint64 forwarded = s.connector.value(QStringLiteral("forwarded"));
    const qint64 waiting = s.connector.value(QStringLiteral("waiting"));
    const qint64 done = forwarded - waiting;
    if (forwarded == 0) {
        m_connector->hide();
        return;
    }
    const qint64 sent = s.connector.value(QStringLiteral("sent"));
    const double share = done > 0 ? double(sent) / double(done) : 1.0;
    m_connector->setValue(int(share * 1000));
    QString text = done > 0 ? QStringLiteral("connector %1 % delivered").arg(share * 100, 0, 'f', 1)
                            : QStringLiteral("connector");
    if (s.connectorMsP99LastHour)
        text += QStringLiteral(" · p99 %1 ms").arg(*s.connectorMsP99LastHour, 0, 'f', 1);
    if (waiting > 0)
        text += QStringLiteral(" · %L1 waiting").arg(waiting);
    m_connector->setFormat(text);
    m_connector->setToolTip(
        QStringLiteral("Your connector's answers, judged by each delivery's sender: %L1 of %L2 delivered; %L3 endpoint "
                       "errors, %L4 over the deadline, %L5 without an answer, %L6 that would cut the subscription off; "
                       "%L7 waiting to be forwarded, %L8 given up.")
            .arg(sent)
            .arg(done)
            .arg(s.connector.value(QStringLiteral("endpoint_error")))
            .arg(s.connector.value(QStringLiteral("timeout")))
            .arg(s.connector.value(QStringLiteral("no_answer")))
            .arg(s.connector.value(QStringLiteral("would_suspend"))
                 + s.connector.value(QStringLiteral("would_disable")))
            .arg(waiting)
            .arg(s.connector.value(QStringLiteral("given_up"))));
    m_connector->setStyleSheet(share < 0.9 ? QStringLiteral("QProgressBar::chunk { background: #e53935; }")
                                           : QString());
    m_connector->show();
}

void StatusMeters::showSummary(const CaptureSummary &s)
{
    m_counts->setText(QStringLiteral("%L1 events · %L2 deliveries · %L3 events/min")
                          .arg(s.events)
                          .arg(s.deliveries)
                          .arg(s.eventsLastMinute));
    const SenderProfile &eventsApi = senderProfile(Format::Akeneo);
    m_quota->setValue(int(std::min<qint64>(s.requestsLastHour, qint64(eventsApi.requestsPerHour))));
    m_quota->setFormat(
        QStringLiteral("%L1 / %L2 requests in the last hour").arg(s.requestsLastHour).arg(eventsApi.requestsPerHour));
    const bool nearQuota = s.requestsLastHour >= eventsApi.requestsPerHour * 8 / 10;
    m_quota->setStyleSheet(nearQuota ? QStringLiteral("QProgressBar::chunk { background: #e53935; }") : QString());
    showConnector(s);
    if (s.ackMsP99LastHour) {
        const bool slow = *s.ackMsP99LastHour > eventsApi.deadlineMs;
        m_p99->setText(QStringLiteral("p99 answer %1 ms / 500").arg(*s.ackMsP99LastHour, 0, 'f', 1));
        m_p99->setStyleSheet(slow ? QStringLiteral("color: #c62828; font-weight: bold;") : QString());
    } else {
        m_p99->setText(QStringLiteral("p99 answer —"));
        m_p99->setStyleSheet(QString());
    }
}

} // namespace pimscope::ui
