#include "severitydelegate.h"

#include <QPalette>

namespace pimscope::ui {

Severity severityOf(Flags flags)
{
    if (flags & (Flag::Error | Flag::BadSignature))
        return Severity::Error;
    if (flags & (Flag::SlowAck | Flag::Stale))
        return Severity::Warning;
    if (flags & (Flag::Duplicate | Flag::OutOfOrder))
        return Severity::Notice;
    return Severity::None;
}

QColor severityTint(Severity severity)
{
    switch (severity) {
    case Severity::Error: return QColor(229, 57, 53, 70);
    case Severity::Warning: return QColor(251, 140, 0, 70);
    case Severity::Notice: return QColor(253, 216, 53, 80);
    case Severity::None: break;
    }
    return {};
}

SeverityDelegate::SeverityDelegate(int flagsRole, int colourRole, QObject *parent)
    : QStyledItemDelegate(parent), m_flagsRole(flagsRole), m_colourRole(colourRole)
{
}

QColor SeverityDelegate::ruleTint(const QString &colour)
{
    QColor c = QColor::fromString(colour);
    if (c.isValid())
        c.setAlpha(110);
    return c;
}

void SeverityDelegate::initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    const QVariant raw = index.data(m_flagsRole);
    if (!raw.isValid())
        return;
    const Flags flags = Flags::fromInt(raw.toInt());
    if (const QColor rule = ruleTint(index.data(m_colourRole).toString()); rule.isValid())
        option->backgroundBrush = rule;
    else if (const QColor tint = severityTint(severityOf(flags)); tint.isValid())
        option->backgroundBrush = tint;
    if (flags & Flag::Self)
        option->palette.setColor(QPalette::Text, option->palette.color(QPalette::Disabled, QPalette::Text));
}

} // namespace pimscope::ui
