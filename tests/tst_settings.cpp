// The settings: AppSettings in QSettings, the dialog, and the window applying them (the receiver's answers, its
// secrets through the real keychain, the own author, the colouring rules, the theme).
#include "screenshots.h"
#include "testutil.h"
#include "windowfixture.h"

#include "chartsview.h"
#include "filter/filter.h"
#include "mainwindow.h"
#include "models/eventtablemodel.h"
#include "receiver/keychainrules.h"
#include "receiver/signatureverifier.h"
#include "replaydialog.h"
#include "secrets/keychainsecretstore.h"
#include "settings/appsettings.h"
#include "settings/replaychoices.h"
#include "settingsdialog.h"
#include "signing/hmac.h"
#include "store/eventstore.h"
#include "store/storereader.h"
#include "theme.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPalette>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace pimscope;
using namespace pimscope::test;

namespace {

/** POSTs `body` signed with `secret` as Akeneo signs (empty secret: unsigned); returns the answer's status. */
int post(quint16 port, const QByteArray &body, const QByteArray &secret)
{
    QByteArray headers;
    if (!secret.isEmpty()) {
        const QByteArray ts = QByteArray::number(QDateTime::currentSecsSinceEpoch());
        headers = "X-Akeneo-Request-Timestamp: " + ts
            + "\r\nX-Akeneo-Request-Signature: " + akeneoSignature(secret, ts, body) + "\r\n";
    }
    return postTo(port, body, "/hook", headers);
}

AppSettings edited()
{
    AppSettings s;
    s.listen = QStringLiteral("127.0.0.1:0");
    s.answerStatus = 202;
    s.answerDelayMs = 5;
    s.maxBodyBytes = 2 * 1024 * 1024;
    s.acceptInvalidSignature = false;
    s.secretRules = {KeychainRule{"/", SecretKind::Akeneo, {QStringLiteral("tst-settings-akeneo")}},
                     KeychainRule{"/ep", SecretKind::EventPlatform, {QStringLiteral("ep-1"), QStringLiteral("ep-2")}}};
    s.secretHeaders = {QStringLiteral("X-Api-Key"), QStringLiteral("X-Auth-Token")};
    s.selfAuthor = QStringLiteral("julia");
    s.retention = Retention{30, 512 * 1024 * 1024};
    s.theme = Theme::Dark;
    s.colourRules = {ColourRule{QStringLiteral("author_type == api"), QStringLiteral("#64b5f6")}};
    return s;
}

} // namespace

class TestSettings : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void defaultsAreLoopback();
    void roundTripThroughQSettings();
    void replayChoicesAreTyped();
    void problemsAreNamed();
    void dialogEditsAndRefusesInvalid();
    void windowAppliesSettingsAndSecrets();
    void colouringRulesColourRows();
    void darkAndLightThemes();
};

void TestSettings::init()
{
    QSettings().clear();
}

void TestSettings::replayChoicesAreTyped()
{
    // Nothing stored: the defaults (unsigned, as fast as possible, rebatched by 10, 500 ms).
    QSettings stored;
    const ReplayChoices defaults = ReplayChoices::load(stored);
    QCOMPARE(defaults, ReplayChoices());
    QCOMPARE(defaults.secretSource, ReplayChoices::SecretSource::None);
    QCOMPARE(defaults.timeoutMs, 500);

    // Every choice comes back as it was saved, but a password the URL carried.
    ReplayChoices c;
    c.url = QStringLiteral("https://user:pw-never-saved@connector.example/hooks");
    c.secretSource = ReplayChoices::SecretSource::Environment;
    c.secretName = QStringLiteral("AKENEO_SECRET");
    c.timeoutMs = 5000;
    c.asReceived = true;
    c.batchSize = 3;
    c.pacing = ReplayChoices::Pacing::PerHour;
    c.rate = 4000;
    c.concurrency = 4;
    c.order = 2;
    c.seed = 42;
    c.duplicatesPercent = 12.5;
    c.save(stored);
    QVERIFY(!stored.allKeys().join(u' ').contains(QStringLiteral("insecure")));
    QVERIFY(!stored.value(QStringLiteral("replay/url")).toString().contains(QStringLiteral("pw-never-saved")));
    ReplayChoices expected = c;
    expected.url = QStringLiteral("https://connector.example/hooks");
    QCOMPARE(ReplayChoices::load(stored), expected);

    // The dialog shows what was remembered, and what it shows is what it remembers.
    {
        ui::ReplayDialog dialog(nullptr, nullptr, nullptr);
        QCOMPARE(dialog.choices(), expected);
    }

    // A hand-edited file: values out of range fall back to the defaults instead of picking a wrong list entry.
    stored.setValue(QStringLiteral("replay/secretSource"), 7);
    stored.setValue(QStringLiteral("replay/pacing"), QStringLiteral("fast"));
    stored.setValue(QStringLiteral("replay/batchSize"), -4);
    const ReplayChoices odd = ReplayChoices::load(stored);
    QCOMPARE(odd.secretSource, ReplayChoices::SecretSource::None);
    QCOMPARE(odd.pacing, ReplayChoices::Pacing::AsFastAsPossible);
    QCOMPARE(odd.batchSize, 1);
}

void TestSettings::defaultsAreLoopback()
{
    // The window's receiver listens on the loopback unless told otherwise (docs/SECURITY.md §1).
    const AppSettings defaults;
    QCOMPARE(defaults.listen, QStringLiteral("127.0.0.1:8787"));
    QSettings empty(QTemporaryDir().filePath(QStringLiteral("none.ini")), QSettings::IniFormat);
    QCOMPARE(AppSettings::load(empty).listen, QStringLiteral("127.0.0.1:8787"));
    const auto receiver = defaults.receiverSettings();
    QVERIFY2(receiver, qPrintable(receiver.error()));
    QVERIFY(receiver->signatures.secretHeaders.isEmpty());
    // Secret header names given in the settings reach the receiver's redaction.
    AppSettings named;
    named.secretHeaders = {QStringLiteral("X-Api-Key")};
    QCOMPARE(named.receiverSettings()->signatures.secretHeaders, QList<QByteArray>{"X-Api-Key"});
    QVERIFY(!receiver->tls.has_value());
    QVERIFY(!receiver->acceptInvalidSignature);
}

void TestSettings::roundTripThroughQSettings()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("s.ini"));
    {
        QSettings s(file, QSettings::IniFormat);
        QCOMPARE(AppSettings::load(s), AppSettings()); // nothing stored: the defaults
        edited().save(s);
    }
    QSettings s(file, QSettings::IniFormat);
    QCOMPARE(AppSettings::load(s), edited());
    // Names only: no secret value is ever in the settings.
    QCOMPARE(
        s.value(QStringLiteral("receiver/secretRules")).toStringList(),
        QStringList({QStringLiteral("/=akeneo:tst-settings-akeneo"), QStringLiteral("/ep=event-platform:ep-1,ep-2")}));
    QCOMPARE(parseKeychainRule(QStringLiteral("/x=quable:q")).value(),
             (KeychainRule{"/x", SecretKind::Quable, {QStringLiteral("q")}}));
}

void TestSettings::problemsAreNamed()
{
    AppSettings s;
    QVERIFY(s.problems().isEmpty());
    s.listen = QStringLiteral("nowhere");
    s.answerStatus = 42;
    s.tlsCertificate = QStringLiteral("/nonexistent/cert.pem");
    s.colourRules = {ColourRule{QStringLiteral("action =="), QStringLiteral("#ff0000")},
                     ColourRule{QStringLiteral("origin == log"), QStringLiteral("red")}};
    s.secretHeaders = {QStringLiteral("X-Fine"), QStringLiteral("Not: a name")};
    const QString all = s.problems().join(u'\n');
    QVERIFY2(all.contains(QStringLiteral("Secret header 'Not: a name'")) && !all.contains(QStringLiteral("'X-Fine'")),
             qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("'nowhere'")), qPrintable(all));
    QVERIFY(all.contains(QStringLiteral("100 to 599")));
    QVERIFY(all.contains(QStringLiteral("both a certificate and its key")));
    QVERIFY(all.contains(QStringLiteral("Colouring rule 'action =='")));
    QVERIFY(all.contains(QStringLiteral("#rrggbb, not 'red'")));
    QVERIFY(!s.receiverSettings());

    AppSettings tls;
    tls.tlsCertificate = QStringLiteral("/nonexistent/cert.pem");
    tls.tlsKey = QStringLiteral("/nonexistent/key.pem");
    const auto r = tls.receiverSettings();
    QVERIFY(!r);
    QVERIFY2(r.error().contains(QStringLiteral("/nonexistent/cert.pem")), qPrintable(r.error()));
}

void TestSettings::dialogEditsAndRefusesInvalid()
{
    ui::SettingsDialog dialog(edited());
    QCOMPARE(dialog.settings(), edited()); // shown as they are
    QCOMPARE(dialog.secretsTable()->rowCount(), 3); // the Event Platform's two secrets are two rows
    QVERIFY(dialog.newSecrets().isEmpty());

    auto *risks = dialog.findChild<QLabel *>(QStringLiteral("answerRisks"));
    QVERIFY(risks);
    QVERIFY(risks->text().isEmpty()); // 200 at once endangers no sender
    dialog.statusSpin()->setValue(503);
    dialog.delaySpin()->setValue(700);
    // Said while chosen: a 503 is a failure for every sender, and what each does about it.
    const QStringList lines = risks->text().split(u'\n');
    QCOMPARE(lines.size(), 3);
    QVERIFY2(lines[0].startsWith(QStringLiteral("Akeneo Events API: 503 is a failure")), qPrintable(lines[0]));
    QVERIFY2(lines[2].contains(QStringLiteral("the webhook is disabled after the 3rd request")), qPrintable(lines[2]));
    // Quable always answered 2xx: no longer endangered.
    dialog.alwaysSucceedBox(Format::Quable)->setChecked(true);
    QCOMPARE(risks->text().split(u'\n').size(), 2);
    QVERIFY(!risks->text().contains(QStringLiteral("Quable")));
    dialog.selfAuthorEdit()->setText(QStringLiteral("  connector "));
    dialog.addSecretRow(QStringLiteral("/quable"), 3, QStringLiteral("quable-auth"), QStringLiteral("Bearer xyz"));
    dialog.keepDaysSpin()->setValue(0);
    dialog.themeBox()->setCurrentIndex(1);
    dialog.addColourRow(QStringLiteral("flag:self"), QStringLiteral("#9e9e9e"));
    QCOMPARE(dialog.secretHeadersEdit()->text(), QStringLiteral("X-Api-Key, X-Auth-Token"));
    dialog.secretHeadersEdit()->setText(QStringLiteral(" X-Api-Key ,, X-Session "));
    const AppSettings s = dialog.settings();
    QCOMPARE(s.secretHeaders, QStringList({QStringLiteral("X-Api-Key"), QStringLiteral("X-Session")}));
    QCOMPARE(s.answerStatus, 503);
    QCOMPARE(s.answerDelayMs, 700);
    QCOMPARE(s.alwaysSucceedFor, QStringList{QStringLiteral("quable")});
    QCOMPARE(s.receiverSettings()->alwaysSucceedFor, QList<Format>{Format::Quable});
    QCOMPARE(s.selfAuthor, QStringLiteral("connector"));
    QCOMPARE(s.secretRules.last(), (KeychainRule{"/quable", SecretKind::Quable, {QStringLiteral("quable-auth")}}));
    QCOMPARE(s.retention.keepDays, 0);
    QCOMPARE(s.theme, Theme::Light);
    QCOMPARE(s.colourRules.size(), 2);
    QCOMPARE(dialog.newSecrets(), (QHash<QString, QByteArray>{{QStringLiteral("quable-auth"), "Bearer xyz"}}));
    // The value is masked.
    auto *value = qobject_cast<QLineEdit *>(dialog.secretsTable()->cellWidget(3, 3));
    QVERIFY(value);
    QCOMPARE(value->echoMode(), QLineEdit::Password);

    // Invalid: OK is refused with the problem named, and works once it is fixed.
    dialog.show();
    saveScreenshot(dialog, "settings.png");
    dialog.listenEdit()->setText(QStringLiteral("localhost:notaport"));
    dialog.accept();
    QVERIFY(dialog.isVisible());
    QVERIFY(dialog.result() != QDialog::Accepted);
    QVERIFY(dialog.problemsLabel()->text().contains(QStringLiteral("localhost:notaport")));
    dialog.listenEdit()->setText(QStringLiteral("127.0.0.1:9999"));
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
}

void TestSettings::windowAppliesSettingsAndSecrets()
{
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("c.db"));
    const QByteArray body = sample("akeneo_batch_example.json");
    const QString name = QStringLiteral("tst-settings-akeneo-%1").arg(QCoreApplication::applicationPid());
    {
        ui::MainWindow window(db, QHostAddress::LocalHost, 0);
        window.show();
        QVERIFY(window.receiver());
        QCOMPARE(post(quint16(QUrl(window.shownUrl()).port()), body, {}), 200); // no secret: unchecked

        AppSettings s;
        s.listen = QStringLiteral("127.0.0.1:0");
        s.answerStatus = 202;
        s.selfAuthor = QStringLiteral("julia");
        s.secretRules = {KeychainRule{"/", SecretKind::Akeneo, {name}}};
        s.secretHeaders = {QStringLiteral("X-Api-Key")};
        QSignalSpy changed(&window, &ui::MainWindow::receiverChanged);
        window.applySettings(s, {{name, "s3cret-from-the-dialog"}});
        // The value goes to the keychain, then the receiver restarts with it read back.
        QTRY_VERIFY_WITH_TIMEOUT(window.receiver() && !window.readingSecrets(), 15000);
        const quint16 port = quint16(QUrl(window.shownUrl()).port());
        QCOMPARE(post(port, body, "s3cret-from-the-dialog"), 202);
        QCOMPARE(post(port, body, "another secret"), 401);
        QCOMPARE(post(port, body, {}), 401);
        // A header named secret in the settings is stored redacted.
        QCOMPARE(postTo(port, "", "/hook", "X-Api-Key: api-key-from-a-connector\r\n"), 202);
        QCOMPARE(window.settings(), s);
    }
    for (const QString &file : QDir(dir.path()).entryList(QDir::Files))
        QVERIFY2(!readFile(dir.filePath(file)).contains("api-key-from-a-connector"), qPrintable(file));
    // Stored: the name in the settings, the value in the keychain only.
    QSettings stored;
    stored.sync();
    QFile file(stored.fileName());
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray ini = file.readAll();
    QVERIFY(ini.contains(name.toUtf8()));
    QVERIFY(!ini.contains("s3cret"));
    {
        KeychainSecretStore keychain;
        QSignalSpy read(&keychain, &SecretStore::secretRead);
        keychain.read(name);
        QVERIFY(read.wait(10000));
        QCOMPARE(read[0][1].toByteArray(), QByteArray("s3cret-from-the-dialog"));
    }
    // The own author flagged the capture's events.
    {
        auto store = EventStore::open(db);
        QVERIFY(store);
        QCOMPARE(store.value()->reader().selfAuthor().value(), QStringLiteral("julia"));
        const auto stats = store.value()->reader().statistics();
        QVERIFY(stats);
        QCOMPARE(stats->byFlag.value(QStringLiteral("self")), 2 * 4); // julia's two events of each POST stored
        const auto ids = store.value()->reader().matchingIds(Filter::parse(QStringLiteral("method == POST")),
                                                             FilterTarget::Deliveries);
        const auto deliveries = store.value()->reader().deliveries(*ids);
        QVERIFY(headerValue(deliveries->last().headers, "X-Api-Key").startsWith("[redacted sha256:"));
    }

    // A new window reads the secret without blocking: it is shown, then the receiver starts.
    ui::MainWindow again(db, QHostAddress::LocalHost, 0);
    QVERIFY(again.readingSecrets());
    QVERIFY(!again.receiver());
    again.show();
    QTRY_VERIFY_WITH_TIMEOUT(again.receiver() != nullptr, 15000);
    const quint16 port = quint16(QUrl(again.shownUrl()).port());
    QCOMPARE(post(port, body, "s3cret-from-the-dialog"), 202);
    QCOMPARE(post(port, body, "wrong"), 401);

    // A secret missing from the keychain: the receiver still captures, and the window says which check is off.
    AppSettings missing = again.settings();
    missing.secretRules = {KeychainRule{"/", SecretKind::Akeneo, {name + QStringLiteral("-never-stored")}}};
    again.applySettings(missing);
    QTRY_VERIFY_WITH_TIMEOUT(again.receiver() && !again.readingSecrets(), 15000);
    QCOMPARE(post(quint16(QUrl(again.shownUrl()).port()), body, "anything"), 202);
    bool shown = false;
    for (QLabel *label : again.findChildren<QLabel *>())
        shown = shown || (label->isVisible() && label->text().contains(QStringLiteral("never-stored")));
    QVERIFY(shown);
    KeychainSecretStore keychain;
    QSignalSpy removed(&keychain, &SecretStore::secretRemoved);
    keychain.remove(name);
    QVERIFY(removed.wait(10000));
}

void TestSettings::colouringRulesColourRows()
{
    WindowFixture fixture(QStringLiteral("c.db"), [](const QString &db) {
        auto store = EventStore::open(db);
        QVERIFY(store);
        store.value()->enqueue(receivedDelivery(sample("akeneo_batch_example.json"), iso("2026-11-22T10:00:00Z")));
        store.value()->enqueue(receivedDelivery(sample("quable_example.json"), iso("2026-11-22T10:00:01Z")));
        QVERIFY(store.value()->flush());
    });
    ui::MainWindow &window = fixture.window;
    EventTableModel *model = eventsModel(window);
    QTRY_VERIFY(model->rowCount() == 11);
    AppSettings s = window.settings();
    s.colourRules = {ColourRule{QStringLiteral("format == quable"), QStringLiteral("#ab47bc")},
                     ColourRule{QStringLiteral("action == \"product.updated\""), QStringLiteral("#64b5f6")}};
    window.applySettings(s);
    const auto colourOf
        = [&](int row) { return model->data(model->index(row, 0), PagedTableModel::ColourRole).toString(); };
    QTRY_COMPARE(colourOf(10), QStringLiteral("#ab47bc"));
    int updated = 0, none = 0;
    for (int row = 0; row < 10; ++row) {
        const QString action
            = model->data(model->index(row, EventTableModel::Action), PagedTableModel::RawRole).toString();
        const QString colour = colourOf(row);
        QCOMPARE(colour, action == u"product.updated" ? QStringLiteral("#64b5f6") : QString());
        (colour.isEmpty() ? none : updated)++;
    }
    QVERIFY(updated > 0 && none > 0);
    // In order: the first rule that matches wins.
    s.colourRules = {ColourRule{QStringLiteral("origin == receiver"), QStringLiteral("#9e9e9e")}, s.colourRules[0]};
    window.applySettings(s);
    QTRY_COMPARE(colourOf(10), QStringLiteral("#9e9e9e"));
}

void TestSettings::darkAndLightThemes()
{
    auto *app = qobject_cast<QApplication *>(QCoreApplication::instance());
    QVERIFY(app);
    ui::applyTheme(*app, Theme::Dark);
    QVERIFY(ui::isDarkPalette());
    QVERIFY(QApplication::palette().color(QPalette::Base).lightness() < 80);
    if (!qEnvironmentVariableIsEmpty("PIMSCOPE_SCREENSHOTS")) {
        // The demo capture in the dark theme, with a colouring rule for the connector's own API writes.
        WindowFixture fixture;
        ui::MainWindow &window = fixture.window;
        QVERIFY(window.loadDemo());
        AppSettings s = window.settings();
        s.colourRules = {ColourRule{QStringLiteral("author_type == api && action == \"product.created\""),
                                    QStringLiteral("#26a69a")}};
        window.applySettings(s);
        QTRY_VERIFY(eventsModel(window)->rowCount() > 100);
        captureTable(window)->selectRow(9);
        QTest::qWait(2500); // the diagnostics and the status bar follow within a second or two
        saveScreenshot(window, "dark.png");
        // The charts in the dark theme.
        chartsAction(window)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(chartsView(window)->charts().bucketCount() > 0, 10000);
        QTest::qWait(300);
        saveScreenshot(*chartsView(window), "charts-dark.png");
    }
    ui::applyTheme(*app, Theme::Light);
    QVERIFY(!ui::isDarkPalette());
    ui::applyTheme(*app, Theme::System);
}

QTEST_MAIN(TestSettings)
#include "tst_settings.moc"
