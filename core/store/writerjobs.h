#pragma once

#include "records.h"

#include "model/connectoranswer.h"
#include "model/delivery.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <array>
#include <optional>
#include <utility>
#include <variant>
#include <vector>

// What StoreWriter's queue holds: one type per job, applied in the writer's transaction by the StoreWriter::apply()
// overload of its type.

namespace pimscope::writerjobs {

/**
 * What the writer binds for a delivery's events, computed by the thread that queued it, off the writer's path (the
 * writer is a large import's critical path): the texts in UTF-8 in one buffer (bound without a copy), and the index
 * keys (util/textkey.h).
 */
struct PreparedEvents
{
    /** event_id, action, author, author_type, pim_source, subject_type, subject_id, subject_uuid. */
    static constexpr int textCount = 8;
    struct Row
    {
        std::optional<qint64> idKey;
        std::optional<qint64> subjectKey;
        std::array<std::pair<qint32, qint32>, textCount> text; ///< offset and length in utf8; offset -1: NULL
    };
    QByteArray utf8;
    std::vector<Row> rows;
    static PreparedEvents of(const QList<Event> &events);
};

/** Store a delivery (deliveryinsert.cpp). */
struct StoreDelivery
{
    Delivery delivery;
    bool parsed = false; ///< false: the writer detects the format and reads the events
    bool indexLater = false; ///< only the delivery row now; its events by the backlog indexer after the commit
    PreparedEvents prepared; ///< of delivery.events when they were parsed before queueing
    /** Ack mode: the forward queued with it, in the same transaction (its delivery id set once stored). */
    std::optional<ConnectorAnswer> forward;
};

/** The author whose events are flagged `self`; what is stored is flagged again. */
struct SetSelfAuthor
{
    QString author;
};

/** beginBulk() (begin) or endBulk(). */
struct Bulk
{
    bool begin = true;
};

/** The answer times of stored deliveries, and slow_ack past their format's budget. */
struct RecordAnswers
{
    QList<AnswerTime> answers;
};

/** Forwards to the connector and their outcomes, inserted or updated by delivery id (forwardjournal.cpp). */
struct RecordForwards
{
    QList<ConnectorAnswer> forwards;
};

/** Retention (retention.cpp). */
struct Prune
{
    Retention retention;
    qint64 nowMs = 0;
};

/** The import journal (importjournal.cpp). */
struct BeginImport
{
    ImportRecord record;
};
struct FinishImport
{
    ImportRecord record;
};
struct AbortImport
{
    qint64 importId = 0;
};

/**
 * Deliveries copied from a server's PostgreSQL store (followjournal.cpp): each inserted the first time its server id
 * is seen, a later change of it (answer time, connector's answer) applied to its row; the change number read up to
 * recorded in the same transaction.
 */
struct Follow
{
    FollowBatch batch;
    std::vector<PreparedEvents> prepared; ///< of each row's events, computed by the thread that queued them
};

using Payload = std::variant<StoreDelivery, SetSelfAuthor, Bulk, RecordAnswers, RecordForwards, Prune, BeginImport,
                             FinishImport, AbortImport, Follow>;

} // namespace pimscope::writerjobs
