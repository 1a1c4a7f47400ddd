#pragma once

#include "model/connectoranswer.h"
#include "model/delivery.h"

#include <QString>

namespace pimscope::ui {

/**
 * The Delivery tab's text: what one delivery is, in aligned "Label   value" lines, with what its origin has. A
 * received request: when and from where, the request line and size, the signature verdict, the answer. An imported
 * log line: its file and line, level, message kind, the endpoint URL and the status the PIM logged, its events. A
 * replay: when and where it was sent, the answer and its outcome as the PIM would log it. Nothing is printed for
 * what the delivery does not have. A forwarded delivery's Connector section follows: where it went and how (proxy or
 * ack), when, the connector's answer (status, times, headers, the start of its body) or why there is none, and what
 * the sender would make of it.
 */
QString deliverySummary(const Delivery &d, const std::optional<ConnectorAnswer> &connector = std::nullopt);

} // namespace pimscope::ui
