#include "curlcopy.h"

#include "replay/replayplan.h"
#include "replay/replaysigner.h"
#include "secrets/secretstore.h"
#include "settings/replaychoices.h"
#include "store/capturequeries.h"

#include <QDateTime>
#include <QSettings>
#include <QUrl>

namespace pimscope::ui {

void makeCurlCommand(CaptureQueries *queries, QObject *context, const std::function<SecretStore *()> &keychain,
                     qint64 deliveryId, const QString &receiverUrl, bool withSecrets,
                     std::function<void(const QString &command, const QString &message)> done)
{
    if (deliveryId <= 0 || !queries)
        return done({}, QStringLiteral("Select a row to copy as cURL"));
    // The replay target and secret (Replay dialog), else the receiver itself, unsigned.
    QSettings stored;
    const ReplayChoices choices = ReplayChoices::load(stored);
    const QString &target = choices.url;
    const QString &secretName = choices.secretName;
    const int timeoutMs = choices.timeoutMs;
    const auto build = [queries, context, done, withSecrets, timeoutMs, deliveryId](QString url, QByteArray secret,
                                                                                    QString note) {
        queries->delivery(
            deliveryId, context,
            [queries, context, done, withSecrets, timeoutMs, url, secret, note](Result<Delivery> d) {
                if (!d)
                    return done({}, d.error());
                const auto make = [done, withSecrets, timeoutMs, url, secret, note](Format format,
                                                                                    const QByteArray &body) {
                    const Headers headers = replayHeaders(format, body, secret, QDateTime::currentSecsSinceEpoch());
                    QString command = curlCommand(QUrl(url), headers, body, timeoutMs, withSecrets);
                    if (!note.isEmpty())
                        command.prepend(QStringLiteral("# ") + note + u'\n');
                    done(command, QStringLiteral("Copied a curl command that sends this delivery to %1").arg(url));
                };
                if (d->origin != Origin::Log)
                    return make(d->format, d->body);
                // A log line is not a request body: its events in an envelope, as the replay sends them.
                queries->eventsOfDelivery(d->id, context, [make](Result<QList<EventRecord>> events) {
                    QList<QByteArray> payloads;
                    if (events) {
                        for (const EventRecord &e : *events)
                            payloads.append(e.payload);
                    }
                    make(Format::Akeneo, akeneoEnvelope(payloads));
                });
            });
    };
    if (target.isEmpty()) {
        if (receiverUrl.isEmpty())
            return done({}, QStringLiteral("Set a replay target first (Replay…, Ctrl+R)"));
        return build(receiverUrl, {},
                     QStringLiteral("unsigned: no replay target set, this sends to Pimscope's own receiver"));
    }
    if (choices.secretSource == ReplayChoices::SecretSource::Environment) {
        const QByteArray secret = qgetenv(secretName.toLocal8Bit().constData());
        return build(target, secret,
                     secret.isEmpty() ? QStringLiteral("unsigned: %1 is not set").arg(secretName) : QString());
    }
    if (choices.secretSource == ReplayChoices::SecretSource::Keychain && !secretName.isEmpty()) {
        keychain()->readOnce(secretName, context, [build, target](Result<QByteArray> secret) {
            if (secret)
                build(target, secret.value(), {});
            else
                build(target, {}, QStringLiteral("unsigned: ") + secret.error());
        });
        return;
    }
    build(target, {}, QStringLiteral("unsigned: no replay secret set"));
}

} // namespace pimscope::ui
