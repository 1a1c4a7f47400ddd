#include "curlcopy.h"

#include "replaysecrets.h"

#include "model/senderprofile.h"
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
    const int timeoutMs = choices.timeoutMs;
    const auto build = [queries, context, done, withSecrets, timeoutMs,
                        deliveryId](const QString &url, const ReplaySecrets &secrets, const QString &note) {
        queries->delivery(
            deliveryId, context,
            [queries, context, done, withSecrets, timeoutMs, url, secrets, note](Result<Delivery> d) {
                if (!d)
                    return done({}, d.error());
                const auto make = [done, withSecrets, timeoutMs, url, secrets,
                                   note](Format format, const QByteArray &body, bool notification) {
                    const Headers headers
                        = replayHeaders(format, body, secrets, QDateTime::currentSecsSinceEpoch(), notification);
                    QString command = curlCommand(QUrl(url), headers, body, timeoutMs, withSecrets);
                    if (!note.isEmpty())
                        command.prepend(QStringLiteral("# ") + note + u'\n');
                    done(command, QStringLiteral("Copied a curl command that sends this delivery to %1").arg(url));
                };
                if (d->origin != Origin::Log && d->format == Format::AkeneoEventPlatform) {
                    // A notification webhook is signed with its one secret: no secondary signature.
                    return queries->eventsOfDelivery(
                        d->id, context, [make, format = d->format, body = d->body](Result<QList<EventRecord>> events) {
                            make(format, body,
                                 events && !events->isEmpty()
                                     && isPlatformNotification(format, events->front().event.subjectType));
                        });
                }
                if (d->origin != Origin::Log)
                    return make(d->format, d->body, false);
                // A log line is not a request body: its events in an envelope, as the replay sends them.
                queries->eventsOfDelivery(d->id, context, [make](Result<QList<EventRecord>> events) {
                    make(Format::Akeneo, logLineBody(events ? *events : QList<EventRecord>()), false);
                });
            });
    };
    if (target.isEmpty()) {
        if (receiverUrl.isEmpty())
            return done({}, QStringLiteral("Set a replay target first (Replay…, Ctrl+R)"));
        return build(receiverUrl, {},
                     QStringLiteral("unsigned: no replay target set, this sends to Pimscope's own receiver"));
    }
    if (choices.secretSource == ReplayChoices::SecretSource::None)
        return build(target, {}, QStringLiteral("unsigned: no replay secret set"));
    readReplaySecrets(choices, keychain, context, [build, target](Result<ReplaySecrets> secrets) {
        if (secrets)
            build(target, secrets.value(), {});
        else
            build(target, {},
                  QStringLiteral("unsigned: ") + secrets.error().left(1).toLower() + secrets.error().mid(1));
    });
}

} // namespace pimscope::ui
