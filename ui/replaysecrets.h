#pragma once

#include "replay/replaysigner.h"
#include "settings/replaychoices.h"
#include "util/result.h"

#include <functional>

class QObject;

namespace pimscope {
class SecretStore;
} // namespace pimscope

namespace pimscope::ui {

/**
 * Reads the replay's secrets where `choices` says they are (an environment variable at once, a keychain entry
 * asynchronously), the primary then the Event Platform's secondary one, for the Replay dialog and "Copy as cURL".
 * `done` gets them, or the first problem in a sentence that names it, exactly once unless `context` is destroyed
 * first. `keychain` is asked for the store only when a secret is in the keychain.
 */
void readReplaySecrets(const ReplayChoices &choices, const std::function<SecretStore *()> &keychain, QObject *context,
                       std::function<void(Result<ReplaySecrets>)> done);

} // namespace pimscope::ui
