#pragma once

#include "model/enums.h"

#include <QString>

namespace pimscope::reconciliation {

/**
 * The reconciliation of imported PIM logs with the captured traffic, by event id, as one SQL expression over the
 * event row `e` and its delivery row `d` (the filter language's `recon` field, the diagnostics' counts): the integer
 * value of a Recon, or NULL when none applies. Always current, since it is computed from what is stored:
 *
 * - A received Akeneo event (origin receiver) whose id is in a log line: logged_sent (INFO request_sent),
 *   logged_failed (endpoint_error or timeout; wins over the others: the PIM counted the delivery as failed, e.g. we
 *   answered too late) or logged_not_sent (NOTICE). Not in any log: missing_from_log, but only when it was received
 *   inside a window some finished import covers completely for the level the PIM would have logged: INFO for an
 *   answer 2xx within 500 ms, else ERROR (see ImportRecord: the PIM keeps errors 72 h and only the last 100
 *   INFO/NOTICE lines, so outside those windows the log says nothing either way).
 * - An event of a log line about a request (sent, endpoint error, timeout): captured when the receiver got an event
 *   with its id, else not_captured when the line's time lies inside the span of the receiver's captures (minus the
 *   clock margin): before the receiver ran, or after it stopped, nothing is claimed.
 * - The Event Platform's log entries name no event: they are paired with its captured traffic by path and time
 *   instead (see platform() in reconciliation.cpp and the README).
 *
 * The lookups go through the index on events(event_id, origin).
 */
const QString &sql();

/** Milliseconds trimmed from each end of the receiver's span (clocks of the PIM and this machine). */
inline constexpr qint64 captureMarginMs = 5'000;

} // namespace pimscope::reconciliation
