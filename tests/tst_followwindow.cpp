// Following a server's PostgreSQL store from the window (offscreen), against a real PostgreSQL (a throwaway cluster)
// and the real keychain (a private gnome-keyring): Capture > Follow a server… asks for the URL and the password (kept
// in the keychain), the server's deliveries become rows, what is committed later follows, the status bar names the
// server, what was copied and the lag; a server that goes away is said in the banner, taken back when it returns; a
// database that is no Pimscope store is said; the choice is remembered and followed when the window starts; stopping
// does not wait for a server that does not answer (what the follower waits for there is cancelled).

#include "pgcluster.h"
#include "screenshots.h"
#include "windowfixture.h"

#include "followcontroller.h"
#include "followdialog.h"

#include <QApplication>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QElapsedTimer>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTimer>

using namespace pimscope;
using namespace pimscope::test;

class TestFollowWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void followFromTheMenu();
    void serverLostInTheBanner();
    void notAStoreSaid();
    void stopDoesNotWaitForTheServer();
    void rememberedAndFollowedAtStart();
    void dialogReadsTheUrl();

private:
    QString createFilled(const QString &name, int n);
    static ui::FollowController *controller(const QObject &window)
    {
        return part<ui::FollowController>(window, "followController");
    }
    /** The rows of the events table (one event a delivery here). */
    static qsizetype deliveryRows(const QObject &window) { return eventsModel(window)->matchCount(); }

    PgCluster m_cluster;
};

void TestFollowWindow::initTestCase()
{
    QString error;
    QVERIFY2(m_cluster.start(&error), qPrintable(error));
    qunsetenv("PGPASSWORD");
}

void TestFollowWindow::cleanupTestCase()
{
    m_cluster.stop();
}

void TestFollowWindow::init()
{
    QSettings().clear();
}

QString TestFollowWindow::createFilled(const QString &name, int n)
{
    QString error;
    if (!m_cluster.createDatabase(name, &error) || !fillPgStore(m_cluster, name, n, 0, &error))
        qFatal("%s", qPrintable(error));
    return m_cluster.url(name);
}

void TestFollowWindow::followFromTheMenu()
{
    const QString url = createFilled(QStringLiteral("menu"), 40);
    WindowFixture fixture;
    // The dialog, filled in as a person would: the URL and the password (which goes to the keychain).
    QTimer::singleShot(100, this, [url] {
        auto *dialog = qobject_cast<ui::FollowDialog *>(QApplication::activeModalWidget());
        QVERIFY(dialog);
        part<QLineEdit>(*dialog, "followUrl")->setText(url);
        part<QLineEdit>(*dialog, "followPassword")->setText(QString::fromLatin1(PgCluster::kPassword));
        dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
    });
    part<QAction>(fixture.window, "followAction")->trigger();
    QVERIFY(controller(fixture.window)->following());
    QVERIFY(part<QAction>(fixture.window, "followAction")->isChecked());
    QTRY_COMPARE_WITH_TIMEOUT(deliveryRows(fixture.window), 40, 15000);
    // What the server's receivers commit later follows within a second or so.
    QString error;
    QVERIFY2(fillPgStore(m_cluster, QStringLiteral("menu"), 5, 0, &error), qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(deliveryRows(fixture.window), 45, 5000);
    auto *status = part<QLabel>(fixture.window, "followStatus");
    QTRY_VERIFY(status->text().contains(QStringLiteral(" · 45 copied · lag ")));
    QVERIFY2(status->text().startsWith(QStringLiteral("Following 127.0.0.1:%1/menu").arg(m_cluster.port())),
             qPrintable(status->text()));
    QVERIFY(status->isVisible());
    // The copied deliveries are the capture's like any: counted in the status bar and the diagnostics (stale here:
    // their events are six days old).
    const auto counted = [&fixture] {
        const QList<QLabel *> labels = fixture.window.statusBar()->findChildren<QLabel *>();
        return std::any_of(labels.cbegin(), labels.cend(), [](const QLabel *l) {
            return l->text().startsWith(QStringLiteral("45 events · 45 deliveries"));
        });
    };
    QTRY_VERIFY_WITH_TIMEOUT(counted(), 15000);
    saveScreenshot(fixture.window, "follow.png");
    // Remembered: the URL in the settings, the password in the keychain (never in the settings).
    QSettings stored;
    QCOMPARE(stored.value(QStringLiteral("follow/url")).toString(), url);
    for (const QString &key : stored.allKeys())
        QVERIFY(!stored.value(key).toString().contains(QLatin1StringView(PgCluster::kPassword)));

    // Unchecked: it stops.
    part<QAction>(fixture.window, "followAction")->trigger();
    QVERIFY(!controller(fixture.window)->following());
    QVERIFY(!status->isVisible());
}

void TestFollowWindow::serverLostInTheBanner()
{
    const QString url = createFilled(QStringLiteral("lost"), 3);
    qputenv("PGPASSWORD", PgCluster::kPassword);
    WindowFixture fixture;
    controller(fixture.window)->setChoice(url, false);
    controller(fixture.window)->start();
    QTRY_COMPARE_WITH_TIMEOUT(deliveryRows(fixture.window), 3, 15000);
    auto *banner = part<QLabel>(fixture.window, "banner");
    m_cluster.stop();
    QVERIFY(QTest::qWaitFor([&] { return banner->isVisible(); }, 10000));
    QVERIFY2(banner->text().contains(QStringLiteral("The followed server cannot be read")), qPrintable(banner->text()));
    QTRY_VERIFY(part<QLabel>(fixture.window, "followStatus")->text().contains(QStringLiteral("disconnected")));
    saveScreenshot(fixture.window, "follow-disconnected.png");
    QString error;
    QVERIFY2(m_cluster.startServer(&error), qPrintable(error));
    QVERIFY(QTest::qWaitFor([&] { return !banner->isVisible(); }, 15000));
    QVERIFY2(fillPgStore(m_cluster, QStringLiteral("lost"), 2, 0, &error), qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(deliveryRows(fixture.window), 5, 10000);
    qunsetenv("PGPASSWORD");
}

void TestFollowWindow::notAStoreSaid()
{
    QString error;
    QVERIFY2(m_cluster.createDatabase(QStringLiteral("nothing"), &error), qPrintable(error));
    qputenv("PGPASSWORD", PgCluster::kPassword);
    WindowFixture fixture;
    QSignalSpy state(controller(fixture.window), &ui::FollowController::stateChanged);
    controller(fixture.window)->setChoice(m_cluster.url(QStringLiteral("nothing")), false);
    controller(fixture.window)->start();
    QTRY_VERIFY(!state.isEmpty() && !state.last().at(0).toString().isEmpty());
    QVERIFY2(state.last().at(0).toString().contains(QStringLiteral("is not a Pimscope store yet")),
             qPrintable(state.last().at(0).toString()));
    auto *banner = part<QLabel>(fixture.window, "banner");
    QVERIFY(banner->isVisible());
    QVERIFY2(banner->text().contains(QStringLiteral("Cannot follow")), qPrintable(banner->text()));
    QVERIFY(!controller(fixture.window)->following());
    QVERIFY(!part<QAction>(fixture.window, "followAction")->isChecked());
    qunsetenv("PGPASSWORD");
}

void TestFollowWindow::stopDoesNotWaitForTheServer()
{
    const QString database = QStringLiteral("hangs");
    const QString url = createFilled(database, 3);
    qputenv("PGPASSWORD", PgCluster::kPassword);
    WindowFixture fixture;
    controller(fixture.window)->setChoice(url, false);
    controller(fixture.window)->start();
    QTRY_COMPARE_WITH_TIMEOUT(deliveryRows(fixture.window), 3, 15000);
    // The server's table locked by another session: the follower's next read waits for it, as long as it is held.
    const auto lock = m_cluster.session(database);
    QVERIFY(lock->waitForStarted());
    lock->write("BEGIN; LOCK TABLE deliveries IN ACCESS EXCLUSIVE MODE; SELECT 'locked';\n");
    QVERIFY(QTest::qWaitFor([&] { return lock->readAll().contains("locked") || !lock->isOpen(); }, 10000));
    QString error;
    QVERIFY2(m_cluster.psql(database, QStringLiteral("SELECT pg_notify('pimscope_changes', '4')"), &error),
             qPrintable(error));
    const auto waitingForTheLock = [&] {
        QString count;
        QString failed;
        m_cluster.psql(database,
                       QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                      "AND datname = '%1'")
                           .arg(database),
                       &failed, &count);
        return count.toInt();
    };
    QTRY_COMPARE_WITH_TIMEOUT(waitingForTheLock(), 1, 10000);
    // Unchecked: the window stops following at once, and the server is told to cancel what the follower waits for.
    QElapsedTimer stopping;
    stopping.start();
    part<QAction>(fixture.window, "followAction")->trigger();
    QVERIFY2(stopping.elapsed() < 1000, qPrintable(QString::number(stopping.elapsed())));
    QVERIFY(!controller(fixture.window)->following());
    QVERIFY(!part<QLabel>(fixture.window, "followStatus")->isVisible());
    QTRY_COMPARE_WITH_TIMEOUT(waitingForTheLock(), 0, 5000);
    QVERIFY(!part<QLabel>(fixture.window, "banner")->isVisible()); // a cancelled read is no lost server
    lock->write("ROLLBACK;\n");
    lock->closeWriteChannel();
    QVERIFY(lock->waitForFinished(10000));
    // Following again copies what came meanwhile.
    QVERIFY2(fillPgStore(m_cluster, database, 2, 0, &error), qPrintable(error));
    controller(fixture.window)->start();
    QTRY_COMPARE_WITH_TIMEOUT(deliveryRows(fixture.window), 5, 15000);
    qunsetenv("PGPASSWORD");
}

void TestFollowWindow::rememberedAndFollowedAtStart()
{
    // The password of "menu" is in the keychain since followFromTheMenu; the choice in the settings.
    const QString url = m_cluster.url(QStringLiteral("menu"));
    QSettings stored;
    stored.setValue(QStringLiteral("follow/url"), url);
    stored.setValue(QStringLiteral("follow/atStartup"), true);
    stored.sync();
    WindowFixture fixture;
    QTRY_COMPARE_WITH_TIMEOUT(deliveryRows(fixture.window), 45, 15000);
    QVERIFY(controller(fixture.window)->following());
}

void TestFollowWindow::dialogReadsTheUrl()
{
    ui::FollowDialog dialog(QString(), false);
    auto *ok = dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    auto *verdict = part<QLabel>(dialog, "followVerdict");
    QVERIFY(!ok->isEnabled());
    part<QLineEdit>(dialog, "followUrl")->setText(QStringLiteral("postgresql://capture:secret@db.example.com/pim"));
    QVERIFY(!ok->isEnabled());
    QVERIFY2(verdict->text().contains(QStringLiteral("no password in the URL")), qPrintable(verdict->text()));
    part<QLineEdit>(dialog, "followUrl")->setText(QStringLiteral("postgresql://capture@db.example.com/pim"));
    QVERIFY(ok->isEnabled());
    QVERIFY2(verdict->text().contains(QStringLiteral("postgresql:capture@db.example.com:5432/pim")),
             qPrintable(verdict->text()));
    part<QLineEdit>(dialog, "followSince")->setText(QStringLiteral("last week"));
    QVERIFY(!ok->isEnabled());
    part<QLineEdit>(dialog, "followSince")->setText(QStringLiteral("2026-12-01T00:00:00Z"));
    QVERIFY(ok->isEnabled());
    dialog.resize(700, dialog.sizeHint().height());
    dialog.show();
    saveScreenshot(dialog, "follow-dialog.png");
}

QTEST_MAIN(TestFollowWindow)
#include "tst_followwindow.moc"
