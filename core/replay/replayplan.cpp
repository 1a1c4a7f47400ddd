#include "replayplan.h"

#include "model/senderprofile.h"
#include "store/storereader.h"

#include <QHash>
#include <QSet>

#include <algorithm>
#include <random>

namespace pimscope {

std::optional<ReplayOrder> replayOrderFromName(const QString &name)
{
    for (const ReplayOrder o :
         {ReplayOrder::Original, ReplayOrder::EventTime, ReplayOrder::Reverse, ReplayOrder::Shuffle}) {
        if (replayOrderName(o) == name)
            return o;
    }
    return std::nullopt;
}

QString replayOrderName(ReplayOrder order)
{
    switch (order) {
    case ReplayOrder::Original:
        return QStringLiteral("original");
    case ReplayOrder::EventTime:
        return QStringLiteral("event-time");
    case ReplayOrder::Reverse:
        return QStringLiteral("reverse");
    case ReplayOrder::Shuffle:
        return QStringLiteral("shuffle");
    }
    return {};
}

QByteArray akeneoEnvelope(const QList<QByteArray> &events)
{
    qsizetype size = 13;
    for (const QByteArray &e : events)
        size += e.size() + 1;
    QByteArray out;
    out.reserve(size);
    out += "{\"events\":[";
    for (qsizetype i = 0; i < events.size(); ++i) {
        if (i)
            out += ',';
        out += events[i];
    }
    out += "]}";
    return out;
}

QByteArray logLineBody(const QList<EventRecord> &events)
{
    QList<QByteArray> payloads;
    payloads.reserve(events.size());
    for (const EventRecord &e : events)
        payloads.append(e.payload);
    return akeneoEnvelope(payloads);
}

QByteArray eventRequestBody(const EventRecord &event)
{
    return event.format == Format::Akeneo || event.format == Format::AkeneoTest ? akeneoEnvelope({event.payload})
                                                                                : event.payload;
}

Result<ReplayPlan> planReplay(StoreReader &reader, const Filter &filter, const QList<qint64> &eventIds,
                              const ReplayPlanOptions &options)
{
    using R = Result<ReplayPlan>;
    if (!filter.isValid())
        return R::failure(QStringLiteral("the filter does not parse: ") + filter.error().message);
    if (options.batchSize < 1)
        return R::failure(QStringLiteral("the batch size must be at least 1"));
    QList<qint64> ids = eventIds;
    if (ids.isEmpty()) {
        auto matching = reader.matchingIds(filter, FilterTarget::Events);
        if (!matching)
            return R::failure(matching.error());
        ids = std::move(matching.value());
    }
    // Read the events in pages (their payloads are what is sent).
    QList<EventRecord> events;
    constexpr qsizetype page = 5000;
    // Chosen by hand (events or deliveries by id), or asked for by origin: then replays and log events are what the
    // user wants. Otherwise earlier replays are left out (they are copies), and so are the events of imported logs:
    // a log line holds the events' ids, not their data, and the same events are often in the captured traffic too.
    // A filter on how a request was logged (message, level) selects logs and replays: only they have that.
    using filter::Field;
    const bool byHand = !eventIds.isEmpty() || filter.asksFor(Field::DeliveryId) || filter.asksFor(Field::Id);
    const bool byOutcome = filter.asksFor(Field::LogMessage) || filter.asksFor(Field::LogLevel);
    const bool keepReplays = byHand || byOutcome || filter.asksFor(Field::Origin, qint64(Origin::Replay));
    const bool keepLogs = byHand || byOutcome || filter.asksFor(Field::Origin, qint64(Origin::Log))
        || filter.asksFor(Field::LogFile) || filter.asksFor(Field::LogLine)
        || filter.asksFor(Field::Recon, qint64(Recon::Captured))
        || filter.asksFor(Field::Recon, qint64(Recon::NotCaptured));
    qint64 replaysLeftOut = 0;
    qint64 logEventsLeftOut = 0;
    bool logEvents = false;
    for (qsizetype i = 0; i < ids.size(); i += page) {
        auto chunk = reader.events(ids.mid(i, page));
        if (!chunk)
            return R::failure(chunk.error());
        for (EventRecord &r : chunk.value()) {
            if (r.origin == Origin::Replay && !keepReplays) {
                ++replaysLeftOut;
                continue;
            }
            if (r.origin == Origin::Log && !keepLogs) {
                ++logEventsLeftOut;
                continue;
            }
            logEvents = logEvents || r.origin == Origin::Log;
            events.append(std::move(r));
        }
    }
    ReplayPlan plan;
    plan.events = events.size();
    if (replaysLeftOut)
        plan.notes << QStringLiteral("%L1 events of earlier replays left out (filter origin == replay to send them)")
                          .arg(replaysLeftOut);
    if (logEventsLeftOut)
        plan.notes << QStringLiteral("%L1 events of imported logs left out: a log line holds their ids, not their data "
                                     "(filter origin == log to send them)")
                          .arg(logEventsLeftOut);
    if (logEvents)
        plan.notes << QStringLiteral("a log line is not a request body: its events are sent as the log holds them "
                                     "(ids only, no resource)%1")
                          .arg(options.mode == ReplayMode::AsReceived ? QStringLiteral(", each line's in one envelope")
                                                                      : QString());

    switch (options.order) {
    case ReplayOrder::Original:
        std::stable_sort(events.begin(), events.end(),
                         [](const EventRecord &a, const EventRecord &b) { return a.event.id < b.event.id; });
        break;
    case ReplayOrder::EventTime:
        std::stable_sort(events.begin(), events.end(), [](const EventRecord &a, const EventRecord &b) {
            const qint64 ta = a.event.eventTimeMs.value_or(std::numeric_limits<qint64>::max());
            const qint64 tb = b.event.eventTimeMs.value_or(std::numeric_limits<qint64>::max());
            return ta != tb ? ta < tb : a.event.id < b.event.id;
        });
        break;
    case ReplayOrder::Reverse:
        std::stable_sort(events.begin(), events.end(),
                         [](const EventRecord &a, const EventRecord &b) { return a.event.id > b.event.id; });
        break;
    case ReplayOrder::Shuffle: {
        std::stable_sort(events.begin(), events.end(),
                         [](const EventRecord &a, const EventRecord &b) { return a.event.id < b.event.id; });
        std::mt19937_64 rng(options.seed);
        std::shuffle(events.begin(), events.end(), rng);
        break;
    }
    }

    QList<ReplayRequest> requests;
    if (options.mode == ReplayMode::AsReceived) {
        // One request per delivery, in the order of its first selected event.
        QList<qint64> order;
        QSet<qint64> seen;
        for (const EventRecord &r : std::as_const(events)) {
            if (!seen.contains(r.event.deliveryId)) {
                seen.insert(r.event.deliveryId);
                order.append(r.event.deliveryId);
            }
        }
        qint64 partial = 0;
        for (qsizetype i = 0; i < order.size(); i += page) {
            auto deliveries = reader.deliveries(order.mid(i, page), true);
            if (!deliveries)
                return R::failure(deliveries.error());
            for (const Delivery &d : std::as_const(deliveries.value())) {
                ReplayRequest q;
                q.format = d.format;
                q.sourceDeliveryId = d.id;
                auto own = reader.eventsOfDelivery(d.id);
                if (!own)
                    return R::failure(own.error());
                for (const EventRecord &e : std::as_const(own.value()))
                    q.eventIds.append(e.event.eventId);
                q.eventCount = int(own->size());
                q.notification = !own->isEmpty() && isPlatformNotification(d.format, own->front().event.subjectType);
                if (d.origin == Origin::Log) {
                    q.body = logLineBody(own.value());
                    q.format = Format::Akeneo;
                } else {
                    q.body = d.body;
                }
                requests.append(std::move(q));
            }
        }
        for (const ReplayRequest &q : std::as_const(requests))
            partial += q.eventCount;
        if (partial > plan.events)
            plan.notes << QStringLiteral(
                              "as received: %L1 deliveries are sent whole, %L2 events where %L3 were selected")
                              .arg(requests.size())
                              .arg(partial)
                              .arg(plan.events);
    } else {
        QList<QByteArray> batch;
        QStringList batchIds;
        const auto flush = [&] {
            if (batch.isEmpty())
                return;
            ReplayRequest q;
            q.format = Format::Akeneo;
            q.body = akeneoEnvelope(batch);
            q.eventCount = int(batch.size());
            q.eventIds = batchIds;
            requests.append(std::move(q));
            batch.clear();
            batchIds.clear();
        };
        for (const EventRecord &r : std::as_const(events)) {
            const bool akeneo = r.format == Format::Akeneo || r.origin == Origin::Log;
            if (!akeneo) {
                flush();
                ReplayRequest q;
                q.format = r.format;
                q.body = r.payload;
                q.eventCount = 1;
                q.eventIds = {r.event.eventId};
                q.notification = isPlatformNotification(r.format, r.event.subjectType);
                requests.append(std::move(q));
                continue;
            }
            batch.append(r.payload);
            batchIds.append(r.event.eventId);
            if (batch.size() >= options.batchSize)
                flush();
        }
        flush();
    }

    if (options.duplicates > 0) {
        std::mt19937_64 rng(options.seed ^ 0x5DEECE66Dull);
        std::bernoulli_distribution twice(std::clamp(options.duplicates, 0.0, 1.0));
        QList<ReplayRequest> out;
        out.reserve(requests.size() * 2);
        for (ReplayRequest &q : requests) {
            const bool again = twice(rng);
            out.append(q);
            if (again) {
                q.duplicate = true;
                out.append(std::move(q));
            }
        }
        requests = std::move(out);
    }
    plan.requests = std::move(requests);
    return plan;
}

} // namespace pimscope
