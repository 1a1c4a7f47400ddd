#include "mainwindow.h"

#include "filter/filter.h"
#include "receiver/receiver.h"
#include "store/eventstore.h"
#include "store/storereader.h"
#include "util/timeutil.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QLabel>
#include <QMainWindow>
#include <QStatusBar>
#include <QTimer>
#include <QVBoxLayout>

namespace pimscope::ui {

int runMainWindow(QApplication &app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Pimscope: monitor and debug PIM webhook events."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({QStringLiteral("db"), QStringLiteral("The capture file (default: %1).").arg(EventStore::defaultPath()),
                      QStringLiteral("PATH")});
    parser.addOption({QStringLiteral("listen"), QStringLiteral("Where the receiver listens (default 127.0.0.1:8787)."),
                      QStringLiteral("HOST:PORT"), QStringLiteral("127.0.0.1:8787")});
    QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                  QStringLiteral("Save a picture of the window to FILE once it is shown, then quit."),
                                  QStringLiteral("FILE"));
    screenshot.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(screenshot);
    parser.process(app);
    const QString path = parser.isSet(QStringLiteral("db")) ? parser.value(QStringLiteral("db")) : EventStore::defaultPath();

    // A first shell of the window (the real one is issue #4): the capture, the receiver and live counts.
    QMainWindow window;
    window.setWindowTitle(QStringLiteral("Pimscope"));
    window.resize(1200, 800);
    auto *central = new QWidget(&window);
    auto *layout = new QVBoxLayout(central);
    auto *title = new QLabel(QStringLiteral("<h2>Pimscope</h2>"), central);
    auto *receiverLabel = new QLabel(central);
    auto *summary = new QLabel(central);
    auto *last = new QLabel(central);
    for (QLabel *l : {title, receiverLabel, summary, last}) {
        l->setAlignment(Qt::AlignCenter);
        l->setTextInteractionFlags(Qt::TextSelectableByMouse);
        layout->addWidget(l);
    }
    layout->addStretch();
    layout->insertStretch(0);
    window.setCentralWidget(central);
    window.statusBar()->showMessage(path);

    auto store = EventStore::open(path);
    std::unique_ptr<Receiver> receiver;
    if (!store) {
        summary->setText(QStringLiteral("Cannot open the capture:\n%1").arg(store.error()));
    } else {
        auto refresh = [&store, summary] {
            const auto events = store.value()->reader().countMatching(Filter(), FilterTarget::Events);
            const auto deliveries = store.value()->reader().countMatching(Filter(), FilterTarget::Deliveries);
            summary->setText(QStringLiteral("%1 deliveries, %2 events in %3")
                                 .arg(deliveries ? *deliveries : 0)
                                 .arg(events ? *events : 0)
                                 .arg(store.value()->path()));
        };
        refresh();
        ReceiverSettings settings;
        if (!parseListenAddress(parser.value(QStringLiteral("listen")), settings.address, settings.port)) {
            receiverLabel->setText(QStringLiteral("--listen must be HOST:PORT"));
        } else {
            receiver = std::make_unique<Receiver>(store->get(), settings);
            const auto port = receiver->start();
            if (port) {
                receiverLabel->setText(QStringLiteral("Receiver listening on <b>%1</b> — point a PIM's webhook at it "
                                                      "(through a public HTTPS tunnel for a real Akeneo or Quable).")
                                           .arg(receiver->url()));
            } else {
                receiverLabel->setText(QStringLiteral("The receiver is not running: %1").arg(port.error()));
                receiver.reset();
            }
        }
        if (receiver) {
            // Live arrivals, coalesced to at most a few updates a second.
            auto *coalesce = new QTimer(&window);
            coalesce->setSingleShot(true);
            coalesce->setInterval(200);
            QObject::connect(coalesce, &QTimer::timeout, &window, refresh);
            QObject::connect(receiver.get(), &Receiver::answered, &window, [coalesce, last](const ReceivedDelivery &d) {
                last->setText(QStringLiteral("Last: %1  %2 %3  → %4  %5, %6 events, %7 ms")
                                  .arg(toIsoUtc(d.receivedAtMs), QString::fromLatin1(d.method), QString::fromUtf8(d.path))
                                  .arg(d.status)
                                  .arg(formatName(d.format))
                                  .arg(d.eventCount)
                                  .arg(d.ackMs, 0, 'f', 1));
                if (!coalesce->isActive())
                    coalesce->start();
            });
        }
    }
    window.show();
    if (parser.isSet(screenshot)) {
        QTimer::singleShot(300, &window, [&window, file = parser.value(screenshot)] {
            QCoreApplication::exit(window.grab().save(file) ? 0 : 1);
        });
    }
    const int code = app.exec();
    receiver.reset();
    return code;
}

} // namespace pimscope::ui
