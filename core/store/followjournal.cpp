// StoreWriter: deliveries copied from a server's PostgreSQL store (the followed_servers and followed tables of schema
// v8), and where the copy of each server stands.

#include "storewriter.h"

#include <QDateTime>

#include <sqlite3.h>

namespace pimscope {

namespace {

/** The local id of the server's delivery `remoteId`, if it was copied (and is still here). */
Result<std::optional<qint64>> localIdOf(SqliteStatement &find, qint64 server, qint64 remoteId)
{
    find.bind(1, server);
    find.bind(2, remoteId);
    bool ok = true;
    std::optional<qint64> local;
    if (find.step(&ok)) {
        local = find.int64(0);
        find.reset();
    }
    if (!ok)
        return Result<std::optional<qint64>>::failure(QStringLiteral("cannot look up a followed delivery: ")
                                                      + find.errorString());
    return local;
}

} // namespace

Result<void> StoreWriter::apply(writerjobs::Follow &job, quint64 ticket)
{
    using R = Result<void>;
    FollowBatch &batch = job.batch;
    sqlite3 *db = SqliteStatement::handle(m_connection->db());
    SqliteStatement server;
    SqliteStatement find;
    SqliteStatement map;
    SqliteStatement upTo;
    if (!server.prepare(db,
                        "INSERT INTO followed_servers (store_id, url) VALUES (?1, ?2) ON CONFLICT (store_id) DO "
                        "UPDATE SET url = excluded.url RETURNING id, last_rev")
        || !find.prepare(db, "SELECT delivery_id FROM followed WHERE server = ?1 AND remote_id = ?2")
        || !map.prepare(db, "INSERT INTO followed (delivery_id, server, remote_id) VALUES (?1, ?2, ?3)")
        || !upTo.prepare(db, "UPDATE followed_servers SET last_rev = max(last_rev, ?1), updated_at = ?2 WHERE id = ?3"))
        return R::failure(QStringLiteral("cannot prepare the follower's statements: %1%2%3%4")
                              .arg(server.errorString(), find.errorString(), map.errorString(), upTo.errorString()));
    server.bind(1, batch.storeId);
    server.bind(2, batch.url);
    bool ok = true;
    if (!server.step(&ok))
        return R::failure(QStringLiteral("cannot record the followed server: ") + server.errorString());
    const qint64 serverId = server.int64(0);
    const qint64 lastRev = server.int64(1);
    server.reset();
    if (lastRev < batch.afterRev) {
        // Refused alone: the other jobs of this transaction (a receiver's deliveries, another follower's batch) are
        // committed as usual.
        m_batch.refusedFollows.append({ticket,
                                       QStringLiteral("the copy of %1 is committed up to change %2 only, and "
                                                      "this batch follows change %3: an earlier batch was not "
                                                      "stored")
                                           .arg(batch.url)
                                           .arg(lastRev)
                                           .arg(batch.afterRev)});
        return {};
    }

    // Each row looked up inside this write transaction: two followers copying into one capture (two windows on one
    // file) never insert a delivery twice; the second finds the first's rows and updates them.
    for (qsizetype i = 0; i < batch.rows.size(); ++i) {
        FollowedDelivery &row = batch.rows[i];
        const auto known = localIdOf(find, serverId, row.remoteId);
        if (!known)
            return R::failure(known.error());
        qint64 local = 0;
        if (*known) {
            // A later change of a delivery copied before: its answer (and the status the PIM got when the connector
            // answered), its connector's answer.
            local = **known;
            // In bulk mode the flag counts are kept only for the rows added: one changed here is counted again at
            // the end with everything.
            m_bulkRemovedOlder = m_bulkRemovedOlder || m_bulkDepth > 0;
            if (row.delivery.ackMs) {
                writerjobs::RecordAnswers answers{{AnswerTime{
                    local, *row.delivery.ackMs, row.forward ? row.delivery.answeredStatus : std::optional<int>()}}};
                if (auto r = apply(answers, ticket); !r)
                    return r;
            }
        } else {
            writerjobs::StoreDelivery store;
            store.delivery = std::move(row.delivery);
            store.parsed = true;
            store.prepared = std::move(job.prepared[std::size_t(i)]);
            if (auto r = apply(store, ticket); !r)
                return r;
            local = store.delivery.id;
            // Back where it came from: in bulk mode (a large catch-up, whose critical path the writer is), the job
            // is freed by the thread that queued it (StoreWriter::waitForTicket), not by the writer.
            row.delivery = std::move(store.delivery);
            job.prepared[std::size_t(i)] = std::move(store.prepared);
            map.bind(1, local);
            map.bind(2, serverId);
            map.bind(3, row.remoteId);
            if (!map.exec())
                return R::failure(QStringLiteral("cannot record a followed delivery: ") + map.errorString());
        }
        if (row.forward) {
            row.forward->deliveryId = local;
            if (auto r = writeForward(*row.forward); !r)
                return r;
        }
    }
    upTo.bind(1, batch.upToRev);
    upTo.bind(2, QDateTime::currentMSecsSinceEpoch());
    upTo.bind(3, serverId);
    if (!upTo.exec())
        return R::failure(QStringLiteral("cannot record where the copy stands: ") + upTo.errorString());
    m_batch.followed.append(ticket);
    return {};
}

} // namespace pimscope
