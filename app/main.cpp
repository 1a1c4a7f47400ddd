#include "cli/commands.h"
#include "windowcommand.h"

#include "receiver/receiver.h"

#include <QApplication>
#include <QCoreApplication>

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
    if (const int code = pimscope::app::answerWithoutDisplay(argc, argv); code >= 0)
        return code;
    QApplication app(argc, argv);
    pimscope::cli::setApplicationIdentity();
    return pimscope::app::runWindow(app);
}
