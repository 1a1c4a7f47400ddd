#pragma once

#include "model/delivery.h"

class QString;
class QTableWidget;
class QWidget;

namespace pimscope::ui {

/** A table of headers, Header | Value, the value stretched, no row numbers; read-only unless `editable`. */
QTableWidget *newHeaderTable(QWidget *parent, const QString &objectName, bool editable);

/**
 * Its rows: each header's name and value as text (the value as UTF-8), the value's bytes kept in Qt::UserRole (what
 * an edited table sends while a cell's text is unchanged).
 */
void showHeaders(QTableWidget *table, const Headers &headers);

} // namespace pimscope::ui
