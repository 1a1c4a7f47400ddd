#include "replaysecrets.h"

#include "secrets/secretstore.h"

#include <QtGlobal>

namespace pimscope::ui {

namespace {

using Source = ReplayChoices::SecretSource;

/** One secret from `source` under `name` (`what` names it in a problem: "secret", "secondary secret"). */
void readOne(Source source, const QString &name, const QString &what, const std::function<SecretStore *()> &keychain,
             QObject *context, std::function<void(Result<QByteArray>)> done)
{
    switch (source) {
    case Source::None:
        return done(QByteArray());
    case Source::Environment: {
        QByteArray secret = qgetenv(name.toLocal8Bit().constData());
        if (name.isEmpty() || secret.isEmpty())
            return done(
                Result<QByteArray>::failure(QStringLiteral("The environment variable %1 (the %2) is empty or not set.")
                                                .arg(name.isEmpty() ? QStringLiteral("(none given)") : name, what)));
        return done(std::move(secret));
    }
    case Source::Keychain: {
        SecretStore *store = name.isEmpty() ? nullptr : keychain();
        if (!store)
            return done(Result<QByteArray>::failure(
                QStringLiteral("Give the name of the keychain entry of the %1 (store one with: pimscope secret set "
                               "NAME).")
                    .arg(what)));
        store->readOnce(name, context, [done = std::move(done), what](Result<QByteArray> secret) {
            if (secret)
                done(std::move(secret));
            else
                done(Result<QByteArray>::failure(secret.error() + QStringLiteral(" (the %1)").arg(what)));
        });
        return;
    }
    }
}

} // namespace

void readReplaySecrets(const ReplayChoices &choices, const std::function<SecretStore *()> &keychain, QObject *context,
                       std::function<void(Result<ReplaySecrets>)> done)
{
    // The secondary secret only beside a primary one: the Event Platform always signs with its primary.
    const Source secondary = choices.secretSource == Source::None ? Source::None : choices.secondarySource;
    readOne(choices.secretSource, choices.secretName, QStringLiteral("secret"), keychain, context,
            [=, done = std::move(done)](Result<QByteArray> primary) mutable {
                if (!primary)
                    return done(Result<ReplaySecrets>::failure(primary.error()));
                readOne(secondary, choices.secondaryName, QStringLiteral("secondary secret"), keychain, context,
                        [primary = primary.value(), done = std::move(done)](Result<QByteArray> second) {
                            if (!second)
                                return done(Result<ReplaySecrets>::failure(second.error()));
                            done(ReplaySecrets{primary, second.value()});
                        });
            });
}

} // namespace pimscope::ui
