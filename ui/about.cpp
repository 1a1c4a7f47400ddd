#include "about.h"

#include "store/eventstore.h"

#include <QMessageBox>
#include <QSysInfo>

namespace pimscope::ui {

QString aboutText()
{
    return QStringLiteral(
               "<h3>Pimscope %1</h3>"
               "<p>Monitor and debug PIM webhook events: Akeneo PIM's Events API and Event Platform, "
               "Quable PIM's webhooks.</p>"
               "<p>Qt %2 at run time, built with Qt %3<br>%4, %5<br>Built %6 with %7</p>"
               "<p>Captures: <code>%8</code></p>"
               "<p>MIT licence. <a href=\"https://github.com/pimscope/pimscope\">github.com/pimscope/pimscope</a></p>")
        .arg(QStringLiteral(PIMSCOPE_VERSION), QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR),
             QSysInfo::prettyProductName(), QSysInfo::buildAbi(), QStringLiteral(__DATE__),
#if defined(__clang__)
             QStringLiteral("clang " __clang_version__),
#elif defined(__GNUC__)
             QStringLiteral("GCC " __VERSION__),
#else
             QStringLiteral("an unknown compiler"),
#endif
             EventStore::defaultPath().toHtmlEscaped());
}

void showAboutBox(QWidget *parent)
{
    QMessageBox box(parent);
    box.setWindowTitle(QStringLiteral("About Pimscope"));
    box.setIconPixmap(applicationIcon().pixmap(64, 64));
    box.setTextFormat(Qt::RichText);
    box.setText(aboutText());
    box.setTextInteractionFlags(Qt::TextBrowserInteraction);
    box.exec();
}

QIcon applicationIcon()
{
    // The icon theme's (the package installs it in hicolor), else the same PNGs built in.
    QIcon builtIn;
    for (const int size : {16, 24, 32, 48, 64, 128, 256})
        builtIn.addFile(QStringLiteral(":/icons/%1x%1/apps/io.github.pimscope.Pimscope.png").arg(size),
                        QSize(size, size));
    return QIcon::fromTheme(QStringLiteral("io.github.pimscope.Pimscope"), builtIn);
}

} // namespace pimscope::ui
