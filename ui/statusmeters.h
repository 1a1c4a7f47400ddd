#pragma once

#include "analysis/subscriptionhealth.h"
#include "store/records.h"

#include <QObject>

class QLabel;
class QProgressBar;
class QStatusBar;

namespace pimscope::ui {

/**
 * The status bar's figures: what the window is doing (left), and on the right the capture's counts and a meter per
 * sender present, each by its own rules: the Events API's hourly request quota (red from 80 %) with the p99 answer
 * time of its last hour against its 500 ms; the Event Platform's success rate over the rolling hour (red below
 * 90 %, where it suspends); Quable's consecutive failures (red at 3, where it disables the webhook). With several
 * subscriptions of a sender, its meter shows the one in the worst state, and its tooltip each of them. Once something
 * was forwarded, the connector's meter: the share of its answers its senders count as delivered (red below 90 %), its
 * answer-time p99 over the last hour, and the forwards still waiting (ack mode).
 */
class StatusMeters : public QObject
{
    Q_OBJECT
public:
    explicit StatusMeters(QStatusBar *bar);

    /** The left-hand text (hidden while the bar shows a temporary message). */
    void setStatus(const QString &text, const QString &toolTip);
    /** The capture's figures. */
    void showSummary(const CaptureSummary &s);
    /** The subscriptions' health (EventStore::health). */
    void showHealth(const QList<SubscriptionHealth> &health);

private:
    void showConnector(const CaptureSummary &s);

    QLabel *m_status;
    QLabel *m_counts;
    QProgressBar *m_quota;
    QLabel *m_p99;
    QProgressBar *m_platform; ///< the Event Platform's success rate
    QProgressBar *m_quable; ///< Quable's failure streak
    QProgressBar *m_connector; ///< the share of forwards the senders would count as delivered
};

} // namespace pimscope::ui
