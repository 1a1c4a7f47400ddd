#include "logimportrunner.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QThread>

namespace pimscope::ui {

LogImportRunner::LogImportRunner(EventStore *store, QWidget *progressParent, QObject *parent)
    : QObject(parent)
    , m_store(store)
{
    qRegisterMetaType<pimscope::LogImportSummary>();
    m_box = new QWidget(progressParent);
    auto *layout = new QHBoxLayout(m_box);
    layout->setContentsMargins(0, 0, 0, 0);
    m_label = new QLabel(m_box);
    m_bar = new QProgressBar(m_box);
    m_bar->setRange(0, 1000);
    m_bar->setMaximumWidth(160);
    m_bar->setTextVisible(false);
    m_cancel = new QPushButton(QStringLiteral("Cancel"), m_box);
    m_cancel->setToolTip(QStringLiteral("Stop importing: nothing of the file is kept"));
    layout->addWidget(m_label);
    layout->addWidget(m_bar);
    layout->addWidget(m_cancel);
    m_box->hide();
    connect(m_cancel, &QPushButton::clicked, this, &LogImportRunner::cancel);
}

LogImportRunner::~LogImportRunner()
{
    stop();
}

void LogImportRunner::import(const QStringList &paths)
{
    m_queue += paths;
    if (!m_thread)
        startNext();
}

void LogImportRunner::cancel()
{
    m_queue.clear();
    if (m_importer)
        m_importer->cancel();
}

void LogImportRunner::stop()
{
    cancel();
    join();
    m_box->hide();
}

void LogImportRunner::join()
{
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
    }
    m_importer.reset();
}

void LogImportRunner::startNext()
{
    if (m_queue.isEmpty()) {
        m_box->hide();
        Q_EMIT finished();
        return;
    }
    const QString path = m_queue.takeFirst();
    m_importer = std::make_unique<LogImporter>(*m_store, m_redactor);
    m_label->setText(QStringLiteral("Importing %1").arg(QFileInfo(path).fileName()));
    m_bar->setValue(0);
    m_box->show();
    LogImporter *importer = m_importer.get();
    // Progress is posted to this thread at most every 1 MiB or 1,024 lines (LogImporter's pace).
    importer->setProgressCallback([this](qint64 done, qint64 total) {
        QMetaObject::invokeMethod(
            this, [this, done, total] { m_bar->setValue(total > 0 ? int(done * 1000 / total) : 0); },
            Qt::QueuedConnection);
    });
    m_thread = QThread::create([this, importer, path] {
        auto result = importer->importFile(path);
        QMetaObject::invokeMethod(
            this,
            [this, path, result = std::move(result)] {
                join();
                if (result)
                    Q_EMIT imported(result.value());
                else
                    Q_EMIT failed(path, result.error());
                startNext();
            },
            Qt::QueuedConnection);
    });
    m_thread->setObjectName(QStringLiteral("pimscope-import"));
    m_thread->start();
}

} // namespace pimscope::ui
