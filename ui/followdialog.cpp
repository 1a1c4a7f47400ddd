#include "followdialog.h"

#include "pgstore/pgtarget.h"
#include "util/timeutil.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace pimscope::ui {

FollowDialog::FollowDialog(const QString &url, bool atStartup, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(QStringLiteral("Follow a server"));
    setObjectName(QStringLiteral("followDialog"));
    resize(680, 0);
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(
        QStringLiteral("Copies a server's PostgreSQL store (what its receivers commit: pimscope receive --store) into "
                       "this capture, and keeps copying as they commit. A capture that followed it before resumes "
                       "where it stopped. The recipe for the server: docs/SERVER.md."),
        this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto *form = new QFormLayout;
    m_url = new QLineEdit(url, this);
    m_url->setObjectName(QStringLiteral("followUrl"));
    m_url->setPlaceholderText(QStringLiteral("postgresql://capture@db.example.com/pimscope?sslmode=verify-full"));
    form->addRow(QStringLiteral("Server store"), m_url);
    m_password = new QLineEdit(this);
    m_password->setObjectName(QStringLiteral("followPassword"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(
        QStringLiteral("kept in the keychain; empty: the one kept, PGPASSWORD or ~/.pgpass"));
    form->addRow(QStringLiteral("Password"), m_password);
    m_since = new QLineEdit(this);
    m_since->setObjectName(QStringLiteral("followSince"));
    m_since->setPlaceholderText(
        QStringLiteral("a first copy only: a server delivery id, or a time (2026-12-01T00:00Z)"));
    form->addRow(QStringLiteral("From"), m_since);
    layout->addLayout(form);
    m_atStartup = new QCheckBox(QStringLiteral("Follow it when Pimscope starts"), this);
    m_atStartup->setObjectName(QStringLiteral("followAtStartup"));
    m_atStartup->setChecked(atStartup);
    layout->addWidget(m_atStartup);
    m_verdict = new QLabel(this);
    m_verdict->setObjectName(QStringLiteral("followVerdict"));
    m_verdict->setWordWrap(true);
    m_verdict->setTextFormat(Qt::RichText);
    layout->addWidget(m_verdict);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(QStringLiteral("Follow"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    connect(m_url, &QLineEdit::textChanged, this, &FollowDialog::check);
    connect(m_since, &QLineEdit::textChanged, this, &FollowDialog::check);
    check();
}

QString FollowDialog::url() const
{
    return m_url->text().trimmed();
}

QByteArray FollowDialog::password() const
{
    return m_password->text().toUtf8();
}

QString FollowDialog::since() const
{
    return m_since->text().trimmed();
}

bool FollowDialog::atStartup() const
{
    return m_atStartup->isChecked();
}

void FollowDialog::check()
{
    QStringList problems;
    if (url().isEmpty()) {
        problems << QStringLiteral("The URL of the server's store: postgresql://USER@HOST[:PORT]/DB");
    } else if (const auto target = parsePgTarget(url()); !target) {
        problems << target.error();
    }
    if (const QString s = since(); !s.isEmpty()) {
        bool isId = false;
        const qint64 id = s.toLongLong(&isId);
        if (!(isId && id > 0) && !parseIsoDateTime(QStringView(s)))
            problems << QStringLiteral("From: a server delivery id (a positive number) or an ISO 8601 time");
    }
    m_ok->setEnabled(problems.isEmpty());
    if (problems.isEmpty()) {
        const auto target = parsePgTarget(url());
        m_verdict->setText(
            QStringLiteral("Password kept in the keychain as <b>%1</b>.").arg(target->secretName().toHtmlEscaped()));
        return;
    }
    QStringList html;
    for (const QString &p : std::as_const(problems))
        html << QStringLiteral("<span style='color:#c62828'>%1</span>").arg(p.toHtmlEscaped());
    m_verdict->setText(html.join(QStringLiteral("<br>")));
}

} // namespace pimscope::ui
