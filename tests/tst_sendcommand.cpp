// `pimscope send` against a real `pimscope receive` on a loopback port, both signing and checking with secrets of the
// real keychain: every template is taken with a valid signature and stored with the subject it was given; each fault
// is refused with the reason the receiver names; a file's exact bytes arrive; the exit codes.
#include "testutil.h"

#include "compose/eventtemplates.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace pimscope;
using namespace pimscope::test;
using namespace Qt::StringLiterals;

namespace {

const QByteArray akeneoSecret = "3ha6eonoa9icsckw8kccos084w0c0000g08g40oo4kww0gc8w4";
const QByteArray platformSecret = "platform-primary-secret-0123456789";
const QByteArray quableToken = "Bearer quable-token-42";

/** Where each sender's requests go, and the keychain entry it signs with. */
QString pathOf(const QString &sender)
{
    return sender == u"events-api"    ? QStringLiteral("akeneo/hook")
        : sender == u"event-platform" ? QStringLiteral("platform/hook")
                                      : QStringLiteral("quable/hook");
}
QString secretOf(const QString &sender)
{
    return sender == u"events-api"    ? QStringLiteral("send-akeneo")
        : sender == u"event-platform" ? QStringLiteral("send-platform")
                                      : QStringLiteral("send-quable");
}

/** `pimscope send ARGS`, its output as text. */
struct Run
{
    int code = -1;
    QString out;
    QString err;
};

Run send(const QStringList &args)
{
    const PimscopeRun r = runPimscope(QStringList{QStringLiteral("send")} + args, QByteArray(), std::nullopt, 30000);
    return {r.exitCode, QString::fromUtf8(r.out), QString::fromUtf8(r.err)};
}

} // namespace

class TestSendCommand : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void everyTemplateIsTakenAsSigned_data();
    void everyTemplateIsTakenAsSigned();
    void faultsAreRefusedWithTheirReason_data();
    void faultsAreRefusedWithTheirReason();
    void exactBytesArrive();
    void exitCodes_data();
    void exitCodes();

private:
    /** The newest delivery the receiver stored: its signature verdict, headers, body, warnings. */
    QVariantList newestReceived(const QString &columns);
    QTemporaryDir m_dir;
    QProcess m_receiver;
    QString m_url;
    QString m_received;
    QString m_sent;
};

void TestSendCommand::initTestCase()
{
    setSecret(secretOf(QStringLiteral("events-api")), akeneoSecret);
    setSecret(secretOf(QStringLiteral("event-platform")), platformSecret);
    setSecret(secretOf(QStringLiteral("quable")), quableToken);
    m_received = m_dir.filePath(QStringLiteral("received.db"));
    m_sent = m_dir.filePath(QStringLiteral("sent.db"));
    m_url = startReceive(
        m_receiver,
        {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--db"), m_received,
         QStringLiteral("--verify"), QStringLiteral("/akeneo=akeneo:") + secretOf(QStringLiteral("events-api")),
         QStringLiteral("--verify"),
         QStringLiteral("/platform=event-platform:") + secretOf(QStringLiteral("event-platform")),
         QStringLiteral("--verify"), QStringLiteral("/quable=quable:") + secretOf(QStringLiteral("quable"))});
    QVERIFY2(!m_url.isEmpty(), m_receiver.readAllStandardError().constData());
}

void TestSendCommand::cleanupTestCase()
{
    ::kill(pid_t(m_receiver.processId()), SIGTERM);
    QVERIFY(m_receiver.waitForFinished(10000));
}

QVariantList TestSendCommand::newestReceived(const QString &columns)
{
    const auto rows
        = queryCapture(m_received, QStringLiteral("SELECT %1 FROM deliveries ORDER BY id DESC LIMIT 1").arg(columns));
    return rows && !rows->isEmpty() ? rows->first() : QVariantList();
}

void TestSendCommand::everyTemplateIsTakenAsSigned_data()
{
    QTest::addColumn<QString>("key");
    for (const EventTemplate &t : loadTemplates(QString()))
        QTest::newRow(qPrintable(t.key())) << t.key();
}

void TestSendCommand::everyTemplateIsTakenAsSigned()
{
    QFETCH(QString, key);
    const QString sender = key.section(u':', 0, 0);
    const QString eventId
        = QStringLiteral("5e1d0000-0000-4000-8000-%1").arg(qHash(key) % 1000000000000, 12, 10, QChar(u'0'));
    const Run r
        = send({QStringLiteral("--to"), m_url + pathOf(sender), QStringLiteral("--template"), key,
                QStringLiteral("--set"), QStringLiteral("identifier=SEND-1"), QStringLiteral("--set"),
                QStringLiteral("uuid=0f0e0d0c-0b0a-4909-8807-060504030201"), QStringLiteral("--set"),
                QStringLiteral("code=send_model"), QStringLiteral("--set"), QStringLiteral("event_id=") + eventId,
                QStringLiteral("--secret-name"), secretOf(sender), QStringLiteral("--db"), m_sent});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains(QStringLiteral("#1  200  ")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("a success for ")), qPrintable(r.out));
    // Stored by the receiver with a valid signature, its event read to the subject it was given.
    std::optional<QList<QVariantList>> rows;
    QTRY_VERIFY_WITH_TIMEOUT(
        (rows = queryCapture(m_received,
                             QStringLiteral("SELECT d.signature, e.subject_id, e.subject_uuid, d.error FROM events e "
                                            "JOIN deliveries d ON d.id = e.delivery_id WHERE e.event_id = '%1'")
                                 .arg(eventId)))
            && rows->size() == 1,
        5000);
    const QVariantList row = rows->first();
    QCOMPARE(row.at(0).toInt(), 1); // Signature::Valid
    QVERIFY(row.at(3).isNull());
    const bool byCode = key.contains(u"model") || sender == u"quable";
    const bool uuidOnly = key.contains(u"uuid-product") || key.startsWith(u"event-platform:product.");
    if (byCode) {
        QCOMPARE(row.at(1).toString(), QStringLiteral("send_model"));
    } else {
        QCOMPARE(row.at(2).toString(), QStringLiteral("0f0e0d0c-0b0a-4909-8807-060504030201"));
        if (!uuidOnly)
            QCOMPARE(row.at(1).toString(), QStringLiteral("SEND-1"));
    }
}

void TestSendCommand::faultsAreRefusedWithTheirReason_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("fault");
    QTest::addColumn<int>("code"); ///< the command's exit code
    QTest::addColumn<QString>("answer"); ///< in the receiver's answer, as the command prints it
    QTest::addColumn<QString>("stored"); ///< in what the receiver stored: its signature detail, error, warnings
    const auto row = [](const char *key, const char *fault, int code, const char *answer, const char *stored) {
        QTest::newRow(QByteArray(QByteArray(key) + ' ' + fault).constData())
            << QString::fromLatin1(key) << QString::fromLatin1(fault) << code << QString::fromLatin1(answer)
            << QString::fromLatin1(stored);
    };
    row("events-api:product.updated", "invalid-signature", 3, "#1  401", "HMAC mismatch");
    row("events-api:product.updated", "expired", 3, "signature expired: HMAC valid but timestamp", "10 min 0");
    row("events-api:product.updated", "missing-signature", 3, "X-Akeneo-Request-Signature missing",
        "X-Akeneo-Request-Signature missing");
    row("event-platform:product.updated.delta", "invalid-signature", 3, "#1  401", "HMAC mismatch");
    row("event-platform:product.updated", "missing-signature", 3, "#1  401", "X-AKENEO-SIGNATURE-PRIMARY");
    row("quable:document.update", "invalid-signature", 3, "#1  401",
        "Authorization does not match the configured value");
    row("quable:document.update", "missing-signature", 3, "#1  401", "Authorization");
    row("events-api:product.created", "truncated", 3, "#1  400", "JSON");
    // Taken by the receiver (as Akeneo would), what is odd said in what it stored.
    row("events-api:product.created", "oversized-batch", 0, "#1  200",
        "11 events in one request; Akeneo sends at most 10");
    row("quable:media.update", "wrong-content-type", 0, "#1  200", "Content-Type: text/plain");
}

void TestSendCommand::faultsAreRefusedWithTheirReason()
{
    QFETCH(QString, key);
    QFETCH(QString, fault);
    QFETCH(int, code);
    QFETCH(QString, answer);
    QFETCH(QString, stored);
    const QString sender = key.section(u':', 0, 0);
    const qint64 before = newestReceived(QStringLiteral("id")).value(0).toLongLong();
    const Run r = send({QStringLiteral("--to"), m_url + pathOf(sender), QStringLiteral("--template"), key,
                        QStringLiteral("--fault"), fault, QStringLiteral("--secret-name"), secretOf(sender),
                        QStringLiteral("--db"), m_sent});
    QVERIFY2(r.code == code, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains(answer), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("faults: ") + fault), qPrintable(r.out));
    QVariantList last;
    QTRY_VERIFY(
        (last = newestReceived(QStringLiteral("id, signature_detail, error, warnings, headers"))).value(0).toLongLong()
        > before);
    const QString said = last.value(1).toString() + u'\n' + last.value(2).toString() + u'\n' + last.value(3).toString()
        + u'\n' + QString::fromLatin1(last.value(4).toByteArray());
    // (Header names as the receiver's Qt stores them: lowercase on Qt 6.8.)
    QVERIFY2(said.contains(stored, Qt::CaseInsensitive), qPrintable(said));
}

void TestSendCommand::exactBytesArrive()
{
    // A body that is not JSON, with bytes no editor would keep: the receiver stores exactly them.
    static const char raw[] = "{\"events\":[{\"action\":\"product.updated\"\x01 \xff\xfe trailing\r\n";
    QByteArray bytes(raw, sizeof(raw) - 1);
    bytes += QByteArray(1, '\0') + "end";
    const QString file = m_dir.filePath(QStringLiteral("body.bin"));
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
    }
    Run r = send({QStringLiteral("--to"), m_url + QStringLiteral("akeneo/raw"), QStringLiteral("--file"), file,
                  QStringLiteral("--secret-name"), secretOf(QStringLiteral("events-api")), QStringLiteral("--db"),
                  m_sent});
    QCOMPARE(r.code, 3); // the receiver answers 400: not JSON
    QVariantList last;
    QTRY_VERIFY((last = newestReceived(QStringLiteral("body, signature"))).value(0).toByteArray() == bytes);
    QCOMPARE(last.value(1).toInt(), 1); // signed over those exact bytes

    // An event of the capture sent again: its own bytes, in its sender's envelope (one sent here first).
    r = send({QStringLiteral("--to"), m_url + QStringLiteral("akeneo/hook"), QStringLiteral("--template"),
              QStringLiteral("events-api:product_model.updated"), QStringLiteral("--secret-name"),
              secretOf(QStringLiteral("events-api")), QStringLiteral("--db"), m_sent});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    const auto sent = queryCapture(m_sent,
                                   QStringLiteral("SELECT e.id, substr(d.body, e.payload_offset + 1, "
                                                  "e.payload_length) FROM events e JOIN deliveries d ON "
                                                  "d.id = e.delivery_id WHERE d.format = 1 ORDER BY e.id LIMIT 1"));
    QVERIFY(sent && !sent->isEmpty());
    r = send({QStringLiteral("--to"), m_url + QStringLiteral("akeneo/again"), QStringLiteral("--from-event"),
              sent->first().at(0).toString(), QStringLiteral("--secret-name"), secretOf(QStringLiteral("events-api")),
              QStringLiteral("--db"), m_sent});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QTRY_COMPARE(newestReceived(QStringLiteral("body")).value(0).toByteArray(),
                 "{\"events\":[" + sent->first().at(1).toByteArray() + "]}");
    // What was sent is in the capture that sent it, as replays.
    const auto replays
        = queryCapture(m_sent, QStringLiteral("SELECT count(*), min(origin), max(origin) FROM deliveries"));
    QVERIFY(replays->first().at(0).toInt() >= 3);
    QCOMPARE(replays->first().at(1).toInt(), 2); // Origin::Replay
    QCOMPARE(replays->first().at(2).toInt(), 2);
    // Each says what it was made from: the last one that event of the capture, the first ones their template.
    const auto edits = queryCapture(
        m_sent,
        QStringLiteral("SELECT source_event, source_delivery IS NOT NULL, template, hand_edited FROM edits "
                       "ORDER BY delivery_id DESC LIMIT 1"));
    QVERIFY(edits && !edits->isEmpty());
    QCOMPARE(edits->first().at(0).toLongLong(), sent->first().at(0).toLongLong());
    QCOMPARE(edits->first().at(1).toInt(), 1);
    QVERIFY(edits->first().at(2).isNull());
    QCOMPARE(edits->first().at(3).toInt(), 0);
    const auto templated = queryCapture(
        m_sent, QStringLiteral("SELECT count(*) FROM edits WHERE template = 'events-api:product.created'"));
    QVERIFY(templated && templated->first().at(0).toInt() >= 1);
}

void TestSendCommand::exitCodes_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("err");
    const QString to = QStringLiteral("--to");
    const QString url = QStringLiteral("http://127.0.0.1:9/hook");
    const QString tpl = QStringLiteral("--template");
    QTest::newRow("no source") << QStringList{to, url} << 2
                               << u"give one of --template SENDER:TYPE, --file BODY, --from-event ID"_s;
    QTest::newRow("two sources") << QStringList{to, url, tpl, u"quable:document.update"_s, u"--file"_s, u"x"_s} << 2
                                 << u"give one of --template"_s;
    QTest::newRow("no target") << QStringList{tpl, u"quable:document.update"_s} << 2 << u"--to URL is required"_s;
    QTest::newRow("unknown fault") << QStringList{to, url, tpl, u"quable:document.update"_s, u"--fault"_s, u"slow"_s}
                                   << 2 << u"--fault: 'slow' is not one of invalid-signature, expired"_s;
    QTest::newRow("unknown template") << QStringList{to, url, tpl, u"quable:document.move"_s} << 2
                                      << u"--template: no template 'quable:document.move'"_s;
    QTest::newRow("set without template") << QStringList{to, url, u"--file"_s, u"x"_s, u"--set"_s, u"code=1"_s} << 2
                                          << u"--set and --batch fill a template"_s;
    QTest::newRow("batch of one-event sender")
        << QStringList{to, url, tpl, u"quable:document.update"_s, u"--batch"_s, u"3"_s} << 2
        << u"quable sends one event per request"_s;
    QTest::newRow("unreachable") << QStringList{to, url, tpl, u"events-api:product.created"_s} << 1
                                 << u"cannot reach http://127.0.0.1:9/hook"_s;
    QTest::newRow("secret not set")
        << QStringList{to, url, tpl, u"events-api:product.created"_s, u"--secret-env"_s, u"PIMSCOPE_NO_SUCH_SECRET"_s}
        << 1 << u"the environment variable PIMSCOPE_NO_SUCH_SECRET is empty or not set"_s;
    QTest::newRow("expired without a secret")
        << QStringList{to, url, tpl, u"events-api:product.created"_s, u"--fault"_s, u"expired"_s} << 2
        << u"expired signs with a timestamp 10 minutes old"_s;
    QTest::newRow("no such file") << QStringList{to, url, u"--file"_s, u"/nonexistent/body.json"_s} << 1
                                  << u"--file /nonexistent/body.json"_s;
}

void TestSendCommand::exitCodes()
{
    QFETCH(QStringList, args);
    QFETCH(int, code);
    QFETCH(QString, err);
    const Run r = send(args + QStringList{QStringLiteral("--db"), m_sent});
    QVERIFY2(r.code == code, qPrintable(r.out + r.err));
    QVERIFY2(r.err.contains(err), qPrintable(r.err));
}

QTEST_GUILESS_MAIN(TestSendCommand)
#include "tst_sendcommand.moc"
