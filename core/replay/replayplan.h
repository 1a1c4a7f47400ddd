#pragma once

#include "compose/composer.h"
#include "filter/filter.h"
#include "model/delivery.h"
#include "store/records.h"
#include "util/result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace pimscope {

class StoreReader;

enum class ReplayMode {
    AsReceived, ///< each delivery holding a selected event, whole: its exact body bytes, one request each
    Rebatched, ///< Akeneo envelopes of at most batchSize events built from the events' own bytes
};

enum class ReplayOrder { Original, EventTime, Reverse, Shuffle };

/** "original", "event-time", "reverse", "shuffle"; nullopt for anything else. */
std::optional<ReplayOrder> replayOrderFromName(const QString &name);
QString replayOrderName(ReplayOrder order);

/** What to send and in which shape. */
struct ReplayPlanOptions
{
    ReplayMode mode = ReplayMode::Rebatched;
    int batchSize = 10; ///< Rebatched: events per Akeneo envelope (Quable and Event Platform go one per request)
    ReplayOrder order = ReplayOrder::Original;
    quint64 seed = 0; ///< for Shuffle and for the duplicates
    double duplicates = 0.0; ///< probability that a request is sent twice in a row (idempotency tests)
};

/** One request to send: the exact bytes, and what they hold. */
struct ReplayRequest
{
    Format format = Format::Unknown;
    QByteArray body;
    int eventCount = 0;
    QStringList eventIds;
    qint64 sourceDeliveryId = 0; ///< AsReceived: the delivery whose body this is
    bool duplicate = false; ///< an injected second copy of the request before it
    bool notification = false; ///< an Event Platform notification webhook (isPlatformNotification)
    /** Deliberate faults of the headers, done after signing (compose/composer.h: `pimscope send`, Edit and send). */
    QList<Fault> faults;
    /**
     * Edit and send: every header to send but the signing ones (the signer's, compose/composer.h withUserHeaders), as
     * the user left them; nullopt: the signer's own (Content-Type, User-Agent).
     */
    std::optional<Headers> headers;
    /** Edit and send, New event, `pimscope send`: what it was made from, stored with each result. */
    std::optional<EditSource> editSource;
};

struct ReplayPlan
{
    QList<ReplayRequest> requests;
    qint64 events = 0; ///< distinct events selected
    QStringList notes; ///< what the plan did that the user should know (e.g. deliveries sent whole)
};

/**
 * Reads the selected events (by id when `eventIds` is not empty, else every event matching `filter`) and builds
 * the requests. Events of origin `replay` (copies) and `log` (a log line holds ids, not data) are left out unless
 * chosen by hand (event ids given, or a filter asking for ids or delivery ids) or asked for by the filter
 * (`origin == replay`, `origin == log`, `log_file == ...`, `recon == not_captured`, or `message` / `level`, which only
 * they have); the notes say how many were left out.
 *
 * AsReceived sends each delivery that holds a selected event once, whole, in the order of its first selected
 * event; a log line is not a request body, so a log delivery's events are sent in one envelope built from their
 * bytes. Rebatched keeps the events' own bytes (never re-serialized) and joins Akeneo events with ',' in
 * {"events":[...]}; events of the other formats are sent one per request, as their bytes.
 */
Result<ReplayPlan> planReplay(StoreReader &reader, const Filter &filter, const QList<qint64> &eventIds,
                              const ReplayPlanOptions &options);

/** An Akeneo envelope of the given event JSON objects, byte for byte. */
QByteArray akeneoEnvelope(const QList<QByteArray> &events);
/** What a log line is sent as (a line is no request body): its events' bytes in one Events API envelope. */
QByteArray logLineBody(const QList<EventRecord> &events);
/**
 * One event sent alone, as its sender sends it: an Events API event (a test event too) in its envelope, the other
 * senders' as their bytes.
 */
QByteArray eventRequestBody(const EventRecord &event);

} // namespace pimscope
