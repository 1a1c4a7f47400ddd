#pragma once

#include "model/connectoranswer.h"
#include "model/delivery.h"

#include <QByteArray>

namespace pimscope::har {

/**
 * HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/), which browser devtools open: one entry per HTTP request
 * — a received delivery (the request as it came, the answer the receiver gave and how long it took), a replayed one
 * (the request as sent, the target's answer), or a request the PIM logged (the URL, the request headers of an error
 * line, the status; no body: a log line does not hold it). Log lines about events not sent (NOTICE, WARNING) were
 * no request and are not entries. Pimscope's own fields go in "_pimscope" (delivery id, origin, format, signature,
 * events, flags, error); a body that is not UTF-8 goes as base64 with "_encoding": "base64".
 */
bool isRequest(const Delivery &d);

void appendBegin(QByteArray &out);
/** One entry; `first` for the first one (no comma before it). */
void appendEntry(QByteArray &out, const Delivery &d, bool first, const ConnectorAnswer *connector = nullptr);
void appendEnd(QByteArray &out);

} // namespace pimscope::har
