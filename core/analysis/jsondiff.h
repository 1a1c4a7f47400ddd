#pragma once

#include <QJsonValue>
#include <QList>
#include <QString>

namespace pimscope {

/** One difference between two JSON documents, at a path such as `data.resource.values.name[0].data`. */
struct JsonChange
{
    enum Kind { Added, Removed, Changed };
    Kind kind = Changed;
    QString path;
    QJsonValue before; ///< Undefined for Added
    QJsonValue after; ///< Undefined for Removed
};

/**
 * The structural differences from `before` to `after`: members compared by name (order does not matter),
 * arrays element by element, values by type and value. Unchanged parts give nothing; a member or element present
 * on one side only is Added or Removed; anything else that differs is Changed at the deepest path where both sides
 * are still objects or arrays. Paths name members with dots (or ["odd key"]) and elements with [index]. The
 * changes of an object come in its members' alphabetical order, those present on both sides and removals first,
 * then additions.
 */
QList<JsonChange> jsonDiff(const QJsonValue &before, const QJsonValue &after);

/** The path of a member (`parent.key`, or `parent["odd key"]`) or of an element (`parent[3]`), as jsonDiff names them.
 */
QString jsonChildPath(const QString &parent, const QString &keyOrIndex, bool element);

/** A value in compact JSON, for showing a change ("text" quoted, objects and arrays as JSON). */
QString compactJson(const QJsonValue &value);

} // namespace pimscope
