#pragma once

#include "formats/json/reading.h"

// The context of an Akeneo event-subscription log line (FACTS.md 1.8).

namespace pimscope::parsing {

/** Reads the parsed context `root` of a log line into `c`. */
void readLogContext(dom::element root, const Text &text, LogContext &c);

} // namespace pimscope::parsing
