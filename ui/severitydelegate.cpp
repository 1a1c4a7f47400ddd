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

Severity severityOf(Flags flags, std::optional<LogLevel> level)
{
    const Severity s = severityOf(flags);
    if (level == LogLevel::Warning && s < Severity::Warning)
        return Severity::Warning;
    return s;
}

QColor severityTint(Severity severity)
{
    switch (severity) {
    case Severity::Error:
        return QColor(229, 57, 53, 70);
    case Severity::Warning:
        return QColor(251, 140, 0, 70);
    case Severity::Notice:
        return QColor(253, 216, 53, 80);
    case Severity::None:
        break;
    }
    return {};
}

SeverityDelegate::SeverityDelegate(int flagsRole, int colourRole, int logLevelRole, QObject *parent)
    : QStyledItemDelegate(parent)
    , m_flagsRole(flagsRole)
    , m_colourRole(colourRole)
    , m_logLevelRole(logLevelRole)
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
    const QVariant levelValue = m_logLevelRole >= 0 ? index.data(m_logLevelRole) : QVariant();
    const std::optional<LogLevel> level
        = levelValue.isValid() ? std::optional(LogLevel(levelValue.toInt())) : std::nullopt;
    if (const QColor rule = ruleTint(index.data(m_colourRole).toString()); rule.isValid())
        option->backgroundBrush = rule;
    else if (const QColor tint = severityTint(severityOf(flags, level)); tint.isValid())
        option->backgroundBrush = tint;
    // Self-authored events and the PIM's notices (events it did not send, on purpose) are muted.
    if (flags & Flag::Self || level == LogLevel::Notice)
        option->palette.setColor(QPalette::Text, option->palette.color(QPalette::Disabled, QPalette::Text));
}

} // namespace pimscope::ui
