#include "schema.h"

#include "sqlitestatement.h"

#include "formats/logline.h"
#include "util/textkey.h"

#include <sqlite3.h>

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

#include <span>

namespace pimscope::schema {

namespace {

const char *const version1[] = {
    R"(CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY,
        origin INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        method TEXT,
        path TEXT,
        remote TEXT,
        headers BLOB,
        body BLOB,
        body_size INTEGER NOT NULL DEFAULT 0,
        format INTEGER NOT NULL DEFAULT 0,
        signature INTEGER NOT NULL DEFAULT 0,
        signature_detail TEXT,
        answered_status INTEGER,
        ack_ms REAL,
        event_count INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        warnings TEXT,
        log_level INTEGER,
        log_message INTEGER,
        status_code INTEGER,
        url TEXT,
        log_file TEXT,
        log_line INTEGER,
        flags INTEGER NOT NULL DEFAULT 0))",
    R"(CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        delivery_id INTEGER NOT NULL REFERENCES deliveries(id),
        seq INTEGER NOT NULL,
        origin INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        event_id TEXT,
        action TEXT,
        event_time INTEGER,
        author TEXT,
        author_type TEXT,
        pim_source TEXT,
        subject_type TEXT,
        subject_id TEXT,
        subject_uuid TEXT,
        flags INTEGER NOT NULL DEFAULT 0,
        payload_offset INTEGER NOT NULL,
        payload_length INTEGER NOT NULL))",
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT)",
    "CREATE INDEX deliveries_received ON deliveries(received_at)",
};

// Version 2: the receiver commits a delivery before its events are indexed (its answer does not wait for that);
// `indexed` is 0 until they are, and the writer catches such deliveries up when it opens the capture.
const char *const version2[] = {
    "ALTER TABLE deliveries ADD COLUMN indexed INTEGER NOT NULL DEFAULT 1",
    "CREATE INDEX deliveries_unindexed ON deliveries(id) WHERE indexed = 0",
};

// Version 3: log imports. An import is a row of `imports` (what the file covers, for the reconciliation with the
// captured traffic); its lines are deliveries carrying its id, so that a cancelled (or crashed) import can be taken
// out whole, and a key of the line's bytes, so that importing a file again adds nothing. The event-id index also
// holds the origin, which makes the reconciliation's lookups (the same event id in another origin) index-only.
const char *const version3[] = {
    R"(CREATE TABLE imports (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        file TEXT NOT NULL,
        path TEXT,
        pid INTEGER,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        lines INTEGER NOT NULL DEFAULT 0,
        added INTEGER NOT NULL DEFAULT 0,
        events INTEGER NOT NULL DEFAULT 0,
        first_at INTEGER,
        last_at INTEGER,
        covers_to INTEGER,
        info_from INTEGER,
        error_from INTEGER))",
    "ALTER TABLE deliveries ADD COLUMN import_id INTEGER",
    "ALTER TABLE deliveries ADD COLUMN log_key BLOB",
    "CREATE INDEX deliveries_import ON deliveries(import_id) WHERE import_id IS NOT NULL",
    "CREATE INDEX deliveries_log_key ON deliveries(log_key) WHERE log_key IS NOT NULL",
    "DROP INDEX IF EXISTS events_event_id",
};

// Version 4: the event id and the subject are indexed by 64-bit keys of their texts (util/textkey.h), which builds
// the indexes of a large import about five times faster than the texts did and halves their size; and a log line's
// key starts with its time (see logLineKey), so that an import appends to the key index instead of writing all
// over it. The functions are the writer connection's (registerFunctions).
const char *const version4[] = {
    "DROP INDEX IF EXISTS events_event_id",
    "DROP INDEX IF EXISTS events_subject",
    "ALTER TABLE events ADD COLUMN event_key INTEGER",
    "ALTER TABLE events ADD COLUMN subject_key INTEGER",
    ("UPDATE events SET event_key = pimscope_event_key(event_id), "
     "subject_key = pimscope_subject_key(subject_type, subject_id, subject_uuid)"),
    "UPDATE deliveries SET log_key = pimscope_prefixed_log_key(body, log_key) WHERE log_key IS NOT NULL",
};

// Version 5: retry chains (issue #19). An event redelivered by a sender that retries, fitting its schedule after a
// failed answer, is attempt 2, 3, 4 of the chain its first delivery starts (retry_of: that first event's row id).
// Events stored before keep attempt 1: their flags were judged without chains and stay as they were.
const char *const version5[] = {
    "ALTER TABLE events ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1",
    "ALTER TABLE events ADD COLUMN retry_of INTEGER",
};

// Version 6 (issue #19): imports of the Event Platform's logs beside the Events API's; each import says which sender's
// log it was (what it covers is judged by that sender's rules; imports made before were the Events API's). And the
// number of events and of deliveries carrying each flag (column cN: the flag 1 << N; target 0 the events, 1 the
// deliveries), kept by triggers in the writes' own transactions whatever changes a row's flags (storing, re-flagging,
// an answer's time, retention, an import taken out), so that the diagnostics read seven numbers instead of scanning
// the capture: a million events took seconds, their rows and the deliveries' bodies read through. Only rows with
// flags fire them (most have none). An existing capture is counted once, here. And the received requests' answers
// in an index of their own (the receiver's indexed, answered deliveries only), which the subscriptions' health reads
// when a capture opens without reading the rows (whose answer columns lie behind the bodies), and the receipt time's
// index widened to answer the summary's last minute and last hour by itself.
const char *const version6[] = {
    "ALTER TABLE imports ADD COLUMN format INTEGER NOT NULL DEFAULT 1",
    ("CREATE INDEX deliveries_answers ON deliveries(id, format, received_at, answered_status, ack_ms, path) "
     "WHERE origin = 0 AND indexed = 1 AND answered_status IS NOT NULL"),
    // The last minute's events and the last hour's answers (the status bar's rate, the Events API's quota and p99),
    // from the index on the receipt time alone: at 2,000 events/s the last hour is 720,000 requests.
    "DROP INDEX deliveries_received",
    "CREATE INDEX deliveries_received ON deliveries(received_at, origin, format, ack_ms, event_count)",
    "CREATE TABLE flag_counts (target INTEGER PRIMARY KEY, c0 INTEGER NOT NULL DEFAULT 0, c1 INTEGER NOT NULL DEFAULT "
    "0, c2 INTEGER NOT NULL DEFAULT 0, c3 INTEGER NOT NULL DEFAULT 0, c4 INTEGER NOT NULL DEFAULT 0, c5 INTEGER NOT "
    "NULL DEFAULT 0, c6 INTEGER NOT NULL DEFAULT 0)",
    "INSERT INTO flag_counts SELECT 0, COALESCE(sum((flags >> 0) & 1), 0), COALESCE(sum((flags >> 1) & 1), 0), "
    "COALESCE(sum((flags >> 2) & 1), 0), COALESCE(sum((flags >> 3) & 1), 0), COALESCE(sum((flags >> 4) & 1), 0), "
    "COALESCE(sum((flags >> 5) & 1), 0), COALESCE(sum((flags >> 6) & 1), 0) FROM events",
    "INSERT INTO flag_counts SELECT 1, COALESCE(sum((flags >> 0) & 1), 0), COALESCE(sum((flags >> 1) & 1), 0), "
    "COALESCE(sum((flags >> 2) & 1), 0), COALESCE(sum((flags >> 3) & 1), 0), COALESCE(sum((flags >> 4) & 1), 0), "
    "COALESCE(sum((flags >> 5) & 1), 0), COALESCE(sum((flags >> 6) & 1), 0) FROM deliveries",
};

// Version 7 (issue #20): forwarding to the integrator's connector. One row per forwarded delivery: where it went, how
// it stands, and the connector's answer (times from sending, status, the sender's verdict, headers as HeaderCodec, the
// first 64 KiB of the body and its whole size, the error), the blobs last so that reading the small columns never
// reads their overflow pages. Ack mode's queue is the rows still queued or sending, in delivery order; while queued, a
// row holds the headers to send as received (request_headers: the capture's own copy is redacted, and a connector may
// need the PIM's Authorization), dropped once the forward has an outcome. forward_counts holds what the diagnostics
// count (forwardCounts), kept by triggers in the writes' own transactions like flag_counts.
const char *const version7[] = {
    R"(CREATE TABLE forwards (
        delivery_id INTEGER PRIMARY KEY,
        target TEXT NOT NULL,
        ack_mode INTEGER NOT NULL DEFAULT 0,
        state INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        sent_at INTEGER,
        first_byte_ms REAL,
        end_ms REAL,
        status INTEGER,
        verdict INTEGER,
        twice INTEGER NOT NULL DEFAULT 0,
        next_at INTEGER,
        body_size INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        headers BLOB,
        body BLOB,
        request_headers BLOB))",
    "CREATE INDEX forwards_queue ON forwards(state, delivery_id) WHERE state <= 1",
};

// Version 8 (issue #22): deliveries copied from a server's PostgreSQL store. followed_servers: each store followed (its
// store_id, the URL it was followed at) and the change number (rev) read up to, committed with the rows copied, so
// that a follower resumes where it stopped with no gap and no duplicate; followed: which local delivery is which of the
// server's ids (a later change of it, its answer time or its connector's answer, updates that row). A delivery deleted
// here takes its mapping with it.
const char *const version8[] = {
    R"(CREATE TABLE followed_servers (
        id INTEGER PRIMARY KEY,
        store_id TEXT NOT NULL UNIQUE,
        url TEXT NOT NULL,
        last_rev INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER))",
    R"(CREATE TABLE followed (
        delivery_id INTEGER PRIMARY KEY,
        server INTEGER NOT NULL,
        remote_id INTEGER NOT NULL))",
    "CREATE UNIQUE INDEX followed_remote ON followed(server, remote_id)",
    ("CREATE TRIGGER followed_gone AFTER DELETE ON deliveries BEGIN DELETE FROM followed WHERE delivery_id = OLD.id; "
     "END"),
};

// Version 9 (issue #23): what a request Pimscope sent was made from (Edit and send, New event, pimscope send): the
// event or delivery of the capture it was edited from, or the template, its faults, and whether it was changed by
// hand; the Compare tab shows the difference. No foreign key: the source may be pruned before the copy, which then
// says so. A delivery deleted takes its row with it.
const char *const version9[] = {
    R"(CREATE TABLE edits (
        delivery_id INTEGER PRIMARY KEY,
        source_event INTEGER,
        source_delivery INTEGER,
        template TEXT,
        faults TEXT,
        hand_edited INTEGER NOT NULL DEFAULT 0))",
    ("CREATE TRIGGER edits_gone AFTER DELETE ON deliveries BEGIN DELETE FROM edits WHERE delivery_id = OLD.id; "
     "END"),
};

/**
 * What forward_counts counts, each an SQL expression of a forwards row (R: NEW or OLD) that is 0 or 1: the forwards,
 * each verdict, those waiting (queued or sending), given up, possibly received twice, and the connector's 2xx to a
 * request whose signature was invalid or missing, or expired.
 */
struct ForwardCount
{
    const char *column;
    const char *expression;
};
constexpr ForwardCount forwardCounts[] = {
    {"forwarded", "1"},
    {"sent", "R.verdict IS 1"},
    {"endpoint_error", "R.verdict IS 2"},
    {"timeout", "R.verdict IS 3"},
    {"no_answer", "R.verdict IS 4"},
    {"would_suspend", "R.verdict IS 5"},
    {"would_disable", "R.verdict IS 6"},
    {"waiting", "R.state <= 1"},
    {"given_up", "R.state IS 4"},
    {"twice", "R.twice IS 1"},
    {"accepted_invalid",
     "COALESCE(R.status BETWEEN 200 AND 299 AND (SELECT signature FROM deliveries WHERE id = R.delivery_id) IN (2, 4), "
     "0)"},
    {"accepted_expired",
     "COALESCE(R.status BETWEEN 200 AND 299 AND (SELECT signature FROM deliveries WHERE id = R.delivery_id) = 3, 0)"},
};

/** forward_counts and its three triggers (version 7). */
QStringList forwardCountStatements()
{
    QStringList columns;
    for (const ForwardCount &c : forwardCounts)
        columns << QStringLiteral("%1 INTEGER NOT NULL DEFAULT 0").arg(QLatin1StringView(c.column));
    QStringList statements{QStringLiteral("CREATE TABLE forward_counts (id INTEGER PRIMARY KEY CHECK (id = 0), %1)")
                               .arg(columns.join(u", ")),
                           QStringLiteral("INSERT INTO forward_counts (id) VALUES (0)")};
    const auto of = [](const ForwardCount &c, const char *row) -> QString {
        return u'(' + QString::fromLatin1(c.expression).replace(QStringLiteral("R."), QLatin1StringView(row) + u'.')
            + u')';
    };
    const std::pair<const char *, const char *> triggers[]
        = {{"in", "INSERT"}, {"out", "DELETE"}, {"changed", "UPDATE"}};
    for (const auto &[name, event] : triggers) {
        QStringList sets;
        for (const ForwardCount &c : forwardCounts) {
            QString change;
            if (qstrcmp(event, "DELETE") != 0)
                change += QStringLiteral(" + ") + of(c, "NEW");
            if (qstrcmp(event, "INSERT") != 0)
                change += QStringLiteral(" - ") + of(c, "OLD");
            sets << QStringLiteral("%1 = %1%2").arg(QLatin1StringView(c.column), change);
        }
        statements << QStringLiteral(
                          "CREATE TRIGGER forwards_count_%1 AFTER %2 ON forwards BEGIN UPDATE forward_counts "
                          "SET %3 WHERE id = 0; END")
                          .arg(QLatin1StringView(name), QLatin1StringView(event), sets.join(QStringLiteral(", ")));
    }
    return statements;
}

QString text(sqlite3_value *v)
{
    const auto *p = reinterpret_cast<const char *>(sqlite3_value_text(v));
    return p ? QString::fromUtf8(p, sqlite3_value_bytes(v)) : QString();
}

void resultKey(sqlite3_context *ctx, std::optional<qint64> key)
{
    if (key)
        sqlite3_result_int64(ctx, *key);
    else
        sqlite3_result_null(ctx);
}

/** The keys of util/textkey.h and formats/logline.h as SQL functions, for the migration to version 4. */
Result<void> registerFunctions(QSqlDatabase &db)
{
    sqlite3 *handle = SqliteStatement::handle(db);
    if (!handle)
        return Result<void>::failure(QStringLiteral("not a SQLite connection"));
    const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    const auto eventKey
        = [](sqlite3_context *ctx, int, sqlite3_value **argv) { resultKey(ctx, textkey::eventIdOf(text(argv[0]))); };
    const auto subjectKey = [](sqlite3_context *ctx, int, sqlite3_value **argv) {
        resultKey(ctx, textkey::subjectOf(text(argv[0]), text(argv[1]), text(argv[2])));
    };
    const auto prefixedLogKey = [](sqlite3_context *ctx, int, sqlite3_value **argv) {
        // (|| would make text of the blobs.)
        const auto blob = [argv](int i) {
            const auto *p = static_cast<const char *>(sqlite3_value_blob(argv[i]));
            return QByteArrayView(p, p ? sqlite3_value_bytes(argv[i]) : 0);
        };
        const QByteArray key = logLineKeyPrefix(blob(0)) + blob(1);
        sqlite3_result_blob(ctx, key.constData(), int(key.size()), SQLITE_TRANSIENT);
    };
    if (sqlite3_create_function_v2(handle, "pimscope_event_key", 1, flags, nullptr, eventKey, nullptr, nullptr, nullptr)
            != SQLITE_OK
        || sqlite3_create_function_v2(handle, "pimscope_subject_key", 3, flags, nullptr, subjectKey, nullptr, nullptr,
                                      nullptr)
            != SQLITE_OK
        || sqlite3_create_function_v2(handle, "pimscope_prefixed_log_key", 2, flags, nullptr, prefixedLogKey, nullptr,
                                      nullptr, nullptr)
            != SQLITE_OK)
        return Result<void>::failure(QString::fromUtf8(sqlite3_errmsg(handle)));
    return {};
}

// The indexes on events. Every one of them halves the insert rate (tests/bench/bench_store) and a scan of a
// million events takes about 100 ms, so only what lookups need is indexed: the events of a delivery, an event
// id (with its origin: see version 3), and a subject (the uuid, else the identifier or code), the last two by
// their 64-bit keys (version 4).
// A bulk write drops the two random-keyed ones and builds them again at its end (see dropEventIndexes /
// ensureEventIndexes); it keeps the delivery's, whose keys it appends in order (0.06 s more for a million events
// written, against 0.4 s to build it again).
struct EventIndex
{
    const char *name;
    const char *definition;
    bool keptInBulk;
};
const EventIndex eventIndexes[] = {
    {"events_delivery", "ON events(delivery_id)", true},
    {"events_event_id", "ON events(event_key, origin)", false},
    {"events_subject", "ON events(subject_key)", false},
};

// flag_counts holds a count per flag bit, c0 to c6 (version 6).
constexpr int flagCountColumns = 7;

/** `pattern` for each flag bit (its %1), joined by ", ": "c%1" gives "c0, c1, …, c6". */
QString perFlagBit(const char *pattern)
{
    QStringList parts;
    for (int bit = 0; bit < flagCountColumns; ++bit)
        parts << QString::fromLatin1(pattern).arg(bit);
    return parts.join(QStringLiteral(", "));
}

// The triggers that keep flag_counts (version 6): each changes every bit's count of its target (0 events,
// 1 deliveries) by a row's flags. A bulk write drops them and counts what it added at its end (see dropFlagTriggers /
// restoreFlagTriggers): a trigger per flagged row doubled the time of a large import.
struct FlagTrigger
{
    const char *name;
    const char *when;
    const char *change; ///< a count's change, for perFlagBit
    int target;
};
const FlagTrigger flagTriggers[] = {
    {"events_flags_in", "AFTER INSERT ON events WHEN NEW.flags != 0", "c%1 = c%1 + ((NEW.flags >> %1) & 1)", 0},
    {"events_flags_out", "AFTER DELETE ON events WHEN OLD.flags != 0", "c%1 = c%1 - ((OLD.flags >> %1) & 1)", 0},
    {"events_flags_changed", "AFTER UPDATE OF flags ON events WHEN NEW.flags != OLD.flags",
     "c%1 = c%1 + ((NEW.flags >> %1) & 1) - ((OLD.flags >> %1) & 1)", 0},
    {"deliveries_flags_in", "AFTER INSERT ON deliveries WHEN NEW.flags != 0", "c%1 = c%1 + ((NEW.flags >> %1) & 1)", 1},
    {"deliveries_flags_out", "AFTER DELETE ON deliveries WHEN OLD.flags != 0", "c%1 = c%1 - ((OLD.flags >> %1) & 1)",
     1},
    {"deliveries_flags_changed", "AFTER UPDATE OF flags ON deliveries WHEN NEW.flags != OLD.flags",
     "c%1 = c%1 + ((NEW.flags >> %1) & 1) - ((OLD.flags >> %1) & 1)", 1},
};

Result<void> exec(QSqlDatabase &db, const QString &sql)
{
    QSqlQuery q(db);
    if (!q.exec(sql))
        return Result<void>::failure(q.lastError().text() + QStringLiteral(" (in: ") + sql.left(60) + u')');
    return {};
}

Result<void> createFlagTriggers(QSqlDatabase &db)
{
    for (const FlagTrigger &t : flagTriggers) {
        const QString sql = QStringLiteral("CREATE TRIGGER IF NOT EXISTS %1 %2 BEGIN UPDATE flag_counts SET %3 WHERE "
                                           "target = %4; END")
                                .arg(QLatin1StringView(t.name), QLatin1StringView(t.when), perFlagBit(t.change),
                                     QString::number(t.target));
        if (auto r = exec(db, sql); !r)
            return r;
    }
    return {};
}

} // namespace

Result<void> ensureEventIndexes(QSqlDatabase &db)
{
    for (const EventIndex &index : eventIndexes) {
        if (auto r = exec(db,
                          QStringLiteral("CREATE INDEX IF NOT EXISTS %1 %2")
                              .arg(QLatin1StringView(index.name), QLatin1StringView(index.definition)));
            !r)
            return r;
    }
    return {};
}

Result<void> dropEventIndexes(QSqlDatabase &db)
{
    for (const EventIndex &index : eventIndexes) {
        if (index.keptInBulk)
            continue;
        if (auto r = exec(db, QStringLiteral("DROP INDEX IF EXISTS %1").arg(QLatin1StringView(index.name))); !r)
            return r;
    }
    return {};
}

Result<void> dropFlagTriggers(QSqlDatabase &db)
{
    for (const FlagTrigger &t : flagTriggers) {
        if (auto r = exec(db, QStringLiteral("DROP TRIGGER IF EXISTS %1").arg(QLatin1StringView(t.name))); !r)
            return r;
    }
    return {};
}

bool flagTriggersPresent(QSqlDatabase &db)
{
    QStringList names;
    for (const FlagTrigger &t : flagTriggers)
        names << u'\'' + QLatin1StringView(t.name) + u'\'';
    QSqlQuery q(db);
    return q.exec(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (%1)")
                      .arg(names.join(u',')))
        && q.next() && q.value(0).toInt() == int(std::size(flagTriggers));
}

Result<void> restoreFlagTriggers(QSqlDatabase &db, std::optional<std::pair<qint64, qint64>> addedAfter)
{
    // What was written without the triggers: the rows after the given ids (nothing older was removed meanwhile),
    // else everything, counted again.
    for (const auto &[target, table] : {std::pair{0, "events"}, std::pair{1, "deliveries"}}) {
        const QString sql = addedAfter
            ? QStringLiteral("UPDATE flag_counts SET (%1) = (SELECT %2 FROM %3 WHERE id > %4) WHERE target = %5")
                  .arg(perFlagBit("c%1"), perFlagBit("c%1 + COALESCE(sum((flags >> %1) & 1), 0)"),
                       QLatin1StringView(table), QString::number(target == 0 ? addedAfter->first : addedAfter->second),
                       QString::number(target))
            : QStringLiteral("REPLACE INTO flag_counts SELECT %1, %2 FROM %3")
                  .arg(QString::number(target), perFlagBit("COALESCE(sum((flags >> %1) & 1), 0)"),
                       QLatin1StringView(table));
        if (auto r = exec(db, sql); !r)
            return r;
    }
    return createFlagTriggers(db);
}

Result<void> migrate(QSqlDatabase &db)
{
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next())
        return Result<void>::failure(q.lastError().text());
    const int from = q.value(0).toInt();
    q.finish();
    if (from == currentVersion)
        return {};
    if (!db.transaction())
        return Result<void>::failure(db.lastError().text());
    auto fail = [&db](const QString &msg) {
        db.rollback();
        return Result<void>::failure(msg);
    };
    if (auto r = registerFunctions(db); !r)
        return fail(r.error());
    // Each version's statements in turn; the event indexes, whose definitions are the newest version's, at the end.
    const std::pair<int, std::span<const char *const>> versions[]
        = {{1, version1}, {2, version2}, {3, version3}, {4, version4}, {5, version5},
           {6, version6}, {7, version7}, {8, version8}, {9, version9}};
    for (const auto &[version, statements] : versions) {
        if (from >= version)
            continue;
        for (const char *stmt : statements) {
            if (auto r = exec(db, QString::fromLatin1(stmt)); !r)
                return fail(r.error());
        }
        if (version == 7) {
            for (const QString &stmt : forwardCountStatements()) {
                if (auto r = exec(db, stmt); !r)
                    return fail(r.error());
            }
        }
    }
    if (auto r = ensureEventIndexes(db); !r)
        return fail(r.error());
    if (auto r = createFlagTriggers(db); !r)
        return fail(r.error());
    if (auto r = exec(db, QStringLiteral("PRAGMA application_id = %1").arg(applicationId)); !r)
        return fail(r.error());
    if (auto r = exec(db, QStringLiteral("PRAGMA user_version = %1").arg(currentVersion)); !r)
        return fail(r.error());
    if (!db.commit())
        return fail(db.lastError().text());
    return {};
}

} // namespace pimscope::schema
