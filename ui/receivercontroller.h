#pragma once

#include "receiver/keychainrules.h"
#include "receiver/receiver.h"
#include "settings/appsettings.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QSettings>

#include <functional>
#include <memory>
#include <utility>

class QAction;
class QLabel;
class QLineEdit;
class QPushButton;
class QWidget;

namespace pimscope {
class EventStore;
class KeychainRuleLoader;
class SecretStore;
} // namespace pimscope

namespace pimscope::ui {

/**
 * The window's receiver: starts, stops and restarts it on the capture shown (with the secrets of its signature
 * rules read from the keychain first, without blocking the window), and says what the user must know in a banner
 * above the table: a port taken (with a button for the next free one), a listen address reachable from the
 * network, secrets that could not be read, deliveries not being stored, or, while the capture is empty, where to
 * point the PIM. It owns the toolbar's Receiver action, its URL label and the tunnel's public URL field.
 */
class ReceiverController : public QObject
{
    Q_OBJECT
public:
    /** `keychain` gives the window's keychain (created when first needed). */
    ReceiverController(QWidget *window, std::function<SecretStore *()> keychain);
    ~ReceiverController() override;

    QAction *action() const { return m_action; }
    QLabel *urlLabel() const { return m_urlLabel; }
    QLineEdit *publicUrlEdit() const { return m_publicUrl; }
    QWidget *banner() const { return m_bannerBox; }

    /** The capture deliveries go to (null: none, the receiver cannot start). */
    void setStore(EventStore *store);
    /** How to listen and answer (the receiver is not restarted: see applySettings()). */
    void setSettings(const AppSettings &settings) { m_settings = settings; }
    void setListenAddress(const QHostAddress &address, quint16 port);
    /** Whether the capture shown has no row and no filter (the banner then says where to point the PIM). */
    void setCaptureEmpty(std::function<bool()> empty) { m_captureEmpty = std::move(empty); }

    /** Starts (or restarts) the receiver on `port`; false, with the reason shown, when it cannot listen. */
    bool start(quint16 port);
    /** Starts it on the port it last listened on (or was given). */
    bool restart() { return start(m_port); }
    void stop();
    /**
     * New settings: secret values typed in are written to the keychain (by name) first, then the receiver restarts
     * with the new listen address, answers and secrets if it was running.
     */
    void applySettings(const AppSettings &old, const AppSettings &now, const QHash<QString, QByteArray> &secrets);

    Receiver *receiver() const { return m_receiver.get(); }
    /** The port the receiver listens on (while it runs), or was last given. */
    quint16 port() const { return m_port; }
    /** The probes a tunnel sends through its public URL: the receiver answers them (and stores none). */
    const std::shared_ptr<ProbeRegistry> &probes() const { return m_probes; }
    /** True while the receiver's secrets are being read from the keychain (it starts once they are). */
    bool readingSecrets() const { return m_loader != nullptr; }
    /** Running, or starting (its secrets being read), or meant to be (checked in the toolbar). */
    bool isWanted() const;
    /** The URL to give the PIM: the tunnel's public URL when one is set, else the receiver's; empty while stopped. */
    QString shownUrl() const;
    /** "receiver on http://…", "receiver starting…" or "receiver stopped", for the status bar. */
    QString stateText() const;

    void showBanner(const QString &html, quint16 suggestedPort = 0);
    void hideBanner();
    /** Hides the banner if it still says `html` (what its sayer said; someone else may have said more since). */
    void hideBannerIfShowing(const QString &html);
    /** Hides the "Waiting for events" banner (rows arrived); the others stay. */
    void dismissWaitingBanner();

Q_SIGNALS:
    /** The receiver started, stopped or failed to start. */
    void changed();
    /** What the toolbar and the status bar show changed (the public URL, the state). */
    void shownChanged();

private:
    void loadSecretsThenStart(quint16 port);
    void updateUrlLabel();

    std::function<SecretStore *()> m_keychain;
    AppSettings m_settings;
    EventStore *m_store = nullptr;
    QHostAddress m_address;
    quint16 m_port = 0;
    std::unique_ptr<Receiver> m_receiver;
    std::shared_ptr<ProbeRegistry> m_probes = std::make_shared<ProbeRegistry>();
    KeychainRuleLoader *m_loader = nullptr;
    bool m_rulesLoaded = false;
    QList<KeychainRule> m_loadedRulesFor; ///< the rules m_loadedRules were read for
    QList<SignatureRule> m_loadedRules;
    QStringList m_secretFailures;
    std::function<bool()> m_captureEmpty;

    QAction *m_action;
    QLabel *m_urlLabel;
    QLineEdit *m_publicUrl;
    QWidget *m_bannerBox;
    QLabel *m_banner;
    QPushButton *m_otherPort;
};

/**
 * What one part of the window (the tunnel, the follower) said in the banner above the table: shown, replaced, and
 * taken back only while the banner still says it (someone else may have said more since).
 */
class BannerSlot
{
public:
    explicit BannerSlot(ReceiverController *receiver)
        : m_receiver(receiver)
    {
    }
    void show(const QString &html)
    {
        clear();
        m_html = html;
        m_receiver->showBanner(html);
    }
    void clear()
    {
        if (!m_html.isEmpty())
            m_receiver->hideBannerIfShowing(std::exchange(m_html, {}));
    }
    const QString &said() const { return m_html; }

private:
    ReceiverController *m_receiver;
    QString m_html;
};

/** A choice the window remembers in its settings: a text (a tunnel's spec, a server's URL) and "at startup". */
struct RememberedChoice
{
    QString text;
    bool atStartup = false;

    /** Under `group` in QSettings: `group`/`key` and `group`/atStartup. */
    static RememberedChoice load(const QString &group, const QString &key)
    {
        QSettings stored;
        return {stored.value(group + u'/' + key).toString(),
                stored.value(group + QStringLiteral("/atStartup"), false).toBool()};
    }
    void save(const QString &group, const QString &key) const
    {
        QSettings stored;
        stored.setValue(group + u'/' + key, text);
        stored.setValue(group + QStringLiteral("/atStartup"), atStartup);
    }
};

} // namespace pimscope::ui
