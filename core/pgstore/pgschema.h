#pragma once

#include "pgconnection.h"

#include "util/result.h"

namespace pimscope {

/** The schema version of a PostgreSQL store that this Pimscope writes (pimscope_meta's schema_version). */
constexpr int kPgSchemaVersion = 2;

/**
 * The advisory lock every write transaction takes first (pg_advisory_xact_lock): the writers of several receivers
 * commit one after the other, so that ids and change numbers grow in commit order.
 */
constexpr qint64 kPgWriteLock = 8100433432014302566;

/** What a database holds: a Pimscope store (its schema version and id), or nothing yet (version 0). */
struct PgStoreInfo
{
    int version = 0;
    QString storeId; ///< pimscope_meta's store_id: which store a follower copies (a random UUID, made with it)
};

/**
 * Reads, without changing anything, whether the database behind `connection` is a Pimscope store: its version and id,
 * version 0 for a database with no table yet; a failure names a database of another application, or of a newer
 * Pimscope.
 */
Result<PgStoreInfo> inspectPgStore(PgConnection &connection);

/**
 * Makes the database behind `connection` a Pimscope store, or checks that it is one: creates the schema in a database
 * with no table yet, brings an older Pimscope's schema up to date, and
 * refuses, changing nothing, a database that holds another application's tables or a newer Pimscope's schema. Several
 * receivers starting at once are safe: the check and the changes run in one transaction under one advisory lock.
 * Returns the version. `version`: an older one to stop at (tests of the migrations).
 */
Result<int> preparePgStore(PgConnection &connection, int version = kPgSchemaVersion);

} // namespace pimscope
