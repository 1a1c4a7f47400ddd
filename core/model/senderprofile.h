#pragma once

#include "model/delivery.h"
#include "model/enums.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QtGlobal>

#include <array>
#include <optional>

namespace pimscope {

/**
 * How one sender delivers, and so how it judges the connector: the one place that holds each sender's rules. The
 * flags, the diagnostics' wording, the meters and the charts read them from here.
 *
 * Sources (read 2026-12-06; ../shared/domain/FACTS.md quotes them):
 *  - Akeneo Events API: api.akeneo.com/events-documentation/limits-and-scalability.html (4,000 requests an hour,
 *    0.5 s timeout, events older than 2 h discarded) and best-practices.html (no retry); success is an answer the PIM's
 *    HTTP client does not take for an error (below 400; a 3xx is not followed).
 *  - Akeneo Event Platform: api.akeneo.com/event-platform/key-platform-behaviors.html (akeneo/pim-api-docs
 *    content/event-platform/key-platform-behaviors.md): 5 s delivery timeout; retries 5, 10, 20 min after the previous
 *    attempt, then dropped; immediate suspension on 404 or any 3xx; suspension below 90 % success over the last
 *    rolling hour (5xx, 4xx, timeouts, and 429 while the event stays undelivered over an hour); 1 to 100 events/s,
 *    raised by 200, lowered by 429; at least once (duplicates and unordered events are expected).
 *  - Quable: docs.quable.com/reference/webhook-notifictations and developers.quable.com/webhooks/notifications/:
 *    success is any 2xx within 5 s; at most 2 retries 5 min apart; the webhook is disabled after the 3rd consecutive
 *    failure.
 */
struct SenderProfile
{
    /** The sender's name as the user knows it. */
    const char *name = "";
    /** How long it waits for the answer; a later answer is a failure. */
    double deadlineMs = 500.0;
    /** Success: an answer in time with a status from 200 (inclusive) to this (exclusive): 400, or 300 for 2xx only. */
    int successBelow = 400;
    /** Each retry's delay after the previous attempt, for the first `retries` entries; none when `retries` is 0. */
    std::array<qint64, 3> retryDelaysMs{};
    int retries = 0;
    /** Cut off (disabled) after this many consecutive failed requests; 0: never. */
    int disableAfterFailures = 0;
    /** Suspended at once when the endpoint answers 404, or any 3xx. */
    bool suspendOnNotFound = false;
    bool suspendOnRedirect = false;
    /** Suspended when the success rate over the last rolling `successWindowMs` falls below this; 0: never. */
    double minSuccessRate = 0.0;
    qint64 successWindowMs = 0;
    /** A 429 counts as a failure only for an event left undelivered longer than this. */
    qint64 throttledCountsAfterMs = 0;
    /** Requests per sliding hour; 0: no quota. */
    int requestsPerHour = 0;
    /** Events older than this are dropped rather than sent; 0: never. */
    qint64 staleAfterMs = 0;
    /** Delivery rate bounds in events per second, adapted to the answers; 0: not adaptive. */
    int minEventsPerSecond = 0;
    int maxEventsPerSecond = 0;
    /** Delivers at least once: a redelivered event id is expected, not a fault. */
    bool atLeastOnce = false;

    /** Whether the sender counts an answer with this status, after this time, as delivered. */
    bool isSuccess(int status, double answerMs) const
    {
        return status >= 200 && status < successBelow && answerMs <= deadlineMs;
    }
    bool isSuccessStatus(int status) const { return status >= 200 && status < successBelow; }
    /**
     * The latest a redelivery can come after the attempt before it and still be its retry number `retry` (from 1):
     * twice the scheduled delay plus a minute (the sender's queue, clock drift). 0 when it does not retry that often.
     */
    qint64 latestRetryAfterMs(int retry) const
    {
        return retry >= 1 && retry <= retries ? 2 * retryDelaysMs[std::size_t(retry - 1)] + 60'000 : 0;
    }
    /**
     * What it would make of a connector's answer: `status` (none: no answer at all) after `answerMs`, the
     * `failuresBefore` consecutive failures of the same subscription before it counted (for a sender that disables
     * after so many). Anything after the deadline is a timeout, an answer or not; a 404 or 3xx in time suspends a
     * sender that suspends on them.
     */
    ConnectorVerdict verdictOf(std::optional<int> status, double answerMs, int failuresBefore = 0) const;
    /**
     * A verdict in words, for the window and the diagnostics: "Quable would disable the webhook (the 3rd failure in a
     * row)", "a timeout: the Akeneo Events API waits 500 ms".
     */
    QString verdictWording(ConnectorVerdict verdict) const;
    /** The status range it counts as success, in words: "2xx" or "below 400". */
    QString successWording() const;
    /** What it does after a failure, in words, e.g. "does not retry" or "retries 5, 10 and 20 min after…". */
    QString retryWording() const;
    /** Its retries alone, e.g. "retries twice, 5 min apart" (retryWording() adds what follows the last one). */
    QString retryScheduleWording() const;
};

/** The rules of the sender of a format. The Events API's test call and bodies of no known format: the Events API's. */
const SenderProfile &senderProfile(Format format);

/** The shortest deadline of any sender: an answer within it is in time for all. */
double shortestDeadlineMs();

/**
 * What answering every delivery with `status` after `delayMs` would make each sender do, one sentence per sender that
 * would count it as a failure (empty when every sender is content): for the receiver's simulated answers, said before
 * they cut a subscription off.
 */
QStringList risksOfAnswering(int status, int delayMs, const QList<Format> &spared = {});

/**
 * The sender whose subscription a request belongs to: its format's (the Events API for its Test call), else, for a
 * body that could not be read, the one whose signature header it carries; Unknown when nothing tells.
 */
Format senderOfRequest(Format format, bool eventsApiSignature, bool eventPlatformSignature);
/** The same, the signature headers read from the request's headers. */
Format senderOfRequest(Format format, const Headers &headers);

/**
 * Whether a delivery is an Event Platform notification webhook (its one event's subject is a subscription): the
 * platform's word about a subscription, signed with the notification secret alone (no secondary signature) and
 * answered to within 5 s (akeneo/pim-api-docs content/event-platform/notification-webhooks.md).
 */
bool isPlatformNotification(Format format, QStringView firstSubjectType);

/** The sender a format name names (akeneo, akeneo-event-platform, quable); none for any other name. */
std::optional<Format> senderFromName(QStringView name);

} // namespace pimscope
