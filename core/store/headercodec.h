#pragma once

#include "model/delivery.h"

namespace pimscope::headercodec {

/**
 * Headers as stored in deliveries.headers: one "name: value\n" line per header in wire order, duplicates kept,
 * bytes unchanged except that '\\', '\n' and '\r' (and ':' in names) are backslash-escaped, so any bytes a log
 * file or a hostile client sends round-trip exactly. The text stays searchable with LIKE.
 */
QByteArray encode(const Headers &headers);
Headers decode(const QByteArray &blob);

} // namespace pimscope::headercodec
