#pragma once

#include "model/connectoranswer.h"
#include "store/records.h"

#include <QByteArray>

namespace pimscope::csv {

/**
 * RFC 4180 CSV: a header row, CRLF line endings, a field quoted (quotes doubled) when it holds a comma, a quote, CR
 * or LF, UTF-8 (bytes that are not UTF-8 as U+FFFD; a delivery's raw body that is not UTF-8 goes as body_base64).
 * Absent values are empty fields. The columns are those of the JSON lines export (jsonlexport.h), lists joined:
 * flags and warnings by "; ", headers as "Name: value" lines.
 */
void appendField(QByteArray &out, QByteArrayView utf8);

/** The header row of events; then one row per event, the event's JSON last (payload). */
void appendEventHeader(QByteArray &out);
void appendEvent(QByteArray &out, const EventRecord &r, const ConnectorAnswer *connector = nullptr);

/** The header row of deliveries; then one row per delivery, its body last. */
void appendDeliveryHeader(QByteArray &out);
void appendDelivery(QByteArray &out, const Delivery &d, const ConnectorAnswer *connector = nullptr);

} // namespace pimscope::csv
