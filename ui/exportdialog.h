#pragma once

#include "export/exporter.h"

#include <QDialog>
#include <QList>

#include <atomic>
#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;
class QThread;

namespace pimscope {
enum class FilterTarget;
}

namespace pimscope::ui {

/**
 * Export… (Ctrl+E): the selected rows or every row the table shows (what matches the filter, in the table's order),
 * as JSON lines, CSV, HAR or the Akeneo log format, to a file. The export runs on a thread of its own with a reader
 * of its own; the dialog shows its progress and can cancel it (a cancelled export writes no file: it goes through a
 * QSaveFile). The format and folder are remembered.
 */
class ExportDialog : public QDialog
{
    Q_OBJECT
public:
    ExportDialog(const QString &capturePath, QWidget *parent = nullptr);
    ~ExportDialog() override;

    /** What the table holds now: events or deliveries, the selected rows' ids, and every row's (in its order). */
    void setRows(FilterTarget what, const QList<qint64> &selected, const QList<qint64> &shown);
    void setCapturePath(const QString &path) { m_capturePath = path; }
    /** The user's secret headers: what the export writes of headers is redacted by it. */
    void setRedactor(HeaderRedactor redactor) { m_redactor = std::move(redactor); }

    bool isRunning() const { return m_thread != nullptr; }
    /** Cancels a running export and waits for its thread. */
    void stop();

    // For tests.
    QComboBox *formatBox() const { return m_format; }
    QLineEdit *fileEdit() const { return m_file; }
    QRadioButton *selectedButton() const { return m_selected; }
    QRadioButton *allButton() const { return m_all; }
    QPushButton *exportButton() const { return m_export; }
    QLabel *statusLabel() const { return m_status; }

Q_SIGNALS:
    /** The file is written (stats.cancelled: it was not). */
    void exported(const QString &path, const pimscope::ExportStats &stats);
    void failed(const QString &error);

private:
    void browse();
    void start();
    void finish(const Result<ExportStats> &result, const QString &path);
    void updateSuffix();
    ExportFormat format() const;

    QString m_capturePath;
    HeaderRedactor m_redactor;
    FilterTarget m_what;
    QList<qint64> m_selectedIds;
    QList<qint64> m_shownIds;
    QRadioButton *m_selected = nullptr;
    QRadioButton *m_all = nullptr;
    QComboBox *m_format = nullptr;
    QLineEdit *m_file = nullptr;
    QLabel *m_note = nullptr;
    QProgressBar *m_bar = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_export = nullptr;
    QPushButton *m_cancel = nullptr;
    QThread *m_thread = nullptr;
    std::shared_ptr<std::atomic<bool>> m_stop;
};

} // namespace pimscope::ui

Q_DECLARE_METATYPE(pimscope::ExportStats)
