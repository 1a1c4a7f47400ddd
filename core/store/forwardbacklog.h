#pragma once

#include "records.h"

#include "util/result.h"

#include <QList>

namespace pimscope {

/**
 * Where ack mode's queue of forwards is read back from (DeliverySink::openBacklog): what an earlier run left queued or
 * sending, and the deliveries to send. Used from one thread: the receiver's.
 */
class ForwardBacklog
{
public:
    virtual ~ForwardBacklog() = default;

    /** This receiver's ack-mode forwards in these states, oldest delivery first. */
    virtual Result<QList<ConnectorAnswer>> queuedForwards(const QList<ForwardState> &states) = 0;
    /** Deliveries in the order of `ids` (unknown ids skipped); `withBody` false: their bodies left empty. */
    virtual Result<QList<Delivery>> forwardedDeliveries(const QList<qint64> &ids, bool withBody) = 0;
};

} // namespace pimscope
