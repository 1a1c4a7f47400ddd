#pragma once

#include "model/delivery.h"

#include <QList>

namespace pimscope::demo {

/**
 * About an hour of realistic traffic ending at `nowMs`, to explore Pimscope without a PIM: Akeneo Events API
 * batches (products by identifier and by uuid, product models, every action) from a connector, from people and
 * from the system; the empty POST of Akeneo's Test button; a Quable notification; an Akeneo Event Platform
 * message; and the problems Pimscope explains: a redelivered batch (duplicates), an event older than one already
 * received for its product (out of order), an event delivered more than 2 h late (stale), an invalid signature,
 * an answer slower than 500 ms, a body that is not JSON, and an error answer. Bodies are written as the PIMs
 * write them (`\/` escaped); the store parses and flags them as it would received ones.
 */
QList<Delivery> demoDeliveries(qint64 nowMs);

/**
 * The event-subscription log the demo's PIM would let you download for that traffic (FACTS.md 1.8), ending a few
 * seconds after the last delivery: an INFO line per Akeneo request answered 2xx in time, ERROR lines for the error
 * answer and for the answers slower than 500 ms, an hourly-quota WARNING, NOTICE lines for events it did not send;
 * and what a reconciliation finds: a request it logged as sent that never arrived, and one that arrived but whose
 * line is missing (the log of another connection's request).
 */
QByteArray demoLog(const QList<Delivery> &deliveries);

/** The secret the demo's Akeneo connection signs its deliveries with (paths under /akeneo). */
QByteArray demoSecret();

} // namespace pimscope::demo
