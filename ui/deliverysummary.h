#pragma once

#include "model/delivery.h"

#include <QString>

namespace pimscope::ui {

/**
 * The Delivery tab's text: what one delivery is, in aligned "Label   value" lines, with what its origin has. A
 * received request: when and from where, the request line and size, the signature verdict, the answer. An imported
 * log line: its file and line, level, message kind, the endpoint URL and the status the PIM logged, its events. A
 * replay: when and where it was sent, the answer and its outcome as the PIM would log it. Nothing is printed for
 * what the delivery does not have.
 */
QString deliverySummary(const Delivery &d);

} // namespace pimscope::ui
