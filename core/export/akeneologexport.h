#pragma once

#include "model/connectoranswer.h"
#include "store/records.h"

#include <QByteArray>
#include <QList>

namespace pimscope::akeneolog {

/**
 * One delivery as one line of the PIM's event-subscription log (FACTS.md 1.8), so that replay results and captured
 * traffic can be read by whatever reads PIM logs, Pimscope's importer included:
 * `YYYY/MM/DD HH:MM:SS LEVEL message context` (UTC; the context as PHP's json_encode writes it: compact, `/` as
 * `\/`, non-ASCII as `\uXXXX`).
 *  - An imported log line is written as it was read (a round trip gives the file back byte for byte).
 *  - A received delivery is what the PIM would have logged for the answer Pimscope gave: later than 500 ms, "The
 *    endpoint failed to answer under 500 ms."; a 4xx/5xx, "The endpoint returned an error." with the request's
 *    headers; otherwise "The API event request was sent." with the status (response headers are not kept: `[]`).
 *  - A replayed delivery, as the replayer classified its answer (its own timeout in the message).
 * The URL is the replay's target, or for a received request http://<its Host header><its path>. The events are the
 * PIM's normalized form: action, event_id, event_datetime, author, author_type, and product_identifier and
 * product_uuid, or product_model_code.
 */
void appendLine(QByteArray &out, const Delivery &d, const QList<EventRecord> &events,
                const ConnectorAnswer *connector = nullptr);

} // namespace pimscope::akeneolog
