// The tunnel in the window (offscreen): started from the toolbar, its URL checked end to end through the stand-in's
// edge, shown in the toolbar and the Tunnel panel with where to paste it, a signed delivery arriving through it as a
// row; a URL that changes and a program that is missing said in the banner; the choice remembered and the tunnel
// started with the window when asked; the settings dialog reading the spec as typed, and ngrok's authtoken going to
// the real keychain (a private gnome-keyring) and from there into ngrok's environment.

#include "screenshots.h"
#include "windowfixture.h"

#include "net/httpconnection.h"
#include "tunnelcontroller.h"
#include "tunneldialog.h"

#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QFile>
#include <QGuiApplication>
#include <QSettings>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTimer>

using namespace pimscope;
using namespace pimscope::test;

namespace {

QString data(const char *file)
{
    return QStringLiteral(PIMSCOPE_TEST_DATA_DIR "/tunnels/") + QLatin1StringView(file);
}

const QString kQuickUrl = QStringLiteral("https://four-dashed-word-url.trycloudflare.com");

} // namespace

class TestTunnelWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void tunnelFromTheToolbar();
    void changedUrlAndMissingProgramInTheBanner();
    void rememberedAndStartedWithTheWindow();
    void dialogReadsTheSpec();
    void ngrokAuthtokenThroughTheKeychain();

private:
    /** The stand-in prints `output` as the program, playing the service's edge on m_edgePort too. */
    void standIn(const QString &output);
    static void setSpec(const QString &spec, bool atStartup = false)
    {
        QSettings stored;
        stored.setValue(QStringLiteral("tunnel/spec"), spec);
        stored.setValue(QStringLiteral("tunnel/atStartup"), atStartup);
    }
    static bool waitForUrl(const QObject &window, const QString &url)
    {
        return QTest::qWaitFor([&] { return part<QLineEdit>(window, "tunnelUrl")->text() == url; }, 15000);
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    quint16 m_edgePort = 0;
};

void TestTunnelWindow::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    m_edgePort = probe.serverPort();
    probe.close();
    qputenv("PIMSCOPE_STANDIN_LISTEN", QByteArray::number(m_edgePort));
    qputenv("PIMSCOPE_STANDIN_CERT", data("tls/server.pem").toLocal8Bit());
    qputenv("PIMSCOPE_STANDIN_KEY", data("tls/server.key").toLocal8Bit());
    qputenv("PIMSCOPE_STANDIN_RECORD", m_dir->filePath(QStringLiteral("record")).toLocal8Bit());
    qputenv("PIMSCOPE_STANDIN_RUNS", m_dir->filePath(QStringLiteral("runs")).toLocal8Bit());
    // The window's probe goes to the edge, as the internet would route the public name, and trusts the test CA.
    qputenv("PIMSCOPE_TUNNEL_CONNECT_TO", QByteArray("127.0.0.1:" + QByteArray::number(m_edgePort)));
    qputenv("PIMSCOPE_TUNNEL_CA", data("tls/ca.pem").toLocal8Bit());
    for (const char *name : {"PIMSCOPE_STANDIN_STDOUT", "PIMSCOPE_STANDIN_EXIT", "PIMSCOPE_STANDIN_EXIT_AFTER_MS"})
        qunsetenv(name);
    QSettings().clear();
}

void TestTunnelWindow::cleanup()
{
    m_dir.reset();
}

void TestTunnelWindow::standIn(const QString &output)
{
    qputenv("PIMSCOPE_STANDIN_OUTPUT", output.toLocal8Bit());
}

void TestTunnelWindow::tunnelFromTheToolbar()
{
    standIn(data("cloudflared-quick.txt"));
    setSpec(QStringLiteral("cloudflared,program=" PIMSCOPE_TUNNEL_STANDIN));
    WindowFixture fixture;
    auto *dock = part<QDockWidget>(fixture.window, "tunnelDock");
    QVERIFY(!dock->isVisible());
    part<QAction>(fixture.window, "tunnelAction")->trigger();
    QVERIFY(dock->isVisible());
    QVERIFY2(waitForUrl(fixture.window, kQuickUrl),
             qPrintable(part<QPlainTextEdit>(fixture.window, "tunnelLog")->toPlainText()));

    // The URL to give the PIM is the tunnel's, checked end to end: in the toolbar, copied, with where to paste it.
    QCOMPARE(part<QLineEdit>(fixture.window, "publicUrl")->text(), kQuickUrl);
    QCOMPARE(fixture.window.shownUrl(), kQuickUrl);
    const QString status = part<QLabel>(fixture.window, "tunnelStatus")->text();
    QVERIFY2(status.contains(QStringLiteral("Reachable from the internet")), qPrintable(status));
    const QString paste = part<QLabel>(fixture.window, "tunnelPasteWhere")->text();
    for (const char *where : {"Akeneo Events API", "Akeneo Event Platform", "Quable"})
        QVERIFY2(paste.contains(QLatin1StringView(where)), qPrintable(paste));
    part<QPushButton>(fixture.window, "copyTunnelUrl")->click();
    QCOMPARE(QGuiApplication::clipboard()->text(), kQuickUrl);
    const QString log = part<QPlainTextEdit>(fixture.window, "tunnelLog")->toPlainText();
    QVERIFY2(log.contains(QStringLiteral("Registered tunnel connection")), qPrintable(log)); // the program's output
    QVERIFY2(log.contains(QStringLiteral("Public URL %1 (reachable from the internet, ").arg(kQuickUrl)),
             qPrintable(log));

    // A delivery through the public URL (TLS verified as a PIM would) arrives as a row.
    HttpConnection pim(QUrl(kQuickUrl + QStringLiteral("/akeneo")), false);
    pim.setConnectTo(QStringLiteral("127.0.0.1"), m_edgePort);
    QFile ca(data("tls/ca.pem"));
    QVERIFY(ca.open(QIODevice::ReadOnly));
    pim.addCaCertificates(QSslCertificate::fromData(ca.readAll()));
    QSignalSpy answered(&pim, &HttpConnection::answered);
    pim.post({{"Content-Type", "application/json"}}, sample("akeneo_batch_example.json"));
    QVERIFY(answered.wait(10000));
    QCOMPARE(answered.front().front().value<HttpAnswer>().status, std::optional<int>(200));
    EventTableModel *events = eventsModel(fixture.window);
    QVERIFY(QTest::qWaitFor([&] { return events->rowCount() > 0 && events->record(0); }, 10000));
    saveScreenshot(fixture.window, "tunnel.png");

    // Stopped: the program goes, and its URL is no longer the one shown.
    QFile record(m_dir->filePath(QStringLiteral("record")));
    QVERIFY(record.open(QIODevice::ReadOnly));
    const qint64 child = record.readLine().trimmed().toLongLong();
    QVERIFY(QFile::exists(QStringLiteral("/proc/%1").arg(child)));
    part<QAction>(fixture.window, "tunnelAction")->trigger();
    QVERIFY(!part<QAction>(fixture.window, "tunnelAction")->isChecked());
    QVERIFY(part<QLineEdit>(fixture.window, "publicUrl")->text().isEmpty());
    QVERIFY(part<QLineEdit>(fixture.window, "tunnelUrl")->text().isEmpty());
    QVERIFY(fixture.window.shownUrl().startsWith(QStringLiteral("http://127.0.0.1:")));
    QVERIFY(QTest::qWaitFor([&] { return !QFile::exists(QStringLiteral("/proc/%1/exe").arg(child)); }, 3000));
}

void TestTunnelWindow::changedUrlAndMissingProgramInTheBanner()
{
    // Each run prints another quick tunnel URL and dies after a moment: the window says the URL changed.
    QFile runs(m_dir->filePath(QStringLiteral("runs.txt")));
    QFile original(data("cloudflared-quick.txt"));
    QVERIFY(original.open(QIODevice::ReadOnly) && runs.open(QIODevice::WriteOnly));
    runs.write(original.readAll().replace("four-dashed-word-url", "run-{run}"));
    runs.close();
    standIn(runs.fileName());
    qputenv("PIMSCOPE_STANDIN_EXIT", "0");
    qputenv("PIMSCOPE_STANDIN_EXIT_AFTER_MS", "1500");
    setSpec(QStringLiteral("cloudflared,program=" PIMSCOPE_TUNNEL_STANDIN));
    WindowFixture fixture;
    part<QAction>(fixture.window, "tunnelAction")->trigger();
    QVERIFY2(waitForUrl(fixture.window, QStringLiteral("https://run-1.trycloudflare.com")),
             qPrintable(part<QPlainTextEdit>(fixture.window, "tunnelLog")->toPlainText()));
    QVERIFY(waitForUrl(fixture.window, QStringLiteral("https://run-2.trycloudflare.com")));
    auto *banner = part<QLabel>(fixture.window, "banner");
    QVERIFY(QTest::qWaitFor([&] { return banner->isVisible(); }, 5000));
    QVERIFY2(banner->text().contains(QStringLiteral("The tunnel's public URL changed.")), qPrintable(banner->text()));
    QVERIFY2(banner->text().contains(QStringLiteral("https://run-2.trycloudflare.com (was "
                                                    "https://run-1.trycloudflare.com)")),
             qPrintable(banner->text()));
    QVERIFY2(banner->text().contains(QStringLiteral("named cloudflared tunnel")), qPrintable(banner->text()));
    QCOMPARE(fixture.window.shownUrl(), QStringLiteral("https://run-2.trycloudflare.com"));
    saveScreenshot(fixture.window, "tunnel-url-changed.png");
    part<QAction>(fixture.window, "tunnelAction")->trigger();

    // A program that is not there: said in the banner with how to install it; nothing shown as the public URL.
    auto *controller = fixture.window.findChild<ui::TunnelController *>();
    QVERIFY(controller);
    controller->setChoice(QStringLiteral("cloudflared,program=/nonexistent/cloudflared"), false);
    controller->start();
    QVERIFY(
        QTest::qWaitFor([&] { return banner->text().contains(QStringLiteral("The tunnel is not working:")); }, 5000));
    QVERIFY2(banner->text().contains(QStringLiteral("/nonexistent/cloudflared was not found")),
             qPrintable(banner->text()));
    QVERIFY2(banner->text().contains(QStringLiteral("pkg.cloudflare.com")), qPrintable(banner->text()));
    QVERIFY(part<QLineEdit>(fixture.window, "publicUrl")->text().isEmpty());
    // Stopped: what it said is past, and taken back.
    controller->stop();
    QVERIFY(!banner->isVisible());
}

void TestTunnelWindow::rememberedAndStartedWithTheWindow()
{
    standIn(data("cloudflared-quick.txt"));
    setSpec(QStringLiteral("cloudflared,program=" PIMSCOPE_TUNNEL_STANDIN), true);
    WindowFixture fixture;
    QVERIFY(part<QAction>(fixture.window, "tunnelAction")->isChecked());
    QVERIFY(waitForUrl(fixture.window, kQuickUrl));

    // The receiver restarted on another port: the tunnel follows it and the URL is checked again.
    auto *controller = fixture.window.findChild<ui::TunnelController *>();
    const quint16 before = fixture.port();
    QVERIFY(fixture.window.startReceiver(0));
    QVERIFY(QTest::qWaitFor([&] { return controller->keeper() && !controller->keeper()->reachableUrl().isEmpty(); },
                            15000));
    QFile record(m_dir->filePath(QStringLiteral("record")));
    QVERIFY(record.open(QIODevice::ReadOnly));
    const QByteArray args = record.readAll();
    const quint16 now
        = quint16(QUrl(QStringLiteral("http://")
                       + part<QLabel>(fixture.window, "receiverUrl")->text().section(QStringLiteral("http://"), -1))
                      .port(0));
    QVERIFY(now != 0);
    QVERIFY2(before == now || args.contains(QByteArray("http://127.0.0.1:" + QByteArray::number(now))),
             args.constData());
}

void TestTunnelWindow::dialogReadsTheSpec()
{
    ui::TunnelDialog dialog(QString(), false);
    auto *spec = part<QLineEdit>(dialog, "tunnelSpec");
    auto *verdict = part<QLabel>(dialog, "tunnelVerdict");
    auto *token = part<QLineEdit>(dialog, "ngrokAuthtoken");
    QCOMPARE(spec->text(), QStringLiteral("cloudflared")); // the first provider when nothing was chosen
    QVERIFY2(verdict->text().contains(QStringLiteral("a new one at each start")), qPrintable(verdict->text()));
    QVERIFY(token->isHidden());

    spec->setText(QStringLiteral("ssh:example.com"));
    QVERIFY2(verdict->text().contains(QStringLiteral("ssh needs USER@HOST[:PORT]")), qPrintable(verdict->text()));
    QVERIFY(!dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->isEnabled());

    spec->setText(QStringLiteral("ssh:deploy@hooks.example.com,remote-port=9001,url=https://hooks.example.com/"));
    QVERIFY(dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->isEnabled());
    QVERIFY2(verdict->text().contains(QStringLiteral("https://hooks.example.com/</b>, the same at each start")),
             qPrintable(verdict->text()));
    QCOMPARE(part<QComboBox>(dialog, "tunnelProvider")->currentText().left(3), QStringLiteral("SSH"));

    spec->setText(QStringLiteral("ngrok,program=/nonexistent/ngrok"));
    QVERIFY(!token->isHidden());
    QVERIFY2(verdict->text().contains(QStringLiteral("/nonexistent/ngrok was not found")), qPrintable(verdict->text()));
    QVERIFY2(verdict->text().contains(QStringLiteral("https://ngrok.com/download")), qPrintable(verdict->text()));

    // Each provider of the list fills in a spec that reads.
    for (const QString &t : ui::TunnelDialog::templates())
        QVERIFY2(parseTunnelSpec(t), qPrintable(t));
    dialog.resize(760, 300);
    dialog.show();
    spec->setText(QStringLiteral("cloudflared,name=pimscope,hostname=hooks.example.com"));
    QVERIFY(part<QComboBox>(dialog, "tunnelProvider")->currentText().contains(QStringLiteral("named tunnel")));
    saveScreenshot(dialog, "tunnel-settings.png");
}

void TestTunnelWindow::ngrokAuthtokenThroughTheKeychain()
{
    // The dialog's authtoken goes to the keychain (never the settings), and from there to ngrok's environment.
    standIn(data("ngrok-json.txt"));
    qputenv("PIMSCOPE_STANDIN_STDOUT", "1");
    const QByteArray token = "2abcDEFghiJKLmnoPQRstuVWX_6yZabcdefGHIjklMNOpq";
    WindowFixture fixture;
    auto *controller = fixture.window.findChild<ui::TunnelController *>();
    QTimer::singleShot(0, this, [&] {
        auto *dialog = fixture.window.findChild<ui::TunnelDialog *>();
        QVERIFY(dialog);
        part<QLineEdit>(*dialog, "tunnelSpec")->setText(QStringLiteral("ngrok,program=" PIMSCOPE_TUNNEL_STANDIN));
        part<QLineEdit>(*dialog, "ngrokAuthtoken")->setText(QString::fromLatin1(token));
        part<QCheckBox>(*dialog, "tunnelAtStartup")->setChecked(true);
        dialog->accept();
    });
    part<QAction>(fixture.window, "tunnelAction")->trigger(); // no tunnel chosen yet: the dialog first
    QVERIFY(QTest::qWaitFor([&] { return controller->keeper() && controller->keeper()->tunnel().processId() != 0; },
                            15000));
    QVERIFY(QTest::qWaitFor(
        [&] {
            QFile record(m_dir->filePath(QStringLiteral("record")));
            return record.open(QIODevice::ReadOnly)
                && record.readAll().contains(QByteArray("env NGROK_AUTHTOKEN=" + token));
        },
        10000));
    QCOMPARE(controller->spec(), QStringLiteral("ngrok,program=" PIMSCOPE_TUNNEL_STANDIN));
    QVERIFY(controller->atStartup());
    QSettings stored;
    for (const QString &key : stored.allKeys())
        QVERIFY2(!stored.value(key).toString().contains(QString::fromLatin1(token)), qPrintable(key));
    QVERIFY(!part<QPlainTextEdit>(fixture.window, "tunnelLog")->toPlainText().contains(QString::fromLatin1(token)));
    controller->stop();
}

QTEST_MAIN(TestTunnelWindow)
#include "tst_tunnelwindow.moc"
