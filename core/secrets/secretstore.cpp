#include "secretstore.h"

namespace pimscope {

SecretStore::~SecretStore() = default;

void SecretStore::readOnce(const QString &name, QObject *context, std::function<void(Result<QByteArray>)> done)
{
    auto *once = new QObject(context); // the connections go with it
    connect(this, &SecretStore::secretRead, once, [name, once, done](const QString &n, const QByteArray &value) {
        if (n != name)
            return;
        once->deleteLater();
        done(value);
    });
    connect(this, &SecretStore::secretFailed, once,
            [name, once, done = std::move(done)](const QString &n, ErrorKind, const QString &message) {
                if (n != name)
                    return;
                once->deleteLater();
                done(Result<QByteArray>::failure(message));
            });
    read(name);
}

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
