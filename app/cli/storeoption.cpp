#include "storeoption.h"

#include "commands.h"

#include "secrets/keychainsecretstore.h"

#include <QCoreApplication>
#include <QTimer>

namespace pimscope::cli {

QCommandLineOption storeOption(const QString &what)
{
    return {QStringLiteral("store"),
            QStringLiteral("%1 a server's PostgreSQL store, postgresql://USER@HOST[:PORT]/DB[?sslmode=...] (never "
                           "with a password: the keychain's, pimscope secret set postgresql:USER@HOST:PORT/DB, else "
                           "PGPASSWORD or ~/.pgpass).")
                .arg(what),
            QStringLiteral("URL")};
}

QByteArray storePassword(const PgTarget &target, const QString &command)
{
    if (passwordFromEnvironment())
        return {};
    KeychainSecretStore keychain;
    const QString name = target.secretName();
    Result<QByteArray> read = Result<QByteArray>::failure(QStringLiteral("the keychain did not answer in 10 s"));
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(&timeout, &QTimer::timeout, QCoreApplication::instance(), [] { QCoreApplication::quit(); });
    keychain.readOnce(name, &keychain, [&read](Result<QByteArray> value) {
        read = std::move(value);
        QCoreApplication::quit();
    });
    timeout.start(10'000);
    QCoreApplication::exec();
    if (read)
        return *read;
    if (read.error() != SecretStore::missingMessage(name))
        printCommandError(command,
                          QStringLiteral("warning: the keychain could not be read (%1): the password of %2 "
                                         "is looked for in PGPASSWORD and ~/.pgpass")
                              .arg(read.error(), target.user));
    return {};
}

} // namespace pimscope::cli
