#pragma once

#include "enums.h"

#include <QString>
#include <QtGlobal>

#include <optional>

namespace pimscope {

/**
 * One PIM event inside a delivery (an Akeneo batch holds up to 10; Quable and Event Platform send one).
 *
 * Strings that are absent from the payload are null QStrings (exported as JSON null); a present but empty
 * string is an empty, non-null QString. The event's own JSON is not copied: it is the slice
 * [payloadOffset, payloadOffset + payloadLength) of the delivery's raw body, so its bytes are exactly
 * those received (including the PIM's `\/` escapes and the original time texts).
 */
struct Event
{
    qint64 id = 0; ///< store row id, 0 until stored
    qint64 deliveryId = 0; ///< store row id of the delivery, 0 until stored
    int seq = 0; ///< position inside the delivery, from 0

    QString eventId; ///< Akeneo event_id, Quable uuid, Event Platform id
    QString action; ///< Akeneo action, Quable code, Event Platform type
    std::optional<qint64> eventTimeMs; ///< event time, UTC milliseconds since the epoch
    QString author; ///< Akeneo author, Quable created_by, Event Platform data.author.identifier
    QString authorType; ///< Akeneo author_type (ui, api, system), Event Platform data.author.type
    QString pimSource; ///< Akeneo pim_source, Event Platform source

    QString subjectType; ///< product, product_model, or Quable's resource.type
    QString subjectId; ///< product identifier, product model code, Quable resource.code
    QString subjectUuid; ///< product uuid

    qsizetype payloadOffset = 0; ///< byte offset of the event's JSON object in the delivery body
    qsizetype payloadLength = 0; ///< its length in bytes

    Flags flags;

    /**
     * Which delivery of the event this is for a sender that retries (the Event Platform, Quable): 1 for the first,
     * 2, 3, 4 for a redelivery that fits the sender's retry schedule after a failed answer (model/senderprofile.h).
     * A redelivery that does not fit is attempt 1 of a chain of its own, flagged duplicate.
     */
    int attempt = 1;
    qint64 retryOf = 0; ///< store row id of the chain's first attempt for attempt >= 2; 0 otherwise
};

} // namespace pimscope
