#pragma once

#include "delivery.h"
#include "enums.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace pimscope {

/**
 * A delivery's forward to the integrator's connector and what the connector answered (schema v7's forwards table): one
 * per forwarded delivery, updated at each attempt in ack mode.
 */
struct ConnectorAnswer
{
    /** The most of the connector's answer body that is kept (and, in proxy mode, passed on to the PIM). */
    static constexpr qsizetype keptBodyBytes = qsizetype{64} * 1024;

    qint64 deliveryId = 0;
    QString target; ///< the URL the delivery was forwarded to
    bool ackMode = false; ///< answered by Pimscope, forwarded after (else the PIM got the connector's answer)
    ForwardState state = ForwardState::Queued;
    int attempts = 0;
    std::optional<qint64> sentAtMs; ///< when the last attempt was sent (UTC ms)
    std::optional<double> firstByteMs; ///< from sending to the answer's first byte
    std::optional<double> endMs; ///< from sending to the answer's end (or to the failure)
    std::optional<int> status;
    Headers headers; ///< the answer's, in wire order
    QByteArray body; ///< its first keptBodyBytes
    qint64 bodySize = 0; ///< what the answer's body held in all (read, the rest dropped)
    QString error; ///< why there is no whole answer; null when one came
    std::optional<ConnectorVerdict> verdict; ///< under the delivery's sender's rules; none until an outcome
    bool possiblyTwice = false; ///< sent again after an attempt whose outcome was lost (Pimscope stopped mid-request)
    std::optional<qint64> nextAttemptAtMs; ///< ack mode: when a queued forward is due
    /**
     * Ack mode, while queued or sending: the headers to send, as the PIM sent them (the delivery's stored headers are
     * redacted); not kept once the forward has an outcome.
     */
    Headers requestHeaders;

    friend bool operator==(const ConnectorAnswer &, const ConnectorAnswer &) = default;
};

} // namespace pimscope
