#pragma once

#include <QString>
#include <QStringList>

namespace pimscope::cli {

/** Exit codes of every headless command. */
enum ExitCode : int { Success = 0, Failure = 1, UsageError = 2 };

/** Sets the organisation/application names and version used for paths and --version. */
void setApplicationIdentity();

/**
 * True when argv[1] is a subcommand word (export, stats, ... or a misspelt one, which run() reports) rather
 * than an option or a file to open: such commands run without a display.
 */
bool isHeadlessCommand(const char *argv1);

/** "pimscope 0.1.0 (Qt 6.4.2, ...)\n" */
QString versionText();

/**
 * Runs a headless subcommand. `arguments` is the full argument list (program name first). Output goes to
 * stdout, one clear line per problem to stderr; returns the process exit code.
 */
int run(const QStringList &arguments);

} // namespace pimscope::cli
