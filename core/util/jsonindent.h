#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace pimscope {

/**
 * Re-indents JSON text for people: members keep their order and every token its exact bytes (escapes such as
 * `\/` and `\u00e9`, number spellings), only the whitespace between tokens changes. Empty objects and arrays stay
 * `{}` and `[]`. Meant for valid JSON: whitespace outside strings is dropped whatever the text, so show text
 * that is not JSON as it is.
 */
QByteArray indentJson(QByteArrayView json, int indent = 4);

} // namespace pimscope
