#pragma once

#include "receivercontroller.h"

#include "tunnel/tunnelkeeper.h"

#include <QObject>
#include <QUrl>

#include <functional>
#include <memory>

class QAction;
class QDockWidget;
class QLabel;
class QLineEdit;
class QMainWindow;
class QPlainTextEdit;

namespace pimscope {
class SecretStore;
}

namespace pimscope::ui {

class ReceiverController;

/**
 * The window's tunnel: the toolbar's Tunnel action starts and stops it (its settings asked first when none are
 * remembered), a dock shows its state, its public URL (copied with a click), where to paste that URL for each sender,
 * and the log: the program's output and what Pimscope checked. It runs while the receiver runs (started again on the
 * receiver's new port), its URL is the one the toolbar shows and copies once checked end to end, and what the user
 * must act on (the URL changed, the tunnel cannot come up) goes to the banner above the table. The choice (the spec
 * and whether to start it with Pimscope) is remembered in the settings; ngrok's authtoken in the keychain.
 */
class TunnelController : public QObject
{
    Q_OBJECT
public:
    TunnelController(QMainWindow *window, ReceiverController *receiver, std::function<SecretStore *()> keychain);
    ~TunnelController() override;

    QAction *action() const { return m_action; }
    QAction *settingsAction() const { return m_settingsAction; }
    QDockWidget *dock() const { return m_dock; }

    /** The remembered choice. */
    QString spec() const { return m_spec; }
    bool atStartup() const { return m_atStartup; }
    /** Remembers the choice; a running tunnel is started again with it. */
    void setChoice(const QString &spec, bool atStartup);

    /** Starts the tunnel with the remembered spec (now, or once the receiver runs). */
    void start();
    void stop();
    /** At the window's start: the tunnel too when the user asked for it. */
    void startIfAsked();
    /** The settings dialog; started with what it says when accepted. */
    void showSettings();

    /** The tunnel kept alive, while it runs (tests). */
    TunnelKeeper *keeper() const { return m_keeper.get(); }
    /** Tests: the keeper's timings. */
    void setKeeperOptions(const TunnelKeeper::Options &options) { m_options = options; }

private:
    void nameTheTunnel(); ///< the action's tooltip names the remembered spec
    void receiverChanged();
    void launch(quint16 port);
    void said(const QString &message, TunnelKeeper::Level level);
    void reachable(const QUrl &url, double ms);
    void log(const QString &line, const QString &colour = {});
    void setStatus(const QString &html);
    void withdrawUrl();
    /** The keeper stopped and gone (said in the log when there was one), its URL withdrawn, `status` shown. */
    void endKeeper(const QString &logLine, const QString &status);

    QMainWindow *m_window;
    ReceiverController *m_receiver;
    std::function<SecretStore *()> m_keychain;
    TunnelKeeper::Options m_options;
    QString m_spec;
    bool m_atStartup = false;
    bool m_wanted = false;
    quint16 m_port = 0; ///< the receiver's port the keeper tunnels to
    std::unique_ptr<TunnelKeeper> m_keeper;
    QUrl m_shown; ///< the tunnel's URL as put in the toolbar (withdrawn when the tunnel stops)
    BannerSlot m_banner; ///< what the tunnel last said in the banner

    QAction *m_action;
    QAction *m_settingsAction;
    QDockWidget *m_dock;
    QLabel *m_status;
    QLineEdit *m_url;
    QLabel *m_pasteWhere;
    QPlainTextEdit *m_log;
};

} // namespace pimscope::ui
