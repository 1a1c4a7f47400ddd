#include "mainwindow.h"

#include "filter/filter.h"
#include "store/eventstore.h"
#include "store/storereader.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QLabel>
#include <QMainWindow>
#include <QMessageBox>
#include <QStatusBar>
#include <QTimer>

namespace pimscope::ui {

int runMainWindow(QApplication &app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Pimscope: monitor and debug PIM webhook events."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({QStringLiteral("db"), QStringLiteral("The capture file (default: %1).").arg(EventStore::defaultPath()),
                      QStringLiteral("PATH")});
    QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                  QStringLiteral("Save a picture of the window to FILE once it is shown, then quit."),
                                  QStringLiteral("FILE"));
    screenshot.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(screenshot);
    parser.process(app);
    const QString path = parser.isSet(QStringLiteral("db")) ? parser.value(QStringLiteral("db")) : EventStore::defaultPath();

    QMainWindow window;
    window.setWindowTitle(QStringLiteral("Pimscope"));
    window.resize(1200, 800);
    auto *summary = new QLabel(&window);
    summary->setAlignment(Qt::AlignCenter);
    summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    window.setCentralWidget(summary);

    auto store = EventStore::open(path);
    if (!store) {
        summary->setText(QStringLiteral("Cannot open the capture:\n%1").arg(store.error()));
        window.show();
        return app.exec();
    }
    const auto events = store.value()->reader().countMatching(Filter::parse(QString()), FilterTarget::Events);
    const auto deliveries = store.value()->reader().countMatching(Filter::parse(QString()), FilterTarget::Deliveries);
    summary->setText(QStringLiteral("Capture %1\n%2 deliveries, %3 events")
                         .arg(path)
                         .arg(deliveries ? *deliveries : 0)
                         .arg(events ? *events : 0));
    window.statusBar()->showMessage(path);
    window.show();
    if (parser.isSet(screenshot)) {
        QTimer::singleShot(300, &window, [&window, file = parser.value(screenshot)] {
            const bool saved = window.grab().save(file);
            QCoreApplication::exit(saved ? 0 : 1);
        });
    }
    return app.exec();
}

} // namespace pimscope::ui
