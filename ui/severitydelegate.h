#pragma once

#include "model/enums.h"

#include <QColor>
#include <QStyledItemDelegate>

#include <optional>

namespace pimscope::ui {

/** How bad a row's flags are, for its colour. */
enum class Severity { None, Notice, Warning, Error };

Severity severityOf(Flags flags);
/** The severity of a row: its flags', raised for an imported WARNING line (the quota warning: amber). */
Severity severityOf(Flags flags, std::optional<LogLevel> level);
/** A translucent tint for a severity, readable over light and dark bases alike (invalid for None). */
QColor severityTint(Severity severity);

/**
 * Paints the rows of the events table by severity: errors and bad signatures red, slow answers and stale events
 * orange, duplicates and out-of-order events yellow; self-authored events in the disabled text colour. Imported
 * log lines likewise (ERROR lines and timeouts are errors), with WARNING lines (the hourly quota) orange and NOTICE
 * lines (events not sent) muted, from `logLevelRole`. The flags come from the model's `flagsRole` (an int; invalid
 * while the row is not fetched). A user's colouring rule, from `colourRole` ("#rrggbb"), comes first: its colour is
 * painted translucent, so selection and text stay readable.
 */
class SeverityDelegate : public QStyledItemDelegate
{
public:
    SeverityDelegate(int flagsRole, int colourRole, int logLevelRole, QObject *parent = nullptr);
    /** What a rule's colour is painted as: translucent over the base. */
    static QColor ruleTint(const QString &colour);

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override;

private:
    int m_flagsRole;
    int m_colourRole;
    int m_logLevelRole;
};

} // namespace pimscope::ui
