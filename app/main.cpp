#include "cli/commands.h"
#include "mainwindow.h"
#include "receiver/receiver.h"

#include <QApplication>
#include <QCoreApplication>

#include <cstdio>
#include <cstring>

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
    if (argc > 1 && (std::strcmp(argv[1], "--version") == 0 || std::strcmp(argv[1], "-v") == 0)) {
        QCoreApplication app(argc, argv);
        pimscope::cli::setApplicationIdentity();
        std::fputs(qPrintable(pimscope::cli::versionText()), stdout);
        return 0;
    }
    QApplication app(argc, argv);
    pimscope::cli::setApplicationIdentity();
    return pimscope::ui::runMainWindow(app);
}
