#pragma once

#include "signing/redactor.h"
#include "util/result.h"

#include <QCommandLineOption>
#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

class QCommandLineParser;

namespace pimscope::cli {

/** Exit codes of every headless command. */
enum ExitCode : int { Success = 0, Failure = 1, UsageError = 2 };

/** Prints `line` and a newline on stdout, at once (flushed: another program may be reading it as it comes). */
void printLine(const QString &line);

/** Prints "pimscope: COMMAND: message" as one line on stderr. */
void printCommandError(const QString &command, const QString &message);

/**
 * Adds -h/--help to `parser` and parses "pimscope COMMAND [options]" (`args` as the process got them). Returns
 * std::nullopt when the command should run, else the exit code: Success after printing the help, UsageError after
 * printing one line that says what is wrong (also for positional arguments, unless allowed).
 */
std::optional<int> parseCommandLine(QCommandLineParser &parser, const QStringList &args, const QString &name,
                                    bool allowPositional = false);

/** --db PATH, and the path it names (the default capture when absent). */
QCommandLineOption dbOption();
QString dbPath(const QCommandLineParser &parser);
/** Whether --db and --store are both given (a usage error of the commands that take either), said for `command`. */
bool twoStoresGiven(const QCommandLineParser &parser, const QString &command);

/**
 * The secret named by the options `<prefix>secret-env` / `<prefix>secret-name` (an environment variable, a keychain
 * entry), empty when neither is given; an unset variable or a missing entry is an error naming it.
 */
Result<QByteArray> secretOf(const QCommandLineParser &parser, const QString &prefix = {});

/** --secret-header NAME (repeatable): a header whose value is stored and written out redacted, like Authorization. */
QCommandLineOption secretHeaderOption();
/** The redactor of the --secret-header names given, or a usage error that names one that is not a header name. */
Result<HeaderRedactor> redactorOf(const QCommandLineParser &parser);

/**
 * From now on SIGINT and SIGTERM quit the application's event loop (the command then stops cleanly: pending commits
 * made) instead of ending the process; the returned notifier must live as long as that should hold (when it goes, they
 * end the process again).
 */
Result<std::unique_ptr<QObject>> quitOnSignals();
/** The same, `action` run (in `context`'s thread) instead of quitting: a command that stops its own way. */
Result<std::unique_ptr<QObject>> onSignals(QObject *context, std::function<void()> action);

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
 * The parser's help, its usage line naming "pimscope" (and `command`, when given) rather than the path the program
 * was started by (`program`, the first argument).
 */
QString helpText(const QCommandLineParser &parser, const QString &program, const QString &command = {});

/** One "\n  name  summary" line per subcommand. */
QString commandSummaries();

/**
 * Runs a headless subcommand. `arguments` is the full argument list (program name first). Output goes to
 * stdout, one clear line per problem to stderr; returns the process exit code.
 */
int run(const QStringList &arguments);

} // namespace pimscope::cli
