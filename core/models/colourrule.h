#pragma once

#include <QList>
#include <QString>

namespace pimscope {

/**
 * A user's colouring rule: rows that match `filter` (the filter language) get `colour` ("#rrggbb") as their
 * background. Rules are ordered: the first that matches a row colours it, before the severity tints.
 */
struct ColourRule
{
    QString filter;
    QString colour;

    bool operator==(const ColourRule &) const = default;
};

} // namespace pimscope
