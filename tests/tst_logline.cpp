// Framing of Akeneo event-subscription log lines (FACTS.md 1.8): date, level, message kind, context; every odd line
// kept whole with its error.
#include "testutil.h"

#include "formats/logline.h"

#include <QTest>

using namespace pimscope;
using namespace pimscope::test;

class TestLogLine : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sampleFile();
    void everyMessageKind_data();
    void everyMessageKind();
    void oddLinesAreKeptWithTheirError_data();
    void oddLinesAreKeptWithTheirError();
    void fileShapes();
};

void TestLogLine::sampleFile()
{
    const QList<LogLine> lines = parseLogFile(sample("akeneo_log_example.log"));
    QCOMPARE(lines.size(), 35);
    QHash<LogMessage, int> kinds;
    for (const LogLine &l : lines) {
        QVERIFY2(l.error.isEmpty(), qPrintable(QStringLiteral("line %1: %2").arg(l.number).arg(l.error)));
        QVERIFY(l.timeMs && l.level);
        ++kinds[l.kind];
    }
    QCOMPARE(kinds.value(LogMessage::RequestSent), 14);
    QCOMPARE(kinds.value(LogMessage::EndpointError), 8);
    QCOMPARE(kinds.value(LogMessage::Timeout), 4);
    QCOMPARE(kinds.value(LogMessage::RateLimit), 3);
    QCOMPARE(kinds.value(LogMessage::SameConnection), 3);
    QCOMPARE(kinds.value(LogMessage::NotSentPermissions), 3);
    QCOMPARE(kinds.value(LogMessage::Unknown), 0);
    const LogLine &first = lines.first();
    QCOMPARE(first.number, 1);
    QCOMPARE(*first.timeMs, iso("2025-03-18T08:00:41Z"));
    QCOMPARE(*first.level, LogLevel::Info);
    QVERIFY(first.context().startsWith("{\"event_subscription_url\""));
    QVERIFY(first.context().endsWith("}"));
    QVERIFY(first.raw.endsWith(first.context()));
}

void TestLogLine::everyMessageKind_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<int>("level");
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("timeout");
    const auto row = [](const char *name, const char *line, LogLevel level, LogMessage kind, int timeout = -1) {
        QTest::newRow(name) << QByteArray(line) << int(level) << int(kind) << timeout;
    };
    row("sent", "2025/03/18 08:00:41 INFO The API event request was sent. {\"status_code\":200}", LogLevel::Info,
        LogMessage::RequestSent);
    row("error", "2025/03/18 08:00:41 ERROR The endpoint returned an error. {\"status_code\":500}", LogLevel::Error,
        LogMessage::EndpointError);
    row("timeout 500", "2025/03/18 08:00:41 ERROR The endpoint failed to answer under 500 ms. {}", LogLevel::Error,
        LogMessage::Timeout, 500);
    row("timeout 1500", "2025/03/18 08:00:41 ERROR The endpoint failed to answer under 1500 ms. {}", LogLevel::Error,
        LogMessage::Timeout, 1500);
    row("timeout without N", "2025/03/18 08:00:41 ERROR The endpoint failed to answer under ms. {}", LogLevel::Error,
        LogMessage::Unknown);
    row("quota, code wording",
        "2025/03/18 08:00:41 WARNING The maximum number of events sent per hour has been reached. []",
        LogLevel::Warning, LogMessage::RateLimit);
    row("quota, docs wording",
        "2025/03/18 08:00:41 WARNING The maximum number of requests per hour has been reached. []", LogLevel::Warning,
        LogMessage::RateLimit);
    row("same connection",
        "2025/03/18 08:00:41 NOTICE The event was not sent because it was raised by the same connection. "
        "{\"event\":{}}",
        LogLevel::Notice, LogMessage::SameConnection);
    row("permissions, exists",
        "2025/03/18 08:00:41 NOTICE The event was not sent because the product does not exists or the connection does "
        "not have the required permissions. {\"event\":{}}",
        LogLevel::Notice, LogMessage::NotSentPermissions);
    row("permissions, exist",
        "2025/03/18 08:00:41 NOTICE The event was not sent because the product does not exist or the connection does "
        "not have the required permissions. {\"event\":{}}",
        LogLevel::Notice, LogMessage::NotSentPermissions);
    row("unknown message", "2025/03/18 08:00:41 INFO Something new happened. []", LogLevel::Info, LogMessage::Unknown);
}

void TestLogLine::everyMessageKind()
{
    QFETCH(QByteArray, line);
    QFETCH(int, level);
    QFETCH(int, kind);
    QFETCH(int, timeout);
    const LogLine l = parseLogLine(line, 7);
    QCOMPARE(l.error, QString());
    QCOMPARE(l.number, 7);
    QCOMPARE(int(*l.level), level);
    QCOMPARE(int(l.kind), kind);
    QCOMPARE(l.timeoutMs.value_or(-1), timeout);
    QCOMPARE(l.raw, line);
}

void TestLogLine::oddLinesAreKeptWithTheirError_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("error");
    QTest::newRow("garbage") << QByteArray("hello world") << QStringLiteral("no date");
    QTest::newRow("bad date") << QByteArray("2025/13/18 08:00:41 INFO x []") << QStringLiteral("no date");
    QTest::newRow("date only") << QByteArray("2025/03/18 08:00:41")
                               << QStringLiteral("expected a space and a level after the date at column 20");
    QTest::newRow("bad level") << QByteArray("2025/03/18 08:00:41 DEBUG x []")
                               << QStringLiteral("expected a level (ERROR, WARNING, NOTICE or INFO) at column 21");
    QTest::newRow("no message") << QByteArray("2025/03/18 08:00:41 INFO") << QStringLiteral("no message");
    QTest::newRow("no context") << QByteArray("2025/03/18 08:00:41 INFO The API event request was sent.")
                                << QStringLiteral("no context");
    QTest::newRow("truncated") << QByteArray(
        "2025/03/18 08:00:41 INFO The API event request was sent. {\"events\":[{\"act")
                               << QStringLiteral("truncated");
    QTest::newRow("not UTF-8") << QByteArray("2025/03/18 08:00:41 INFO The \xff\xfe request. {\"x\":\"\xc3\x28\"")
                               << QStringLiteral("truncated");
    QTest::newRow("NUL") << QByteArray("2025/03/18 08:00:41 INFO a\0b", 28) << QStringLiteral("no context");
}

void TestLogLine::oddLinesAreKeptWithTheirError()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, error);
    const LogLine l = parseLogLine(line, 3);
    QVERIFY2(l.error.contains(error), qPrintable(l.error));
    QCOMPARE(l.raw, line); // nothing lost
    // A known message whose context is missing or cut short keeps its kind; the error tells the rest.
    const bool knownMessage = l.message == "The API event request was sent.";
    QCOMPARE(l.kind, knownMessage ? LogMessage::RequestSent : LogMessage::Unknown);
}

void TestLogLine::fileShapes()
{
    const QByteArray a = "2025/03/18 08:00:41 INFO The API event request was sent. {\"status_code\":200}";
    const QByteArray b = "2025/03/18 08:00:42 WARNING The maximum number of requests per hour has been reached. []";
    // BOM, CRLF, blank lines (numbers still count them), no final newline.
    const QList<LogLine> lines = parseLogFile(QByteArray("\xEF\xBB\xBF" + a + "\r\n\r\n   \n" + b));
    QCOMPARE(lines.size(), 2);
    QCOMPARE(lines[0].raw, a);
    QCOMPARE(lines[0].number, 1);
    QCOMPARE(lines[1].raw, b);
    QCOMPARE(lines[1].number, 4);
    QVERIFY(lines[1].error.isEmpty());
    // A line of several MB is one line.
    const QByteArray big = "2025/03/18 08:00:41 INFO The API event request was sent. {\"x\":\""
        + QByteArray(5 * 1024 * 1024, 'a') + "\"}";
    const QList<LogLine> one = parseLogFile(QByteArray(big + '\n' + a + '\n'));
    QCOMPARE(one.size(), 2);
    QCOMPARE(one[0].context().size(), big.size() - 57);
    QVERIFY(one[0].error.isEmpty());
    QVERIFY(parseLogFile("").isEmpty());
    QVERIFY(parseLogFile("\n\r\n").isEmpty());
}

QTEST_GUILESS_MAIN(TestLogLine)
#include "tst_logline.moc"
