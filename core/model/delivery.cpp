#include "delivery.h"

namespace pimscope {

QByteArray headerValue(const Headers &headers, QByteArrayView name)
{
    for (const Header &h : headers) {
        if (name.compare(h.name, Qt::CaseInsensitive) == 0)
            return h.value;
    }
    return {};
}

} // namespace pimscope
