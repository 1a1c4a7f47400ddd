// Importing Akeneo event-subscription logs (issue #5): golden cases, one folder each under tests/data/logs (input.log
// and expected.txt, the summary and every stored line with its events), then what the importer promises: a file
// imported again adds nothing, overlapping downloads merge, cancel and crashes leave nothing half-imported, long
// lines, retention, and the reconciliation with traffic captured by the real receiver.
//
// PIMSCOPE_UPDATE_GOLDEN=1 rewrites the expected files (review the diff before committing it).

#include "filter/filter.h"
#include "logimport/logimporter.h"
#include "receiver/receiver.h"
#include "store/connection.h"
#include "store/eventstore.h"
#include "store/storereader.h"
#include "storetestutil.h"
#include "testutil.h"
#include "util/timeutil.h"

#include <QBuffer>
#include <QDirIterator>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

#include <csignal>

using namespace pimscope;
using namespace pimscope::test;

namespace {

QString dataDir()
{
    return QStringLiteral(PIMSCOPE_TEST_DATA_DIR "/logs");
}

qint64 count(StoreReader &reader, const QString &filter, FilterTarget target = FilterTarget::Events)
{
    return ids(reader, filter, target).size();
}

QString text(const QString &s)
{
    return s.isNull() ? QStringLiteral("null") : s;
}

/** What was stored, one line per delivery and per event, in a stable text form. */
QString dump(StoreReader &reader)
{
    QStringList out;
    const auto deliveries = reader.deliveries(ids(reader, QString(), FilterTarget::Deliveries));
    if (!deliveries)
        qFatal("%s", qPrintable(deliveries.error()));
    for (const Delivery &d : deliveries.value()) {
        out << QStringLiteral("line %1 | %2 | %3 %4 | status %5 | url %6 | flags %7 | %8 bytes")
                   .arg(d.logLine.value_or(-1))
                   .arg(toIsoUtc(d.receivedAtMs), d.logLevel ? logLevelName(*d.logLevel) : QStringLiteral("-"),
                        d.logMessage ? logMessageName(*d.logMessage) : QStringLiteral("-"),
                        d.statusCode ? QString::number(*d.statusCode) : QStringLiteral("-"), text(d.url),
                        flagNames(d.flags).join(u','))
                   .arg(d.bodySize);
        if (!d.error.isNull())
            out << QStringLiteral("  error: ") + d.error;
        for (const QString &w : d.warnings)
            out << QStringLiteral("  warning: ") + w;
        for (const Header &h : d.headers)
            out << QStringLiteral("  header: %1: %2").arg(QString::fromUtf8(h.name), QString::fromUtf8(h.value));
        const auto events = reader.eventsOfDelivery(d.id);
        if (!events)
            qFatal("%s", qPrintable(events.error()));
        for (const EventRecord &r : events.value()) {
            const Event &e = r.event;
            out << QStringLiteral("  event %1: %2 %3 at %4 by %5 (%6) subject %7 %8 / %9 | flags %10")
                       .arg(e.seq)
                       .arg(text(e.eventId), text(e.action),
                            e.eventTimeMs ? toIsoUtc(*e.eventTimeMs) : QStringLiteral("null"), text(e.author),
                            text(e.authorType), text(e.subjectType), text(e.subjectId), text(e.subjectUuid))
                       .arg(flagNames(e.flags).join(u','));
            out << QStringLiteral("    payload: ") + QString::fromUtf8(r.payload);
        }
    }
    return out.join(u'\n');
}

QByteArray logLine(const char *time, const char *level, const QString &message, const QString &context)
{
    return QByteArray(time) + ' ' + level + ' ' + message.toUtf8() + ' ' + context.toUtf8();
}

QString sentContext(const QStringList &eventJson, int status = 200)
{
    return QStringLiteral(
               R"({"event_subscription_url":"https:\/\/tunnel.example.com\/hook","status_code":%1,"headers":{"Server":["pimscope"]},"events":[%2]})")
        .arg(status)
        .arg(eventJson.join(u','));
}

QString logEvent(const QString &id, const QString &identifier, const char *time = "2026-11-22T10:00:00+00:00")
{
    return QStringLiteral(
               R"({"action":"product.updated","event_id":"%1","event_datetime":"%2","author":"julia","author_type":"ui","product_identifier":"%3"})")
        .arg(id, QLatin1StringView(time), identifier);
}

const QString sentMessage = QStringLiteral("The API event request was sent.");
const QString timeoutMessage = QStringLiteral("The endpoint failed to answer under 500 ms.");

} // namespace

class TestLogImport : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void golden_data();
    void golden();
    void sampleSummary();
    void fiveMegabyteLine();
    void overlongLineIsCut();
    void importingAgainAddsNothing();
    void linesImportedByVersion3AreKnown();
    void identicalLinesOfOneFileAreAllKept();
    void cancelLeavesNothing();
    void unfinishedImportOfADeadProcessIsRemoved();
    void unreadableFile();
    void secretsInLogHeadersAreRedacted();
    void retentionCountsFromTheImport();
    void coverageWindows();
    void reconciliationWithTheRealReceiver();
    void commandLine();
};

void TestLogImport::golden_data()
{
    QTest::addColumn<QString>("folder");
    QDirIterator it(dataDir(), QDir::Dirs | QDir::NoDotAndDotDot);
    QStringList folders;
    while (it.hasNext())
        folders << it.next();
    folders.sort();
    QVERIFY(folders.size() >= 12);
    for (const QString &f : folders)
        QTest::newRow(qPrintable(QFileInfo(f).fileName())) << f;
}

void TestLogImport::golden()
{
    QFETCH(QString, folder);
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("c.db")));
    LogImporter importer(*store);
    const auto summary = importer.importFile(folder + QStringLiteral("/input.log"));
    QVERIFY2(summary, qPrintable(summary.error()));
    QVERIFY(store->flush());
    const QString actual = QStringLiteral("# summary\n") + describeImport(summary.value())
        + QStringLiteral("\n# stored\n") + dump(store->reader()) + u'\n';
    const QString expectedPath = folder + QStringLiteral("/expected.txt");
    if (qEnvironmentVariableIntValue("PIMSCOPE_UPDATE_GOLDEN")) {
        QFile f(expectedPath);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(actual.toUtf8());
        QSKIP("expected.txt rewritten");
    }
    const QString expected = QString::fromUtf8(readFile(expectedPath));
    if (actual != expected) {
        const QStringList a = actual.split(u'\n'), e = expected.split(u'\n');
        for (qsizetype i = 0; i < std::max(a.size(), e.size()); ++i) {
            if (a.value(i) != e.value(i))
                QFAIL(qPrintable(QStringLiteral("line %1 differs:\n  actual:   %2\n  expected: %3")
                                     .arg(i + 1)
                                     .arg(a.value(i), e.value(i))));
        }
    }
    // Nothing of a file is lost: every non-blank line is a delivery whose body is the line's exact bytes, but for the
    // secret header values in it, replaced by their markers (and the line says so).
    const QByteArray input = readFile(folder + QStringLiteral("/input.log"));
    qsizetype nonBlank = 0;
    for (QByteArrayView line : input.split('\n')) {
        if (!line.trimmed().isEmpty())
            ++nonBlank;
    }
    QCOMPARE(summary->record.lines, int(nonBlank));
    QCOMPARE(summary->record.added, int(nonBlank));
    auto stored = store->reader().deliveries(ids(store->reader(), QString(), FilterTarget::Deliveries));
    QVERIFY(stored);
    QCOMPARE(stored->size(), nonBlank);
    for (const Delivery &d : stored.value()) {
        QByteArray body = d.body;
        if (d.warnings.join(u' ').contains(QStringLiteral("is redacted in the stored line"))) {
            // The file's line is the stored one with its markers standing for the values they replaced.
            QByteArray original = input.split('\n').value(*d.logLine - 1);
            if (original.endsWith('\r'))
                original.chop(1);
            static const QRegularExpression escapedMarker(QStringLiteral(R"(\\\[redacted\\ sha256\\:[0-9a-f]{8}\\\])"));
            QString pattern = QRegularExpression::escape(QString::fromUtf8(body));
            QVERIFY2(pattern.contains(escapedMarker), qPrintable(pattern));
            pattern.replace(escapedMarker, QStringLiteral("[^\"]+"));
            QVERIFY2(QRegularExpression(u'^' + pattern + u'$').match(QString::fromUtf8(original)).hasMatch(),
                     qPrintable(QStringLiteral("line %1 differs from the file's but for its markers").arg(*d.logLine)));
            QVERIFY(original != body);
            continue;
        }
        QVERIFY2(input.contains(body), qPrintable(QStringLiteral("line %1 not stored as it was").arg(*d.logLine)));
        QCOMPARE(d.origin, Origin::Log);
    }
}

void TestLogImport::sampleSummary()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("c.db")));
    LogImporter importer(*store);
    const auto s = importer.importFile(QStringLiteral(PIMSCOPE_SAMPLES_DIR "/akeneo_log_example.log"));
    QVERIFY2(s, qPrintable(s.error()));
    QCOMPARE(s->record.lines, 35);
    QCOMPARE(s->record.added, 35);
    QCOMPARE(s->byLevel.value(LogLevel::Error), 12);
    QCOMPARE(s->byLevel.value(LogLevel::Warning), 3);
    QCOMPARE(s->byLevel.value(LogLevel::Notice), 6);
    QCOMPARE(s->byLevel.value(LogLevel::Info), 14);
    QCOMPARE(s->byKind.value(LogMessage::RequestSent), 14);
    QCOMPARE(s->byKind.value(LogMessage::EndpointError), 8);
    QCOMPARE(s->byKind.value(LogMessage::Timeout), 4);
    QCOMPARE(s->byKind.value(LogMessage::RateLimit), 3);
    QCOMPARE(s->byKind.value(LogMessage::SameConnection), 3);
    QCOMPARE(s->byKind.value(LogMessage::NotSentPermissions), 3);
    QCOMPARE(s->problemCount, 0);
    QCOMPARE(s->record.firstAtMs, iso("2025-03-18T08:00:41Z"));
    QCOMPARE(s->record.lastAtMs, iso("2025-03-18T15:58:01Z"));
    QCOMPARE(s->eventsInFile, s->record.events);
    QVERIFY(s->record.events > 35);
    // 12 errors over 7 h 57 min.
    QVERIFY(qAbs(*s->errorsPerHour() - 12.0 / (7.0 + 57.0 / 60.0 + 20.0 / 3600.0)) < 0.01);
    const auto quota = s->quotaHours();
    QCOMPARE(quota.size(), 2);
    QCOMPARE(quota[0].startMs, iso("2025-03-18T10:00:00Z"));
    QCOMPARE(quota[0].quotaWarnings, 2);
    QCOMPARE(quota[1].startMs, iso("2025-03-18T11:00:00Z"));
    const auto slow = s->slowestHour();
    QVERIFY(slow);
    QCOMPARE(slow->startMs, iso("2025-03-18T08:00:00Z"));
    QCOMPARE(slow->timeouts, 2);
    // What the store holds agrees with the summary.
    StoreReader &reader = store->reader();
    QCOMPARE(count(reader, QStringLiteral("origin == log"), FilterTarget::Deliveries), 35);
    QCOMPARE(count(reader, QStringLiteral("message == timeout"), FilterTarget::Deliveries), 4);
    QCOMPARE(count(reader, QStringLiteral("level >= warning"), FilterTarget::Deliveries), 15);
    QCOMPARE(count(reader, QStringLiteral("log_file == \"akeneo_log_example.log\" && log_line == 7"),
                   FilterTarget::Deliveries),
             1);
    QCOMPARE(count(reader, QStringLiteral("origin == log")), s->record.events);
    // Flags as for received events: ERROR lines are errors, timeouts slow.
    QCOMPARE(count(reader, QStringLiteral("flag:error"), FilterTarget::Deliveries), 12);
    QCOMPARE(count(reader, QStringLiteral("flag:slow_ack"), FilterTarget::Deliveries), 4);
    const auto imports = reader.imports();
    QVERIFY(imports);
    QCOMPARE(imports->size(), 1);
    QVERIFY(imports->front().finishedAtMs);
    QCOMPARE(imports->front().added, 35);
    QCOMPARE(imports->front().events, s->record.events);
}

void TestLogImport::overlongLineIsCut()
{
    // A line over 32 MiB (a corrupt file, or something that is no log): its first 32 MiB are kept, with an error
    // saying so, the rest of it is skipped, and the next line is read normally.
    const QByteArray huge = "2026/11/22 10:00:01 INFO The API event request was sent. {\"events\":[\""
        + QByteArray((32 << 20) + 4096, 'z') + "\"]}";
    const QByteArray file = huge + '\n'
        + logLine("2026/11/22 10:00:02", "INFO", sentMessage,
                  sentContext({logEvent(QStringLiteral("after"), QStringLiteral("X"))}))
        + '\n';
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("c.db")));
    const auto s = importBytes(*store, file, QStringLiteral("huge.log"));
    QVERIFY2(s, qPrintable(s.error()));
    QCOMPARE(s->record.lines, 2);
    QCOMPARE(s->malformedLines, 1);
    QVERIFY(store->flush());
    StoreReader &reader = store->reader();
    const auto d = reader.deliveries(ids(reader, QString(), FilterTarget::Deliveries));
    QVERIFY(d);
    QCOMPARE(d->size(), 2);
    QCOMPARE(d->front().body.size(), qsizetype(32) << 20);
    QVERIFY(d->front().body == huge.left(32 << 20));
    QVERIFY2(d->front().error.contains(QStringLiteral("longer than 32 MiB")), qPrintable(d->front().error));
    QCOMPARE(d->back().eventCount, 1);
}

void TestLogImport::fiveMegabyteLine()
{
    // 27,000 events in one line (about 5 MB), then a normal line: both read, every event sliced out of the line.
    QStringList events;
    for (int i = 0; i < 27000; ++i)
        events << logEvent(QStringLiteral("00000000-0000-4000-8000-%1").arg(i, 12, 10, QLatin1Char('0')),
                           QStringLiteral("SKU-%1").arg(i));
    const QByteArray big = logLine("2026/11/22 10:00:01", "INFO", sentMessage, sentContext(events));
    QVERIFY(big.size() > 5'000'000);
    const QByteArray file = big + '\n'
        + logLine("2026/11/22 10:00:02", "INFO", sentMessage,
                  sentContext({logEvent(QStringLiteral("last"), QStringLiteral("X"))}))
        + '\n';
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("c.db")));
    const auto s = importBytes(*store, file, QStringLiteral("big.log"));
    QVERIFY2(s, qPrintable(s.error()));
    QCOMPARE(s->record.lines, 2);
    QCOMPARE(s->eventsInFile, 27001);
    QCOMPARE(s->problemCount, 1); // the 27,000 events: Akeneo sends at most 10
    QVERIFY(store->flush());
    StoreReader &reader = store->reader();
    const auto last
        = reader.events(ids(reader, QStringLiteral("event_id == \"00000000-0000-4000-8000-000000026999\"")));
    QVERIFY(last);
    QCOMPARE(last->size(), 1);
    QCOMPARE(last->front().event.subjectId, QStringLiteral("SKU-26999"));
    QCOMPARE(last->front().event.seq, 26999);
    QVERIFY(last->front().payload.startsWith("{\"action\":\"product.updated\""));
    QVERIFY(last->front().payload.endsWith("\"SKU-26999\"}"));
    QCOMPARE(count(reader, QStringLiteral("log_line == 2")), 1);
}

void TestLogImport::linesImportedByVersion3AreKnown()
{
    // A capture of schema version 3 keyed its lines without their time: the migration prefixes the time, so a file
    // imported before the upgrade still adds nothing when imported again after it.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("c.db"));
    const QByteArray sample = readFile(QStringLiteral(PIMSCOPE_SAMPLES_DIR "/akeneo_log_example.log"));
    QByteArray keyBefore;
    {
        auto store = openStore(path);
        const auto first = importBytes(*store, sample, QStringLiteral("events_api_logs_20250318_160000.txt"));
        QVERIFY(first);
        QCOMPARE(first->record.added, 35);
        QVERIFY(store->flush());
    }
    {
        auto c = Connection::open(path, Connection::Mode::ReadWrite);
        QVERIFY2(c, qPrintable(c.error()));
        QSqlQuery q(c.value()->db());
        QVERIFY(q.exec(QStringLiteral("SELECT log_key FROM deliveries WHERE log_line = 1")) && q.next());
        keyBefore = q.value(0).toByteArray();
        QCOMPARE(keyBefore.size(), 24);
        // 2025/03/18 08:00:41, the first line's time, in seconds.
        QCOMPARE(qFromBigEndian<quint64>(keyBefore.constData()), quint64(1742284841));
        q.finish();
        for (const char *undo :
             {"DROP INDEX deliveries_answers",
              "DROP INDEX events_event_id",
              "DROP INDEX events_subject",
              "ALTER TABLE events DROP COLUMN event_key",
              "ALTER TABLE events DROP COLUMN subject_key",
              "CREATE INDEX events_event_id ON events(event_id, origin)",
              "CREATE INDEX events_subject ON events(subject_type, COALESCE(subject_uuid, subject_id))",
              "UPDATE deliveries SET log_key = substr(log_key, 9) WHERE log_key IS NOT NULL",
              "ALTER TABLE events DROP COLUMN attempt",
              "ALTER TABLE events DROP COLUMN retry_of",
              "DROP TRIGGER events_flags_in",
              "DROP TRIGGER events_flags_out",
              "DROP TRIGGER events_flags_changed",
              "DROP TRIGGER deliveries_flags_in",
              "DROP TRIGGER deliveries_flags_out",
              "DROP TRIGGER deliveries_flags_changed",
              "DROP TABLE flag_counts",
              "ALTER TABLE imports DROP COLUMN format",
              "DROP TABLE forwards",
              "DROP TABLE forward_counts",
              "DROP TRIGGER edits_gone",
              "DROP TABLE edits",
              "DROP TRIGGER followed_gone",
              "DROP TABLE followed",
              "DROP TABLE followed_servers",
              "PRAGMA user_version = 3"})
            QVERIFY2(q.exec(QString::fromLatin1(undo)), qPrintable(q.lastError().text()));
    }
    auto store = openStore(path);
    const auto again = importBytes(*store, sample, QStringLiteral("events_api_logs_20250318_160000.txt"));
    QVERIFY(again);
    QCOMPARE(again->record.added, 0);
    QCOMPARE(again->alreadyThere(), 35);
    QVERIFY(store->flush());
    QSqlQuery q(store->reader().db());
    QVERIFY(q.exec(QStringLiteral("SELECT log_key FROM deliveries WHERE log_line = 1")) && q.next());
    QCOMPARE(q.value(0).toByteArray(), keyBefore);
}

void TestLogImport::importingAgainAddsNothing()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("c.db")));
    const QByteArray sample = readFile(QStringLiteral(PIMSCOPE_SAMPLES_DIR "/akeneo_log_example.log"));
    const auto first = importBytes(*store, sample, QStringLiteral("events_api_logs_20250318_160000.txt"));
    QVERIFY(first);
    QCOMPARE(first->record.added, 35);
    const auto again = importBytes(*store, sample, QStringLiteral("events_api_logs_20250318_160000.txt"));
    QVERIFY(again);
    QCOMPARE(again->record.lines, 35);
    QCOMPARE(again->record.added, 0);
    QCOMPARE(again->alreadyThere(), 35);
    QCOMPARE(again->record.events, 0);
    QVERIFY(store->flush());
    StoreReader &reader = store->reader();
    QCOMPARE(count(reader, QString(), FilterTarget::Deliveries), 35);
    // Not flagged as duplicates of themselves.
    QCOMPARE(count(reader, QStringLiteral("flag:duplicate")), 0);

    // Two downloads that overlap (lines 1-20, then 11-35, with CRLF this time): merged, each line once.
    const QList<QByteArray> lines = sample.split('\n');
    QTemporaryDir dir2;
    auto other = openStore(dir2.filePath(QStringLiteral("c.db")));
    QByteArray a, b;
    for (int i = 0; i < 20; ++i)
        a += lines[i] + '\n';
    for (int i = 10; i < 35; ++i)
        b += lines[i] + "\r\n";
    QCOMPARE(importBytes(*other, a, QStringLiteral("a.txt"))->record.added, 20);
    const auto second = importBytes(*other, b, QStringLiteral("b.txt"));
    QCOMPARE(second->record.added, 15);
    QCOMPARE(second->alreadyThere(), 10);
    QVERIFY(other->flush());
    QCOMPARE(count(other->reader(), QString(), FilterTarget::Deliveries), 35);
    QCOMPARE(count(other->reader(), QStringLiteral("flag:duplicate")), 0);
}

void TestLogImport::identicalLinesOfOneFileAreAllKept()
{
    // The same warning twice in one second is two entries; importing the file again still adds nothing.
    const QByteArray warning
        = logLine("2026/11/22 10:00:05", "WARNING",
                  QStringLiteral("The maximum number of requests per hour has been reached."), QStringLiteral("[]"));
    const QByteArray file = warning + '\n' + warning + '\n' + warning + '\n';
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("c.db")));
    QCOMPARE(importBytes(*store, file, QStringLiteral("w.log"))->record.added, 3);
    QCOMPARE(importBytes(*store, file, QStringLiteral("w.log"))->record.added, 0);
    // A later download holding a fourth one adds just that one.
    QCOMPARE(importBytes(*store, file + warning + '\n', QStringLiteral("w2.log"))->record.added, 1);
    QVERIFY(store->flush());
    QCOMPARE(count(store->reader(), QStringLiteral("message == rate_limit"), FilterTarget::Deliveries), 4);
}

void TestLogImport::cancelLeavesNothing()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("c.db")));
    // Something captured before must stay.
    store->enqueue(receivedDelivery(sample("akeneo_batch_example.json"), iso("2026-11-22T09:00:00Z")));
    QVERIFY(store->flush());
    QByteArray file;
    for (int i = 0; i < 20000; ++i) {
        const QString t = toIsoUtc(iso("2026-11-22T10:00:00Z") + i * 1000);
        const QByteArray time = (t.left(10).replace(u'-', u'/') + u' ' + t.mid(11, 8)).toLatin1();
        file += logLine(time.constData(), "INFO", sentMessage,
                        sentContext({logEvent(QStringLiteral("id-%1").arg(i), QStringLiteral("SKU-%1").arg(i))}))
            + '\n';
    }
    QBuffer buffer(&file);
    buffer.open(QIODevice::ReadOnly);
    LogImporter importer(*store);
    qint64 lastDone = 0;
    importer.setProgressCallback([&](qint64 done, qint64 total) {
        QCOMPARE(total, file.size());
        QVERIFY(done >= lastDone);
        lastDone = done;
        if (done > total / 2)
            importer.cancel();
    });
    QueuedSpy removed(store.get(), &EventStore::importRemoved);
    const auto s = importer.importDevice(buffer, QStringLiteral("big.log"), QString());
    QVERIFY(s);
    QVERIFY(s->cancelled);
    QVERIFY(s->record.lines > 10000 && s->record.lines < 20000);
    QVERIFY(store->flush());
    StoreReader &reader = store->reader();
    QCOMPARE(count(reader, QStringLiteral("origin == log"), FilterTarget::Deliveries), 0);
    QCOMPARE(count(reader, QStringLiteral("origin == log")), 0);
    QCOMPARE(count(reader, QStringLiteral("origin == receiver")), 10);
    QCOMPARE(reader.imports()->size(), 0);
    QTRY_COMPARE(removed.size(), 1);
    QVERIFY(describeImport(s.value()).contains(QStringLiteral("cancelled")));
    // Imported again in full: nothing is taken for a duplicate of what the cancelled import had stored.
    const auto full = importBytes(*store, file, QStringLiteral("big.log"));
    QVERIFY2(full, qPrintable(full.error()));
    QCOMPARE(full->record.added, 20000);
    QVERIFY(store->flush());
    QCOMPARE(count(reader, QStringLiteral("origin == log && flag:duplicate")), 0);
}

void TestLogImport::unfinishedImportOfADeadProcessIsRemoved()
{
    // `pimscope import` of a large file (bulk: the event indexes are dropped) is killed with SIGKILL in the middle.
    const QString bin = qEnvironmentVariable("PIMSCOPE_BIN");
    QVERIFY(!bin.isEmpty());
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("c.db"));
    {
        auto store = openStore(path);
        store->enqueue(receivedDelivery(sample("akeneo_batch_example.json"), iso("2026-11-22T09:00:00Z")));
        QVERIFY(store->flush());
    }
    const QString logPath = dir.filePath(QStringLiteral("big.log"));
    {
        QFile f(logPath);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QStringList tenEvents;
        for (int k = 0; k < 10; ++k)
            tenEvents << logEvent(QStringLiteral("id-%1").arg(k), QStringLiteral("SKU-%1").arg(k));
        const QByteArray line = logLine("2026/11/22 10:00:01", "INFO", sentMessage, sentContext(tenEvents)) + '\n';
        QByteArray chunk;
        while (chunk.size() < (1 << 20))
            chunk += line;
        while (f.size() < LogImporter::bulkFromBytes + (8 << 20))
            f.write(chunk);
    }
    QProcess p;
    p.start(bin, {QStringLiteral("import"), QStringLiteral("--db"), path, logPath});
    QVERIFY(p.waitForStarted());
    bool some = false;
    for (int i = 0; i < 400 && !some; ++i) {
        QTest::qWait(50);
        auto reader = StoreReader::open(path);
        some = reader && count(*reader.value(), QStringLiteral("origin == log"), FilterTarget::Deliveries) > 100;
    }
    QVERIFY2(some, "the import did not start");
    QCOMPARE(p.state(), QProcess::Running);
    ::kill(pid_t(p.processId()), SIGKILL);
    QVERIFY(p.waitForFinished());
    QCOMPARE(p.exitStatus(), QProcess::CrashExit);
    // Opening the capture takes the unfinished import out, and builds the indexes the bulk write had dropped.
    auto store = openStore(path);
    QVERIFY(store->flush());
    QCOMPARE(count(store->reader(), QStringLiteral("origin == log"), FilterTarget::Deliveries), 0);
    QCOMPARE(count(store->reader(), QStringLiteral("origin == receiver")), 10);
    QCOMPARE(store->reader().imports()->size(), 0);
    QSqlQuery q(store->reader().db());
    QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name LIKE 'events_%'"))
            && q.next());
    QCOMPARE(q.value(0).toInt(), 3);
}

void TestLogImport::unreadableFile()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("c.db")));
    LogImporter importer(*store);
    const auto missing = importer.importFile(dir.filePath(QStringLiteral("nope.log")));
    QVERIFY(!missing);
    QVERIFY2(missing.error().contains(QStringLiteral("nope.log")), qPrintable(missing.error()));
    const auto folder = importer.importFile(dir.path());
    QVERIFY(!folder);
    QVERIFY(store->flush());
    QCOMPARE(store->reader().imports()->size(), 0);
}

void TestLogImport::secretsInLogHeadersAreRedacted()
{
    const QByteArray line = logLine(
        "2026/11/22 10:00:02", "ERROR", QStringLiteral("The endpoint returned an error."),
        QStringLiteral(
            R"({"event_subscription_url":"https:\/\/x","status_code":401,"headers":{"Authorization":["Bearer top-secret-123"],"Proxy-Authorization":["Basic dXNlcjpwYXNz"],"Host":["x"]},"events":[]})"));
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("c.db")));
    QVERIFY(importBytes(*store, line + '\n', QStringLiteral("s.log")));
    QVERIFY(store->flush());
    const auto d = store->reader().deliveries(ids(store->reader(), QString(), FilterTarget::Deliveries));
    QVERIFY(d);
    QCOMPARE(d->size(), 1);
    const Headers &h = d->front().headers;
    QCOMPARE(h.size(), 3);
    QVERIFY(h[0].value.startsWith("Bearer [redacted sha256:"));
    QVERIFY(h[1].value.startsWith("Basic [redacted sha256:"));
    QCOMPARE(h[2].value, QByteArray("x"));
    QCOMPARE(d->front().statusCode, 401);
    // Nor are they in the stored line, nor anywhere in the capture: the markers replace them there too, and the
    // line says it is no longer the file's byte for byte.
    const QByteArray body = d->front().body;
    QVERIFY2(!body.contains("top-secret-123") && !body.contains("dXNlcjpwYXNz"), body.constData());
    QVERIFY(body.contains("\"Bearer [redacted sha256:"));
    QVERIFY(body.contains("\"Host\":[\"x\"]"));
    QVERIFY(d->front().warnings.join(u' ').contains(
        QStringLiteral("Authorization, Proxy-Authorization is redacted in the stored line")));
    store.reset();
    for (const QString &file : QDir(dir.path()).entryList(QDir::Files))
        QVERIFY2(!readFile(dir.filePath(file)).contains("top-secret-123"), qPrintable(file));

    // With events after the headers: read again from the redacted line, their slices are right.
    const QByteArray withEvents = logLine(
        "2026/11/22 10:00:03", "ERROR", QStringLiteral("The endpoint returned an error."),
        QStringLiteral(
            R"({"event_subscription_url":"https:\/\/x","status_code":401,"headers":{"Authorization":["Bearer top-secret-123"]},"events":[{"action":"product.updated","event_id":"5d9f5a1e-0c3b-4f8e-9a47-2b6c1d3e4f50","event_datetime":"2026-11-22T10:00:01+00:00","author":"julia","author_type":"ui","product_identifier":"SKU-1"}]})"));
    QTemporaryDir second;
    auto again = openStore(second.filePath(QStringLiteral("c.db")));
    QVERIFY(importBytes(*again, withEvents + '\n', QStringLiteral("e.log")));
    QVERIFY(again->flush());
    const auto events = again->reader().events(ids(again->reader(), QString(), FilterTarget::Events));
    QVERIFY(events);
    QCOMPARE(events->size(), 1);
    QCOMPARE(events->front().event.eventId, QStringLiteral("5d9f5a1e-0c3b-4f8e-9a47-2b6c1d3e4f50"));
    const auto stored = again->reader().deliveries(ids(again->reader(), QString(), FilterTarget::Deliveries));
    const QByteArray slice
        = stored->front().body.mid(events->front().event.payloadOffset, events->front().event.payloadLength);
    QVERIFY2(slice.startsWith("{\"action\"") && slice.endsWith("\"SKU-1\"}"), slice.constData());
}

void TestLogImport::retentionCountsFromTheImport()
{
    // A log goes back days: "keep 1 day" keeps what was imported today, whatever the lines' own times.
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("c.db")));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    store->enqueue(receivedDelivery(sample("akeneo_batch_example.json"), now - 3 * 86'400'000LL));
    QVERIFY(importBytes(*store, sample("akeneo_log_example.log"), QStringLiteral("old.log")));
    QVERIFY(store->waitForTicket(store->prune(Retention{1, 0}, now)));
    QVERIFY(store->flush());
    StoreReader &reader = store->reader();
    QCOMPARE(count(reader, QStringLiteral("origin == receiver"), FilterTarget::Deliveries), 0);
    QCOMPARE(count(reader, QStringLiteral("origin == log"), FilterTarget::Deliveries), 35);
    QVERIFY(reader.imports()->front().coversToMs);
    // Three days later the import goes too, and the windows it covered are no longer claimed.
    QVERIFY(store->waitForTicket(store->prune(Retention{1, 0}, now + 3 * 86'400'000LL)));
    QCOMPARE(count(reader, QStringLiteral("origin == log"), FilterTarget::Deliveries), 0);
    QVERIFY(!reader.imports()->front().coversToMs);
}

void TestLogImport::coverageWindows()
{
    QCOMPARE(LogImporter::downloadTimeFromName(QStringLiteral("events_api_logs_20250318_154102.txt")),
             iso("2025-03-18T15:41:02Z"));
    QVERIFY(!LogImporter::downloadTimeFromName(QStringLiteral("mylog.txt")));
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("c.db")));
    const QByteArray sample = readFile(QStringLiteral(PIMSCOPE_SAMPLES_DIR "/akeneo_log_example.log"));
    // Named as downloaded: errors are complete from 72 h before the download.
    auto named = importBytes(*store, sample, QStringLiteral("events_api_logs_20250318_160000.txt"));
    QVERIFY(named);
    const qint64 margin = LogImporter::coverageMarginMs;
    QCOMPARE(named->record.coversToMs, iso("2025-03-18T15:58:01Z") - margin);
    QCOMPARE(named->record.errorFromMs, iso("2025-03-18T16:00:00Z") - LogImporter::errorRetentionMs + margin);
    QCOMPARE(named->record.infoFromMs, iso("2025-03-18T08:00:41Z") + margin); // the oldest INFO/NOTICE line
    // Any other name: errors are complete from the oldest ERROR or WARNING line of the file.
    QTemporaryDir dir2;
    auto other = openStore(dir2.filePath(QStringLiteral("c.db")));
    auto renamed = importBytes(*other, sample, QStringLiteral("log.txt"));
    QVERIFY(renamed);
    QVERIFY(renamed->record.errorFromMs > named->record.errorFromMs);
    QVERIFY(renamed->record.errorFromMs >= iso("2025-03-18T08:00:41Z"));
}

void TestLogImport::reconciliationWithTheRealReceiver()
{
    // The PIM sent four requests to the receiver: e1 and e2 (answered), e3 (answered, but the PIM logged a
    // timeout), e5 (answered; the log lost its line). Its log also lists e4 as sent, which never arrived, and e6
    // as sent before the receiver ran. e7 arrives ten minutes after the log's last line.
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("c.db")));
    Receiver receiver(store.get(), ReceiverSettings{});
    const auto port = receiver.start();
    QVERIFY2(port, qPrintable(port.error()));
    QStringList sent;
    const auto post = [&](const QString &id) {
        const QByteArray body = "{\"events\":["
            + akeneoEvent(id, QStringLiteral("product.updated"), QStringLiteral("2026-11-22T10:00:00+00:00"),
                          QStringLiteral("SKU-") + id)
            + "]}";
        const auto status = postTo(port.value(), body);
        QCOMPARE(status, 200);
        sent << id;
    };
    for (const char *id : {"e1", "e2", "e3", "e5"})
        post(QString::fromLatin1(id));
    QVERIFY(store->flush());
    // The log, written with the receipt times of the capture.
    StoreReader &reader = store->reader();
    const auto received = reader.events(ids(reader, QStringLiteral("origin == receiver")));
    QVERIFY(received);
    QCOMPARE(received->size(), 4);
    const qint64 firstMs = received->front().receivedAtMs;
    const qint64 lastMs = received->back().receivedAtMs;
    const auto logTime = [](qint64 ms) {
        const QString t = toIsoUtc(ms);
        return (t.left(10).replace(u'-', u'/') + u' ' + t.mid(11, 8)).toLatin1();
    };
    // The receiver's span must be wider than the clock margin on each side to judge anything in between.
    const qint64 base = firstMs - 60'000;
    QByteArray log;
    log += logLine(logTime(base).constData(), "INFO", sentMessage,
                   sentContext({logEvent(QStringLiteral("e6"), QStringLiteral("SKU-e6"))}))
        + '\n';
    for (const char *id : {"e1", "e2"})
        log += logLine(logTime(firstMs).constData(), "INFO", sentMessage,
                       sentContext({logEvent(QString::fromLatin1(id), QStringLiteral("SKU"))}))
            + '\n';
    log += logLine(logTime(lastMs).constData(), "ERROR", timeoutMessage,
                   QStringLiteral(R"({"event_subscription_url":"https:\/\/x","events":[%1]})")
                       .arg(logEvent(QStringLiteral("e3"), QStringLiteral("SKU"))))
        + '\n';
    // Widen the receiver's span: deliveries a minute before and after (as if it had run all along).
    Delivery early = receivedDelivery("{\"events\":[]}", firstMs - 30'000);
    Delivery late = receivedDelivery("{\"events\":[]}", lastMs + 120'000);
    store->enqueue(early);
    store->enqueue(late);
    const qint64 e4Time = (firstMs + lastMs) / 2;
    log += logLine(logTime(e4Time).constData(), "INFO", sentMessage,
                   sentContext({logEvent(QStringLiteral("e4"), QStringLiteral("SKU"))}))
        + '\n';
    log += logLine(logTime(lastMs + 60'000).constData(), "INFO", sentMessage, QStringLiteral("[]")) + '\n';
    QVERIFY(importBytes(*store, log, QStringLiteral("pim.log")));
    store->enqueue(
        receivedDelivery("{\"events\":["
                             + akeneoEvent(QStringLiteral("e7"), QStringLiteral("product.updated"),
                                           QStringLiteral("2026-11-22T10:00:00+00:00"), QStringLiteral("SKU-e7"))
                             + "]}",
                         lastMs + 600'000));
    QVERIFY(store->flush());

    const auto reconOf = [&](const QString &eventId, Origin origin) -> QString {
        for (const QString &name : reconNames()) {
            const auto found = ids(reader,
                                   QStringLiteral("event_id == \"%1\" && origin == %2 && recon == %3")
                                       .arg(eventId, originName(origin), name));
            if (!found.isEmpty())
                return name;
        }
        return QStringLiteral("none");
    };
    QCOMPARE(reconOf(QStringLiteral("e1"), Origin::Receiver), QStringLiteral("logged_sent"));
    QCOMPARE(reconOf(QStringLiteral("e1"), Origin::Log), QStringLiteral("captured"));
    QCOMPARE(reconOf(QStringLiteral("e3"), Origin::Receiver), QStringLiteral("logged_failed"));
    QCOMPARE(reconOf(QStringLiteral("e3"), Origin::Log), QStringLiteral("captured"));
    QCOMPARE(reconOf(QStringLiteral("e4"), Origin::Log), QStringLiteral("not_captured"));
    // e5 was answered 200 in time, inside the window the log covers for INFO lines, and the log has no line for it.
    QCOMPARE(reconOf(QStringLiteral("e5"), Origin::Receiver), QStringLiteral("missing_from_log"));
    // e6 is older than anything the receiver captured: nothing is claimed.
    QCOMPARE(reconOf(QStringLiteral("e6"), Origin::Log), QStringLiteral("none"));
    // e7 came after the log's last line: not judged either.
    QCOMPARE(reconOf(QStringLiteral("e7"), Origin::Receiver), QStringLiteral("none"));
    // On deliveries: a delivery matches when one of its events does.
    QCOMPARE(count(reader, QStringLiteral("recon == not_captured"), FilterTarget::Deliveries), 1);
    QCOMPARE(count(reader, QStringLiteral("recon in {logged_failed, missing_from_log}")), 2);
    // And the summary counts them for the diagnostics.
    const auto summary = reader.summary(QDateTime::currentMSecsSinceEpoch());
    QVERIFY(summary);
    QCOMPARE(summary->eventsByRecon.value(QStringLiteral("not_captured")), 1);
    QCOMPARE(summary->eventsByRecon.value(QStringLiteral("logged_failed")), 1);
    QCOMPARE(summary->eventsByRecon.value(QStringLiteral("missing_from_log")), 1);
    QCOMPARE(summary->eventsByRecon.value(QStringLiteral("logged_sent")), 2);
}

void TestLogImport::commandLine()
{
    const QString bin = qEnvironmentVariable("PIMSCOPE_BIN");
    QVERIFY(!bin.isEmpty());
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("c.db"));
    const auto run = [&](const QStringList &args, QByteArray *out = nullptr, QByteArray *err = nullptr) {
        QProcess p;
        p.start(bin, args);
        p.waitForFinished(60000);
        if (out)
            *out = p.readAllStandardOutput();
        if (err)
            *err = p.readAllStandardError();
        return p.exitCode();
    };
    QByteArray out, err;
    QCOMPARE(
        run({QStringLiteral("import"), QStringLiteral("--db"), db, dataDir() + QStringLiteral("/garbage/input.log")},
            &out, &err),
        0);
    QVERIFY2(out.contains("garbage") || out.contains("input.log"), out.constData());
    QVERIFY2(out.contains("line 1: no date"), out.constData());
    QVERIFY2(out.contains("line 5: no date"), out.constData());
    QCOMPARE(
        run({QStringLiteral("import"), QStringLiteral("--db"), db, dataDir() + QStringLiteral("/garbage/input.log")},
            &out),
        0);
    QVERIFY2(out.contains("0 added"), out.constData());
    // A file that cannot be read: 1, and the others are still imported.
    QCOMPARE(run({QStringLiteral("import"), QStringLiteral("--db"), db, dir.filePath(QStringLiteral("missing.log")),
                  QStringLiteral(PIMSCOPE_SAMPLES_DIR "/akeneo_log_example.log")},
                 &out, &err),
             1);
    QVERIFY2(err.contains("missing.log"), err.constData());
    QVERIFY2(out.contains("35 added"), out.constData());
    // Usage errors: 2.
    QCOMPARE(run({QStringLiteral("import"), QStringLiteral("--db"), db}, nullptr, &err), 2);
    QVERIFY2(err.contains("no log file"), err.constData());
    QCOMPARE(run({QStringLiteral("import"), QStringLiteral("--bogus")}), 2);
}

QTEST_GUILESS_MAIN(TestLogImport)
#include "tst_logimport.moc"
