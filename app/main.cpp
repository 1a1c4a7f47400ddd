#include "cli/commands.h"
#include "mainwindow.h"
#include "receiver/receiver.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>

#include <algorithm>
#include <cstdio>

namespace {

bool isQtOption(const QString &name)
{
    static const QStringList qtOptions = {
        QStringLiteral("platform"),     QStringLiteral("platformpluginpath"), QStringLiteral("platformtheme"),
        QStringLiteral("plugin"),       QStringLiteral("qwindowgeometry"),    QStringLiteral("qwindowicon"),
        QStringLiteral("qwindowtitle"), QStringLiteral("reverse"),            QStringLiteral("session"),
        QStringLiteral("style"),        QStringLiteral("stylesheet"),         QStringLiteral("widgetcount"),
        QStringLiteral("display"),      QStringLiteral("geometry"),           QStringLiteral("title"),
        QStringLiteral("name"),         QStringLiteral("visual"),             QStringLiteral("ncols"),
        QStringLiteral("cmap"),         QStringLiteral("nograb"),             QStringLiteral("dograb"),
        QStringLiteral("qmljsdebugger"), QStringLiteral("icon"),              QStringLiteral("testability"),
        QStringLiteral("sync")};
    return qtOptions.contains(name);
}

/**
 * The window's --help, --version and usage errors are answered before a QApplication exists, so they work without
 * a display (a QApplication aborts when no platform plugin can start). Returns the exit code, or -1 to go on.
 */
int answerWithoutDisplay(int argc, char *argv[])
{
    QStringList args;
    for (int i = 0; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);
    QCommandLineParser parser;
    pimscope::ui::addWindowOptions(parser);
    const bool parsed = parser.parse(args);
    const QStringList given = parsed ? parser.optionNames() : QStringList();
    const auto asked = [&given](std::initializer_list<const char *> names) {
        for (const char *name : names)
            if (given.contains(QLatin1String(name)))
                return true;
        return false;
    };
    if (parsed && !asked({"h", "help", "?", "help-all", "v", "version"}))
        return -1;
    if (!parsed && !parser.unknownOptionNames().isEmpty() && std::ranges::all_of(parser.unknownOptionNames(), isQtOption))
        return -1; // QApplication takes its own options (-platform offscreen, -style fusion, ...) out of argv

    QCoreApplication app(argc, argv);
    pimscope::cli::setApplicationIdentity();
    if (!parsed) {
        std::fprintf(stderr, "pimscope: %s (see pimscope --help)\n", qPrintable(parser.errorText()));
        return 2;
    }
    if (asked({"v", "version"})) {
        std::fputs(qPrintable(pimscope::cli::versionText()), stdout);
        return 0;
    }
    if (asked({"help-all"}))
        parser.process(app); // prints the help with Qt's options, and exits
    std::fputs(qPrintable(pimscope::cli::helpText(parser, args.value(0))), stdout);
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    // The receiver (of the window or of `pimscope receive`) holds a file descriptor per connection.
    pimscope::raiseOpenFileLimit();
    // Headless subcommands never create a QGuiApplication: they run without a display.
    if (argc > 1 && pimscope::cli::isHeadlessCommand(argv[1])) {
        QCoreApplication app(argc, argv);
        pimscope::cli::setApplicationIdentity();
        return pimscope::cli::run(app.arguments());
    }
    if (const int code = answerWithoutDisplay(argc, argv); code >= 0)
        return code;
    QApplication app(argc, argv);
    pimscope::cli::setApplicationIdentity();
    return pimscope::ui::runMainWindow(app);
}
