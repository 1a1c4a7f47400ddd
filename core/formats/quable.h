#pragma once

#include "formats/json/reading.h"

// Quable PIM webhooks (FACTS.md 2.3): one event object per request.

namespace pimscope::parsing {

/** One Quable event: uuid, code, created_at, created_by, resource.type / resource.code / resource.links. */
void readQuableEvent(dom::object object, const Where &where, Event &e, QStringList &warnings);

} // namespace pimscope::parsing
