#pragma once

class QApplication;
class QCommandLineParser;

namespace pimscope::app {

/** The window's command line: --db, --listen, the logs to import (and --help, --version, a hidden --screenshot). */
void addWindowOptions(QCommandLineParser &parser);

/**
 * The window's --help, --version and usage errors, answered before a QApplication exists, so that they work without
 * a display (a QApplication aborts when no platform plugin can start). Returns the exit code, or -1 to go on and
 * open the window. Qt's own single-dash options (-platform offscreen, -style fusion) are left to QApplication.
 */
int answerWithoutDisplay(int argc, char *argv[]);

/** Runs the window from the command line (`pimscope [--db PATH] [--listen HOST:PORT] [FILE.log...]`): the exit code. */
int runWindow(QApplication &app);

} // namespace pimscope::app
