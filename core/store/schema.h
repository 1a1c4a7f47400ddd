#pragma once

#include "util/result.h"

class QSqlDatabase;

namespace pimscope::schema {

/** PRAGMA application_id of a Pimscope capture ("PIMS"). A file with another id is not ours. */
inline constexpr int applicationId = 0x50494D53;

/** PRAGMA user_version of the newest schema this build knows. Migrations go 1 -> 2 -> ... -> currentVersion. */
inline constexpr int currentVersion = 9;

/**
 * Brings an open, writable database to currentVersion inside one transaction: creates the schema in an
 * empty database, or runs the migrations from its version. The caller has already checked that the file
 * is empty or a Pimscope capture no newer than currentVersion.
 */
Result<void> migrate(QSqlDatabase &db);

/** Creates the indexes on events that are missing (after a bulk write, or a crash during one). */
Result<void> ensureEventIndexes(QSqlDatabase &db);
/** Drops the random-keyed indexes on events, for a bulk write that builds them again at its end. */
Result<void> dropEventIndexes(QSqlDatabase &db);

/** Drops the triggers that keep flag_counts (a bulk write: they would run for each flagged row it writes). */
Result<void> dropFlagTriggers(QSqlDatabase &db);
/** Whether every flag_counts trigger is there (a schema read: no write lock needed). */
bool flagTriggersPresent(QSqlDatabase &db);
/**
 * Counts what was written without them, then creates them again: the events and deliveries whose ids are above
 * `addedAfter` (the last ids when they were dropped) when nothing older was removed meanwhile, else everything.
 */
Result<void> restoreFlagTriggers(QSqlDatabase &db, std::optional<std::pair<qint64, qint64>> addedAfter);

} // namespace pimscope::schema

/*
 * Schema version 1 (times are UTC milliseconds since the epoch; enums are the integer values of model/enums.h):
 *
 *   deliveries(id INTEGER PRIMARY KEY, origin INTEGER, received_at INTEGER, method TEXT, path TEXT, remote TEXT,
 *              headers BLOB (HeaderCodec), body BLOB, body_size INTEGER, format INTEGER, signature INTEGER,
 * signature_detail TEXT, answered_status INTEGER, ack_ms REAL, event_count INTEGER, error TEXT, warnings TEXT,
 * log_level INTEGER, log_message INTEGER, status_code INTEGER, url TEXT, log_file TEXT, log_line INTEGER, flags
 * INTEGER, indexed INTEGER (0 while its events wait for the indexer)) events(id INTEGER PRIMARY KEY, delivery_id
 * INTEGER, seq INTEGER, origin INTEGER, received_at INTEGER, event_id TEXT, action TEXT, event_time INTEGER, author
 * TEXT, author_type TEXT, pim_source TEXT, subject_type TEXT, subject_id TEXT, subject_uuid TEXT, flags INTEGER,
 *          payload_offset INTEGER, payload_length INTEGER)
 *   settings(key TEXT PRIMARY KEY, value TEXT)
 *
 * Version 2 adds deliveries.indexed; version 3 the log imports:
 *
 *   imports(id INTEGER PRIMARY KEY, file TEXT (name), path TEXT, pid INTEGER (of the importing process),
 *           started_at INTEGER, finished_at INTEGER (NULL while importing), lines INTEGER, added INTEGER,
 *           events INTEGER, first_at INTEGER, last_at INTEGER (times of its first and last lines),
 *           covers_to INTEGER, info_from INTEGER, error_from INTEGER (the windows the file covers completely:
 *           [info_from, covers_to] for INFO and NOTICE lines, [error_from, covers_to] for ERROR and WARNING;
 *           NULL when unknown, e.g. after a prune took some of its lines))
 *   deliveries.import_id INTEGER (the import of a log line), deliveries.log_key BLOB (16 bytes of SHA-256 of the
 *           line and how many identical lines came before it in its file)
 *
 * Version 4 keys what the event indexes hold (util/textkey.h) and puts the line's time first in a log key:
 *
 *   events.event_key INTEGER (textkey::eventIdOf: NULL without an event id),
 *   events.subject_key INTEGER (textkey::subjectOf: NULL without a uuid, identifier or code),
 *   deliveries.log_key BLOB (24 bytes: the line's time, then the 16 above; formats/logline.h logLineKey)
 *
 * Versions 5 and 6: retry chains (events.attempt, events.retry_of), imports.format, flag_counts (schema.cpp).
 * Version 7 records the forwards to the connector (model/connectoranswer.h):
 *
 *   forwards(delivery_id INTEGER PRIMARY KEY, target TEXT, ack_mode INTEGER, state INTEGER (ForwardState),
 *            attempts INTEGER, sent_at INTEGER, first_byte_ms REAL, end_ms REAL, status INTEGER, verdict INTEGER
 *            (ConnectorVerdict), twice INTEGER (possibly received twice), next_at INTEGER (ack mode's next attempt),
 *            body_size INTEGER, error TEXT, headers BLOB (HeaderCodec), body BLOB (the first 64 KiB),
 *            request_headers BLOB (HeaderCodec: the headers to forward, unredacted, while queued; NULL after))
 *   forward_counts(id 0, forwarded, sent, endpoint_error, timeout, no_answer, would_suspend, would_disable, waiting,
 *            given_up, twice, accepted_invalid, accepted_expired): kept by triggers on forwards
 *
 * Version 8 follows a server's store (schema.cpp); version 9 says what a request Pimscope sent was made from:
 *
 *   edits(delivery_id INTEGER PRIMARY KEY (the replay), source_event INTEGER, source_delivery INTEGER, template TEXT
 *         (SENDER:TYPE), faults TEXT (names, comma-separated), hand_edited INTEGER): model/delivery.h EditSource
 *
 * Indexes: deliveries(received_at), deliveries(import_id), deliveries(log_key) (both partial: NOT NULL);
 * events(delivery_id), events(event_key, origin), events(subject_key).
 *
 * events.origin and events.received_at repeat the delivery's values so that the common event filters and
 * sorts need no join. An event's JSON is substr(body, payload_offset + 1, payload_length) of its delivery.
 */
