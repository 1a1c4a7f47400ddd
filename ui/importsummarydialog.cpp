#include "importsummarydialog.h"

#include "filter/filter.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace pimscope::ui {

ImportSummaryDialog::ImportSummaryDialog(const LogImportSummary &summary, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("importSummary"));
    setWindowTitle(QStringLiteral("Imported %1").arg(summary.record.file));
    auto *layout = new QVBoxLayout(this);
    auto *text = new QPlainTextEdit(this);
    text->setObjectName(QStringLiteral("importSummaryText"));
    text->setReadOnly(true);
    text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    text->setLineWrapMode(QPlainTextEdit::NoWrap);
    text->setPlainText(describeImport(summary, 500));
    layout->addWidget(text);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    const QString file = Filter::quoted(summary.record.file);
    QPushButton *showLines = buttons->addButton(QStringLiteral("Show its lines"), QDialogButtonBox::ActionRole);
    connect(showLines, &QPushButton::clicked, this,
            [this, file] { Q_EMIT deliveriesFilterRequested(QStringLiteral("log_file == %1").arg(file)); });
    QPushButton *showProblems = buttons->addButton(QStringLiteral("Show its errors"), QDialogButtonBox::ActionRole);
    showProblems->setEnabled(summary.errors() + summary.malformedLines > 0);
    connect(showProblems, &QPushButton::clicked, this, [this, file] {
        Q_EMIT deliveriesFilterRequested(
            QStringLiteral("log_file == %1 && (level == error || error ~ \"\")").arg(file));
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    layout->addWidget(buttons);
    resize(760, 420);
}

} // namespace pimscope::ui
