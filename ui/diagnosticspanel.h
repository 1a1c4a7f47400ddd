#pragma once

#include "analysis/subscriptionhealth.h"
#include "severitydelegate.h"
#include "store/records.h"

#include <QTreeWidget>

namespace pimscope::ui {

/**
 * Like Wireshark's expert info: the problems of the capture grouped by kind, with their severity and how many
 * events and deliveries they touch: the flags of what was received, the failures written in imported PIM logs, and
 * the disagreements between the two (the reconciliation). Activating a group asks for the table to be filtered to it.
 */
class DiagnosticsPanel : public QTreeWidget
{
    Q_OBJECT
public:
    explicit DiagnosticsPanel(QWidget *parent = nullptr);

    /** Shows the groups of `summary`; groups with nothing in them are listed under "No problem". */
    void setSummary(const CaptureSummary &summary);
    /**
     * Shows the subscriptions that are cut off, at risk, or were cut off (by each sender's rules), above the groups;
     * activating one filters to that subscription's requests.
     */
    void setHealth(const QList<SubscriptionHealth> &health);

    /** Where a group's counts come from in the CaptureSummary. */
    enum class Source { Flag, LogMessage, Recon, Connector };
    /** One kind of problem: what it is, how bad, the filter that shows it. */
    struct Group
    {
        Source source;
        /** The flag, the log message kind(s, comma-separated), the reconciliation value or the connector's count. */
        const char *key;
        const char *title;
        QString explanation; ///< in each sender's own terms (model/senderprofile.h)
        Severity severity;
        QString filter() const;
    };
    static const QList<Group> &groups();

Q_SIGNALS:
    void filterRequested(const QString &filter);
    /** A summary (or the subscriptions' health) is shown: the window's benchmark times them from opening. */
    void summaryShown();
    void healthShown();

private:
    void rebuild();
    CaptureSummary m_summary;
    QList<SubscriptionHealth> m_health;
};

} // namespace pimscope::ui
