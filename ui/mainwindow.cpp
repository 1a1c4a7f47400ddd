#include "mainwindow.h"

#include <QApplication>
#include <QMainWindow>

namespace pimscope::ui {

int runMainWindow(QApplication &app)
{
    QMainWindow window;
    window.setWindowTitle(QStringLiteral("Pimscope"));
    window.resize(1200, 800);
    window.show();
    return app.exec();
}

} // namespace pimscope::ui
