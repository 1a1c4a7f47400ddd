#pragma once

#include <QStringList>

namespace pimscope::cli {

/**
 * `pimscope secret set|check|delete NAME`: manages the named secrets of the OS keychain (service "pimscope").
 *
 * - set NAME: the value is read from standard input (all of it when piped; one line with echo off on a terminal),
 *   one trailing newline ("\n" or "\r\n") removed; an empty value is refused (exit 2).
 * - check NAME: prints "set" and exits 0, or exits 1 with "no secret named 'NAME' in the keychain".
 * - delete NAME: removes it; exits 1 when there was none.
 *
 * `args` is the full argument list (program name, "secret", ...). Needs a QCoreApplication: the keychain jobs are
 * asynchronous and this function runs QCoreApplication::exec() as the command's main loop until the one answer
 * arrives. Exit codes: 0 ok, 2 usage error, 1 any other failure (one line on stderr: "pimscope: secret: ...").
 * Never prints a secret value.
 */
int secretCommand(const QStringList &args);

} // namespace pimscope::cli
