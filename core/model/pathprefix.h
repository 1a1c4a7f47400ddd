#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace pimscope::pathprefix {

/**
 * Rules per receiving path prefix (signature checks, forwarding) match on segment boundaries: "/akeneo" matches
 * "/akeneo" and "/akeneo/x", not "/akeneox"; "/" matches every path; the query string is not part of the path.
 */

/** A prefix as rules compare it: trimmed, with a leading and no trailing slash; "/" for the root or an empty one. */
QByteArray normalised(const QByteArray &prefix);

/** Whether the normalised `prefix` covers `path` (a path without its query) on segment boundaries. */
bool matches(QByteArrayView prefix, QByteArrayView path);

/** A request target's path: what comes before its query ('?') or fragment ('#'). */
QByteArrayView pathOnly(QByteArrayView target);

} // namespace pimscope::pathprefix
