#include "exportdialog.h"

#include "filter/sqlcompiler.h"
#include "store/storereader.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSaveFile>
#include <QSettings>
#include <QStandardPaths>
#include <QThread>
#include <QVBoxLayout>

namespace pimscope::ui {

namespace {

QString formatDescription(ExportFormat f)
{
    switch (f) {
    case ExportFormat::Jsonl:
        return QStringLiteral("JSON lines: one object per row, every field, the original JSON embedded");
    case ExportFormat::Csv:
        return QStringLiteral("CSV with a header row, for spreadsheets");
    case ExportFormat::Har:
        return QStringLiteral(
            "HAR 1.2, for browser devtools: one entry per request (rows of events: their deliveries)");
    case ExportFormat::AkeneoLog:
        return QStringLiteral(
            "The PIM's event-subscription log format, one line per delivery (rows of events: their deliveries)");
    }
    return {};
}

} // namespace

ExportDialog::ExportDialog(const QString &capturePath, QWidget *parent)
    : QDialog(parent)
    , m_capturePath(capturePath)
    , m_what(FilterTarget::Events)
{
    setObjectName(QStringLiteral("exportDialog"));
    qRegisterMetaType<pimscope::ExportStats>();
    setWindowTitle(QStringLiteral("Export"));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    auto *scope = new QVBoxLayout;
    m_selected = new QRadioButton(this);
    m_all = new QRadioButton(this);
    scope->addWidget(m_selected);
    scope->addWidget(m_all);
    form->addRow(QStringLiteral("Rows:"), scope);
    m_format = new QComboBox(this);
    for (const QString &name : exportFormatNames()) {
        const auto f = *exportFormatFromName(name);
        m_format->addItem(exportFileFilter(f), name);
        m_format->setItemData(m_format->count() - 1, formatDescription(f), Qt::ToolTipRole);
    }
    form->addRow(QStringLiteral("Format:"), m_format);
    m_note = new QLabel(this);
    m_note->setWordWrap(true);
    m_note->setStyleSheet(QStringLiteral("color: palette(mid);"));
    form->addRow(QString(), m_note);
    auto *fileRow = new QHBoxLayout;
    m_file = new QLineEdit(this);
    auto *browse = new QPushButton(QStringLiteral("Browse…"), this);
    fileRow->addWidget(m_file);
    fileRow->addWidget(browse);
    form->addRow(QStringLiteral("File:"), fileRow);
    layout->addLayout(form);
    m_bar = new QProgressBar(this);
    m_bar->setRange(0, 1000);
    m_bar->hide();
    layout->addWidget(m_bar);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);
    auto *buttons = new QDialogButtonBox(this);
    m_export = buttons->addButton(QStringLiteral("Export"), QDialogButtonBox::AcceptRole);
    m_cancel = buttons->addButton(QDialogButtonBox::Close);
    layout->addWidget(buttons);
    setMinimumWidth(520);

    QSettings settings;
    const int index = m_format->findData(settings.value(QStringLiteral("export/format"), QStringLiteral("jsonl")));
    m_format->setCurrentIndex(std::max(0, index));
    const QString folder = settings
                               .value(QStringLiteral("export/folder"),
                                      QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
                               .toString();
    m_file->setText(QDir(folder).filePath(QStringLiteral("pimscope-export.") + exportFileSuffix(format())));
    m_note->setText(formatDescription(format()));

    connect(m_format, &QComboBox::currentIndexChanged, this, [this] {
        updateSuffix();
        m_note->setText(formatDescription(format()));
    });
    connect(browse, &QPushButton::clicked, this, &ExportDialog::browse);
    connect(m_export, &QPushButton::clicked, this, &ExportDialog::start);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_thread)
            m_stop->store(true);
        else
            reject();
    });
}

ExportDialog::~ExportDialog()
{
    stop();
}

void ExportDialog::setRows(FilterTarget what, const QList<qint64> &selected, const QList<qint64> &shown)
{
    m_what = what;
    m_selectedIds = selected;
    m_shownIds = shown;
    const QString noun = what == FilterTarget::Events ? QStringLiteral("events") : QStringLiteral("deliveries");
    m_selected->setText(QStringLiteral("The %L1 selected %2").arg(selected.size()).arg(noun));
    m_all->setText(QStringLiteral("All %L1 %2 shown (what matches the filter)").arg(shown.size()).arg(noun));
    m_selected->setEnabled(!selected.isEmpty());
    (selected.size() > 1 ? m_selected : m_all)->setChecked(true);
    m_status->clear();
    m_bar->hide();
}

ExportFormat ExportDialog::format() const
{
    return exportFormatFromName(m_format->currentData().toString()).value_or(ExportFormat::Jsonl);
}

void ExportDialog::updateSuffix()
{
    QFileInfo info(m_file->text().trimmed());
    if (m_file->text().trimmed().isEmpty())
        return;
    const QString base = info.completeSuffix().isEmpty() ? info.fileName() : info.completeBaseName();
    m_file->setText(QDir(info.path()).filePath(base + u'.' + exportFileSuffix(format())));
}

void ExportDialog::browse()
{
    const QString path = QFileDialog::getSaveFileName(this, QStringLiteral("Export to"), m_file->text(),
                                                      exportFileFilter(format()) + QStringLiteral(";;All files (*)"));
    if (!path.isEmpty())
        m_file->setText(path);
}

void ExportDialog::start()
{
    if (m_thread)
        return;
    const QString path = m_file->text().trimmed();
    if (path.isEmpty() || QFileInfo(path).isDir()) {
        m_status->setText(QStringLiteral("Choose a file to export to."));
        return;
    }
    const QList<qint64> ids = m_selected->isChecked() ? m_selectedIds : m_shownIds;
    if (ids.isEmpty()) {
        m_status->setText(QStringLiteral("Nothing to export: no rows."));
        return;
    }
    QSettings settings;
    settings.setValue(QStringLiteral("export/format"), m_format->currentData());
    settings.setValue(QStringLiteral("export/folder"), QFileInfo(path).absolutePath());

    m_stop = std::make_shared<std::atomic<bool>>(false);
    m_export->setEnabled(false);
    m_cancel->setText(QStringLiteral("Cancel"));
    m_bar->setValue(0);
    m_bar->show();
    m_status->setText(QStringLiteral("Exporting %L1 rows…").arg(ids.size()));
    const QString capture = m_capturePath;
    const HeaderRedactor redactor = m_redactor;
    const ExportFormat f = format();
    const FilterTarget what = m_what;
    auto stopFlag = m_stop;
    QPointer<ExportDialog> self(this);
    m_thread = QThread::create([=] {
        const auto fail = [&](const QString &error) {
            QMetaObject::invokeMethod(
                self,
                [self, error, path] {
                    if (self)
                        self->finish(Result<ExportStats>::failure(error), path);
                },
                Qt::QueuedConnection);
        };
        const auto cannotWrite = [&path](const QFileDevice &file) {
            return QStringLiteral("cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
        };
        auto reader = StoreReader::open(capture);
        if (!reader)
            return fail(reader.error());
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return fail(cannotWrite(file));
        auto result = runExport(
            **reader, f, what, ids, redactor,
            [&file](QByteArrayView bytes) { return file.write(bytes.data(), bytes.size()) == bytes.size(); },
            [&](qint64 done, qint64 total) {
                QMetaObject::invokeMethod(
                    self,
                    [self, done, total] {
                        if (self)
                            self->m_bar->setValue(int(done * 1000 / std::max<qint64>(1, total)));
                    },
                    Qt::QueuedConnection);
                return !stopFlag->load();
            });
        if ((result && !result->cancelled && !file.commit()) || (!result && file.error() != QFileDevice::NoError))
            result = Result<ExportStats>::failure(cannotWrite(file));
        // Not committed when cancelled or failed: the QSaveFile leaves no file behind.
        QMetaObject::invokeMethod(
            self,
            [self, result, path] {
                if (self)
                    self->finish(result, path);
            },
            Qt::QueuedConnection);
    });
    m_thread->start();
}

void ExportDialog::finish(const Result<ExportStats> &result, const QString &path)
{
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
    }
    m_export->setEnabled(true);
    m_cancel->setText(QStringLiteral("Close"));
    m_bar->hide();
    if (!result) {
        m_status->setText(QStringLiteral("Export failed: %1").arg(result.error()));
        Q_EMIT failed(result.error());
    } else if (result->cancelled) {
        m_status->setText(QStringLiteral("Export cancelled: no file written."));
        Q_EMIT exported(path, *result);
    } else {
        m_status->setText(QStringLiteral("Exported %L1 %2 (%3) to %4")
                              .arg(result->rows)
                              .arg(exportsDeliveries(format()) || m_what == FilterTarget::Deliveries
                                       ? QStringLiteral("deliveries")
                                       : QStringLiteral("events"))
                              .arg(QLocale().formattedDataSize(result->bytes), QDir::toNativeSeparators(path)));
        Q_EMIT exported(path, *result);
    }
}

void ExportDialog::stop()
{
    if (!m_thread)
        return;
    m_stop->store(true);
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
}

} // namespace pimscope::ui
