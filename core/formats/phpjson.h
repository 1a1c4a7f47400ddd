#pragma once

#include <QByteArray>
#include <QStringView>

namespace pimscope {

/**
 * `text` as a JSON string the way PHP's json_encode writes it with its default flags, as the PIM's event-subscription
 * log holds its contexts: `/` as `\/`, every character outside printable ASCII as `\uXXXX` (UTF-16 units, surrogate
 * pairs included), the usual short escapes for quote, backslash and \b \f \n \r \t. Used to write log lines
 * (export) and to put markers into imported ones (log import).
 */
void appendPhpJsonString(QByteArray &out, QStringView text);

} // namespace pimscope
