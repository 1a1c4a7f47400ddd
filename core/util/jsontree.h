#pragma once

#include <QByteArrayView>
#include <QList>
#include <QString>

#include <optional>

namespace pimscope {

/** One value of a JSON document, for a tree view: members keep their order in the text. */
struct JsonNode
{
    enum Kind { Object, Array, String, Number, Bool, Null };
    Kind kind = Null;
    QString key; ///< the member name, or the element index as text (empty for the root)
    QString value; ///< a string decoded, a number or literal as written; empty for objects and arrays
    QList<JsonNode> children;
};

/**
 * Reads JSON text into a tree in the text's own member order (QJsonObject would sort the members). Returns
 * std::nullopt for text that is not one JSON value; nesting deeper than 1,024 levels is refused too.
 */
std::optional<JsonNode> parseJsonTree(QByteArrayView json);

} // namespace pimscope
