#include "pathprefix.h"

namespace pimscope::pathprefix {

QByteArray normalised(const QByteArray &prefix)
{
    QByteArray p = prefix.trimmed();
    while (p.endsWith('/'))
        p.chop(1);
    if (!p.startsWith('/'))
        p.prepend('/');
    return p; // "/" for the root (and for an empty prefix)
}

bool matches(QByteArrayView prefix, QByteArrayView path)
{
    if (prefix == "/")
        return true;
    if (!path.startsWith(prefix))
        return false;
    return path.size() == prefix.size() || path[prefix.size()] == '/';
}

QByteArrayView pathOnly(QByteArrayView target)
{
    for (qsizetype i = 0; i < target.size(); ++i) {
        if (target[i] == '?' || target[i] == '#')
            return target.first(i);
    }
    return target;
}

} // namespace pimscope::pathprefix
