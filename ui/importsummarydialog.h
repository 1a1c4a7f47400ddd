#pragma once

#include "logimport/logimporter.h"

#include <QDialog>

namespace pimscope::ui {

/**
 * What an imported log file held (describeImport(): lines, what was added, what went wrong per kind), with
 * "Show its lines" and "Show its errors", which ask for a filter of the deliveries table.
 */
class ImportSummaryDialog : public QDialog
{
    Q_OBJECT
public:
    ImportSummaryDialog(const LogImportSummary &summary, QWidget *parent = nullptr);

Q_SIGNALS:
    /** The deliveries table should show what `filter` matches. */
    void deliveriesFilterRequested(const QString &filter);
};

} // namespace pimscope::ui
