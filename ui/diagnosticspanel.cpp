#include "diagnosticspanel.h"

#include <QHeaderView>

namespace pimscope::ui {

namespace {

QString severityName(Severity s)
{
    switch (s) {
    case Severity::Error: return QStringLiteral("Error");
    case Severity::Warning: return QStringLiteral("Warning");
    case Severity::Notice: return QStringLiteral("Note");
    case Severity::None: break;
    }
    return QStringLiteral("OK");
}

constexpr int filterRole = Qt::UserRole;

} // namespace

const QList<DiagnosticsPanel::Group> &DiagnosticsPanel::groups()
{
    static const QList<Group> list = {
        {"bad_signature", "Invalid signatures",
         "The signature was invalid, expired (timestamp more than 5 min off) or missing: the secret configured for "
         "the receiver is not the connection's, or the clocks disagree.",
         Severity::Error},
        {"error", "Errors",
         "Answered with an error status, a body that is not a PIM payload, or an ERROR log line: the PIM retries or "
         "drops these.",
         Severity::Error},
        {"slow_ack", "Slow answers",
         "Answered after the sender's budget (500 ms for the Akeneo Events API, 5 s for the Event Platform and "
         "Quable): the PIM counts these as failed.",
         Severity::Warning},
        {"stale", "Stale events",
         "More than 2 h between the event and its delivery: Akeneo drops events that old.", Severity::Warning},
        {"duplicate", "Duplicates",
         "An event id seen before: a redelivery. A connector must be idempotent.", Severity::Notice},
        {"out_of_order", "Out of order",
         "Older than an event already received for the same product or model: apply by event time, not by arrival.",
         Severity::Notice},
    };
    return list;
}

DiagnosticsPanel::DiagnosticsPanel(QWidget *parent) : QTreeWidget(parent)
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
    const QString selected = currentItem() ? currentItem()->data(0, filterRole).toString() : QString();
    clear();
    for (const Group &g : groups()) {
        const QString flag = QString::fromLatin1(g.flag);
        const qint64 events = summary.eventsByFlag.value(flag);
        const qint64 deliveries = summary.deliveriesByFlag.value(flag);
        auto *item = new QTreeWidgetItem(this);
        item->setText(0, QString::fromLatin1(g.title));
        item->setToolTip(0, QString::fromLatin1(g.explanation));
        const bool present = events > 0 || deliveries > 0;
        item->setText(1, present ? severityName(g.severity) : QStringLiteral("—"));
        item->setText(2, QString::number(events));
        item->setText(3, QString::number(deliveries));
        for (int c = 2; c < 4; ++c)
            item->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
        item->setData(0, filterRole, QString(QStringLiteral("flag:") + flag));
        if (present) {
            for (int c = 0; c < 4; ++c)
                item->setBackground(c, severityTint(g.severity));
        } else {
            item->setForeground(0, palette().color(QPalette::Disabled, QPalette::Text));
        }
        if (item->data(0, filterRole).toString() == selected)
            setCurrentItem(item);
    }
}

} // namespace pimscope::ui
