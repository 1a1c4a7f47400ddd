#include "windowcommand.h"

#include "cli/commands.h"

#include "logimportrunner.h"
#include "mainwindow.h"

#include "receiver/receiver.h"
#include "settings/appsettings.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QHostAddress>
#include <QSettings>
#include <QTimer>

#include <algorithm>
#include <cstdio>

namespace pimscope::app {

using ui::LogImportRunner;
using ui::MainWindow;

namespace {

bool isQtOption(const QString &name)
{
    static const QStringList qtOptions = {QStringLiteral("platform"),
                                          QStringLiteral("platformpluginpath"),
                                          QStringLiteral("platformtheme"),
                                          QStringLiteral("plugin"),
                                          QStringLiteral("qwindowgeometry"),
                                          QStringLiteral("qwindowicon"),
                                          QStringLiteral("qwindowtitle"),
                                          QStringLiteral("reverse"),
                                          QStringLiteral("session"),
                                          QStringLiteral("style"),
                                          QStringLiteral("stylesheet"),
                                          QStringLiteral("widgetcount"),
                                          QStringLiteral("display"),
                                          QStringLiteral("geometry"),
                                          QStringLiteral("title"),
                                          QStringLiteral("name"),
                                          QStringLiteral("visual"),
                                          QStringLiteral("ncols"),
                                          QStringLiteral("cmap"),
                                          QStringLiteral("nograb"),
                                          QStringLiteral("dograb"),
                                          QStringLiteral("qmljsdebugger"),
                                          QStringLiteral("icon"),
                                          QStringLiteral("testability"),
                                          QStringLiteral("sync")};
    return qtOptions.contains(name);
}

} // namespace

void addWindowOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(
        QStringLiteral("Pimscope: monitor and debug PIM webhook events.\n\n"
                       "Without a command it opens the window. Commands (pimscope COMMAND --help):%1")
            .arg(cli::commandSummaries()));
    // -platform offscreen, -style fusion: Qt's own options are single-dash words (QApplication takes them out).
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption(cli::dbOption());
    parser.addOption(
        {QStringLiteral("listen"),
         QStringLiteral("Where the receiver listens (default: as in the settings, 127.0.0.1:8787 at first)."),
         QStringLiteral("HOST:PORT")});
    QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                  QStringLiteral("Save a picture of the window to FILE once it is shown, then quit."),
                                  QStringLiteral("FILE"));
    screenshot.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(screenshot);
    parser.addPositionalArgument(QStringLiteral("FILE.log"),
                                 QStringLiteral("Akeneo event-subscription logs to import."),
                                 QStringLiteral("[FILE.log...]"));
}

int runWindow(QApplication &app)
{
    // Wayland compositors and docks match the window to io.github.pimscope.Pimscope.desktop, and so to its icon.
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.pimscope.Pimscope"));
    QCommandLineParser parser;
    addWindowOptions(parser);
    const QString screenshot = QStringLiteral("screenshot");
    parser.process(app);
    const QString path = cli::dbPath(parser);
    QHostAddress address;
    quint16 port = 0;
    QSettings stored;
    const QString listen = parser.isSet(QStringLiteral("listen")) ? parser.value(QStringLiteral("listen"))
                                                                  : AppSettings::load(stored).listen;
    if (!parseListenAddress(listen, address, port)) {
        std::fputs("pimscope: --listen must be HOST:PORT\n", stderr);
        return 2;
    }

    MainWindow window(path, address, port);
    window.show();
    window.importLogs(parser.positionalArguments());
    if (parser.isSet(screenshot)) {
        // Once the logs given are imported (quitting earlier would cancel their import).
        const auto grabSoon = [&window, file = parser.value(screenshot)] {
            QTimer::singleShot(600, &window,
                               [&window, file] { QCoreApplication::exit(window.grab().save(file) ? 0 : 1); });
        };
        if (window.importRunner() && window.importRunner()->isRunning())
            QObject::connect(window.importRunner(), &LogImportRunner::finished, &window, grabSoon);
        else
            grabSoon();
    }
    return app.exec();
}

int answerWithoutDisplay(int argc, char *argv[])
{
    QStringList args;
    for (int i = 0; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);
    QCommandLineParser parser;
    addWindowOptions(parser);
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
    if (!parsed && !parser.unknownOptionNames().isEmpty()
        && std::ranges::all_of(parser.unknownOptionNames(), isQtOption))
        return -1; // QApplication takes its own options (-platform offscreen, -style fusion, ...) out of argv

    QCoreApplication app(argc, argv);
    cli::setApplicationIdentity();
    if (!parsed) {
        std::fprintf(stderr, "pimscope: %s (see pimscope --help)\n", qPrintable(parser.errorText()));
        return 2;
    }
    if (asked({"v", "version"})) {
        std::fputs(qPrintable(cli::versionText()), stdout);
        return 0;
    }
    if (asked({"help-all"}))
        parser.process(app); // prints the help with Qt's options, and exits
    std::fputs(qPrintable(cli::helpText(parser, args.value(0))), stdout);
    return 0;
}

} // namespace pimscope::app
