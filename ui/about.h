#pragma once

#include <QIcon>
#include <QString>

class QWidget;

namespace pimscope::ui {

/** The application's icon: the icon theme's io.github.pimscope.Pimscope, else the built-in hicolor PNGs (16 to 256). */
QIcon applicationIcon();

/** What Help > About says: the version, the Qt versions at build and run time, the system, the compiler. */
QString aboutText();

/** The About box. */
void showAboutBox(QWidget *parent);

} // namespace pimscope::ui
