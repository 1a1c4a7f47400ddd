#include "statusmeters.h"

#include "model/senderprofile.h"

#include <QLabel>
#include <QProgressBar>
#include <QStatusBar>

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
}

void StatusMeters::setStatus(const QString &text, const QString &toolTip)
{
    m_status->setText(text);
    m_status->setToolTip(toolTip);
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
