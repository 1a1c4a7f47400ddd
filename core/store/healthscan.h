#pragma once

#include "records.h"

#include "analysis/subscriptionhealth.h"
#include "util/result.h"

#include <QHash>

struct sqlite3;

namespace pimscope::healthscan {

/**
 * Feeds `tracker` every answered request the receiver stored in the capture, in the order they were stored (the
 * Event Platform's notification webhooks aside: they are about a subscription, not of it). One pass over the
 * deliveries, for the writer when it opens a capture and for the commands that read one; from then on the writer
 * keeps the tracker current as it stores.
 */
Result<void> scan(sqlite3 *db, HealthTracker &tracker);

/**
 * Tells `tracker` what an Event Platform notification webhook's JSON says (its type and reason) about the subscription
 * whose destination URL's path it names (akeneo/pim-api-docs content/event-platform/notification-webhooks.md); a
 * destination that is no URL (a Pub/Sub topic) concerns no receiving path: ignored.
 */
void notice(HealthTracker &tracker, qint64 deliveryId, qint64 atMs, const QByteArray &notificationJson);

} // namespace pimscope::healthscan

namespace pimscope {

/**
 * A HealthTracker kept current by a writer as it commits the receiver's deliveries and, later, their answer times
 * (the same for the desktop's capture and a server's store): a delivery is counted once its answer time is known.
 */
class LiveHealth
{
public:
    HealthTracker &tracker() { return m_tracker; }
    /** Forgets everything (a capture opened or cleared: the tracker is filled again by a scan). */
    void clear();
    /** A delivery just stored (anything but the receiver's is ignored). */
    void stored(const Delivery &d);
    /** The format of a stored delivery whose answer is awaited, if it is. */
    std::optional<Format> awaitedFormat(qint64 deliveryId) const;
    /** Its answer time (and the status the PIM got, when it was passed on from the connector). */
    void answered(const AnswerTime &answer);

private:
    struct Unanswered
    {
        QByteArray path;
        Format format;
        qint64 atMs;
        int status; ///< -1: none yet (it comes with the answer time)
    };
    HealthTracker m_tracker;
    QHash<qint64, Unanswered> m_unanswered; ///< receiver deliveries whose answer time is not known yet
};

} // namespace pimscope
