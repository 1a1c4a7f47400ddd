#pragma once

#include <QString>

#include <functional>

class QObject;

namespace pimscope {
class CaptureQueries;
class SecretStore;
} // namespace pimscope

namespace pimscope::ui {

/**
 * A curl command that sends a delivery again (a log line: its events in an envelope, as the replay sends them) to
 * the Replay dialog's target with fresh signature headers made with its secret (ReplayChoices), else to
 * `receiverUrl` unsigned; a first comment line says when it is unsigned and why. Secret header values only
 * `withSecrets`. `done` gets the command (empty when there is none) and a sentence for the status bar, within
 * `context`.
 */
void makeCurlCommand(CaptureQueries *queries, QObject *context, const std::function<SecretStore *()> &keychain,
                     qint64 deliveryId, const QString &receiverUrl, bool withSecrets,
                     std::function<void(const QString &command, const QString &message)> done);

} // namespace pimscope::ui
