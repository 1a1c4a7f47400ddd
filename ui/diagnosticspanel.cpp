#include "diagnosticspanel.h"

#include "filter/filter.h"
#include "model/senderprofile.h"
#include "util/timeutil.h"

#include <QHash>
#include <QHeaderView>

namespace pimscope::ui {

namespace {

QString severityName(Severity s)
{
    switch (s) {
    case Severity::Error:
        return QStringLiteral("Error");
    case Severity::Warning:
        return QStringLiteral("Warning");
    case Severity::Notice:
        return QStringLiteral("Note");
    case Severity::None:
        break;
    }
    return QStringLiteral("OK");
}

constexpr int filterRole = Qt::UserRole;

const SenderProfile &eventsApi()
{
    return senderProfile(Format::Akeneo);
}
const SenderProfile &eventPlatform()
{
    return senderProfile(Format::AkeneoEventPlatform);
}
const SenderProfile &quable()
{
    return senderProfile(Format::Quable);
}

QString seconds(double ms)
{
    return ms < 1000 ? QStringLiteral("%1 ms").arg(ms) : QStringLiteral("%1 s").arg(ms / 1000);
}

/** "The Events API does not retry…; the Event Platform retries…; Quable retries…", from the profiles. */
QString whatEachSenderDoesAfterAFailure()
{
    return QStringLiteral("The Events API %1: the events are lost for the connector. The Event Platform %2 (and "
                          "suspends the subscription on a 404, a 3xx, or below %3 % success in the last hour). "
                          "Quable %4.")
        .arg(eventsApi().retryWording(), eventPlatform().retryWording())
        .arg(eventPlatform().minSuccessRate * 100)
        .arg(quable().retryWording());
}

} // namespace

QString DiagnosticsPanel::Group::filter() const
{
    const QString k = QString::fromLatin1(key);
    switch (source) {
    case Source::Flag:
        return QStringLiteral("flag:") + k;
    case Source::LogMessage:
        return k.contains(u',') ? QStringLiteral("origin == log && message in {%1}").arg(k)
                                : QStringLiteral("origin == log && message == ") + k;
    case Source::Recon:
        return QStringLiteral("recon == ") + k;
    case Source::Connector:
        break;
    }
    // The connector's counts (forward_counts) and the filters that show what they count.
    static const QHash<QString, QString> connectorFilters = {
        {QStringLiteral("endpoint_error"), QStringLiteral("connector_verdict == endpoint_error")},
        {QStringLiteral("timeout"), QStringLiteral("connector_verdict == timeout")},
        {QStringLiteral("no_answer"), QStringLiteral("connector_verdict == no_answer")},
        {QStringLiteral("would_suspend,would_disable"),
         QStringLiteral("connector_verdict in {would_suspend, would_disable}")},
        {QStringLiteral("accepted_invalid"),
         QStringLiteral("signature in {invalid, missing} && connector_status >= 200 && connector_status < 300")},
        {QStringLiteral("accepted_expired"),
         QStringLiteral("signature == expired && connector_status >= 200 && connector_status < 300")},
        {QStringLiteral("waiting"), QStringLiteral("forward_state in {queued, sending}")},
        {QStringLiteral("given_up"), QStringLiteral("forward_state == given_up")},
        {QStringLiteral("twice"), QStringLiteral("connector_twice == 1")},
    };
    return connectorFilters.value(k);
}

const QList<DiagnosticsPanel::Group> &DiagnosticsPanel::groups()
{
    static const QList<Group> list = {
        {Source::Flag, "bad_signature", "Invalid signatures",
         QStringLiteral("The signature was invalid, expired (timestamp more than 5 min off) or missing: the "
                        "secret configured for the receiver is not the connection's, or the clocks disagree."),
         Severity::Error},
        {Source::Flag, "error", "Errors",
         QStringLiteral("Answered with a status the sender counts as a failure (the Events API: %1 is a "
                        "success; the Event Platform and Quable: only %2), a body that is not a PIM payload, or "
                        "an ERROR log line. ")
                 .arg(eventsApi().successWording(), eventPlatform().successWording())
             + whatEachSenderDoesAfterAFailure(),
         Severity::Error},
        {Source::Flag, "slow_ack", "Slow answers",
         QStringLiteral("Answered after the sender's deadline (%1 for the Akeneo Events API, %2 for the Event "
                        "Platform and %3 for Quable): the sender counts these as failed.")
             .arg(seconds(eventsApi().deadlineMs), seconds(eventPlatform().deadlineMs), seconds(quable().deadlineMs)),
         Severity::Warning},
        {Source::Flag, "stale", "Stale events",
         QStringLiteral("Events API only: more than %1 h between the event and its delivery, and the Events API "
                        "drops events that old. The Event Platform and Quable have no such limit.")
             .arg(eventsApi().staleAfterMs / 3600000),
         Severity::Warning},
        {Source::Flag, "duplicate", "Duplicates",
         QStringLiteral("An event id seen before: a redelivery. A connector must be idempotent. The Event "
                        "Platform delivers at least once: a duplicate from it is expected, not a fault of the "
                        "sender."),
         Severity::Notice},
        {Source::Flag, "out_of_order", "Out of order",
         QStringLiteral("Older than an event already received for the same product or model: apply by event "
                        "time, not by arrival."),
         Severity::Notice},
        {Source::LogMessage, "endpoint_error", "Log: endpoint errors",
         QStringLiteral("The Events API's log says the endpoint answered with an error status (4xx, 5xx): those "
                        "events were not delivered, and the Events API does not send them again."),
         Severity::Error},
        {Source::LogMessage, "timeout", "Log: 500 ms timeouts",
         QStringLiteral("The Events API's log says the endpoint did not answer in time (500 ms by default), or "
                        "could not be reached: those events count as failed even if the connector processed "
                        "them."),
         Severity::Error},
        {Source::LogMessage, "rate_limit", "Log: hourly quota reached",
         QStringLiteral("The PIM's 4,000 requests per hour were used up: its events waited for the hour to free "
                        "up (late, and possibly stale)."),
         Severity::Warning},
        {Source::LogMessage, "same_connection,not_sent_permissions", "Log: events not sent",
         QStringLiteral("Raised by the connection itself, or about a product the connection may not see (or "
                        "that is gone): the PIM did not send them, on purpose."),
         Severity::Notice},
        {Source::Recon, "not_captured", "In the log, never received",
         QStringLiteral("The PIM's log lists these requests (the Event Platform's: failed deliveries) while the "
                        "receiver was capturing, but they never arrived: the request went elsewhere, or was lost on "
                        "the way (a tunnel, a proxy, a refused connection)."),
         Severity::Error},
        {Source::Recon, "logged_failed", "Received, but logged as failed",
         QStringLiteral("The receiver got these events, yet the PIM logged their request as failed: answered "
                        "too late for the sender (500 ms for the Events API, 5 s for the Event Platform), or lost on "
                        "the way back (a tunnel). The Events API will not send them again; the Event Platform "
                        "retries them."),
         Severity::Error},
        {Source::Recon, "missing_from_log", "Received, missing from the log",
         QStringLiteral("Received at a time an imported log covers completely (for the Event Platform, its "
                        "delivery failures), yet the log does not mention them: sent by another PIM, connection or "
                        "subscription, or the log was not downloaded from this one."),
         Severity::Warning},
        {Source::Recon, "logged_not_sent", "Received, but logged as not sent",
         QStringLiteral("The PIM logged these events as not sent (same connection, permissions), yet they "
                        "arrived: another subscription sends them."),
         Severity::Warning},
        {Source::Connector, "accepted_invalid", "Connector: 2xx to bad signatures",
         QStringLiteral("Your connector answered 2xx to requests whose signature was invalid or missing: it must "
                        "refuse them (401), or anyone who finds its URL can feed it events. Pimscope forwarded them "
                        "on purpose (proxy mode passes everything on) to check exactly this."),
         Severity::Error},
        {Source::Connector, "accepted_expired", "Connector: 2xx to expired timestamps",
         QStringLiteral("Your connector answered 2xx to requests whose signed timestamp was more than 5 min off: it "
                        "should refuse them, or a captured request can be replayed to it."),
         Severity::Warning},
        {Source::Connector, "would_suspend,would_disable", "Connector: would cut off",
         QStringLiteral("Your connector's answer would have the Event Platform suspend the subscription (a 404, or "
                        "any 3xx: redirects are not followed) or Quable disable the webhook (%1 failures in a row).")
             .arg(quable().disableAfterFailures),
         Severity::Error},
        {Source::Connector, "endpoint_error", "Connector: endpoint errors",
         QStringLiteral("Your connector answered with a status its sender counts as a failure (the Events API: %1 is "
                        "a success; the Event Platform and Quable: only %2). ")
                 .arg(eventsApi().successWording(), eventPlatform().successWording())
             + whatEachSenderDoesAfterAFailure(),
         Severity::Error},
        {Source::Connector, "timeout", "Connector: over the deadline",
         QStringLiteral("Your connector answered after the sender's deadline (%1 for the Events API, %2 for the Event "
                        "Platform and Quable): the sender counts these as failed, whatever the status.")
             .arg(seconds(eventsApi().deadlineMs), seconds(eventPlatform().deadlineMs)),
         Severity::Error},
        {Source::Connector, "no_answer", "Connector: no answer",
         QStringLiteral("Your connector could not be reached, or its answer was not HTTP, was cut short or never "
                        "ended: the PIM got a 502 (or 504) from Pimscope in proxy mode."),
         Severity::Error},
        {Source::Connector, "given_up", "Forwards given up",
         QStringLiteral("Ack mode: your connector could not be reached for 24 h after these deliveries came; Pimscope "
                        "stopped trying. Replay them once it is back."),
         Severity::Error},
        {Source::Connector, "waiting", "Forwards waiting",
         QStringLiteral("Ack mode: deliveries not yet passed on to your connector (its queue, or retries while it "
                        "cannot be reached). They survive a restart of Pimscope."),
         Severity::Notice},
        {Source::Connector, "twice", "Forwards possibly received twice",
         QStringLiteral(
             "Ack mode: Pimscope stopped while these were being sent and sent them again: your connector may "
             "have had them twice (as the Event Platform, which delivers at least once, may do too)."),
         Severity::Notice},
    };
    return list;
}

DiagnosticsPanel::DiagnosticsPanel(QWidget *parent)
    : QTreeWidget(parent)
{
    setColumnCount(4);
    setHeaderLabels({QStringLiteral("Problem"), QStringLiteral("Severity"), QStringLiteral("Events"),
                     QStringLiteral("Deliveries")});
    setRootIsDecorated(false);
    setUniformRowHeights(true);
    setAlternatingRowColors(false);
    header()->setStretchLastSection(false);
    header()->setSectionResizeMode(0, QHeaderView::Stretch);
    for (int c = 1; c < 4; ++c)
        header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    connect(this, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        const QString filter = item->data(0, filterRole).toString();
        if (!filter.isEmpty())
            Q_EMIT filterRequested(filter);
    });
    connect(this, &QTreeWidget::itemClicked, this, &QTreeWidget::itemActivated);
}

void DiagnosticsPanel::setSummary(const CaptureSummary &summary)
{
    m_summary = summary;
    rebuild();
    Q_EMIT summaryShown();
}

void DiagnosticsPanel::setHealth(const QList<SubscriptionHealth> &health)
{
    m_health = health;
    rebuild();
    Q_EMIT healthShown();
}

void DiagnosticsPanel::rebuild()
{
    const QString selected = currentItem() ? currentItem()->data(0, filterRole).toString() : QString();
    clear();
    const auto tint = [](QTreeWidgetItem *item, Severity severity) {
        for (int c = 0; c < 4; ++c)
            item->setBackground(c, severityTint(severity));
    };
    // The subscriptions first: a cut-off is what an integrator must act on.
    for (const SubscriptionHealth &h : std::as_const(m_health)) {
        const SubscriptionHealth::State state = h.state();
        if (state == SubscriptionHealth::State::Healthy && h.cutOffs == 0)
            continue;
        // The sender's name without "Akeneo " (the panel is narrow; the tooltip says it whole).
        const QString name = QString::fromLatin1(senderProfile(h.sender).name).remove(QStringLiteral("Akeneo "));
        const char *what = h.sender == Format::Quable ? "disabled"
            : h.sender == Format::AkeneoEventPlatform ? "suspended"
                                                      : "out of quota";
        QString title;
        Severity severity = Severity::Notice;
        if (state == SubscriptionHealth::State::CutOff) {
            title = QStringLiteral("%1 %2: %3").arg(name, QString::fromUtf8(h.path), QLatin1StringView(what));
            severity = Severity::Error;
        } else if (state == SubscriptionHealth::State::AtRisk) {
            title = QStringLiteral("%1 %2: at risk, %3").arg(name, QString::fromUtf8(h.path), h.meterText());
            severity = Severity::Warning;
        } else {
            title = QStringLiteral("%1 %2: was %3 (%4×)")
                        .arg(name, QString::fromUtf8(h.path), QLatin1StringView(what))
                        .arg(h.cutOffs);
        }
        auto *item = new QTreeWidgetItem(this);
        item->setText(0, title);
        QString tip = (h.cutOffAtMs ? h.cutOffSentence() + QStringLiteral(".\n") : QString()) + h.meterText()
            + QStringLiteral(" (%L1 requests, %L2 failed)").arg(h.requests).arg(h.failures);
        if (!h.notice.isEmpty())
            tip += QStringLiteral("\nThe Event Platform's notification at %1 UTC: %2")
                       .arg(toTableUtc(h.noticeAtMs), h.notice);
        item->setToolTip(0, tip);
        item->setText(1, severityName(severity));
        item->setText(3, QString::number(h.failures));
        item->setTextAlignment(3, Qt::AlignRight | Qt::AlignVCenter);
        item->setData(0, filterRole,
                      QStringLiteral("origin == receiver && format == %1 && path == %2")
                          .arg(formatName(h.sender), Filter::quoted(QString::fromUtf8(h.path))));
        tint(item, severity);
        if (item->data(0, filterRole).toString() == selected)
            setCurrentItem(item);
    }
    const CaptureSummary &summary = m_summary;
    for (const Group &g : groups()) {
        if (g.source == Source::Connector && summary.connector.value(QStringLiteral("forwarded")) == 0)
            continue; // nothing was forwarded: the connector's rows would only be noise
        qint64 events = 0;
        qint64 deliveries = 0;
        for (const QString &key : QString::fromLatin1(g.key).split(u',')) {
            switch (g.source) {
            case Source::Flag:
                events += summary.eventsByFlag.value(key);
                deliveries += summary.deliveriesByFlag.value(key);
                break;
            case Source::LogMessage:
                events += summary.logEventsByMessage.value(key);
                deliveries += summary.logLinesByMessage.value(key);
                break;
            case Source::Recon:
                events += summary.eventsByRecon.value(key);
                deliveries += summary.deliveriesByRecon.value(key);
                break;
            case Source::Connector:
                deliveries += summary.connector.value(key);
                break;
            }
        }
        auto *item = new QTreeWidgetItem(this);
        item->setText(0, QString::fromLatin1(g.title));
        item->setToolTip(0, g.explanation);
        const bool present = events > 0 || deliveries > 0;
        item->setText(1, present ? severityName(g.severity) : QStringLiteral("—"));
        item->setText(2, g.source == Source::Connector ? QStringLiteral("—") : QString::number(events));
        item->setText(3, QString::number(deliveries));
        for (int c = 2; c < 4; ++c)
            item->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
        item->setData(0, filterRole, g.filter());
        if (present) {
            tint(item, g.severity);
        } else {
            item->setForeground(0, palette().color(QPalette::Disabled, QPalette::Text));
        }
        if (item->data(0, filterRole).toString() == selected)
            setCurrentItem(item);
    }
}

} // namespace pimscope::ui
