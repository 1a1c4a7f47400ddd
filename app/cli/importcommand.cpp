#include "importcommand.h"

#include "commands.h"

#include "logimport/logimporter.h"
#include "store/eventstore.h"

#include <QCommandLineParser>

#include <csignal>
#include <cstdio>

namespace pimscope::cli {

namespace {

LogImporter *running = nullptr;

void onInterrupt(int)
{
    if (running)
        running->cancel(); // an atomic store: safe in a signal handler
}

} // namespace

int importCommand(const QStringList &args)
{
    const QString name = QStringLiteral("import");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Imports Akeneo event-subscription log files (Connect > Connection settings > Event "
                       "subscription > Download logs), and the Event Platform's logs (its Logs API's JSON: a list of "
                       "entries, a page of them, or JSON lines), into the capture and prints what went wrong."));
    parser.addOption(dbOption());
    parser.addOption(secretHeaderOption());
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("Log files to import."),
                                 QStringLiteral("FILE..."));
    if (const auto exit = parseCommandLine(parser, args, name, true))
        return *exit;
    const QStringList files = parser.positionalArguments();
    if (files.isEmpty()) {
        printCommandError(name, QStringLiteral("no log file given (pimscope import [--db PATH] FILE...)"));
        return UsageError;
    }
    const auto redactor = redactorOf(parser);
    if (!redactor) {
        printCommandError(name, redactor.error());
        return UsageError;
    }
    auto store = EventStore::open(dbPath(parser));
    if (!store) {
        printCommandError(name, store.error());
        return Failure;
    }
    LogImporter importer(*store.value(), *redactor);
    running = &importer;
    const auto previous = std::signal(SIGINT, onInterrupt);
    int exit = Success;
    bool interrupted = false;
    for (const QString &file : files) {
        if (interrupted)
            break;
        const auto summary = importer.importFile(file);
        if (!summary) {
            printCommandError(name, summary.error());
            exit = Failure;
            continue;
        }
        std::fputs(qPrintable(describeImport(summary.value()) + u'\n'), stdout);
        std::fflush(stdout);
        if (summary->cancelled) {
            interrupted = true;
            exit = Failure;
        }
    }
    std::signal(SIGINT, previous);
    running = nullptr;
    store.value()->flush();
    return exit;
}

} // namespace pimscope::cli
