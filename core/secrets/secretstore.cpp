#include "secretstore.h"

namespace pimscope {

SecretStore::~SecretStore() = default;

QString SecretStore::errorKindName(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::Missing:
        return QStringLiteral("missing");
    case ErrorKind::Unavailable:
        return QStringLiteral("unavailable");
    case ErrorKind::Denied:
        return QStringLiteral("denied");
    case ErrorKind::Other:
        break;
    }
    return QStringLiteral("other");
}

QString SecretStore::missingMessage(const QString &name)
{
    return QStringLiteral("no secret named '%1' in the keychain").arg(name);
}

} // namespace pimscope
