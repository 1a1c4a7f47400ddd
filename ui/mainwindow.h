#pragma once

class QApplication;

namespace pimscope::ui {

/** Opens the main window on the capture named by the command line and runs the event loop. */
int runMainWindow(QApplication &app);

} // namespace pimscope::ui
