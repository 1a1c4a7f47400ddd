#pragma once

#include "formats/json/reading.h"

// The Akeneo Event Platform (FACTS.md 1.12): CloudEvents 1.0 messages, one object or a JSON array of them (the
// mapping is in the .cpp).

namespace pimscope::parsing {

/** One CloudEvent object. */
void readCloudEvent(dom::object object, const Where &where, Event &e, QStringList &warnings);

/**
 * A notification webhook's body (subscription suspended, revoked or resumed): one "event" of the subscription,
 * action = notification_type (the mapping is in the .cpp).
 */
void readNotification(dom::object object, const Where &where, Event &e, QStringList &warnings);

/** Whether a root array is a batch of CloudEvents: its first element is an object with "specversion". */
bool isEventPlatformBatch(dom::array array);

/** A root array of CloudEvents: r.format and its events (read as deep as `depth` says). */
void readEventPlatformBatch(dom::array array, const Text &text, ParseResult &r, PayloadParser::Depth depth);

} // namespace pimscope::parsing
