#include "tunnelcontroller.h"

#include "receivercontroller.h"
#include "tunneldialog.h"

#include "secrets/secretstore.h"

#include <QAction>
#include <QClipboard>
#include <QDateTime>
#include <QDockWidget>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMainWindow>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

#include <utility>

namespace pimscope::ui {

namespace {

const QString kGroup = QStringLiteral("tunnel");
const QString kSpecKey = QStringLiteral("spec");

} // namespace

TunnelController::TunnelController(QMainWindow *window, ReceiverController *receiver,
                                   std::function<SecretStore *()> keychain)
    : QObject(window)
    , m_window(window)
    , m_receiver(receiver)
    , m_keychain(std::move(keychain))
    , m_banner(receiver)
{
    const RememberedChoice remembered = RememberedChoice::load(kGroup, kSpecKey);
    m_spec = remembered.text;
    m_atStartup = remembered.atStartup;

    m_action = new QAction(QStringLiteral("Tunnel"), this);
    m_action->setObjectName(QStringLiteral("tunnelAction"));
    m_action->setCheckable(true);
    m_action->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T));
    m_action->setToolTip(QStringLiteral("Start or stop a tunnel that gives the receiver a public HTTPS URL, which a "
                                        "SaaS PIM can call (Ctrl+Shift+T)"));
    connect(m_action, &QAction::triggered, this, [this](bool on) {
        if (!on)
            stop();
        else if (m_spec.isEmpty())
            showSettings();
        else
            start();
    });
    if (!m_spec.isEmpty())
        nameTheTunnel();
    m_settingsAction = new QAction(QStringLiteral("Tunnel settings…"), this);
    m_settingsAction->setObjectName(QStringLiteral("tunnelSettingsAction"));
    m_settingsAction->setToolTip(QStringLiteral("Which tunnel: cloudflared, ngrok, SSH to your server, a command"));
    connect(m_settingsAction, &QAction::triggered, this, &TunnelController::showSettings);

    m_dock = new QDockWidget(QStringLiteral("Tunnel"), window);
    m_dock->setObjectName(QStringLiteral("tunnelDock"));
    auto *pane = new QWidget(m_dock);
    auto *layout = new QVBoxLayout(pane);
    m_status = new QLabel(pane);
    m_status->setObjectName(QStringLiteral("tunnelStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);
    auto *urlRow = new QHBoxLayout;
    m_url = new QLineEdit(pane);
    m_url->setObjectName(QStringLiteral("tunnelUrl"));
    m_url->setReadOnly(true);
    m_url->setPlaceholderText(QStringLiteral("no public URL yet"));
    urlRow->addWidget(m_url, 1);
    auto *copy = new QPushButton(QStringLiteral("Copy"), pane);
    copy->setObjectName(QStringLiteral("copyTunnelUrl"));
    copy->setToolTip(QStringLiteral("Copy the public URL, to paste into the PIM"));
    connect(copy, &QPushButton::clicked, this, [this] {
        if (!m_url->text().isEmpty())
            QGuiApplication::clipboard()->setText(m_url->text());
    });
    urlRow->addWidget(copy);
    auto *settings = new QPushButton(QStringLiteral("Settings…"), pane);
    connect(settings, &QPushButton::clicked, this, &TunnelController::showSettings);
    urlRow->addWidget(settings);
    layout->addLayout(urlRow);
    m_pasteWhere = new QLabel(pane);
    m_pasteWhere->setObjectName(QStringLiteral("tunnelPasteWhere"));
    m_pasteWhere->setWordWrap(true);
    m_pasteWhere->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_pasteWhere);
    m_log = new QPlainTextEdit(pane);
    m_log->setObjectName(QStringLiteral("tunnelLog"));
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(2000);
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_log->setFont(QFont(QStringLiteral("monospace")));
    layout->addWidget(m_log, 1);
    m_dock->setWidget(pane);
    setStatus(QStringLiteral("<b>No tunnel.</b> Start one with the toolbar's Tunnel button to give the receiver a "
                             "public HTTPS URL."));

    connect(m_receiver, &ReceiverController::changed, this, &TunnelController::receiverChanged);
}

TunnelController::~TunnelController() = default;

void TunnelController::nameTheTunnel()
{
    m_action->setToolTip(QStringLiteral("Start or stop the tunnel: %1 (Ctrl+Shift+T)").arg(m_spec));
}

void TunnelController::setChoice(const QString &spec, bool atStartup)
{
    m_spec = spec;
    m_atStartup = atStartup;
    RememberedChoice{spec, atStartup}.save(kGroup, kSpecKey);
    nameTheTunnel();
    if (m_keeper)
        start();
}

void TunnelController::startIfAsked()
{
    if (m_atStartup && !m_spec.isEmpty())
        start();
}

void TunnelController::showSettings()
{
    TunnelDialog dialog(m_spec, m_atStartup, m_window);
    if (dialog.exec() != QDialog::Accepted) {
        m_action->setChecked(m_wanted);
        return;
    }
    const QByteArray token = dialog.authtoken();
    const auto credential = tunnelCredential(TunnelProvider::Ngrok);
    if (token.isEmpty()) {
        setChoice(dialog.spec(), dialog.atStartup());
        start();
        return;
    }
    // The authtoken goes to the keychain first; the tunnel starts once it is there (or said why it is not).
    SecretStore *keychain = m_keychain();
    auto *context = new QObject(this);
    const QString spec = dialog.spec();
    const bool atStartup = dialog.atStartup();
    const auto done = [this, context, spec, atStartup] {
        context->deleteLater();
        setChoice(spec, atStartup);
        start();
    };
    connect(keychain, &SecretStore::secretWritten, context, [done, name = credential->secretName](const QString &n) {
        if (n == name)
            done();
    });
    connect(
        keychain, &SecretStore::secretFailed, context,
        [this, done, name = credential->secretName](const QString &n, SecretStore::ErrorKind, const QString &message) {
            if (n != name)
                return;
            log(QStringLiteral("The authtoken could not be kept in the keychain: %1").arg(message),
                QStringLiteral("#c62828"));
            done();
        });
    keychain->write(credential->secretName, token);
}

void TunnelController::start()
{
    if (m_spec.isEmpty()) {
        showSettings();
        return;
    }
    m_wanted = true;
    m_action->setChecked(true);
    m_dock->show();
    m_dock->raise();
    m_keeper.reset();
    m_port = 0;
    if (!m_receiver->receiver()) {
        setStatus(QStringLiteral("<b>Waiting for the receiver</b>: the tunnel starts once it runs."));
        return;
    }
    launch(m_receiver->port());
}

void TunnelController::stop()
{
    m_wanted = false;
    m_action->setChecked(false);
    endKeeper(QStringLiteral("Tunnel stopped."), QStringLiteral("<b>Tunnel stopped.</b>"));
    m_banner.clear();
}

void TunnelController::endKeeper(const QString &logLine, const QString &status)
{
    if (m_keeper) {
        m_keeper->stop();
        m_keeper.reset();
        log(logLine);
    }
    m_port = 0;
    withdrawUrl();
    setStatus(status);
}

void TunnelController::receiverChanged()
{
    if (!m_wanted)
        return;
    if (!m_receiver->receiver()) {
        endKeeper(QStringLiteral("The receiver stopped: the tunnel too, until it runs again."),
                  QStringLiteral("<b>Waiting for the receiver</b>: the tunnel starts again once it runs."));
        return;
    }
    if (!m_keeper || m_port != m_receiver->port())
        launch(m_receiver->port());
}

void TunnelController::launch(quint16 port)
{
    const auto parsed = parseTunnelSpec(m_spec);
    if (!parsed) {
        setStatus(QStringLiteral("<b>The tunnel cannot start:</b> %1").arg(parsed.error().toHtmlEscaped()));
        m_banner.show(QStringLiteral("<b>The tunnel cannot start:</b> %1 (Capture, Tunnel settings)")
                          .arg(parsed.error().toHtmlEscaped()));
        return;
    }
    m_keeper.reset();
    m_port = port;
    m_keeper = std::make_unique<TunnelKeeper>(*parsed, port, m_receiver->probes(), m_options);
    m_keeper->probe().useTestEnvironment();
    if (tunnelCredential(parsed->provider))
        m_keeper->setSecretStore(m_keychain());
    connect(m_keeper.get(), &TunnelKeeper::said, this, &TunnelController::said);
    connect(m_keeper.get(), &TunnelKeeper::reachable, this, &TunnelController::reachable);
    connect(&m_keeper->tunnel(), &Tunnel::outputLine, this,
            [this](const QString &line) { log(line, QStringLiteral("#607d8b")); });
    connect(&m_keeper->tunnel(), &Tunnel::stateChanged, this, [this](Tunnel::State state) {
        if (state == Tunnel::State::Starting)
            setStatus(QStringLiteral("<b>Starting</b> %1…").arg(m_keeper->tunnel().spec().program.toHtmlEscaped()));
        else if (state == Tunnel::State::Up && m_keeper->reachableUrl().isEmpty())
            setStatus(QStringLiteral("<b>Checking</b> %1 through the internet…")
                          .arg(m_keeper->tunnel().url().toString().toHtmlEscaped()));
    });
    setStatus(QStringLiteral("<b>Starting</b> %1…").arg(parsed->program.toHtmlEscaped()));
    m_keeper->start();
}

void TunnelController::said(const QString &message, TunnelKeeper::Level level)
{
    const QString colour = level == TunnelKeeper::Level::Error ? QStringLiteral("#c62828")
        : level == TunnelKeeper::Level::Warning                ? QStringLiteral("#ef6c00")
                                                               : QString();
    // The program's last lines that a problem quotes are in the log already, just above.
    const QString first = message.section(u'\n', 0, 0);
    log(first, colour);
    if (level == TunnelKeeper::Level::Info)
        return;
    if (message.startsWith(QStringLiteral("The public URL changed"))) {
        // The PIM points at the old URL: it must be in sight until the user has acted.
        m_banner.show(QStringLiteral("<b>The tunnel's public URL changed.</b> %1")
                          .arg(message.mid(message.indexOf(u':') + 1).trimmed().toHtmlEscaped()));
        return;
    }
    if (level == TunnelKeeper::Level::Error) {
        withdrawUrl();
        setStatus(QStringLiteral("<b><span style='color:#c62828'>The tunnel is not working.</span></b> %1")
                      .arg(first.toHtmlEscaped()));
        m_banner.show(QStringLiteral("<b>The tunnel is not working:</b> %1 (its log: the Tunnel panel)")
                          .arg(first.toHtmlEscaped()));
    } else {
        setStatus(
            QStringLiteral("<b><span style='color:#ef6c00'>Restarting.</span></b> %1").arg(first.toHtmlEscaped()));
    }
}

void TunnelController::reachable(const QUrl &url, double ms)
{
    const QString text = url.toString();
    setStatus(QStringLiteral("<b><span style='color:#2e7d32'>Reachable from the internet</span></b>, %1 ms there and "
                             "back (checked %2; again every 5 minutes).")
                  .arg(qRound(ms))
                  .arg(QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss"))));
    m_url->setText(text);
    if (!m_banner.said().contains(QStringLiteral("URL changed")))
        m_banner.clear(); // it works again: what said it did not is past (a changed URL stays until the user acts)
    QStringList lines;
    for (const QString &line : TunnelKeeper::wherePaste(url)) {
        const qsizetype colon = line.indexOf(u':');
        const qsizetype urlAt = line.lastIndexOf(QStringLiteral(": "));
        lines << QStringLiteral("<b>%1</b>: %2")
                     .arg(line.left(colon).toHtmlEscaped(), line.mid(colon + 2, urlAt - colon - 2).toHtmlEscaped());
    }
    m_pasteWhere->setText(QStringLiteral("Paste it into the PIM:<br>") + lines.join(QStringLiteral("<br>")));
    if (m_shown != url) {
        m_shown = url;
        m_receiver->publicUrlEdit()->setText(text);
    }
}

void TunnelController::withdrawUrl()
{
    // A URL that leads nowhere is not shown as the one to give the PIM.
    if (!m_shown.isEmpty() && m_receiver->publicUrlEdit()->text().trimmed() == m_shown.toString())
        m_receiver->publicUrlEdit()->clear();
    m_shown.clear();
    m_url->clear();
    m_pasteWhere->clear();
}

void TunnelController::log(const QString &line, const QString &colour)
{
    const QString time = QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss"));
    // As printed: the spaces of a program's boxes and columns kept.
    const QString html
        = line.toHtmlEscaped().replace(u' ', QStringLiteral("&nbsp;")).replace(u'\n', QStringLiteral("<br>"));
    m_log->appendHtml(colour.isEmpty()
                          ? QStringLiteral("<span style='color:gray'>%1</span> %2").arg(time, html)
                          : QStringLiteral("<span style='color:gray'>%1</span> <span style='color:%2'>%3</span>")
                                .arg(time, colour, html));
}

void TunnelController::setStatus(const QString &html)
{
    m_status->setText(html);
}

} // namespace pimscope::ui
