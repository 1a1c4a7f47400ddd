#include "delivery.h"

#include <QUrl>

namespace pimscope {

QByteArray receivingPath(const QUrl &url)
{
    QByteArray path = url.path(QUrl::FullyEncoded).toUtf8();
    if (path.isEmpty())
        path = "/";
    if (url.hasQuery())
        path += '?' + url.query(QUrl::FullyEncoded).toUtf8();
    return path;
}

QByteArray headerValue(const Headers &headers, QByteArrayView name)
{
    for (const Header &h : headers) {
        if (name.compare(h.name, Qt::CaseInsensitive) == 0)
            return h.value;
    }
    return {};
}

} // namespace pimscope
