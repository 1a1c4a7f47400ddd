#include "pgschema.h"

#include <QStringList>

namespace pimscope {

namespace {

/** The advisory lock of schema changes (any constant; "pimscope" in ASCII, truncated to 64 bits). */
constexpr const char *kSchemaLock = "SELECT pg_advisory_xact_lock(8100433432014302565)";

/**
 * The migrations, each bringing the schema from version i to i + 1. Deliveries are received requests, exactly as
 * they came (bytes), with the receiver's verdicts; `receiver` names which receiver took each (host and process).
 * `rev` is the change number: each insert and each later change of a delivery (its answer time, its connector's
 * answer) takes the next one from pimscope_rev, in commit order (the writers take kPgWriteLock), so that a follower
 * that read every change up to N finds all those after it with rev > N, none committed behind its back.
 * Schema 2: `changed_at` is when a later change was committed (NULL: none since the insert, stored_at says when), so
 * that a follower measures its lag from the change it copies; `forwards.queue` names the receiver whose ack-mode queue
 * a forward is in (PgStore::Options::queue), which alone sends it, and resumes it after a restart, with when it is
 * due (`next_at`) and the headers to send as the PIM sent them (`request_headers`, while it waits: NULL after).
 */
const char *const kMigrations[] = {
    R"sql(
CREATE TABLE pimscope_meta (key text PRIMARY KEY, value text NOT NULL);
INSERT INTO pimscope_meta (key, value) VALUES ('application', 'pimscope'), ('created_at', now()::text),
    ('store_id', gen_random_uuid()::text);
CREATE SEQUENCE pimscope_rev;
CREATE TABLE deliveries (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rev bigint NOT NULL,
    received_at_ms bigint NOT NULL,
    stored_at timestamptz NOT NULL DEFAULT now(),
    receiver text NOT NULL,
    method text NOT NULL,
    path bytea NOT NULL,
    remote text NOT NULL DEFAULT '',
    headers bytea NOT NULL,
    body bytea NOT NULL,
    body_size bigint NOT NULL,
    format smallint NOT NULL,
    signature smallint NOT NULL,
    signature_detail text,
    answered_status integer,
    ack_ms double precision,
    error text,
    warnings text
);
CREATE UNIQUE INDEX deliveries_rev ON deliveries (rev);
CREATE INDEX deliveries_received_at ON deliveries (received_at_ms);
CREATE TABLE forwards (
    delivery_id bigint PRIMARY KEY REFERENCES deliveries (id) ON DELETE CASCADE,
    target text NOT NULL,
    ack_mode boolean NOT NULL DEFAULT false,
    state smallint NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    sent_at_ms bigint,
    first_byte_ms double precision,
    end_ms double precision,
    status integer,
    verdict smallint,
    twice boolean NOT NULL DEFAULT false,
    body_size bigint NOT NULL DEFAULT 0,
    error text,
    headers bytea,
    body bytea
);
)sql",
    R"sql(
ALTER TABLE deliveries ADD COLUMN changed_at timestamptz;
ALTER TABLE forwards ADD COLUMN queue text, ADD COLUMN next_at bigint, ADD COLUMN request_headers bytea;
CREATE INDEX forwards_waiting ON forwards (queue, delivery_id) WHERE ack_mode AND state IN (0, 1);
)sql",
};
static_assert(std::size(kMigrations) == kPgSchemaVersion, "one migration per schema version");

} // namespace

Result<PgStoreInfo> inspectPgStore(PgConnection &c)
{
    using R = Result<PgStoreInfo>;
    const PgTarget &t = c.target();
    const auto meta = c.exec("SELECT to_regclass(quote_ident(current_schema()) || '.pimscope_meta') IS NOT NULL");
    if (!meta)
        return R::failure(meta.error());
    PgStoreInfo info;
    if (meta->rows.value(0).value(0) == QByteArray("t")) {
        const auto values = c.exec("SELECT key, value FROM pimscope_meta WHERE key IN ('application', "
                                   "'schema_version', 'store_id')");
        if (!values)
            return R::failure(values.error());
        QString application;
        for (const auto &row : values->rows) {
            const QByteArray value = row.value(1).value_or(QByteArray());
            if (row.value(0) == QByteArray("application"))
                application = QString::fromUtf8(value);
            else if (row.value(0) == QByteArray("store_id"))
                info.storeId = QString::fromUtf8(value);
            else
                info.version = value.toInt();
        }
        if (application != u"pimscope" || info.version <= 0)
            return R::failure(QStringLiteral("the database %1 at %2 is not a Pimscope store (its pimscope_meta says no "
                                             "Pimscope schema); nothing was changed")
                                  .arg(t.database, t.address()));
        if (info.version > kPgSchemaVersion)
            return R::failure(QStringLiteral("the database %1 at %2 was made by a newer Pimscope (schema %3; this one "
                                             "knows %4): update Pimscope; nothing was changed")
                                  .arg(t.database, t.address())
                                  .arg(info.version)
                                  .arg(kPgSchemaVersion));
        return info;
    }
    // No Pimscope schema: an empty database, or another application's.
    const auto tables = c.exec("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                               "current_schema() ORDER BY table_name LIMIT 6");
    if (!tables)
        return R::failure(tables.error());
    if (!tables->rows.isEmpty()) {
        QStringList names;
        for (const auto &row : tables->rows)
            names << QString::fromUtf8(row.value(0).value_or(QByteArray()));
        if (names.size() > 5)
            names.last() = QStringLiteral("…");
        return R::failure(QStringLiteral("the database %1 at %2 holds another application's tables (%3): not a "
                                         "Pimscope store, nothing was changed. Give Pimscope a database of its own "
                                         "(createdb -O %4 pimscope)")
                              .arg(t.database, t.address(), names.join(QStringLiteral(", ")), t.user));
    }
    return info;
}

Result<int> preparePgStore(PgConnection &c, int version)
{
    using R = Result<int>;
    const auto fail = [&c](const QString &message) {
        (void)c.run("ROLLBACK"); // the failure said is the first one
        return R::failure(message);
    };
    if (const auto begun = c.run("BEGIN"); !begun)
        return R::failure(begun.error());
    if (const auto locked = c.run(kSchemaLock); !locked)
        return fail(locked.error());
    const auto info = inspectPgStore(c);
    if (!info)
        return fail(info.error());
    for (int next = info->version; next < version; ++next) {
        if (const auto migrated = c.run(kMigrations[next]); !migrated)
            return fail(QStringLiteral("the schema could not be brought to version %1: %2")
                            .arg(next + 1)
                            .arg(migrated.error()));
        const auto stamped = c.exec("INSERT INTO pimscope_meta (key, value) VALUES ('schema_version', $1) ON "
                                    "CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                                    {QByteArray::number(next + 1)});
        if (!stamped)
            return fail(stamped.error());
    }
    if (const auto committed = c.run("COMMIT"); !committed)
        return R::failure(committed.error());
    return std::max(info->version, version);
}

} // namespace pimscope
