#pragma once

#include "store/records.h"

#include <QByteArray>

namespace pimscope::jsonl {

/**
 * One event as one line of JSON (with the trailing newline). Keys, always present (null when absent):
 * id, delivery_id, seq, origin, format, event_id, action, event_datetime, received_at, author, author_type,
 * pim_source, subject_type, subject_id, subject_uuid, flags, signature, log_level, log_message, status_code,
 * answered_status, ack_ms, connector_status, connector_ms, connector_verdict, forward_state (its delivery's forward
 * to the connector: null when not forwarded), payload (the event's original JSON object, embedded unchanged).
 */
void appendEvent(QByteArray &out, const EventRecord &r, const ConnectorAnswer *connector = nullptr);

/**
 * One delivery as one line of JSON. Keys: id, origin, received_at, method, path, remote, headers ([name, value]
 * pairs in wire order), body_size, format, signature, signature_detail, answered_status, ack_ms, event_count, error,
 * warnings, log_level, log_message, status_code, url, log_file, log_line, flags, connector_status, connector_ms,
 * connector_verdict, forward_state (null when not forwarded), body (the raw body as text when it is
 * UTF-8, else null) and body_base64 (the raw body when it is not UTF-8, else null).
 */
void appendDelivery(QByteArray &out, const Delivery &d, const ConnectorAnswer *connector = nullptr);

} // namespace pimscope::jsonl
