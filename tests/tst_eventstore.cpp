#include "testutil.h"

#include "filter/filter.h"
#include "formats/payloadparser.h"
#include "store/checkpointer.h"
#include "store/connection.h"
#include "store/eventstore.h"
#include "store/records.h"
#include "store/schema.h"
#include "store/sqlitestatement.h"
#include "store/storereader.h"
#include "util/textkey.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <csignal>
#include <sys/stat.h>

using namespace pimscope;
using namespace pimscope::test;

namespace {

const qint64 t0 = iso("2025-03-18T14:02:11Z");

std::unique_ptr<EventStore> openStore(const QString &path, StoreOptions options = {})
{
    auto store = EventStore::open(path, options);
    if (!store)
        qFatal("cannot open store: %s", qPrintable(store.error()));
    return std::move(store.value());
}

QList<EventRecord> allEvents(EventStore &store)
{
    auto ids = store.reader().matchingIds(Filter::parse(QString()), FilterTarget::Events);
    if (!ids)
        qFatal("%s", qPrintable(ids.error()));
    return store.reader().events(*ids).value();
}

QList<Delivery> allDeliveries(EventStore &store)
{
    auto ids = store.reader().matchingIds(Filter::parse(QString()), FilterTarget::Deliveries);
    return store.reader().deliveries(*ids).value();
}

// Child mode for the kill -9 test: writes deliveries one by one and prints the id of each once it is durable.
int childWriter(const QString &path)
{
    auto store = openStore(path);
    for (int i = 0;; ++i) {
        const QByteArray body = akeneoBody({akeneoEvent(
            QStringLiteral("00000000-0000-4000-8000-%1").arg(i, 12, 10, QChar(u'0')), QStringLiteral("product.updated"),
            QStringLiteral("2025-03-18T14:02:11+00:00"), QStringLiteral("SKU-%1").arg(i))});
        const quint64 ticket = store->enqueue(receivedDelivery(body, t0 + i));
        if (!store->waitForTicket(ticket))
            return 1;
        std::printf("%llu\n", static_cast<unsigned long long>(ticket));
        std::fflush(stdout);
    }
}

} // namespace

class TestEventStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void namedParametersAreCheckedWhenPrepared();
    void newCaptureIsCreated();
    void newCaptureIsPrivate();
    void walStartsOverUnderSteadyCommits();
    void rejectsFilesItDoesNotOwn_data();
    void rejectsFilesItDoesNotOwn();
    void missingFileWhenNotCreating();
    void storesRawBytesAndEvents();
    void signalsDurableDeliveries();
    void parsesOnlyWhenAsked();
    void flagsDuplicatesAndOrder();
    void flagsStaleSelfSignatureAckError();
    void flagsFollowEachSendersRules();
    void retriesAreAttemptsOfAChain();
    void flagCountsFollowEveryChange();
    void attemptChainsSurviveReopen();
    void healthIsKeptAsDeliveriesAreStored();
    void flagStateSurvivesReopen();
    void concurrentWriters();
    void survivesKill9();
    void statistics();
    void pruneKeepsDaysAndBytes();
    void prunedDataLeavesTheFile();
    void bulkWriteDefersIndexes();
    void eventsIndexedAfterTheCommit();
    void unindexedDeliveriesAreCaughtUpOnOpen();
    void migratesVersion1Captures();
    void textKeysAreStable();
    void flagsHoldAcrossManyEvents();
    void interruptedBulkIsRepairedOnOpen();
    void synchronousFullOption();
    void sortKeysAreNeverSql();
    void readersCannotWrite();
    void followBatchAfterAFailedOneIsRefused();
    void editSourceKeptWithTheReplay();
};

void TestEventStore::namedParametersAreCheckedWhenPrepared()
{
    // The writer's statements name their parameters and bind them by enums in the same order: a statement whose
    // parameters are not exactly the names given, in that order, is refused when prepared (never a value bound to
    // the wrong column at run time).
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("named-parameters"));
        db.setDatabaseName(QStringLiteral(":memory:"));
        QVERIFY(db.open());
        QVERIFY(QSqlQuery(db).exec(QStringLiteral("CREATE TABLE t (a, b)")));
        {
            sqlite3 *handle = SqliteStatement::handle(db);
            QVERIFY(handle);
            const char *inOrder[] = {":a", ":b"};
            const char *swapped[] = {":b", ":a"};
            const char *tooFew[] = {":a"};
            SqliteStatement s;
            QVERIFY2(s.prepare(handle, "INSERT INTO t (a, b) VALUES (:a, :b)", inOrder), qPrintable(s.errorString()));
            s.bind(1, 7);
            s.bind(2, QStringLiteral("seven"));
            QVERIFY(s.exec());
            QVERIFY(!s.prepare(handle, "INSERT INTO t (a, b) VALUES (:a, :b)", swapped));
            QVERIFY2(s.errorString().contains(QStringLiteral("parameter 1 is :a, not :b")),
                     qPrintable(s.errorString()));
            QVERIFY(!s.prepare(handle, "INSERT INTO t (a, b) VALUES (:a, :b)", tooFew));
            QVERIFY2(s.errorString().contains(QStringLiteral("2 parameters where 1 are named")),
                     qPrintable(s.errorString()));
            QVERIFY(!s.prepare(handle, "INSERT INTO t (a, b) VALUES (?, ?)", inOrder));
            QVERIFY2(s.errorString().contains(QStringLiteral("unnamed")), qPrintable(s.errorString()));
            // A name used twice is one parameter.
            const char *once[] = {":a"};
            QVERIFY2(s.prepare(handle, "SELECT 1 FROM t WHERE a = :a OR b = :a", once), qPrintable(s.errorString()));
        }
        QSqlQuery check(db);
        QVERIFY(check.exec(QStringLiteral("SELECT a, b FROM t")) && check.next());
        QCOMPARE(check.value(0).toInt(), 7);
        QCOMPARE(check.value(1).toString(), QStringLiteral("seven"));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("named-parameters"));
}

void TestEventStore::newCaptureIsCreated()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sub/folder/capture.db"));
    {
        auto store = openStore(path);
        QCOMPARE(allEvents(*store).size(), 0);
    }
    QVERIFY(QFile::exists(path));
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
    db.setDatabaseName(path);
    QVERIFY(db.open());
    QSqlQuery q(db);
    QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next());
    QCOMPARE(q.value(0).toString(), QStringLiteral("wal"));
    QVERIFY(q.exec(QStringLiteral("PRAGMA application_id")) && q.next());
    QCOMPARE(q.value(0).toInt(), schema::applicationId);
    QVERIFY(q.exec(QStringLiteral("PRAGMA user_version")) && q.next());
    QCOMPARE(q.value(0).toInt(), schema::currentVersion);
    q = QSqlQuery();
    db.close();
    db = QSqlDatabase();
    QSqlDatabase::removeDatabase(QStringLiteral("check"));
    // The default location is the platform's app-data folder.
    QVERIFY(EventStore::defaultPath().endsWith(QStringLiteral("pimscope/capture.db")));
}

void TestEventStore::sortKeysAreNeverSql()
{
    // ORDER BY holds only the program's own expressions: a sort key is a name looked up, and anything else (SQL
    // included) sorts by id (docs/SECURITY.md §5).
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("c.db"));
    auto store = openStore(path);
    for (int i = 0; i < 3; ++i)
        store->enqueue(receivedDelivery(sample("akeneo_batch_example.json"), t0 + i));
    QVERIFY(store->flush());
    auto reader = StoreReader::open(path);
    QVERIFY(reader);
    const auto byId = reader.value()->matchingIds(Filter(), FilterTarget::Deliveries, QString(), true);
    QVERIFY(byId);
    QCOMPARE(byId->size(), 3);
    for (const QString &hostile : {QStringLiteral("id; DROP TABLE deliveries"), QStringLiteral("(SELECT 1)"),
                                   QStringLiteral("d.body"), QStringLiteral("received DESC, 1=1 --")}) {
        const auto ids = reader.value()->matchingIds(Filter(), FilterTarget::Deliveries, hostile, true);
        QVERIFY2(ids, qPrintable(ids.error()));
        QCOMPARE(*ids, *byId);
    }
    QCOMPARE(reader.value()->statistics()->deliveries, qint64(3));
    QVERIFY(StoreReader::sortExpressions(FilterTarget::Events).contains(QStringLiteral("received")));
}

void TestEventStore::editSourceKeptWithTheReplay()
{
    // A request Pimscope sent edited (Edit and send): what it was made from is stored with it, read back, and goes
    // when the delivery goes (retention).
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("c.db")));
    const quint64 source = store->enqueue(receivedDelivery(sample("akeneo_batch_example.json"), t0));
    Delivery sent = receivedDelivery(sample("quable_example.json"), t0 + 1000);
    sent.origin = Origin::Replay;
    EditSource edit;
    edit.eventId = 3;
    edit.deliveryId = 1;
    edit.templateKey = QStringLiteral("quable:document.update");
    edit.faults = {QStringLiteral("invalid-signature"), QStringLiteral("truncated")};
    edit.handEdited = true;
    sent.editSource = edit;
    const quint64 replay = store->enqueue(sent);
    Delivery plain = receivedDelivery(sample("quable_example.json"), t0 + 2000);
    plain.origin = Origin::Replay;
    const quint64 unlinked = store->enqueue(plain);
    QVERIFY(store->waitForTicket(source) && store->waitForTicket(replay) && store->waitForTicket(unlinked));
    {
        auto reader = StoreReader::open(dir.filePath(QStringLiteral("c.db")));
        QVERIFY(reader);
        const auto got = (*reader)->editSource(2);
        QVERIFY2(got, qPrintable(got.error()));
        QVERIFY(got->has_value());
        QCOMPARE(**got, edit);
        const auto none = (*reader)->editSource(3);
        QVERIFY(none && !none->has_value());
    }
    // Retention takes the deliveries, and what they were made from with them.
    QVERIFY(store->waitForTicket(store->prune(Retention{1, 0}, t0 + 3 * 86'400'000LL)));
    auto reader = StoreReader::open(dir.filePath(QStringLiteral("c.db")));
    QSqlQuery q((*reader)->db());
    QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM edits")) && q.next());
    QCOMPARE(q.value(0).toInt(), 0);
}

// A follower queues several batches before the first is committed: when one fails, a later one must not be committed
// past it (the copy would then resume after a gap). Each batch says the change it follows; the capture refuses a batch
// whose predecessor is not committed, and names why.
void TestEventStore::followBatchAfterAFailedOneIsRefused()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("c.db")));
    QSignalSpy failed(store.get(), &EventStore::storeFailed);
    const auto batch = [](qint64 afterRev, qint64 upToRev) {
        FollowBatch b;
        b.storeId = QStringLiteral("server-store");
        b.url = QStringLiteral("postgresql://pimscope@db.example/pim");
        b.afterRev = afterRev;
        b.upToRev = upToRev;
        for (qint64 rev = afterRev + 1; rev <= upToRev; ++rev) {
            FollowedDelivery row;
            row.remoteId = rev;
            row.delivery = receivedDelivery(
                akeneoBody({akeneoEvent(QStringLiteral("00000000-0000-4000-8000-%1").arg(rev, 12, 10, QChar(u'0')),
                                        QStringLiteral("product.updated"), QStringLiteral("2025-03-18T14:02:11+00:00"),
                                        QStringLiteral("SKU-%1").arg(rev))}),
                t0 + rev);
            ParseResult parsed = PayloadParser().parse(row.delivery.body);
            row.delivery.format = parsed.format;
            row.delivery.events = parsed.events;
            b.rows.append(row);
        }
        return b;
    };
    QVERIFY(store->waitForTicket(store->follow(batch(0, 3))));
    // The batch of changes 4 to 6 failed (say): the next one, after 6, is refused whole, alone: a delivery queued
    // with it (most likely in the same transaction) is stored.
    const quint64 received = store->enqueue(receivedDelivery(sample("quable_example.json"), t0 + 100));
    const quint64 refused = store->follow(batch(6, 8));
    QVERIFY(store->waitForTicket(refused));
    QVERIFY(received < refused);
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.at(0).at(0).value<QList<quint64>>(), QList<quint64>{refused});
    QCOMPARE(failed.at(0).at(1).toString(),
             QStringLiteral("the copy of postgresql://pimscope@db.example/pim is committed up to change 3 only, and "
                            "this batch follows change 6: an earlier batch was not stored"));
    auto servers = store->reader().followedServers();
    QVERIFY(servers);
    QCOMPARE(servers->size(), 1);
    QCOMPARE(servers->at(0).lastRev, qint64(3));
    QCOMPARE(servers->at(0).deliveries, qint64(3));
    QCOMPARE(allEvents(*store).size(), 4); // the three copied, and the Quable delivery's
    QCOMPARE(allDeliveries(*store).size(), 4);
    // The same changes read again after the committed one are stored.
    QVERIFY(store->waitForTicket(store->follow(batch(3, 8))));
    QCOMPARE(failed.size(), 1);
    servers = store->reader().followedServers();
    QCOMPARE(servers->at(0).lastRev, qint64(8));
    QCOMPARE(servers->at(0).deliveries, qint64(8));
    QCOMPARE(allDeliveries(*store).size(), 9);
}

void TestEventStore::readersCannotWrite()
{
    // Readers (the window's queries, the exports) open the capture read-only: SQLite itself refuses their writes.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("c.db"));
    {
        auto store = openStore(path);
        store->enqueue(receivedDelivery(sample("akeneo_batch_example.json"), t0));
        QVERIFY(store->flush());
    }
    auto connection = Connection::open(path, Connection::Mode::ReadOnly);
    QVERIFY2(connection, qPrintable(connection.error()));
    QSqlQuery q(connection.value()->db());
    QVERIFY(!q.exec(QStringLiteral("DELETE FROM deliveries")));
    QVERIFY(!q.exec(QStringLiteral("CREATE TABLE evil (x)")));
    QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM deliveries")) && q.next());
    QCOMPARE(q.value(0).toInt(), 1);
}

void TestEventStore::newCaptureIsPrivate()
{
    // A capture holds product data and request headers: a new one, its side files and a folder made for it are
    // the user's alone, whatever the umask.
    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("made/for/it"));
    const QString path = folder + QStringLiteral("/capture.db");
    const mode_t previous = ::umask(022);
    {
        auto store = openStore(path);
        store->enqueue(receivedDelivery(sample("akeneo_batch_example.json"), t0));
        QVERIFY(store->flush());
        const auto owner = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
        const auto others = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ReadOther
            | QFileDevice::WriteOther | QFileDevice::ExeGroup | QFileDevice::ExeOther;
        for (const QString &file : QStringList{path, path + QStringLiteral("-wal"), path + QStringLiteral("-shm")}) {
            QVERIFY2(QFileInfo::exists(file), qPrintable(file));
            QVERIFY2((QFileInfo(file).permissions() & others) == 0, qPrintable(file));
            QVERIFY2((QFileInfo(file).permissions() & owner) == owner, qPrintable(file));
        }
        QCOMPARE(QFileInfo(folder).permissions() & others, QFileDevice::Permissions());
        // A folder that was there already is left as it was.
        QVERIFY((QFileInfo(dir.filePath(QStringLiteral("made"))).permissions() & QFileDevice::ReadOther) != 0);
    }
    ::umask(previous);
}

void TestEventStore::walStartsOverUnderSteadyCommits()
{
    // The checkpointer copies the log on its thread while the writer keeps committing, and the log starts over (the
    // writer's next commit once all of it is copied, or a RESTART past twice the threshold). The log's header counts
    // the times it started over (its checkpoint sequence number, bytes 12-15, big-endian). A threshold of 64 frames
    // (2 MB) instead of 2,048: a burst of 300 commits of two 32 KiB pages or more (the log grows past it whatever the
    // disk's speed), then a request's commit every 5 ms as a PIM's traffic has: the log starts over, again and again,
    // without the writer doing anything but commit.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("steady.db"));
    {
        auto store = openStore(path);
        QVERIFY(store->flush());
    }
    auto writer = Connection::open(path, Connection::Mode::ReadWrite);
    QVERIFY2(writer, qPrintable(writer ? QString() : writer.error()));
    sqlite3 *handle = SqliteStatement::handle(writer.value()->db());
    static constexpr std::chrono::milliseconds busyLimit{5000};
    pollWhenBusy(handle, busyLimit);
    Checkpointer checkpointer(path, 64);
    checkpointer.attach(handle);
    checkpointer.start();
    QSqlQuery q(writer.value()->db());
    QVERIFY(q.prepare(QStringLiteral("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)")));
    const QString value(40000, u'x');
    int commits = 0;
    const auto commit = [&] {
        q.bindValue(0, QStringLiteral("steady-%1").arg(commits % 7));
        q.bindValue(1, QString(value + QString::number(commits)));
        ++commits;
        return q.exec();
    };
    const auto startedOver = [&path] {
        QFile wal(path + QStringLiteral("-wal"));
        if (!wal.open(QIODevice::ReadOnly))
            return -1;
        const QByteArray header = wal.read(16);
        if (header.size() < 16)
            return -1;
        const auto byte = [&header](int i) { return quint32(quint8(header[i])); };
        return int(byte(12) << 24 | byte(13) << 16 | byte(14) << 8 | byte(15));
    };
    for (int i = 0; i < 300; ++i)
        QVERIFY2(commit(), qPrintable(q.lastError().text()));
    const int afterBurst = startedOver();
    QVERIFY(afterBurst >= 0);
    QElapsedTimer paced;
    paced.start();
    while (startedOver() < afterBurst + 2 && paced.elapsed() < 30000) {
        QVERIFY2(commit(), qPrintable(q.lastError().text()));
        QThread::msleep(5);
    }
    checkpointer.stop();
    QVERIFY2(startedOver() >= afterBurst + 2,
             qPrintable(QStringLiteral("the log started over %1 times in %2 ms of paced commits")
                            .arg(startedOver() - afterBurst)
                            .arg(paced.elapsed())));
    QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM settings WHERE key LIKE 'steady-%'")) && q.next());
    QCOMPARE(q.value(0).toInt(), 7);
}

void TestEventStore::rejectsFilesItDoesNotOwn_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("message");
    QTest::newRow("text file") << "text"
                               << "not a Pimscope capture (not an SQLite database)";
    QTest::newRow("random bytes") << "random"
                                  << "not a Pimscope capture";
    QTest::newRow("other sqlite app") << "foreign-sqlite"
                                      << "another application";
    QTest::newRow("newer pimscope") << "newer"
                                    << "written by a newer Pimscope";
    QTest::newRow("corrupt capture") << "corrupt"
                                     << "corrupt";
    QTest::newRow("directory") << "directory"
                               << "is a directory";
}

void TestEventStore::rejectsFilesItDoesNotOwn()
{
    QFETCH(QString, kind);
    QFETCH(QString, message);
    QTemporaryDir dir;
    QString path = dir.filePath(QStringLiteral("capture.db"));
    auto makeSqlite = [&](const std::function<void(QSqlQuery &)> &fill) {
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("maker"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            fill(q);
        }
        QSqlDatabase::removeDatabase(QStringLiteral("maker"));
    };
    if (kind == u"text") {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("2025/03/18 08:00:41 INFO The API event request was sent. []\n");
    } else if (kind == u"random") {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QByteArray bytes(8192, '\0');
        for (qsizetype i = 0; i < bytes.size(); ++i)
            bytes[i] = char((i * 7919) % 251);
        f.write(bytes);
    } else if (kind == u"foreign-sqlite") {
        makeSqlite([](QSqlQuery &q) {
            QVERIFY(q.exec(QStringLiteral("CREATE TABLE contacts (name TEXT)")));
            QVERIFY(q.exec(QStringLiteral("INSERT INTO contacts VALUES ('Ada')")));
        });
    } else if (kind == u"newer") {
        makeSqlite([](QSqlQuery &q) {
            QVERIFY(q.exec(QStringLiteral("CREATE TABLE deliveries (id INTEGER PRIMARY KEY)")));
            QVERIFY(q.exec(QStringLiteral("PRAGMA application_id = %1").arg(schema::applicationId)));
            QVERIFY(q.exec(QStringLiteral("PRAGMA user_version = 99")));
        });
    } else if (kind == u"corrupt") {
        {
            auto store = openStore(path);
            store->enqueue(receivedDelivery(sample("akeneo_batch_example.json"), t0));
            QVERIFY(store->flush());
        }
        // Keep the valid 100-byte header, overwrite the pages behind it.
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.size() > 4096);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{QStringLiteral("capture.db")}); // closed cleanly
        f.seek(100);
        f.write(QByteArray(int(f.size()) - 100, '\xA5'));
    } else if (kind == u"directory") {
        path = dir.path();
    }
    const QByteArray before = sha256(path);
    const QStringList filesBefore = QDir(dir.path()).entryList(QDir::Files);

    auto store = EventStore::open(path);
    QVERIFY(!store);
    QVERIFY2(store.error().contains(message), qPrintable(store.error()));
    QVERIFY2(store.error().contains(QDir::toNativeSeparators(path)), qPrintable(store.error()));
    auto reader = StoreReader::open(path);
    QVERIFY(!reader);
    QVERIFY2(reader.error().contains(message), qPrintable(reader.error()));

    // Never modified, and no journal or WAL file was left beside it.
    QCOMPARE(sha256(path), before);
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), filesBefore);
}

void TestEventStore::missingFileWhenNotCreating()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("nope.db"));
    StoreOptions options;
    options.createIfMissing = false;
    auto store = EventStore::open(path, options);
    QVERIFY(!store);
    QVERIFY2(store.error().contains(QStringLiteral("no such capture file")), qPrintable(store.error()));
    QVERIFY(!StoreReader::open(path));
    QVERIFY(!QFile::exists(path));
}

void TestEventStore::storesRawBytesAndEvents()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("c.db")));
    const QByteArray body = sample("akeneo_batch_example.json");
    Delivery sent = receivedDelivery(body, t0 + 5000);
    const quint64 ticket = store->enqueue(sent);
    QVERIFY(store->waitForTicket(ticket));

    const QList<Delivery> deliveries = allDeliveries(*store);
    QCOMPARE(deliveries.size(), 1);
    const Delivery &d = deliveries.first();
    QCOMPARE(d.body, body); // byte for byte
    QCOMPARE(d.bodySize, body.size());
    QCOMPARE(d.headers, sent.headers); // wire order, duplicates kept
    QCOMPARE(d.method, QByteArray("POST"));
    QCOMPARE(d.path, QByteArray("/hook/events"));
    QCOMPARE(d.format, Format::Akeneo);
    QCOMPARE(d.eventCount, 10);
    QCOMPARE(d.receivedAtMs, t0 + 5000);
    QCOMPARE(d.answeredStatus, 200);
    QCOMPARE(*d.ackMs, 12.5);
    QVERIFY(d.error.isNull());

    const QList<EventRecord> events = allEvents(*store);
    QCOMPARE(events.size(), 10);
    for (int i = 0; i < events.size(); ++i) {
        const EventRecord &r = events[i];
        QCOMPARE(r.event.seq, i);
        QCOMPARE(r.event.deliveryId, d.id);
        QCOMPARE(r.payload, body.mid(r.event.payloadOffset, r.event.payloadLength));
        QVERIFY(r.payload.startsWith('{') && r.payload.endsWith('}'));
        QCOMPARE(r.origin, Origin::Receiver);
        QCOMPARE(r.receivedAtMs, t0 + 5000);
        QCOMPARE(r.format, Format::Akeneo);
    }
    QCOMPARE(events[0].event.eventId, QStringLiteral("3f6c2a8e-9b1d-4c57-a0e2-6d4b9f1e7a21"));
    QCOMPARE(events[0].event.action, QStringLiteral("product.created"));
    QCOMPARE(events[0].event.subjectType, QStringLiteral("product"));
    QCOMPARE(events[0].event.subjectId, QStringLiteral("TSHIRT-ORG-BLU-M"));
    QCOMPARE(events[0].event.subjectUuid, QStringLiteral("8a1f5c3e-2d7b-4e91-b6a4-0c9e3f7d2b15"));
    QCOMPARE(toIsoUtc(*events[0].event.eventTimeMs), QStringLiteral("2025-03-18T14:02:11.000Z"));

    // The events of one delivery, in order, and rows fetched by id in the order asked.
    const auto ofDelivery = store->reader().eventsOfDelivery(d.id);
    QCOMPARE(ofDelivery->size(), 10);
    const auto reversed = store->reader().events({events[9].event.id, events[0].event.id, 999999});
    QCOMPARE(reversed->size(), 2);
    QCOMPARE(reversed->at(0).event.id, events[9].event.id);
}

void TestEventStore::signalsDurableDeliveries()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("c.db"));
    auto store = openStore(path);
    QueuedSpy spy(store.get(), &EventStore::deliveriesStored);
    QList<quint64> tickets;
    for (int i = 0; i < 50; ++i)
        tickets.append(store->enqueue(receivedDelivery(sample("quable_example.json"), t0 + i)));
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            qsizetype n = 0;
            for (const auto &call : spy.calls())
                n += std::get<0>(call).size();
            return n == 50;
        }(),
        10000);
    QList<quint64> reported;
    for (const auto &call : spy.calls()) {
        for (const StoredDelivery &s : std::get<0>(call)) {
            reported.append(s.ticket);
            QVERIFY(s.id > 0);
            QCOMPARE(s.eventCount, 1);
        }
    }
    QCOMPARE(reported, tickets);
    // Reported means committed: a separate connection sees every one of them.
    auto other = StoreReader::open(path);
    QVERIFY(other);
    QCOMPARE(*other.value()->countMatching(Filter::parse(QString()), FilterTarget::Deliveries), 50);
}

void TestEventStore::parsesOnlyWhenAsked()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("c.db")));
    Delivery d = receivedDelivery("not json at all", t0);
    d.format = Format::Unknown;
    d.error = QStringLiteral("set by the caller");
    store->enqueue(d, true);
    store->enqueue(receivedDelivery("{\"events\":[", t0));
    QVERIFY(store->flush());
    const auto deliveries = allDeliveries(*store);
    QCOMPARE(deliveries.size(), 2);
    QCOMPARE(deliveries[0].error, QStringLiteral("set by the caller"));
    QCOMPARE(deliveries[0].body, QByteArray("not json at all"));
    QVERIFY(!deliveries[1].error.isEmpty()); // parsed by the writer: truncated JSON
    QCOMPARE(deliveries[1].body, QByteArray("{\"events\":["));
    QVERIFY(deliveries[1].flags.testFlag(Flag::Error));
}

void TestEventStore::flagsDuplicatesAndOrder()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("c.db")));
    const auto ev = [](const char *id, const char *time, const char *sku) {
        return akeneoEvent(QString::fromLatin1(id), QStringLiteral("product.updated"), QString::fromLatin1(time),
                           QString::fromLatin1(sku));
    };
    store->enqueue(
        receivedDelivery(akeneoBody({ev("11111111-1111-4111-8111-111111111111", "2025-03-18T14:00:00+00:00", "A"),
                                     ev("22222222-2222-4222-8222-222222222222", "2025-03-18T14:05:00+00:00", "B")}),
                         t0));
    // Same id again (duplicate), and an older event for subject B (out of order).
    store->enqueue(
        receivedDelivery(akeneoBody({ev("11111111-1111-4111-8111-111111111111", "2025-03-18T14:00:00+00:00", "A"),
                                     ev("33333333-3333-4333-8333-333333333333", "2025-03-18T14:01:00+00:00", "B")}),
                         t0 + 1000));
    // The same event id in an imported log is not a duplicate delivery.
    Delivery logLine;
    logLine.origin = Origin::Log;
    logLine.receivedAtMs = t0;
    logLine.body = ev("11111111-1111-4111-8111-111111111111", "2025-03-18T14:00:00+00:00", "A");
    logLine.logLevel = LogLevel::Info;
    logLine.logMessage = LogMessage::RequestSent;
    logLine.statusCode = 200;
    Event e;
    e.eventId = QStringLiteral("11111111-1111-4111-8111-111111111111");
    e.action = QStringLiteral("product.updated");
    e.eventTimeMs = iso("2025-03-18T14:00:00Z");
    e.subjectType = QStringLiteral("product");
    e.subjectId = QStringLiteral("A");
    e.payloadLength = logLine.body.size();
    logLine.events = {e};
    logLine.format = Format::Akeneo;
    store->enqueue(logLine, true);
    QVERIFY(store->flush());

    const auto events = allEvents(*store);
    QCOMPARE(events.size(), 5);
    QCOMPARE(events[0].event.flags, Flags());
    QCOMPARE(events[1].event.flags, Flags());
    QCOMPARE(events[2].event.flags, Flags(Flag::Duplicate));
    QCOMPARE(events[3].event.flags, Flags(Flag::OutOfOrder));
    QCOMPARE(events[4].event.flags, Flags());
    const auto deliveries = allDeliveries(*store);
    QCOMPARE(deliveries[1].flags, Flag::Duplicate | Flag::OutOfOrder); // union of its events
    QCOMPARE(deliveries[2].origin, Origin::Log);

    // Flags are queryable.
    QCOMPARE(*store->reader().countMatching(Filter::parse(QStringLiteral("flag:duplicate")), FilterTarget::Events), 1);
    QCOMPARE(
        *store->reader().countMatching(Filter::parse(QStringLiteral("flag:out_of_order")), FilterTarget::Deliveries),
        1);
}

void TestEventStore::flagsStaleSelfSignatureAckError()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("c.db")));
    auto one = [](const char *id, const char *time, const char *author) {
        return akeneoBody({akeneoEvent(QString::fromLatin1(id), QStringLiteral("product.updated"),
                                       QString::fromLatin1(time), QStringLiteral("SKU-") + QString::fromLatin1(id),
                                       QString::fromLatin1(author), QStringLiteral("api"))});
    };
    const qint64 now = iso("2025-03-18T18:00:00Z");
    // 0: 2 h 00 min 01 s old -> stale
    store->enqueue(receivedDelivery(one("a0", "2025-03-18T15:59:59+00:00", "erp"), now));
    // 1: exactly 2 h old -> not stale
    store->enqueue(receivedDelivery(one("a1", "2025-03-18T16:00:00+00:00", "erp"), now));
    // 2: authored by the connection being debugged -> self (after setSelfAuthor)
    store->enqueue(receivedDelivery(one("a2", "2025-03-18T17:59:00+00:00", "shop_connector"), now));
    // 3: invalid signature
    Delivery bad = receivedDelivery(one("a3", "2025-03-18T17:59:00+00:00", "erp"), now);
    bad.signature = Signature::Invalid;
    bad.answeredStatus = 401;
    store->enqueue(bad);
    // 4: answered in 501 ms (Akeneo budget 500 ms) -> slow_ack
    store->enqueue(receivedDelivery(one("a4", "2025-03-18T17:59:00+00:00", "erp"), now, 501.0));
    // 5: Quable answered in 900 ms: within its 5 s budget
    store->enqueue(receivedDelivery(sample("quable_example.json"), iso("2025-03-18T09:41:30Z"), 900.0));
    // 6: the endpoint answered 500
    Delivery failed = receivedDelivery(one("a6", "2025-03-18T17:59:00+00:00", "erp"), now);
    failed.answeredStatus = 500;
    store->enqueue(failed);
    // 7: valid signature, 500 ms exactly
    Delivery good = receivedDelivery(one("a7", "2025-03-18T17:59:00+00:00", "erp"), now, 500.0);
    good.signature = Signature::Valid;
    store->enqueue(good);
    // 8: missing / expired signatures are bad too
    Delivery missing = receivedDelivery(one("a8", "2025-03-18T17:59:00+00:00", "erp"), now);
    missing.signature = Signature::Expired;
    store->enqueue(missing);
    QVERIFY(store->flush());

    auto flagsOf = [&] {
        QList<Flags> flags;
        for (const EventRecord &r : allEvents(*store))
            flags.append(r.event.flags);
        return flags;
    };
    QList<Flags> f = flagsOf();
    QCOMPARE(f.size(), 9);
    QCOMPARE(f[0], Flags(Flag::Stale));
    QCOMPARE(f[1], Flags());
    QCOMPARE(f[2], Flags());
    QCOMPARE(f[3], Flag::BadSignature | Flag::Error);
    QCOMPARE(f[4], Flags(Flag::SlowAck));
    QCOMPARE(f[5], Flags());
    QCOMPARE(f[6], Flags(Flag::Error));
    QCOMPARE(f[7], Flags());
    QCOMPARE(f[8], Flags(Flag::BadSignature));

    // Configuring the "self" author re-flags what is stored, and applies to what comes next.
    store->setSelfAuthor(QStringLiteral("shop_connector"));
    store->enqueue(receivedDelivery(one("a9", "2025-03-18T17:59:00+00:00", "shop_connector"), now));
    QVERIFY(store->flush());
    f = flagsOf();
    QCOMPARE(f[2], Flags(Flag::Self));
    QCOMPARE(f[9], Flags(Flag::Self));
    QCOMPARE(allDeliveries(*store)[2].flags, Flags(Flag::Self));
    // Several: the Events API connection's user and the Event Platform apps' client ids (an Event Platform event names
    // the acting app by its client_id).
    const QByteArray clientId = "b238e9f7-fcec-45bd-9431-d43cd624b244";
    store->setSelfAuthor(QStringLiteral(" shop_connector , ") + QString::fromLatin1(clientId) + QStringLiteral(",,"));
    store->enqueue(receivedDelivery(
        "{\"specversion\":\"1.0\",\"id\":\"ep-self\",\"type\":\"com.akeneo.pim.v1.product.updated\",\"source\":"
        "\"pim\",\"time\":\"2025-03-18T17:59:00Z\",\"data\":{\"author\":{\"identifier\":\""
            + clientId + "\",\"type\":\"api\"},\"product\":{\"uuid\":\"u-self\"}}}",
        now));
    QVERIFY(store->flush());
    f = flagsOf();
    QCOMPARE(f[2], Flags(Flag::Self));
    QCOMPARE(f[9], Flags(Flag::Self));
    QCOMPARE(f[10], Flags(Flag::Self));
    QCOMPARE(f[1], Flags());
    store->setSelfAuthor(QString());
    QVERIFY(store->flush());
    QCOMPARE(flagsOf()[2], Flags());
    QCOMPARE(flagsOf()[10], Flags());
    QCOMPARE(allDeliveries(*store)[2].flags, Flags());
}

void TestEventStore::flagsFollowEachSendersRules()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("c.db")));
    const qint64 now = iso("2025-03-18T18:00:00Z");
    const auto platform = [](const char *id, const char *time) -> QByteArray {
        return "{\"specversion\":\"1.0\",\"id\":\"" + QByteArray(id)
            + "\",\"type\":\"com.akeneo.pim.v1.product.updated\",\"source\":\"pim\",\"time\":\"" + QByteArray(time)
            + "\",\"data\":{\"product\":{\"uuid\":\"u-" + QByteArray(id) + "\"}}}";
    };
    const QByteArray events = akeneoBody({akeneoEvent(
        QStringLiteral("e0"), QStringLiteral("product.updated"), QStringLiteral("2025-03-18T17:59:00+00:00"),
        QStringLiteral("SKU-e0"), QStringLiteral("erp"), QStringLiteral("api"))});
    // 0: Quable, the event over 8 h old: not stale (only the Events API drops old events).
    store->enqueue(receivedDelivery(sample("quable_example.json"), now));
    // 1: Event Platform, 3 h old: not stale either.
    store->enqueue(receivedDelivery(platform("p1", "2025-03-18T15:00:00Z"), now));
    // 2: Event Platform answered 302: a failure there (it suspends the subscription on any 3xx).
    Delivery redirected = receivedDelivery(platform("p2", "2025-03-18T17:59:00Z"), now);
    redirected.answeredStatus = 302;
    store->enqueue(redirected);
    // 3: the Events API answered 302: below 400, a success for it.
    Delivery akeneoRedirected = receivedDelivery(events, now);
    akeneoRedirected.answeredStatus = 302;
    store->enqueue(akeneoRedirected);
    // 4: Event Platform answered in 4.9 s: within its 5 s; 5: in 5.1 s: slow.
    store->enqueue(receivedDelivery(platform("p4", "2025-03-18T17:59:00Z"), now, 4900.0));
    store->enqueue(receivedDelivery(platform("p5", "2025-03-18T17:59:00Z"), now, 5100.0));
    QVERIFY(store->flush());
    QList<Flags> f;
    for (const EventRecord &r : allEvents(*store))
        f.append(r.event.flags);
    QCOMPARE(f.size(), 6);
    QCOMPARE(f[0], Flags());
    QCOMPARE(f[1], Flags());
    QCOMPARE(f[2], Flags(Flag::Error));
    QCOMPARE(f[3], Flags());
    QCOMPARE(f[4], Flags());
    QCOMPARE(f[5], Flags(Flag::SlowAck));
}

namespace {

QByteArray platformEvent(const char *id)
{
    return "{\"specversion\":\"1.0\",\"id\":\"" + QByteArray(id)
        + "\",\"type\":\"com.akeneo.pim.v1.product.updated\",\"source\":\"pim\",\"time\":\"2025-03-18T17:59:00Z\","
          "\"data\":{\"product\":{\"uuid\":\"u-"
        + QByteArray(id) + "\"}}}";
}

Delivery answered(QByteArray body, qint64 atMs, int status, double ackMs = 12.5)
{
    Delivery d = receivedDelivery(std::move(body), atMs, ackMs);
    d.answeredStatus = status;
    return d;
}

struct Attempt
{
    int attempt;
    qint64 retryOf;
    bool duplicate;
    friend bool operator==(const Attempt &, const Attempt &) = default;
};

QList<Attempt> attemptsOf(EventStore &store)
{
    QList<Attempt> out;
    for (const EventRecord &r : allEvents(store))
        out.append({r.event.attempt, r.event.retryOf, r.event.flags.testFlag(Flag::Duplicate)});
    return out;
}

} // namespace

void TestEventStore::flagCountsFollowEveryChange()
{
    // The diagnostics' flag counts are kept by the store's triggers, not scanned: after every kind of change (stored,
    // answered late, re-flagged as self, an import taken out, retention) they equal a scan of the capture.
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("c.db")));
    const qint64 t0 = iso("2026-12-06T10:00:00Z");
    const auto check = [&](const char *step, qint64 expectedErrors) {
        QVERIFY(store->flush());
        const auto summary = store->reader().summary(t0);
        QVERIFY2(summary, qPrintable(summary.error()));
        QSqlQuery q(store->reader().db());
        for (const auto &[table, counts] : {std::pair{QStringLiteral("events"), &summary->eventsByFlag},
                                            std::pair{QStringLiteral("deliveries"), &summary->deliveriesByFlag}}) {
            for (const Flag f : allFlags) {
                QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM %1 WHERE flags & %2").arg(table).arg(int(f))));
                QVERIFY(q.next());
                QVERIFY2(counts->value(flagName(f)) == q.value(0).toLongLong(),
                         qPrintable(QStringLiteral("%1: %2 %3: counted %4, scanned %5")
                                        .arg(QLatin1StringView(step), table, flagName(f))
                                        .arg(counts->value(flagName(f)))
                                        .arg(q.value(0).toLongLong())));
            }
        }
        QCOMPARE(summary->deliveriesByFlag.value(flagName(Flag::Error)), expectedErrors);
    };
    const QByteArray batch = sample("akeneo_batch_example.json");
    store->enqueue(receivedDelivery(batch, t0));
    store->enqueue(receivedDelivery(batch, t0 + 1000)); // ten duplicates
    Delivery failed = receivedDelivery(sample("quable_example.json"), t0 + 2000);
    failed.answeredStatus = 500;
    store->enqueue(failed);
    check("stored", 1);
    QVERIFY(store->reader().summary(t0)->eventsByFlag.value(flagName(Flag::Duplicate)) == 10);

    // Answered after the fact, past the Events API's 500 ms.
    const quint64 late = store->enqueue(receivedDelivery(batch, t0 + 3000, std::nullopt));
    QVERIFY(store->waitForTicket(late));
    QSqlQuery q(store->reader().db());
    QVERIFY(q.exec(QStringLiteral("SELECT max(id) FROM deliveries")) && q.next());
    store->recordAnswer(q.value(0).toLongLong(), 900);
    q.finish();
    check("answered late", 1);
    QVERIFY(store->reader().summary(t0)->eventsByFlag.value(flagName(Flag::SlowAck)) == 10);

    // Everything erp_connector_0417 wrote becomes self.
    store->setSelfAuthor(QStringLiteral("erp_connector_0417"));
    check("self", 1);
    QVERIFY(store->reader().summary(t0)->eventsByFlag.value(flagName(Flag::Self)) > 0);

    // An import's error line, then the import taken out.
    const auto importId = store->beginImport(QStringLiteral("pim.log"), QStringLiteral("/logs/pim.log"), t0);
    QVERIFY(importId);
    Delivery line;
    line.origin = Origin::Log;
    line.receivedAtMs = t0;
    line.importId = importId.value();
    line.logKey = "key-1";
    line.logLevel = LogLevel::Error;
    line.body = "2026/12/06 10:00:00 ERROR broken";
    store->enqueue(line, true);
    check("imported", 2);
    QVERIFY(store->waitForTicket(store->abortImport(importId.value())));
    check("import taken out", 1);

    // A bulk write (a large import) drops the triggers and counts what it added at its end.
    store->beginBulk();
    Delivery bulkLine = line;
    bulkLine.importId = 0;
    bulkLine.logKey = "key-2";
    store->enqueue(bulkLine, true);
    store->enqueue(receivedDelivery(batch, t0 + 4000));
    QVERIFY(store->waitForTicket(store->endBulk()));
    check("bulk", 2);
    // Retention during a bulk write: everything is counted again at its end.
    store->beginBulk();
    QVERIFY(store->waitForTicket(store->prune(Retention{1, 0}, t0 + qint64{3} * 86'400'000)));
    Delivery later = receivedDelivery(batch, t0 + qint64{3} * 86'400'000);
    later.answeredStatus = 503;
    store->enqueue(later);
    QVERIFY(store->waitForTicket(store->endBulk()));
    check("pruned in a bulk write", 1);

    // What a rolled-back end of a bulk write leaves (the triggers dropped, rows written without them) is told from
    // the schema and counted again whole.
    {
        QSqlDatabase other = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("flags-other"));
        other.setDatabaseName(store->path());
        QVERIFY(other.open());
        QVERIFY(schema::flagTriggersPresent(other));
        QVERIFY(schema::dropFlagTriggers(other));
        QVERIFY(!schema::flagTriggersPresent(other));
        QSqlQuery u(other);
        QVERIFY(u.exec(QStringLiteral("UPDATE events SET flags = flags | %1").arg(int(Flag::Stale))));
        QVERIFY(schema::restoreFlagTriggers(other, std::nullopt));
        QVERIFY(schema::flagTriggersPresent(other));
        u.finish();
        other.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("flags-other"));
    check("counted again", 1);

    // Retention takes everything out.
    QVERIFY(store->waitForTicket(store->prune(Retention{1, 0}, t0 + qint64{9} * 86'400'000)));
    check("pruned", 0);
}

void TestEventStore::retriesAreAttemptsOfAChain()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("c.db")));
    const qint64 now = iso("2025-03-18T18:00:00Z");
    constexpr qint64 minute = 60'000;
    const QByteArray quable = sample("quable_example.json");
    // Quable (2 retries, 5 min apart): three failures are attempts 1, 2, 3 of one chain; a 4th delivery does not fit
    // (no retry left): a duplicate, the first attempt of a chain of its own.
    store->enqueue(answered(quable, now, 500));
    store->enqueue(answered(quable, now + 5 * minute, 500));
    store->enqueue(answered(quable, now + 10 * minute, 503));
    store->enqueue(answered(quable, now + 15 * minute, 500));
    QVERIFY(store->flush());
    QList<Attempt> a = attemptsOf(*store);
    QCOMPARE(a.size(), 4);
    const qint64 first = allEvents(*store).first().event.id;
    QCOMPARE(a[0], (Attempt{1, 0, false}));
    QCOMPARE(a[1], (Attempt{2, first, false}));
    QCOMPARE(a[2], (Attempt{3, first, false}));
    QCOMPARE(a[3], (Attempt{1, 0, true}));

    // Event Platform (retries 5, 10, 20 min after the previous attempt): a failure, a retry answered in time, then a
    // redelivery after that success: a duplicate (it delivers at least once).
    store->enqueue(answered(platformEvent("ok"), now, 500));
    store->enqueue(answered(platformEvent("ok"), now + 5 * minute, 200));
    store->enqueue(answered(platformEvent("ok"), now + 6 * minute, 200));
    // A redelivery far later than the schedule (5 min, here 30): not a retry.
    store->enqueue(answered(platformEvent("late"), now, 500));
    store->enqueue(answered(platformEvent("late"), now + 30 * minute, 200));
    // Retries in seconds (a test, a scaled replay): earlier than scheduled is still the sender retrying.
    store->enqueue(answered(platformEvent("fast"), now, 404));
    store->enqueue(answered(platformEvent("fast"), now + 1000, 302));
    store->enqueue(answered(platformEvent("fast"), now + 2000, 429));
    store->enqueue(answered(platformEvent("fast"), now + 3000, 200));
    // A 200 after the 5 s deadline failed: its redelivery is a retry.
    store->enqueue(answered(platformEvent("slow"), now, 200, 5200.0));
    store->enqueue(answered(platformEvent("slow"), now + 5 * minute, 200));
    // The Events API never retries: a redelivery after a failure is a duplicate.
    const QByteArray akeneo
        = akeneoBody({akeneoEvent(QStringLiteral("a1"), QStringLiteral("product.updated"),
                                  QStringLiteral("2025-03-18T17:59:00+00:00"), QStringLiteral("SKU-a1"))});
    store->enqueue(answered(akeneo, now, 500));
    store->enqueue(answered(akeneo, now + 1000, 200));
    QVERIFY(store->flush());
    const QList<EventRecord> events = allEvents(*store);
    a = attemptsOf(*store).mid(4);
    const auto idAt = [&events](int i) { return events[4 + i].event.id; };
    QCOMPARE(a.size(), 13);
    QCOMPARE(a[0], (Attempt{1, 0, false}));
    QCOMPARE(a[1], (Attempt{2, idAt(0), false}));
    QCOMPARE(a[2], (Attempt{1, 0, true}));
    QCOMPARE(a[3], (Attempt{1, 0, false}));
    QCOMPARE(a[4], (Attempt{1, 0, true}));
    QCOMPARE(a[5], (Attempt{1, 0, false}));
    QCOMPARE(a[6], (Attempt{2, idAt(5), false}));
    QCOMPARE(a[7], (Attempt{3, idAt(5), false}));
    QCOMPARE(a[8], (Attempt{4, idAt(5), false}));
    QCOMPARE(a[9], (Attempt{1, 0, false}));
    QCOMPARE(a[10], (Attempt{2, idAt(9), false}));
    QCOMPARE(a[11], (Attempt{1, 0, false}));
    QCOMPARE(a[12], (Attempt{1, 0, true}));

    // The filter fields.
    auto retries = store->reader().matchingIds(Filter::parse(QStringLiteral("attempt > 1")), FilterTarget::Events);
    QVERIFY(retries);
    QCOMPARE(retries->size(), 2 + 1 + 3 + 1);
    auto chain = store->reader().matchingIds(Filter::parse(QStringLiteral("retry_of == %1 || id == %1").arg(idAt(5))),
                                             FilterTarget::Events);
    QVERIFY(chain);
    QCOMPARE(*chain, (QList<qint64>{idAt(5), idAt(6), idAt(7), idAt(8)}));
    auto deliveries
        = store->reader().matchingIds(Filter::parse(QStringLiteral("attempt == 4")), FilterTarget::Deliveries);
    QVERIFY(deliveries);
    QCOMPARE(*deliveries, QList<qint64>{events[4 + 8].event.deliveryId});
    // The path is stored as the request target's bytes: compared as text all the same (the diagnostics filter a
    // subscription by it).
    for (const char *byPath : {"path == \"/hook/events\"", "path ~ \"HOOK/\"", "path matches \"^/hook\""}) {
        auto onPath = store->reader().matchingIds(Filter::parse(QString::fromLatin1(byPath)), FilterTarget::Events);
        QVERIFY(onPath);
        QCOMPARE(onPath->size(), events.size());
    }
}

void TestEventStore::attemptChainsSurviveReopen()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("c.db"));
    const qint64 now = iso("2025-03-18T18:00:00Z");
    const QByteArray quable = sample("quable_example.json");
    {
        auto store = openStore(path);
        store->enqueue(answered(quable, now, 500));
        store->enqueue(answered(quable, now + 300'000, 500));
        // An answer in time, then known to be slow only once it was sent (the receiver records the time after).
        store->enqueue(receivedDelivery(platformEvent("later"), now, std::nullopt));
        QVERIFY(store->flush());
        store->recordAnswer(allEvents(*store).last().event.deliveryId, 5500.0);
        QVERIFY(store->flush());
        // The same while the capture stays open: the writer learns of the late answer as it records it.
        store->enqueue(receivedDelivery(platformEvent("now"), now, std::nullopt));
        QVERIFY(store->flush());
        store->recordAnswer(allEvents(*store).last().event.deliveryId, 5600.0);
        store->enqueue(answered(platformEvent("now"), now + 300'000, 200));
        QVERIFY(store->flush());
        const QList<EventRecord> events = allEvents(*store);
        QCOMPARE(events.last().event.attempt, 2);
        QCOMPARE(events.last().event.retryOf, events[events.size() - 2].event.id);
    }
    auto store = openStore(path);
    store->enqueue(answered(quable, now + 600'000, 500));
    store->enqueue(answered(platformEvent("later"), now + 300'000, 200));
    QVERIFY(store->flush());
    const QList<EventRecord> events = allEvents(*store);
    QCOMPARE(events.size(), 7);
    QCOMPARE(events[5].event.attempt, 3);
    QCOMPARE(events[5].event.retryOf, events[0].event.id);
    QVERIFY(!events[5].event.flags.testFlag(Flag::Duplicate));
    QCOMPARE(events[6].event.attempt, 2);
    QCOMPARE(events[6].event.retryOf, events[2].event.id);
}

void TestEventStore::healthIsKeptAsDeliveriesAreStored()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("c.db"));
    const qint64 now = iso("2025-03-18T18:00:00Z");
    const QByteArray quable = sample("quable_example.json");
    QList<SubscriptionHealth> before;
    {
        auto store = openStore(path);
        QueuedSpy spy(store.get(), &EventStore::healthChanged);
        store->enqueue(answered(quable, now, 500));
        store->enqueue(answered(quable, now + 1000, 500));
        // The third answer's time comes after its commit (as the receiver's do): counted once it is known.
        store->enqueue(receivedDelivery(quable, now + 2000, std::nullopt));
        QVERIFY(store->flush());
        QCOMPARE(store->health().size(), 1);
        QCOMPARE(store->health().front().failureStreak, 2);
        store->recordAnswer(allDeliveries(*store).last().id, 5200.0); // answered 200, but after Quable's 5 s
        // Indexed later (the receiver's path) from another sender.
        Delivery later = answered(platformEvent("p"), now + 3000, 404);
        later.format = PayloadParser().parse(later.body).format; // as the receiver does
        store->enqueueIndexingLater(later);
        QVERIFY(store->flush());
        const QList<SubscriptionHealth> health = store->health();
        QCOMPARE(health.size(), 2);
        QCOMPARE(health[0].path, "/hook/events");
        QCOMPARE(health[0].sender, Format::AkeneoEventPlatform);
        QVERIFY(health[0].cutOff);
        QCOMPARE(health[0].cutOffReason, QStringLiteral("answered 404"));
        QCOMPARE(health[1].sender, Format::Quable);
        QVERIFY(health[1].cutOff);
        QCOMPARE(health[1].cutOffAtMs, now + 2000);
        QCOMPARE(health[1].cutOffReason, QStringLiteral("3rd consecutive failure, answered 200 in 5200 ms"));
        QTRY_VERIFY(spy.size() > 0 && std::get<0>(spy.calls().last()) == health);
        QVERIFY(!std::get<1>(spy.calls().last())); // stored, not read
        before = health;
    }
    // Read again from the capture when it opens (just after open() returned), the same.
    auto store = openStore(path);
    QTRY_COMPARE(store->health(), before);
}

void TestEventStore::flagStateSurvivesReopen()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("c.db"));
    const QByteArray body = sample("akeneo_batch_example.json");
    openStore(path)->enqueue(receivedDelivery(body, t0)); // the destructor commits what is queued
    auto store = openStore(path);
    store->enqueue(receivedDelivery(body, t0 + 1000));
    QVERIFY(store->flush());
    const auto events = allEvents(*store);
    QCOMPARE(events.size(), 20);
    for (int i = 10; i < 20; ++i)
        QVERIFY(events[i].event.flags.testFlag(Flag::Duplicate));
}

void TestEventStore::concurrentWriters()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("c.db")));
    QList<QThread *> threads;
    for (int t = 0; t < 4; ++t) {
        threads.append(QThread::create([&store, t] {
            for (int i = 0; i < 100; ++i) {
                const QString id = QStringLiteral("%1-%2").arg(t).arg(i);
                store->enqueue(
                    receivedDelivery(akeneoBody({akeneoEvent(id, QStringLiteral("product.created"),
                                                             QStringLiteral("2025-03-18T14:02:11+00:00"), id)}),
                                     t0));
            }
        }));
        threads.last()->start();
    }
    for (QThread *t : threads) {
        QVERIFY(t->wait(20000));
        delete t;
    }
    QVERIFY(store->flush());
    QCOMPARE(allEvents(*store).size(), 400);
    QCOMPARE(*store->reader().countMatching(Filter::parse(QStringLiteral("flag:duplicate")), FilterTarget::Events), 0);
}

void TestEventStore::survivesKill9()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("c.db"));
    for (int round = 0; round < 3; ++round) {
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PIMSCOPE_CHILD_WRITER"), path);
        child.setProcessEnvironment(env);
        child.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY(child.waitForStarted());
        QList<quint64> durable;
        QElapsedTimer timer;
        timer.start();
        while (durable.size() < 40 + round * 17 && timer.elapsed() < 20000) {
            child.waitForReadyRead(100);
            while (child.canReadLine())
                durable.append(child.readLine().trimmed().toULongLong());
        }
        QVERIFY(durable.size() >= 40);
        ::kill(pid_t(child.processId()), SIGKILL);
        QVERIFY(child.waitForFinished());
        while (child.canReadLine())
            durable.append(child.readLine().trimmed().toULongLong());

        auto reader = StoreReader::open(path);
        QVERIFY2(reader, qPrintable(reader.error()));
        QSqlQuery q(reader.value()->db());
        QVERIFY(q.exec(QStringLiteral("PRAGMA integrity_check")) && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("ok"));
        // Every delivery reported durable is there (tickets are per process: count this round's rows).
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM deliveries")) && q.next());
        static qint64 before = 0;
        const qint64 rows = q.value(0).toLongLong();
        QVERIFY2(rows - before >= durable.size(),
                 qPrintable(QStringLiteral("%1 rows for %2 durable").arg(rows - before).arg(durable.size())));
        before = rows;
    }
}

void TestEventStore::pruneKeepsDaysAndBytes()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("c.db")));
    const qint64 day = 86'400'000;
    const qint64 now = t0 + 10 * day;
    // 40 deliveries a day apart... ten days: 4 a day, the oldest first.
    for (int i = 0; i < 40; ++i)
        store->enqueue(receivedDelivery(sample("akeneo_batch_example.json"), t0 + qint64(i) * day / 4));
    QVERIFY(store->flush());
    QueuedSpy pruned(store.get(), &EventStore::pruned);
    // Keep 3 days: what was received before now - 3 days goes (28 deliveries), with its events.
    store->waitForTicket(store->prune(Retention{3, 0}, now));
    QTRY_COMPARE(pruned.size(), 1);
    QCOMPARE(qint64(std::get<0>(pruned.at(0))), qint64(28));
    auto stats = store->reader().statistics();
    QVERIFY(stats);
    QCOMPARE(stats->deliveries, 12);
    QCOMPARE(qint64(std::get<1>(pruned.at(0))), qint64(28 * (stats->events / 12)));
    QSqlQuery orphans(store->reader().db());
    QVERIFY(orphans.exec(
        QStringLiteral("SELECT count(*) FROM events WHERE delivery_id NOT IN (SELECT id FROM deliveries)")));
    QVERIFY(orphans.next());
    QCOMPARE(orphans.value(0).toInt(), 0);
    orphans.finish(); // its read transaction would keep this connection on an old snapshot
    // Nothing older is left: a second prune deletes nothing and says nothing.
    store->waitForTicket(store->prune(Retention{3, 0}, now));
    QCOMPARE(pruned.size(), 1);

    // By size: a lot of big bodies, then keep 2 MiB; the newest stay.
    QByteArray big = sample("akeneo_batch_example.json");
    for (int i = 0; i < 300; ++i)
        store->enqueue(receivedDelivery(big + QByteArray(20000, ' '), now + i));
    QVERIFY(store->flush());
    const auto used = [&] {
        QSqlQuery q(store->reader().db());
        q.exec(QStringLiteral("SELECT (SELECT page_count FROM pragma_page_count()) - (SELECT freelist_count FROM "
                              "pragma_freelist_count())"));
        q.next();
        const qint64 pages = q.value(0).toLongLong();
        q.exec(QStringLiteral("PRAGMA page_size"));
        q.next();
        return pages * q.value(0).toLongLong();
    };
    QVERIFY2(used() > 4 * 1024 * 1024, qPrintable(QString::number(used())));
    store->waitForTicket(store->prune(Retention{0, 2 * 1024 * 1024}, now + 1000));
    QVERIFY2(used() <= 2 * 1024 * 1024, qPrintable(QString::number(used())));
    QSqlQuery newest(store->reader().db());
    QVERIFY(newest.exec(QStringLiteral("SELECT max(received_at), count(*) FROM deliveries")));
    QVERIFY(newest.next());
    QCOMPARE(newest.value(0).toLongLong(), now + 299);
    QVERIFY(newest.value(1).toInt() > 10);
    QVERIFY(newest.value(1).toInt() < 312);
}

void TestEventStore::statistics()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("c.db")));
    store->enqueue(receivedDelivery(sample("akeneo_batch_example.json"), t0, 10.0));
    store->enqueue(receivedDelivery(sample("quable_example.json"), t0 + 1000, 30.0));
    store->enqueue(receivedDelivery("", t0 + 2000, 20.0));
    store->enqueue(receivedDelivery(sample("akeneo_batch_example.json"), t0 + 3600 * 1000, 700.0));
    QVERIFY(store->flush());
    const auto s = store->reader().statistics();
    QVERIFY2(s, qPrintable(s.error()));
    QCOMPARE(s->deliveries, 4);
    QCOMPARE(s->events, 21);
    QCOMPARE(s->byFormat.value(QStringLiteral("akeneo")), 2);
    QCOMPARE(s->byFormat.value(QStringLiteral("quable")), 1);
    QCOMPARE(s->byFormat.value(QStringLiteral("akeneo-test")), 1);
    QCOMPARE(s->byOrigin.value(QStringLiteral("receiver")), 4);
    QCOMPARE(s->bySignature.value(QStringLiteral("unchecked")), 4);
    QCOMPARE(s->byAction.value(QStringLiteral("document.update")), 1);
    QCOMPARE(s->byFlag.value(QStringLiteral("duplicate")), 10);
    QCOMPARE(s->byFlag.value(QStringLiteral("slow_ack")), 10);
    QCOMPARE(*s->ackMsP50, 20.0);
    QCOMPARE(*s->ackMsMax, 700.0);
    QCOMPARE(*s->ackMsP99, 700.0);
    // t0, +1 s, +2 s fall in one hour; +1 h starts a new one (the hour is half-open).
    QCOMPARE(s->maxDeliveriesRollingHour, 3);
    QCOMPARE(*s->maxRollingHourStartMs, t0);
}

namespace {

QStringList eventIndexes(const QString &path)
{
    auto reader = StoreReader::open(path);
    if (!reader)
        qFatal("%s", qPrintable(reader.error()));
    QSqlQuery q(reader.value()->db());
    QStringList names;
    if (!q.exec(QStringLiteral(
            "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'events' ORDER BY name")))
        qFatal("cannot list indexes");
    while (q.next())
        names.append(q.value(0).toString());
    return names;
}

const QStringList allEventIndexes
    = {QStringLiteral("events_delivery"), QStringLiteral("events_event_id"), QStringLiteral("events_subject")};

} // namespace

void TestEventStore::prunedDataLeavesTheFile()
{
    // Retention removes the bytes, not only the rows: nothing of a pruned delivery is left in the capture's files.
    // The writer's connection has secure_delete off first: Debian's SQLite turns it on by default, which would hide
    // a prune that does not ask for it. (Without the prune's own PRAGMA, the names stay in the file.)
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("c.db"));
    const qint64 day = 86'400'000;
    const qint64 now = t0 + 10 * day;
    StoreOptions plainDeletes;
    plainDeletes.secureDelete = false;
    {
        auto store = openStore(path, plainDeletes);
        for (int i = 0; i < 3; ++i) {
            store->enqueue(receivedDelivery(
                akeneoBody({akeneoEvent(QStringLiteral("old-%1").arg(i), QStringLiteral("product.updated"),
                                        QStringLiteral("2026-11-20T10:00:00+00:00"),
                                        QStringLiteral("PRUNED-PRODUCT-NAME-%1").arg(i))}),
                t0 + i));
        }
        store->enqueue(receivedDelivery(sample("akeneo_batch_example.json"), now));
        QVERIFY(store->flush());
        QVERIFY(store->waitForTicket(store->prune(Retention{1, 0}, now)));
        QCOMPARE(store->reader().statistics()->deliveries, qint64(1));
    }
    for (const QString &file : QDir(dir.path()).entryList(QDir::Files))
        QVERIFY2(!readFile(dir.filePath(file)).contains("PRUNED-PRODUCT-NAME"), qPrintable(file));
}

void TestEventStore::bulkWriteDefersIndexes()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("c.db"));
    auto store = openStore(path);
    const QByteArray body = sample("akeneo_batch_example.json");
    store->enqueue(receivedDelivery(body, t0));
    QVERIFY(store->flush());
    QCOMPARE(eventIndexes(path), allEventIndexes);

    store->beginBulk();
    store->enqueue(receivedDelivery(body, t0 + 1000));
    QVERIFY(store->flush());
    // The random-keyed ones dropped while the bulk write runs; the delivery's, appended in order, kept.
    QCOMPARE(eventIndexes(path), QStringList{QStringLiteral("events_delivery")});
    // Reads stay correct meanwhile, and flags are computed as usual.
    QCOMPARE(*store->reader().countMatching(Filter::parse(QStringLiteral("flag:duplicate")), FilterTarget::Events), 10);
    QCOMPARE(store->reader().eventsOfDelivery(2)->size(), 10);

    store->beginBulk(); // nested
    store->endBulk();
    QVERIFY(store->flush());
    QCOMPARE(eventIndexes(path), QStringList{QStringLiteral("events_delivery")});
    store->endBulk();
    QVERIFY(store->flush());
    QCOMPARE(eventIndexes(path), allEventIndexes);
    store->endBulk(); // unbalanced: harmless
    QVERIFY(store->flush());
    QCOMPARE(eventIndexes(path), allEventIndexes);
}

void TestEventStore::interruptedBulkIsRepairedOnOpen()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("c.db"));
    openStore(path)->enqueue(receivedDelivery(sample("akeneo_batch_example.json"), t0));
    {
        // What a crash in the middle of a bulk write leaves behind.
        auto c = Connection::open(path, Connection::Mode::ReadWrite);
        QVERIFY(c);
        QVERIFY(schema::dropEventIndexes(c.value()->db()));
        QCOMPARE(eventIndexes(path), QStringList{QStringLiteral("events_delivery")});
        // An older Pimscope dropped the delivery's index too.
        QVERIFY(QSqlQuery(c.value()->db()).exec(QStringLiteral("DROP INDEX events_delivery")));
    }
    QCOMPARE(eventIndexes(path), QStringList());
    auto store = openStore(path);
    QCOMPARE(eventIndexes(path), allEventIndexes);
    QCOMPARE(allEvents(*store).size(), 10);
}

void TestEventStore::eventsIndexedAfterTheCommit()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("c.db"));
    auto store = openStore(path);
    QueuedSpy stored(store.get(), &EventStore::deliveriesStored);
    const QByteArray body = sample("akeneo_batch_example.json");
    const auto parsedDelivery = [&](qint64 at, std::optional<double> ack) {
        Delivery d = receivedDelivery(body, at, ack);
        ParseResult r = PayloadParser().parse(d.body);
        d.format = r.format;
        d.events = r.events;
        return d;
    };
    const quint64 first = store->enqueueIndexingLater(parsedDelivery(t0, std::nullopt));
    QVERIFY(store->waitForTicket(first));
    QTRY_COMPARE(stored.size(), 1);
    const StoredDelivery s = std::get<0>(stored.at(0)).first();
    QCOMPARE(s.eventCount, 10);
    // Its answer is recorded (slow for Akeneo) before or after its events are indexed: they get slow_ack either way.
    store->recordAnswer(s.id, 900.0);
    store->enqueueIndexingLater(parsedDelivery(t0 + 1000, 20.0)); // the same events again: duplicates
    QVERIFY(store->flush());
    const auto events = allEvents(*store);
    QCOMPARE(events.size(), 20);
    for (int i = 0; i < 10; ++i) {
        QCOMPARE(events[i].event.deliveryId, s.id);
        QCOMPARE(events[i].payload, body.mid(events[i].event.payloadOffset, events[i].event.payloadLength));
        QVERIFY(events[i].event.flags.testFlag(Flag::SlowAck));
        QVERIFY(!events[i].event.flags.testFlag(Flag::Duplicate));
        QVERIFY(events[i + 10].event.flags.testFlag(Flag::Duplicate));
        QVERIFY(!events[i + 10].event.flags.testFlag(Flag::SlowAck));
    }
    const auto deliveries = allDeliveries(*store);
    QCOMPARE(deliveries[0].flags, Flags(Flag::SlowAck));
    QCOMPARE(deliveries[1].flags, Flags(Flag::Duplicate));
    QCOMPARE(deliveries[1].eventCount, 10);
}

void TestEventStore::unindexedDeliveriesAreCaughtUpOnOpen()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("c.db"));
    openStore(path); // creates the capture
    {
        // What a crash between a delivery's commit and the indexing of its events leaves behind.
        auto c = Connection::open(path, Connection::Mode::ReadWrite);
        QVERIFY(c);
        QSqlQuery q(c.value()->db());
        q.prepare(QStringLiteral("INSERT INTO deliveries (origin, received_at, body, body_size, format, event_count, "
                                 "indexed) VALUES (0, ?, ?, ?, 1, 10, 0)"));
        q.addBindValue(t0);
        q.addBindValue(sample("akeneo_batch_example.json"));
        q.addBindValue(sample("akeneo_batch_example.json").size());
        QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
    }
    auto store = openStore(path);
    QVERIFY(store->flush());
    const auto events = allEvents(*store);
    QCOMPARE(events.size(), 10);
    QCOMPARE(events[0].event.eventId, QStringLiteral("3f6c2a8e-9b1d-4c57-a0e2-6d4b9f1e7a21"));
    QCOMPARE(events[0].event.action, QStringLiteral("product.created"));
    QSqlQuery q(store->reader().db());
    QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM deliveries WHERE indexed = 0")) && q.next());
    QCOMPARE(q.value(0).toInt(), 0);
}

void TestEventStore::migratesVersion1Captures()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("c.db"));
    const QByteArray body = sample("akeneo_batch_example.json");
    {
        auto store = openStore(path);
        store->enqueue(receivedDelivery(body, t0));
        QVERIFY(store->flush());
    }
    {
        // Take the file back to what version 1 wrote (SQLite >= 3.35 drops columns).
        auto c = Connection::open(path, Connection::Mode::ReadWrite);
        QVERIFY(c);
        QSqlQuery q(c.value()->db());
        for (const char *undo :
             {"DROP INDEX deliveries_answers",
              "DROP INDEX deliveries_import",
              "DROP INDEX deliveries_log_key",
              "ALTER TABLE deliveries DROP COLUMN import_id",
              "ALTER TABLE deliveries DROP COLUMN log_key",
              "DROP TABLE imports",
              "DROP INDEX events_event_id",
              "DROP INDEX events_subject",
              "ALTER TABLE events DROP COLUMN event_key",
              "ALTER TABLE events DROP COLUMN subject_key",
              "CREATE INDEX events_event_id ON events(event_id)",
              "CREATE INDEX events_subject ON events(subject_type, COALESCE(subject_uuid, subject_id))",
              "DROP INDEX deliveries_unindexed",
              "ALTER TABLE deliveries DROP COLUMN indexed",
              "DROP TRIGGER events_flags_in",
              "DROP TRIGGER events_flags_out",
              "DROP TRIGGER events_flags_changed",
              "DROP TRIGGER deliveries_flags_in",
              "DROP TRIGGER deliveries_flags_out",
              "DROP TRIGGER deliveries_flags_changed",
              "DROP TABLE flag_counts",
              "ALTER TABLE events DROP COLUMN attempt",
              "ALTER TABLE events DROP COLUMN retry_of",
              "DROP TABLE forwards",
              "DROP TABLE forward_counts",
              "DROP TRIGGER edits_gone",
              "DROP TABLE edits",
              "DROP TRIGGER followed_gone",
              "DROP TABLE followed",
              "DROP TABLE followed_servers",
              "PRAGMA user_version = 1"})
            QVERIFY2(q.exec(QString::fromLatin1(undo)), qPrintable(q.lastError().text()));
    }
    auto store = openStore(path);
    QVERIFY(store->waitForTicket(store->enqueueIndexingLater([&] {
        Delivery d = receivedDelivery(body, t0 + 1000);
        ParseResult r = PayloadParser().parse(d.body);
        d.format = r.format;
        d.events = r.events;
        return d;
    }())));
    QVERIFY(store->flush());
    QSqlQuery q(store->reader().db());
    QVERIFY(q.exec(QStringLiteral("PRAGMA user_version")) && q.next());
    QCOMPARE(q.value(0).toInt(), schema::currentVersion);
    QVERIFY(q.exec(QStringLiteral("SELECT count(*), sum(indexed) FROM deliveries")) && q.next());
    QCOMPARE(q.value(0).toInt(), 2);
    QCOMPARE(q.value(1).toInt(), 2);
    const auto events = allEvents(*store);
    QCOMPARE(events.size(), 20);
    QVERIFY(events[10].event.flags.testFlag(Flag::Duplicate));
    // Version 3: the imports table, and the event-id index holds the origin.
    QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM imports")) && q.next());
    // Version 4: the indexes hold the keys of the texts, computed for the rows of before as for new ones.
    QVERIFY(q.exec(QStringLiteral("SELECT group_concat(name) FROM pragma_index_info('events_event_id')")) && q.next());
    QCOMPARE(q.value(0).toString(), QStringLiteral("event_key,origin"));
    QVERIFY(q.exec(QStringLiteral("SELECT group_concat(name) FROM pragma_index_info('events_subject')")) && q.next());
    QCOMPARE(q.value(0).toString(), QStringLiteral("subject_key"));
    QVERIFY(q.exec(
        QStringLiteral("SELECT event_id, subject_type, subject_id, subject_uuid, event_key, subject_key FROM events")));
    int rows = 0;
    while (q.next()) {
        ++rows;
        QCOMPARE(q.value(4).toLongLong(), *textkey::eventIdOf(q.value(0).toString()));
        QCOMPARE(q.value(5).toLongLong(),
                 *textkey::subjectOf(q.value(1).toString(), q.value(2).toString(), q.value(3).toString()));
    }
    QCOMPARE(rows, 20);
    // Version 5: every event stored before is a first attempt (the chains are judged as events are stored).
    QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM events WHERE attempt = 1 AND retry_of IS NULL")) && q.next());
    QCOMPARE(q.value(0).toInt(), 20);
}

void TestEventStore::textKeysAreStable()
{
    // Captures store these keys: the function must never change (a filter's key would miss the stored ones).
    QCOMPARE(textkey::of(QStringView(u"6ad821d8-2468-4632-89d2-92e442c72313")), Q_INT64_C(-8225264861390719091));
    QCOMPARE(textkey::subject(u"product", u"SKU-1"), Q_INT64_C(3893759946143251162));
    // Beyond ASCII the key is that of the UTF-8 bytes, whichever form the text comes in.
    QCOMPARE(textkey::of(QByteArrayView("caf\xc3\xa9")), Q_INT64_C(-2251447986271062641));
    QCOMPARE(textkey::of(QStringView(u"caf\u00e9")), textkey::of(QByteArrayView("caf\xc3\xa9")));
    QVERIFY(!textkey::eventIdOf(QString()));
    QVERIFY(!textkey::eventIdOf(QStringLiteral("")));
    QVERIFY(!textkey::subjectOf(u"product", QStringView(), QStringView()));
    QCOMPARE(textkey::subjectOf(u"product", u"SKU-1", u""), textkey::subject(u"product", u"SKU-1"));
    QCOMPARE(textkey::subjectOf(u"product", u"SKU-1", u"u-1"), textkey::subject(u"product", u"u-1"));
}

void TestEventStore::flagsHoldAcrossManyEvents()
{
    // Enough events for the flagger's tables to grow many times: every id seen again is a duplicate, every
    // subject's older event out of order, in the writer and after reopening (the tables are loaded from the keys).
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("c.db"));
    constexpr int n = 20000;
    const auto event = [](int i, qint64 time) {
        Event e;
        e.eventId = QStringLiteral("id-%1").arg(i);
        e.action = QStringLiteral("product.updated");
        e.subjectType = QStringLiteral("product");
        e.subjectId = QStringLiteral("SKU-%1").arg(i);
        e.eventTimeMs = time;
        return e;
    };
    const auto delivery = [](QList<Event> events) {
        Delivery d;
        d.origin = Origin::Replay;
        d.receivedAtMs = t0;
        d.format = Format::Akeneo;
        d.events = std::move(events);
        for (qsizetype i = 0; i < d.events.size(); ++i)
            d.events[i].seq = int(i);
        return d;
    };
    {
        auto store = openStore(path);
        for (int i = 0; i < n; i += 10) {
            QList<Event> events;
            for (int k = i; k < i + 10; ++k)
                events.append(event(k, t0 - 1000));
            store->enqueue(delivery(events), true);
        }
        store->enqueue(delivery({event(123, t0 - 1000), event(n + 1, t0)}), true);
        QVERIFY(store->flush());
    }
    auto store = openStore(path);
    store->enqueue(delivery({event(n - 1, t0 - 5000), event(n + 2, t0)}), true);
    QVERIFY(store->flush());
    StoreReader &reader = store->reader();
    const auto flagged = [&reader](const QString &filter) {
        auto r = reader.matchingIds(Filter::parse(filter), FilterTarget::Events);
        return r ? r.value().size() : -1;
    };
    QCOMPARE(flagged(QStringLiteral("flag:duplicate")), 2);
    QCOMPARE(flagged(QStringLiteral("flag:duplicate && event_id in {\"id-123\", \"id-19999\"}")), 2);
    QCOMPARE(flagged(QStringLiteral("flag:out_of_order")), 1);
    QCOMPARE(flagged(QStringLiteral("flag:out_of_order && subject == \"SKU-19999\"")), 1);
    QCOMPARE(flagged(QStringLiteral("event_id == \"id-4242\"")), 1);
}

void TestEventStore::synchronousFullOption()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("c.db"));
    for (const bool full : {false, true}) {
        StoreOptions options;
        options.synchronousFull = full;
        auto c = Connection::open(path, Connection::Mode::ReadWrite, options);
        QVERIFY2(c, qPrintable(c.error()));
        QSqlQuery q(c.value()->db());
        QVERIFY(q.exec(QStringLiteral("PRAGMA synchronous")) && q.next());
        QCOMPARE(q.value(0).toInt(), full ? 2 : 1); // FULL = 2, NORMAL = 1
    }
}

int main(int argc, char *argv[])
{
    const QByteArray child = qgetenv("PIMSCOPE_CHILD_WRITER");
    QCoreApplication app(argc, argv);
    if (!child.isEmpty())
        return childWriter(QString::fromLocal8Bit(child));
    TestEventStore test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_eventstore.moc"
