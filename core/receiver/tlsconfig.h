#pragma once

#include "util/result.h"

#include <QSslConfiguration>
#include <QString>

namespace pimscope {

/**
 * The server side TLS configuration from a PEM certificate (chain) file and a PEM private key file (RSA or EC,
 * unencrypted). Errors name the file and the problem: unreadable, no certificate, no key, or a key that is not
 * the certificate's (checked with OpenSSL, so a mismatch is caught at start rather than at the first handshake).
 */
Result<QSslConfiguration> loadServerTls(const QString &certificatePath, const QString &keyPath);

} // namespace pimscope
