#include "tunneldialog.h"

#include "tunnel/tunnelspec.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace pimscope::ui {

namespace {

struct Choice
{
    const char *label;
    const char *spec;
};

// What each provider starts from; USER@HOST, names and ports are the user's to fill in.
constexpr Choice kChoices[] = {
    {"cloudflared, quick tunnel (a new URL at each start, no account)", "cloudflared"},
    {"cloudflared, named tunnel (your hostname, stable)", "cloudflared,name=pimscope,hostname=hooks.example.com"},
    {"ngrok (a random URL; stable with your reserved domain)", "ngrok"},
    {"SSH to your own server behind its HTTPS (stable)",
     "ssh:deploy@hooks.example.com,remote-port=9001,url=https://hooks.example.com/"},
    {"SSH to localhost.run (a public service, no account)", "ssh:nokey@localhost.run"},
    {"Any command that prints the URL", "cmd:'bore local {port} --to bore.pub',url-pattern=(bore\\.pub:\\d+)"},
};

} // namespace

QStringList TunnelDialog::templates()
{
    QStringList specs;
    for (const Choice &c : kChoices)
        specs << QLatin1StringView(c.spec);
    return specs;
}

TunnelDialog::TunnelDialog(const QString &spec, bool atStartup, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(QStringLiteral("Tunnel: a public HTTPS URL for the receiver"));
    setObjectName(QStringLiteral("tunnelDialog"));
    resize(720, 0);
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(
        QStringLiteral("A SaaS Akeneo (Events API or Event Platform) or Quable only calls public HTTPS URLs. Pimscope "
                       "runs the tunnel program as its child, reads the public URL it prints, checks it end to end "
                       "through the internet and keeps it running."),
        this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto *form = new QFormLayout;
    m_provider = new QComboBox(this);
    m_provider->setObjectName(QStringLiteral("tunnelProvider"));
    for (const Choice &c : kChoices)
        m_provider->addItem(QLatin1StringView(c.label), QLatin1StringView(c.spec));
    form->addRow(QStringLiteral("&Provider:"), m_provider);
    m_spec = new QLineEdit(this);
    m_spec->setObjectName(QStringLiteral("tunnelSpec"));
    m_spec->setToolTip(
        QStringLiteral("The same text as pimscope receive --tunnel:\n"
                       "  cloudflared[,name=NAME,hostname=HOST]\n"
                       "  ngrok[,domain=DOMAIN]\n"
                       "  ssh:USER@HOST[:PORT][,remote-port=N,url=https://…][,identity=KEY][,known-hosts=FILE]\n"
                       "  cmd:'COMMAND {port}'[,url-pattern=REGEX]\n"
                       "and for any of them program=PATH when the program is not on the PATH."));
    form->addRow(QStringLiteral("&Tunnel:"), m_spec);
    m_verdict = new QLabel(this);
    m_verdict->setObjectName(QStringLiteral("tunnelVerdict"));
    m_verdict->setWordWrap(true);
    m_verdict->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(QString(), m_verdict);
    m_authtoken = new QLineEdit(this);
    m_authtoken->setObjectName(QStringLiteral("ngrokAuthtoken"));
    m_authtoken->setEchoMode(QLineEdit::Password);
    m_authtoken->setPlaceholderText(QStringLiteral("empty: the one kept already, or ngrok's own configuration"));
    m_authtoken->setToolTip(QStringLiteral("Kept in the OS keychain as ngrok-authtoken (never in Pimscope's settings "
                                           "or logs) and given to ngrok in its environment"));
    m_authtokenLabel = new QLabel(QStringLiteral("ngrok &authtoken:"), this);
    m_authtokenLabel->setBuddy(m_authtoken);
    form->addRow(m_authtokenLabel, m_authtoken);
    m_atStartup = new QCheckBox(QStringLiteral("&Start the tunnel when Pimscope starts"), this);
    m_atStartup->setObjectName(QStringLiteral("tunnelAtStartup"));
    m_atStartup->setChecked(atStartup);
    form->addRow(QString(), m_atStartup);
    layout->addLayout(form);
    layout->addStretch(1);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(QStringLiteral("Start the tunnel"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    connect(m_provider, &QComboBox::activated, this,
            [this](int index) { m_spec->setText(m_provider->itemData(index).toString()); });
    connect(m_spec, &QLineEdit::textChanged, this, &TunnelDialog::check);
    m_spec->setText(spec.isEmpty() ? QLatin1StringView(kChoices[0].spec) : spec);
    check();
}

QString TunnelDialog::spec() const
{
    return m_spec->text().trimmed();
}

bool TunnelDialog::atStartup() const
{
    return m_atStartup->isChecked();
}

QByteArray TunnelDialog::authtoken() const
{
    return !m_authtoken->isHidden() ? m_authtoken->text().trimmed().toUtf8() : QByteArray();
}

void TunnelDialog::check()
{
    const auto parsed = parseTunnelSpec(spec());
    m_ok->setEnabled(bool(parsed));
    const bool ngrok = parsed && parsed->provider == TunnelProvider::Ngrok;
    m_authtoken->setVisible(ngrok);
    m_authtokenLabel->setVisible(ngrok);
    if (!parsed) {
        m_verdict->setText(QStringLiteral("<span style='color:#c62828'>%1</span>").arg(parsed.error().toHtmlEscaped()));
        return;
    }
    // The provider of the list shown follows the spec typed: its program, and whether its URL is known in advance
    // (a named cloudflared tunnel, the user's own SSH server) or printed at each start.
    const auto kind = [](const TunnelSpec &t) { return std::pair(t.provider, t.knownUrl().has_value()); };
    int best = -1;
    for (int i = 0; i < m_provider->count(); ++i) {
        const auto choice = parseTunnelSpec(m_provider->itemData(i).toString());
        if (choice->provider != parsed->provider)
            continue;
        if (best < 0 || kind(*choice) == kind(*parsed))
            best = i;
        if (kind(*choice) == kind(*parsed))
            break;
    }
    if (best >= 0 && best != m_provider->currentIndex())
        m_provider->setCurrentIndex(best);
    QStringList lines;
    if (const auto url = parsed->knownUrl())
        lines << QStringLiteral("Public URL: <b>%1</b>, the same at each start.").arg(url->toString().toHtmlEscaped());
    else
        lines << QStringLiteral("Public URL: read from %1's output; <b>a new one at each start</b>: the PIM must be "
                                "given it again each time (Pimscope says so).")
                     .arg(parsed->program.toHtmlEscaped());
    if (const Result<QString> program = locateTunnelProgram(*parsed))
        lines << QStringLiteral("Program: %1").arg(program->toHtmlEscaped());
    else
        lines << QStringLiteral("<span style='color:#c62828'>%1.</span>").arg(program.error().toHtmlEscaped());
    m_verdict->setText(lines.join(QStringLiteral("<br>")));
}

} // namespace pimscope::ui
