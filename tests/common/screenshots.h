#pragma once

// For the widget tests only (they link Qt Widgets).
#include <QCoreApplication>
#include <QDir>
#include <QTest>
#include <QWidget>

namespace pimscope::test {

/** With PIMSCOPE_SCREENSHOTS=DIR, saves a grab of `widget` there (for docs/screenshots). */
inline void saveScreenshot(QWidget &widget, const char *name)
{
    const QString dir = qEnvironmentVariable("PIMSCOPE_SCREENSHOTS");
    if (dir.isEmpty())
        return;
    QCoreApplication::processEvents();
    QVERIFY(widget.grab().save(QDir(dir).filePath(QString::fromLatin1(name))));
}

} // namespace pimscope::test
