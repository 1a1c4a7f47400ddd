#include "followcontroller.h"

#include "followdialog.h"
#include "receivercontroller.h"

#include "pgstore/pgfollower.h"
#include "secrets/secretstore.h"
#include "store/eventstore.h"
#include "util/timeutil.h"

#include <QAction>
#include <QDateTime>
#include <QLabel>
#include <QLocale>
#include <QMainWindow>
#include <QSettings>
#include <QStatusBar>

#include <utility>

namespace pimscope::ui {

namespace {

const QString kGroup = QStringLiteral("follow");
const QString kUrlKey = QStringLiteral("url");

} // namespace

FollowController::FollowController(QMainWindow *window, ReceiverController *receiver,
                                   std::function<SecretStore *()> keychain)
    : QObject(window)
    , m_window(window)
    , m_receiver(receiver)
    , m_keychain(std::move(keychain))
    , m_banner(receiver)
{
    const RememberedChoice remembered = RememberedChoice::load(kGroup, kUrlKey);
    m_url = remembered.text;
    m_atStartup = remembered.atStartup;
    setObjectName(QStringLiteral("followController"));
    m_thread.setObjectName(QStringLiteral("follower"));
    m_action = new QAction(QStringLiteral("Follow a server…"), this);
    m_action->setObjectName(QStringLiteral("followAction"));
    m_action->setCheckable(true);
    m_action->setToolTip(QStringLiteral("Copy a server's PostgreSQL store (pimscope receive --store) into this "
                                        "capture as its receivers commit; checked while following"));
    connect(m_action, &QAction::triggered, this, [this](bool) {
        if (following())
            stop();
        else
            showDialog();
        m_action->setChecked(following());
    });
    m_status = new QLabel(window);
    m_status->setObjectName(QStringLiteral("followStatus"));
    m_status->hide();
}

FollowController::~FollowController()
{
    stop();
    waitStopped();
    m_thread.quit();
    m_thread.wait();
}

void FollowController::setCapture(EventStore *capture)
{
    if (capture == m_capture)
        return;
    stop();
    waitStopped();
    m_capture = capture;
}

void FollowController::setChoice(const QString &url, bool atStartup)
{
    m_url = url;
    m_atStartup = atStartup;
    RememberedChoice{url, atStartup}.save(kGroup, kUrlKey);
}

void FollowController::startIfAsked()
{
    if (m_atStartup && !m_url.isEmpty())
        start();
}

void FollowController::start(const QString &since)
{
    if (following() || !m_capture || m_url.isEmpty())
        return;
    const auto target = parsePgTarget(m_url);
    if (!target) {
        started(target.error());
        return;
    }
    if (passwordFromEnvironment()) {
        launch({}, since);
        return;
    }
    // The keychain's password when it keeps one; else libpq's own (PGPASSWORD, ~/.pgpass).
    m_keychain()->readOnce(target->secretName(), this, [this, since](const Result<QByteArray> &password) {
        launch(password ? *password : QByteArray(), since);
    });
}

void FollowController::launch(const QByteArray &password, const QString &since)
{
    if (following() || !m_capture)
        return;
    const auto target = parsePgTarget(m_url);
    if (!target) {
        started(target.error());
        return;
    }
    PgFollower::Options options;
    bool isId = false;
    if (const qint64 id = since.toLongLong(&isId); isId && id > 0)
        options.sinceId = id;
    else if (const auto ms = parseIsoDateTime(QStringView(since)))
        options.sinceMs = *ms;
    m_copied = 0;
    m_lagMs = -1;
    m_up = true;
    m_follower = new PgFollower(m_capture, *target, password, options);
    m_follower->moveToThread(&m_thread);
    if (!m_thread.isRunning())
        m_thread.start();
    // What a follower said before it was stopped may still be queued: only the current one's is shown.
    const quint64 launch = ++m_launches;
    connect(m_follower, &PgFollower::copied, this, [this, launch](qint64 changes, qint64, double lagMs) {
        if (launch == m_launches)
            copied(changes, lagMs);
    });
    connect(m_follower, &PgFollower::caughtUp, this, [this, launch](qint64) {
        if (launch != m_launches)
            return;
        m_lagMs = std::max(m_lagMs, 0.0); // caught up, with nothing to copy yet
        refreshStatus();
    });
    connect(m_follower, &PgFollower::connectionChanged, this, [this, launch](bool up, const QString &message) {
        if (launch == m_launches)
            connectionChanged(up, message);
    });
    connect(m_follower, &PgFollower::failed, this, [this, launch](const QString &message) {
        if (launch == m_launches)
            failed(message);
    });
    PgFollower *follower = m_follower;
    QMetaObject::invokeMethod(
        follower,
        [this, follower, launch] {
            const auto result = follower->start();
            const QString error = result ? QString() : result.error();
            QMetaObject::invokeMethod(
                this,
                [this, error, launch] {
                    if (launch == m_launches && m_follower) // not stopped meanwhile
                        started(error);
                },
                Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
    m_action->setChecked(true);
    refreshStatus();
}

void FollowController::started(const QString &error)
{
    if (error.isNull()) {
        m_banner.clear();
        refreshStatus();
        Q_EMIT stateChanged({});
        return;
    }
    stop();
    m_banner.show(QStringLiteral("<b>Cannot follow %1:</b> %2 (Capture, Follow a server…)")
                      .arg(m_url.toHtmlEscaped(), error.toHtmlEscaped()));
    Q_EMIT stateChanged(error);
}

void FollowController::stop()
{
    if (!m_follower)
        return;
    PgFollower *follower = std::exchange(m_follower, nullptr);
    ++m_launches;
    QObject::disconnect(follower, nullptr, this, nullptr); // nothing more from it is shown
    follower->cancel();
    // Deleted in its own thread, where what it still waits for (the batch in flight, a bulk copy's indexes) is waited
    // for; the window goes on.
    ++m_stopping;
    QMetaObject::invokeMethod(
        follower,
        [follower, gone = m_gone] {
            delete follower;
            gone->release();
        },
        Qt::QueuedConnection);
    m_action->setChecked(false);
    m_banner.clear();
    refreshStatus();
    Q_EMIT stateChanged({});
}

void FollowController::waitStopped()
{
    m_gone->acquire(std::exchange(m_stopping, 0));
}

void FollowController::showDialog()
{
    FollowDialog dialog(m_url, m_atStartup, m_window);
    if (dialog.exec() != QDialog::Accepted)
        return;
    setChoice(dialog.url(), dialog.atStartup());
    if (const QByteArray password = dialog.password(); !password.isEmpty()) {
        if (const auto target = parsePgTarget(m_url))
            m_keychain()->write(target->secretName(), password);
        launch(password, dialog.since());
        return;
    }
    start(dialog.since());
}

void FollowController::copied(qint64 changes, double lagMs)
{
    m_copied += changes;
    m_lagMs = lagMs;
    // A busy server commits hundreds of times a second: the status bar follows four times a second at most.
    if (const qint64 now = QDateTime::currentMSecsSinceEpoch(); now - m_statusShownAtMs >= 250)
        refreshStatus();
}

void FollowController::connectionChanged(bool up, const QString &message)
{
    m_up = up;
    if (up)
        m_banner.clear();
    else
        m_banner.show(QStringLiteral("<b>The followed server cannot be read:</b> %1 — retrying; what its receivers "
                                     "commit meanwhile is copied once it can be.")
                          .arg(message.toHtmlEscaped()));
    refreshStatus();
}

void FollowController::failed(const QString &message)
{
    stop();
    m_banner.show(QStringLiteral("<b>Following stopped:</b> %1").arg(message.toHtmlEscaped()));
}

QString FollowController::statusText() const
{
    return m_status->text();
}

void FollowController::refreshStatus()
{
    m_statusShownAtMs = QDateTime::currentMSecsSinceEpoch();
    if (!m_follower) {
        m_status->clear();
        m_status->hide();
        return;
    }
    const auto target = parsePgTarget(m_url);
    QString text = QStringLiteral("Following %1").arg(target ? target->address() + u'/' + target->database : m_url);
    if (!m_up)
        text += QStringLiteral(" · disconnected, retrying");
    else if (m_lagMs >= 0)
        text += QStringLiteral(" · %1 copied · lag %2 ms")
                    .arg(QLocale().toString(m_copied))
                    .arg(QLocale().toString(qRound64(m_lagMs)));
    else
        text += QStringLiteral(" · connecting");
    m_status->setText(text);
    m_status->setToolTip(m_url);
    m_status->show();
}

} // namespace pimscope::ui
