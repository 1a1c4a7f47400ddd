#pragma once

#include <QStringList>

namespace pimscope::cli {

/**
 * pimscope receive [--listen HOST:PORT] [--db PATH] [--secret-env VAR | --secret-name NAME]
 *                  [--accept-invalid-signature] [--status CODE] [--delay-ms N] [--max-body BYTES]
 *                  [--tls-cert PEM --tls-key PEM]
 * Prints "Listening on http://HOST:PORT/" once ready, then one line per delivery; SIGINT/SIGTERM stop it
 * after the pending commits (exit 0).
 */
int receiveCommand(const QStringList &args);

} // namespace pimscope::cli
