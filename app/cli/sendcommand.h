#pragma once

#include <QStringList>

namespace pimscope::cli {

/**
 * `pimscope send --to URL (--template SENDER:TYPE | --file BODY | --from-event ID) [--set KEY=VALUE ...] [--batch N]
 * [--secret-env VAR | --secret-name NAME] [--fault NAME ...] [--times N] [--insecure] [--db PATH]`,
 * `pimscope send --list-templates`
 *
 * Composes one request (a template filled with the values set, a file's bytes, or an event of the capture in its
 * sender's envelope), signs it as its sender signs (with the deliberate faults asked for), sends it N times within the
 * sender's deadline, prints each answer with the sender's verdict on it, and stores what was sent as deliveries of
 * origin `replay`. Exit codes: 0 when every answer is a success under the sender's rules, 3 when one is not, 1 when
 * the target cannot be reached or a secret or the capture cannot be read, 2 on a usage error.
 */
int sendCommand(const QStringList &args);

} // namespace pimscope::cli
