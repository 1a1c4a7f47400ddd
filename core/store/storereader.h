#pragma once

#include "connection.h"
#include "forwardbacklog.h"
#include "records.h"

#include <QList>
#include <QMap>

#include <memory>

namespace pimscope {

class Filter;
enum class FilterTarget;

/**
 * Read queries on a capture through a read-only connection owned by the thread that created the reader.
 * Every call returns a Result whose error names the problem (e.g. the file vanished or is corrupt).
 */
class StoreReader : public ForwardBacklog
{
public:
    static Result<std::unique_ptr<StoreReader>> open(const QString &path);
    ~StoreReader() override;
    StoreReader(const StoreReader &) = delete;
    StoreReader &operator=(const StoreReader &) = delete;

    // ForwardBacklog: a capture is one receiver's, every ack-mode forward in it is its own.
    Result<QList<ConnectorAnswer>> queuedForwards(const QList<ForwardState> &states) override
    {
        return forwardsIn(states);
    }
    Result<QList<Delivery>> forwardedDeliveries(const QList<qint64> &ids, bool withBody) override
    {
        return deliveries(ids, withBody);
    }

    /**
     * Ids of the events or deliveries matching a filter (an empty filter matches all), ascending; with `afterId`,
     * only those above it (what arrived since a previous answer), with `upToId` only those up to it (a part of a
     * long scan).
     */
    Result<QList<qint64>> matchingIds(const Filter &filter, FilterTarget target, qint64 afterId = 0, qint64 upToId = 0);
    /** Which of `ids` match the filter (an empty list when none do). */
    Result<QList<qint64>> matchingAmong(const Filter &filter, FilterTarget target, const QList<qint64> &ids);
    /** The servers' stores this capture follows, and where the copy of each stands (see EventStore::follow). */
    Result<QList<FollowedServer>> followedServers();
    /** The author whose events are flagged self in this capture (empty: none). */
    Result<QString> selfAuthor();
    /** The highest id of the events or deliveries (0 for none). */
    Result<qint64> lastId(FilterTarget target);
    /** The same in another order: `orderBy` is one of sortExpressions(target) (anything else sorts by id). */
    Result<QList<qint64>> matchingIds(const Filter &filter, FilterTarget target, const QString &orderBy,
                                      bool descending);
    /** The expressions the ids can be sorted by, by name (`received`, `action`, ...). */
    static const QMap<QString, QString> &sortExpressions(FilterTarget target);
    Result<qint64> countMatching(const Filter &filter, FilterTarget target);

    /** Events with their delivery's fields, in the order of `ids` (unknown ids are skipped). */
    Result<QList<EventRecord>> events(const QList<qint64> &ids);
    /** Deliveries without their events (eventCount is set), in the order of `ids`. */
    Result<QList<Delivery>> deliveries(const QList<qint64> &ids, bool withBody = true);
    /** The events of one delivery, in their order inside it. */
    Result<QList<EventRecord>> eventsOfDelivery(qint64 deliveryId);
    /** The events of several deliveries, by delivery id then their order inside it. */
    Result<QList<EventRecord>> eventsOfDeliveries(const QList<qint64> &deliveryIds);
    /**
     * Every event (of any origin) about one subject, in event-time order (then storage order), at most 10,000:
     * the subject's type and its key, the uuid when it has one, else the identifier or code
     * (the rule of textkey::subjectOf, whose key the events_subject index holds).
     */
    Result<QList<EventRecord>> eventsOfSubject(const QString &subjectType, const QString &subjectKey);

    /** What a request Pimscope sent was made from (Edit and send, New event, `pimscope send`); nullopt: not known. */
    Result<std::optional<EditSource>> editSource(qint64 deliveryId);
    /**
     * What to offer when composing an event: the identifiers (products), codes (product models, Quable's documents and
     * the rest), uuids and authors of the capture's latest 20,000 events, most recent first, at most `limit` each.
     */
    Result<ComposeSuggestions> composeSuggestions(int limit = 500);

    Result<Statistics> statistics();
    /** The distinct actions and authors of the events (at most 200 each), for completing filters. */
    Result<QPair<QStringList, QStringList>> knownValues();
    /** What the window's diagnostics and status bar show, cheap enough for a live capture (see CaptureSummary). */
    Result<CaptureSummary> summary(qint64 nowMs);
    /**
     * Received deliveries whose events the writer has not indexed yet: it does that after their commit, in the
     * pauses of the traffic, and at the next open for a process that was killed first. Their events are missing
     * from event queries until then.
     */
    Result<qint64> unindexedDeliveries();
    /** The forwards to the connector of these deliveries, in the order of `ids` (deliveries not forwarded skipped). */
    Result<QList<ConnectorAnswer>> forwards(const QList<qint64> &deliveryIds);
    /** The forwards in these states, oldest delivery first (ack mode's queue when a receiver starts). */
    Result<QList<ConnectorAnswer>> forwardsIn(const QList<ForwardState> &states);
    /** The log imports, oldest first (unfinished ones included). */
    Result<QList<ImportRecord>> imports();

    QSqlDatabase &db() { return m_connection->db(); }

private:
    StoreReader() = default;
    std::unique_ptr<Connection> m_connection;
};

} // namespace pimscope
