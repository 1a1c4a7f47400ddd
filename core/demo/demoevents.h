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

/** The secret the demo's Akeneo connection signs its deliveries with (paths under /akeneo). */
QByteArray demoSecret();

} // namespace pimscope::demo
