#include "receivercontroller.h"

#include "secrets/secretstore.h"
#include "store/eventstore.h"

#include <QAction>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QTcpServer>
#include <QUrl>

namespace pimscope::ui {

namespace {

/** The first port from `from` on that `address` can listen on, or 0. */
quint16 nextFreePort(const QHostAddress &address, quint16 from)
{
    for (quint32 p = from; p < from + 100u && p <= 65535u; ++p) {
        QTcpServer probe;
        if (probe.listen(address, quint16(p)))
            return quint16(p);
    }
    return 0;
}

/** An absolute http(s) URL with a host (what a tunnel's public URL must be). */
bool isPublicUrl(const QString &text)
{
    const QUrl url(text, QUrl::StrictMode);
    return url.isValid() && (url.scheme() == u"https" || url.scheme() == u"http") && !url.host().isEmpty();
}

} // namespace

ReceiverController::ReceiverController(QWidget *window, std::function<SecretStore *()> keychain)
    : QObject(window)
    , m_keychain(std::move(keychain))
{
    m_action = new QAction(QStringLiteral("Receiver"), this);
    m_action->setObjectName(QStringLiteral("receiverAction"));
    m_action->setCheckable(true);
    m_action->setToolTip(QStringLiteral("Start or stop the receiver"));
    connect(m_action, &QAction::triggered, this, [this](bool on) {
        if (on)
            start(m_port);
        else
            stop();
    });
    m_urlLabel = new QLabel(window);
    m_urlLabel->setObjectName(QStringLiteral("receiverUrl"));
    m_urlLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_urlLabel->setContentsMargins(8, 0, 8, 0);
    m_publicUrl = new QLineEdit(window);
    m_publicUrl->setObjectName(QStringLiteral("publicUrl"));
    m_publicUrl->setPlaceholderText(QStringLiteral("Public URL of your tunnel (optional)"));
    m_publicUrl->setToolTip(QStringLiteral("A real Akeneo or Quable only calls public HTTPS URLs: run a tunnel (ngrok, "
                                           "cloudflared…) to this receiver and enter its public URL here; it is the "
                                           "one shown and copied"));
    m_publicUrl->setClearButtonEnabled(true);
    m_publicUrl->setMaximumWidth(320);
    m_publicUrl->setText(QSettings().value(QStringLiteral("receiver/publicUrl")).toString());
    connect(m_publicUrl, &QLineEdit::textChanged, this, [this](const QString &text) {
        const bool ok = text.trimmed().isEmpty() || isPublicUrl(text.trimmed());
        m_publicUrl->setStyleSheet(ok ? QString() : QStringLiteral("QLineEdit { border: 1px solid #c62828; }"));
        if (ok)
            QSettings().setValue(QStringLiteral("receiver/publicUrl"), text.trimmed());
        updateUrlLabel();
        Q_EMIT shownChanged();
    });

    m_bannerBox = new QWidget(window);
    m_bannerBox->setObjectName(QStringLiteral("bannerBox"));
    auto *bannerLayout = new QHBoxLayout(m_bannerBox);
    bannerLayout->setContentsMargins(8, 6, 8, 6);
    m_bannerBox->setStyleSheet(QStringLiteral("background: palette(alternate-base); border-radius: 4px;"));
    m_banner = new QLabel(m_bannerBox);
    m_banner->setObjectName(QStringLiteral("banner"));
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_banner->setOpenExternalLinks(false);
    m_otherPort = new QPushButton(m_bannerBox);
    m_otherPort->setObjectName(QStringLiteral("otherPort"));
    m_otherPort->hide();
    connect(m_otherPort, &QPushButton::clicked, this,
            [this] { start(quint16(m_otherPort->property("port").toUInt())); });
    bannerLayout->addWidget(m_banner, 1);
    bannerLayout->addWidget(m_otherPort);
    m_bannerBox->hide();
    updateUrlLabel();
}

ReceiverController::~ReceiverController() = default;

void ReceiverController::setStore(EventStore *store)
{
    m_store = store;
    m_action->setEnabled(store != nullptr);
}

void ReceiverController::setListenAddress(const QHostAddress &address, quint16 port)
{
    m_address = address;
    m_port = port;
}

bool ReceiverController::isWanted() const
{
    return m_receiver || m_loader || m_action->isChecked();
}

QString ReceiverController::shownUrl() const
{
    if (!m_receiver)
        return {};
    const QString publicUrl = m_publicUrl->text().trimmed();
    if (!publicUrl.isEmpty() && isPublicUrl(publicUrl))
        return publicUrl;
    return m_receiver->url();
}

QString ReceiverController::stateText() const
{
    if (m_receiver)
        return QStringLiteral("receiver on %1").arg(m_receiver->url());
    if (m_loader)
        return QStringLiteral("receiver starting: reading its secrets from the keychain…");
    return QStringLiteral("receiver stopped");
}

void ReceiverController::updateUrlLabel()
{
    QString text;
    if (!m_receiver)
        text = QStringLiteral("(stopped)");
    else if (shownUrl() != m_receiver->url())
        text = QStringLiteral("%1 → %2").arg(shownUrl(), m_receiver->url()); // public URL -> receiver
    else
        text = m_receiver->url();
    // Where the deliveries go on: "-> http://localhost:3000/hooks" (the first rule; the tooltip lists them all).
    QStringList rules;
    for (const QString &spec : m_settings.forwardRules) {
        if (const auto rule = parseForwardRule(spec))
            rules << rule->spec();
    }
    if (m_receiver && !rules.isEmpty()) {
        const auto first = parseForwardRule(m_settings.forwardRules.front());
        text += QStringLiteral("  -> %1").arg(first->target.toString());
        if (first->mode == ForwardMode::Ack)
            text += QStringLiteral(" (ack)");
        if (rules.size() > 1)
            text += QStringLiteral(" +%1").arg(rules.size() - 1);
    }
    m_urlLabel->setText(text);
    m_urlLabel->setToolTip(rules.isEmpty() ? QString()
                                           : QStringLiteral("Forwarded to your connector:\n") + rules.join(u'\n'));
}

bool ReceiverController::start(quint16 port)
{
    const auto finish = [this] {
        updateUrlLabel();
        Q_EMIT shownChanged();
        Q_EMIT changed();
    };
    stop();
    if (!m_store)
        return false;
    auto configured = m_settings.receiverSettings();
    if (!configured) {
        showBanner(QStringLiteral("<b>The receiver is not running.</b> %1 (Settings, Receiver)")
                       .arg(configured.error().toHtmlEscaped()));
        finish();
        return false;
    }
    ReceiverSettings settings = std::move(configured.value());
    settings.address = m_address;
    settings.port = port;
    settings.probes = m_probes;
    if (!m_settings.secretRules.isEmpty()) {
        // The secrets come from the keychain, which may take a while (or ask the user): the window goes on
        // meanwhile and the receiver starts when they are in.
        if (!m_rulesLoaded || m_loadedRulesFor != m_settings.secretRules) {
            loadSecretsThenStart(port);
            return true;
        }
        settings.signatures.rules = m_loadedRules;
    }
    auto receiver = std::make_unique<Receiver>(m_store, settings);
    const auto bound = receiver->start();
    if (!bound) {
        const quint16 free = port ? nextFreePort(m_address, quint16(port + 1)) : 0;
        showBanner(QStringLiteral("<b>The receiver is not running.</b> %1").arg(bound.error().toHtmlEscaped()), free);
        m_action->setChecked(false);
        finish();
        return false;
    }
    m_port = *bound;
    m_receiver = std::move(receiver);
    // What the receiver could not do (a full disk, the capture deleted or replaced): the PIM is answered 503 and
    // nothing is stored meanwhile, so it must be in sight, not only in a log.
    connect(m_receiver.get(), &Receiver::problem, this, [this](const QString &message) {
        const QString sentence = message.left(1).toUpper() + message.mid(1);
        showBanner(QStringLiteral("<b>Deliveries are not being stored.</b> %1. The PIM gets 503 answers until this is "
                                  "resolved.")
                       .arg(sentence.toHtmlEscaped()));
    });
    m_action->setChecked(true);
    if (!m_address.isLoopback()) {
        // As `pimscope receive` warns on stderr: whoever can reach this machine can post into the capture.
        showBanner(
            QStringLiteral("<b>The receiver is reachable from the network</b> (it listens on %1): anyone who can "
                           "reach this machine on port %2 can post events into this capture. Listen on "
                           "127.0.0.1 (Settings, Receiver) unless that is what you want.")
                .arg(m_address.toString().toHtmlEscaped())
                .arg(m_port));
        finish();
        return true;
    }
    if (!m_secretFailures.isEmpty()) {
        showBanner(
            QStringLiteral("<b>Some signature checks are off:</b> %1. Set the secrets again in Settings, Signatures.")
                .arg(m_secretFailures.join(QStringLiteral("; ")).toHtmlEscaped()));
        finish();
        return true;
    }
    if (m_captureEmpty && m_captureEmpty()) {
        showBanner(
            QStringLiteral(
                "<b>Waiting for events.</b> Point the PIM's event subscription at <b>%1</b>. A real Akeneo or Quable "
                "only calls public HTTPS URLs: start a tunnel (the Tunnel button: cloudflared, ngrok, SSH to your "
                "server) and give the PIM its URL.")
                .arg(shownUrl().toHtmlEscaped()));
    } else {
        hideBanner();
    }
    finish();
    return true;
}

void ReceiverController::loadSecretsThenStart(quint16 port)
{
    delete m_loader;
    m_loader = new KeychainRuleLoader(m_keychain(), m_settings.secretRules, this);
    const QList<KeychainRule> wanted = m_settings.secretRules;
    connect(m_loader, &KeychainRuleLoader::loaded, this,
            [this, port, wanted](const QList<SignatureRule> &rules, const QStringList &failures) {
                m_loader->deleteLater();
                m_loader = nullptr;
                if (wanted != m_settings.secretRules)
                    return; // the settings changed meanwhile: their own load is on its way
                m_loadedRules = rules;
                m_loadedRulesFor = wanted;
                m_rulesLoaded = true;
                m_secretFailures = failures;
                start(port);
            });
    m_loader->start();
    Q_EMIT shownChanged();
}

void ReceiverController::stop()
{
    const bool was = m_receiver != nullptr;
    m_receiver.reset();
    m_action->setChecked(false);
    updateUrlLabel();
    Q_EMIT shownChanged();
    if (was)
        Q_EMIT changed();
}

void ReceiverController::applySettings(const AppSettings &old, const AppSettings &now,
                                       const QHash<QString, QByteArray> &secrets)
{
    m_settings = now;
    const bool listenerChanged = now.listen != old.listen || now.tlsCertificate != old.tlsCertificate
        || now.tlsKey != old.tlsKey || now.answerStatus != old.answerStatus || now.answerDelayMs != old.answerDelayMs
        || now.maxBodyBytes != old.maxBodyBytes || now.acceptInvalidSignature != old.acceptInvalidSignature
        || now.alwaysSucceedFor != old.alwaysSucceedFor || now.secretRules != old.secretRules || !secrets.isEmpty();
    if (!listenerChanged)
        return;
    QHostAddress address;
    quint16 port = 0;
    if (parseListenAddress(now.listen, address, port)) {
        m_address = address;
        m_port = port;
    }
    const bool restart = isWanted();
    if (secrets.isEmpty()) {
        if (restart)
            start(m_port);
        return;
    }
    // The values typed in go to the keychain; the receiver restarts once every write is answered, reading them back.
    SecretStore *keychain = m_keychain();
    auto outstanding = std::make_shared<qsizetype>(secrets.size());
    auto failures = std::make_shared<QStringList>();
    auto *context = new QObject(this);
    const auto answered = [this, outstanding, failures, context, restart] {
        if (--*outstanding > 0)
            return;
        context->deleteLater();
        m_rulesLoaded = false;
        if (restart)
            start(m_port);
        if (!failures->isEmpty())
            showBanner(QStringLiteral("<b>Could not store a secret in the keychain:</b> %1")
                           .arg(failures->join(QStringLiteral("; ")).toHtmlEscaped()));
    };
    connect(keychain, &SecretStore::secretWritten, context, [secrets, answered](const QString &name) {
        if (secrets.contains(name))
            answered();
    });
    connect(keychain, &SecretStore::secretFailed, context,
            [secrets, failures, answered](const QString &name, SecretStore::ErrorKind, const QString &message) {
                if (!secrets.contains(name))
                    return;
                failures->append(message);
                answered();
            });
    stop();
    for (auto it = secrets.cbegin(); it != secrets.cend(); ++it)
        keychain->write(it.key(), it.value());
}

void ReceiverController::showBanner(const QString &html, quint16 suggestedPort)
{
    m_banner->setText(html);
    m_otherPort->setVisible(suggestedPort != 0);
    if (suggestedPort) {
        m_otherPort->setText(QStringLiteral("Use port %1").arg(suggestedPort));
        m_otherPort->setProperty("port", suggestedPort);
    }
    m_bannerBox->show();
}

void ReceiverController::hideBanner()
{
    m_bannerBox->hide();
}

void ReceiverController::hideBannerIfShowing(const QString &html)
{
    if (m_bannerBox->isVisible() && m_banner->text() == html)
        m_bannerBox->hide();
}

void ReceiverController::dismissWaitingBanner()
{
    if (m_bannerBox->isVisible() && !m_otherPort->isVisible()
        && m_banner->text().startsWith(QStringLiteral("<b>Waiting")))
        m_bannerBox->hide();
}

} // namespace pimscope::ui
