#pragma once

#include "analysis/subscriptionhealth.h"
#include "util/result.h"

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
