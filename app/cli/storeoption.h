#pragma once

#include "pgstore/pgtarget.h"

#include <QByteArray>
#include <QCommandLineOption>

namespace pimscope::cli {

/** --store postgresql://USER@HOST[:PORT]/DB[?sslmode=…]: a server's PostgreSQL store. */
QCommandLineOption storeOption(const QString &what);

/**
 * The password of a PostgreSQL store, never from the command line or the settings: none when PGPASSWORD or
 * PGPASSFILE is set (libpq reads them; a server's systemd unit sets PGPASSFILE), else the keychain's entry named
 * target.secretName() (pimscope secret set NAME) when it holds one, else none (libpq reads ~/.pgpass). A keychain that
 * cannot be read (a server without a session bus) is said on stderr, for `command`, and passed over.
 */
QByteArray storePassword(const PgTarget &target, const QString &command);

} // namespace pimscope::cli
