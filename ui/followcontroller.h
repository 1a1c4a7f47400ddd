#pragma once

#include "receivercontroller.h"

#include <QObject>
#include <QSemaphore>
#include <QThread>

#include <functional>
#include <memory>

class QAction;
class QLabel;
class QMainWindow;

namespace pimscope {
class EventStore;
class PgFollower;
class SecretStore;
} // namespace pimscope

namespace pimscope::ui {

/**
 * The window following a server's PostgreSQL store (Capture > Follow a server…): its deliveries copied into the open
 * capture as its receivers commit them (PgFollower, on a thread of its own), shown in the tables as they arrive. The
 * status bar names the server, what was copied and the lag; while the server cannot be read, the banner above the
 * table says so (taken back when it can again). The choice (the URL, whether to follow when Pimscope starts) is
 * remembered in the settings, the password in the keychain. Another capture opened stops the following.
 */
class FollowController : public QObject
{
    Q_OBJECT
public:
    FollowController(QMainWindow *window, ReceiverController *receiver, std::function<SecretStore *()> keychain);
    ~FollowController() override;

    /** Capture > Follow a server… (checked while following; unchecking stops). */
    QAction *action() const { return m_action; }
    /** The status bar's part. */
    QLabel *status() const { return m_status; }

    /**
     * The capture copied into (none: nothing can be followed); a change stops the following, and waits until the
     * follower let the previous capture go (its batch in flight committed).
     */
    void setCapture(EventStore *capture);
    /** The remembered URL and choice. */
    QString url() const { return m_url; }
    bool atStartup() const { return m_atStartup; }
    void setChoice(const QString &url, bool atStartup);

    /** Follows the remembered URL (its password from the keychain, else PGPASSWORD or ~/.pgpass). */
    void start(const QString &since = {});
    /**
     * Stops following at once: what the follower waits for on the server is cancelled and it is deleted in its thread
     * (its batch in flight committed there), the window not waiting for it.
     */
    void stop();
    /** At the window's start: when the user asked for it. */
    void startIfAsked();
    void showDialog();
    bool following() const { return m_follower != nullptr; }
    /** What the status bar says (tests). */
    QString statusText() const;

Q_SIGNALS:
    /** Following started (or could not: `error`), or stopped. */
    void stateChanged(const QString &error);

private:
    void launch(const QByteArray &password, const QString &since);
    /** Waits until the followers stop() let go are deleted. */
    void waitStopped();
    void started(const QString &error);
    void copied(qint64 changes, double lagMs);
    void connectionChanged(bool up, const QString &message);
    void failed(const QString &message);
    void refreshStatus();

    QMainWindow *m_window;
    ReceiverController *m_receiver;
    std::function<SecretStore *()> m_keychain;
    EventStore *m_capture = nullptr;
    QAction *m_action;
    QLabel *m_status;
    QString m_url;
    bool m_atStartup = false;
    QThread m_thread;
    PgFollower *m_follower = nullptr; ///< lives in m_thread
    quint64 m_launches = 0; ///< which follower an answer from m_thread is about
    std::shared_ptr<QSemaphore> m_gone = std::make_shared<QSemaphore>(); ///< released as each stopped one is deleted
    int m_stopping = 0; ///< followers stopped, their deletion not waited for yet
    qint64 m_copied = 0;
    double m_lagMs = -1;
    bool m_up = true;
    qint64 m_statusShownAtMs = 0;
    BannerSlot m_banner; ///< what following last said in the banner
};

} // namespace pimscope::ui
