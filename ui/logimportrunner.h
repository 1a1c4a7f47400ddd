#pragma once

#include "logimport/logimporter.h"

#include <QObject>
#include <QStringList>

#include <atomic>
#include <memory>

class QLabel;
class QProgressBar;
class QPushButton;
class QThread;
class QWidget;

namespace pimscope {
class EventStore;
}

namespace pimscope::ui {

/**
 * Imports log files into the window's capture on a thread of its own, one file after another, with a progress
 * widget (file, bar, Cancel) for the status bar. Files asked for while an import runs join the queue. A cancelled
 * file leaves nothing of itself in the capture (see LogImporter) and the files queued behind it are dropped.
 */
class LogImportRunner : public QObject
{
    Q_OBJECT
public:
    LogImportRunner(EventStore *store, QWidget *progressParent, QObject *parent = nullptr);
    ~LogImportRunner() override;

    /** Queues files to import (started at once when nothing runs). */
    void import(const QStringList &paths);
    /** The user's secret headers: their values in a log line's context are not kept (from the next file on). */
    void setRedactor(HeaderRedactor redactor) { m_redactor = std::move(redactor); }
    /** Cancels the file being imported and drops the queue. */
    void cancel();
    /** cancel(), then waits for the thread: before the capture it writes to goes away. */
    void stop();
    bool isRunning() const { return m_thread != nullptr; }

    /** Shown while importing: "Importing NAME", a progress bar, Cancel. */
    QWidget *progressWidget() const { return m_box; }
    QPushButton *cancelButton() const { return m_cancel; }

Q_SIGNALS:
    /** One file imported (or cancelled: summary.cancelled). */
    void imported(const pimscope::LogImportSummary &summary);
    /** One file that could not be read or stored; nothing of it was kept. */
    void failed(const QString &path, const QString &error);
    /** The queue is empty again. */
    void finished();

private:
    HeaderRedactor m_redactor;
    void startNext();
    /** Waits for the thread of the file imported (if any) and lets it and its importer go. */
    void join();

    EventStore *m_store;
    QStringList m_queue;
    QThread *m_thread = nullptr;
    std::unique_ptr<LogImporter> m_importer;
    QWidget *m_box = nullptr;
    QLabel *m_label = nullptr;
    QProgressBar *m_bar = nullptr;
    QPushButton *m_cancel = nullptr;
};

} // namespace pimscope::ui
