#pragma once

#include "settings/appsettings.h"

class QApplication;

namespace pimscope::ui {

/**
 * Applies a theme to the whole application: System leaves the platform's style and palette (as they were when
 * the application started), Light and Dark use the Fusion style with Pimscope's palettes (Qt 6.4 has no colour
 * scheme API to follow; the severity tints are chosen to read on both).
 */
void applyTheme(QApplication &app, Theme theme);

/** Whether the palette in use is a dark one (text lighter than the window). */
bool isDarkPalette();

} // namespace pimscope::ui
