// The window on a large capture, offscreen (see docs/PERFORMANCE.md, issue #4 targets):
//   - open: the window is built and the first rows of the table are shown;
//   - a filter on an indexed field, a contains filter: the typed text applied, first rows shown;
//   - live: a client posts 200 requests/s of 10 events (2,000 events/s) for a while; how long the GUI thread
//     was ever kept from its event loop (a 5 ms timer measures its lateness), and how many table refreshes;
//   - the diagnostics (the flag counts, logs, reconciliation), the subscriptions' health and the status meters: from
//     opening to shown, and how far apart their updates come during the live load; beside them, what the two
//     scans that counted the flags before the counts were kept (schema 6) take on the same file;
//   - the resident memory at the end.
// Usage: QT_QPA_PLATFORM=offscreen bench_window [events=1000000] [db-path (reused when it exists)] [live-seconds=10]

#include "benchdata.h"

#include "diagnosticspanel.h"
#include "mainwindow.h"
#include "models/eventtablemodel.h"
#include "windowfixture.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QUrl>

#include <atomic>
#include <cstdio>

using namespace pimscope;
using pimscope::test::eventsModel;
using pimscope::test::filterEdit;

namespace {

/** Processes events until `done` or `timeoutMs`; returns the elapsed ms, or -1 on timeout. */
double waitFor(const std::function<bool()> &done, int timeoutMs = 60000)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > timeoutMs)
            return -1;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    }
    return double(t.nsecsElapsed()) / 1e6;
}

qint64 residentKb()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

/** Times from typing `text` into the filter bar to the first rows of its result shown, and to its end. */
struct FilterTimes
{
    double firstRows = 0;
    double complete = 0;
};
FilterTimes filterTimes(ui::MainWindow &window, const QString &text)
{
    EventTableModel *model = eventsModel(window);
    QSignalSpy answers(model, &PagedTableModel::matched);
    QElapsedTimer t;
    t.start();
    filterEdit(window)->setText(text);
    Q_EMIT filterEdit(window)->returnPressed(); // no debounce: measure the query, not the typing pause
    FilterTimes times;
    // A streaming search shows the rows of its first ranges while it goes on.
    waitFor([&] {
        return model->filter() == text && !answers.isEmpty()
            && ((model->rowCount() > 0
                 && model->data(model->index(0, EventTableModel::Action)).toString() != QStringLiteral("…"))
                || !model->isQuerying());
    });
    times.firstRows = double(t.nsecsElapsed()) / 1e6;
    waitFor([&] { return !model->isQuerying(); });
    times.complete = double(t.nsecsElapsed()) / 1e6;
    return times;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int total = args.value(1, QStringLiteral("1000000")).toInt();
    QTemporaryDir dir;
    const QString path = args.size() > 2 ? args[2] : dir.filePath(QStringLiteral("bench.db"));
    const int liveSeconds = args.value(3, QStringLiteral("10")).toInt();
    if (!bench::ensureCapture(path, total))
        return 1;

    QElapsedTimer open;
    open.start();
    ui::MainWindow window(path, QHostAddress::LocalHost, 0);
    window.resize(1400, 900);
    auto *diagnostics = window.findChild<ui::DiagnosticsPanel *>();
    double summaryMs = -1, healthMs = -1;
    std::vector<qint64> summaryTimes; // when each summary was shown, from opening
    QObject::connect(diagnostics, &ui::DiagnosticsPanel::summaryShown, [&] {
        summaryTimes.push_back(open.elapsed());
        if (summaryMs < 0)
            summaryMs = double(open.nsecsElapsed()) / 1e6;
    });
    QObject::connect(diagnostics, &ui::DiagnosticsPanel::healthShown, [&] {
        if (healthMs < 0)
            healthMs = double(open.nsecsElapsed()) / 1e6;
    });
    window.show();
    EventTableModel *model = eventsModel(window);
    waitFor([&] {
        return model->matchCount() > 0
            && model->data(model->index(0, EventTableModel::Action)).toString() != QStringLiteral("…");
    });
    const double openMs = double(open.nsecsElapsed()) / 1e6;
    const double firstCount = double(model->matchCount());
    waitFor([&] { return !model->isQuerying(); });
    const double allMs = double(open.nsecsElapsed()) / 1e6;
    std::printf("capture of %lld events: window open, first rows shown %8.1f ms (%.0f rows so far), all %8.1f ms   "
                "(resident %.0f MB)\n",
                static_cast<long long>(model->matchCount()), openMs, firstCount, allMs, double(residentKb()) / 1024.0);

    waitFor([&] { return summaryMs >= 0 && healthMs >= 0; });
    std::printf("diagnostics and status meters shown %8.1f ms after opening; subscriptions' health %8.1f ms\n",
                summaryMs, healthMs);
    {
        // What counting the flags cost when the summary scanned for them (the events, then the deliveries).
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("scan"));
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        if (db.open()) {
            QSqlQuery q(db);
            for (const char *table : {"events", "deliveries"}) {
                QElapsedTimer t;
                t.start();
                q.exec(QStringLiteral("SELECT sum((flags & 1) != 0), sum((flags & 2) != 0), sum((flags & 4) != 0), "
                                      "sum((flags & 8) != 0), sum((flags & 16) != 0), sum((flags & 32) != 0), "
                                      "sum((flags & 64) != 0) FROM ")
                       + QLatin1StringView(table));
                q.next();
                std::printf("  the flags of the %s counted by a scan, as before: %8.1f ms\n", table,
                            double(t.nsecsElapsed()) / 1e6);
            }
            QElapsedTimer t;
            t.start();
            q.exec(QStringLiteral("SELECT * FROM flag_counts"));
            while (q.next()) { }
            std::printf("  the flags counted as kept now:                     %8.1f ms\n",
                        double(t.nsecsElapsed()) / 1e6);
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("scan"));

    const char *const filters[] = {"action == \"product.removed\"", "author == \"julia\" && author_type == \"ui\"",
                                   "flag:duplicate", "subject ~ \"SKU-4242\"", "TSHIRT"};
    for (const char *f : filters) {
        const FilterTimes ms = filterTimes(window, QString::fromUtf8(f));
        std::printf("filter %-45s first rows shown %8.1f ms, complete %8.1f ms  (%lld matches)\n", f, ms.firstRows,
                    ms.complete, static_cast<long long>(model->matchCount()));
    }
    filterTimes(window, QString());
    std::printf("resident memory after the filters: %.0f MB\n", double(residentKb()) / 1024.0);

    // Live: 200 requests/s of 10 events, evenly spaced, from another thread; the GUI thread's lateness measured.
    const quint16 port = quint16(QUrl(window.shownUrl()).port());
    std::atomic<bool> stop = false;
    std::atomic<int> sent = 0;
    QThread *client = QThread::create([&] {
        QRandomGenerator rng(11);
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, port);
        if (!s.waitForConnected(5000))
            return;
        QElapsedTimer clock;
        clock.start();
        while (!stop) {
            const qint64 due = qint64(sent) * 5; // one every 5 ms
            if (clock.elapsed() < due) {
                QThread::usleep(500);
                continue;
            }
            const QByteArray body = bench::akeneoBody(rng, QDateTime::currentMSecsSinceEpoch(), 10, 60);
            s.write("POST /akeneo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + QByteArray::number(body.size()) + "\r\n\r\n" + body);
            s.waitForBytesWritten(1000);
            while (s.bytesAvailable() || s.waitForReadyRead(0))
                s.readAll();
            ++sent;
        }
    });
    QTimer tick;
    tick.setInterval(5);
    QElapsedTimer sinceTick;
    double worst = 0;
    int ticks = 0;
    QElapsedTimer liveClock;
    QObject::connect(&tick, &QTimer::timeout, [&] {
        if (ticks++ > 0) {
            const double late = double(sinceTick.nsecsElapsed()) / 1e6 - 5.0;
            if (late > 50 && qEnvironmentVariableIsSet("BENCH_VERBOSE"))
                std::printf("  late by %.1f ms at %.2f s\n", late, double(liveClock.elapsed()) / 1000.0);
            worst = std::max(worst, late);
        }
        sinceTick.start();
    });
    liveClock.start();
    const qint64 liveFrom = open.elapsed();
    QSignalSpy refreshes(model, &PagedTableModel::matched);
    const qsizetype before = model->matchCount();
    client->start();
    tick.start();
    waitFor([] { return false; }, liveSeconds * 1000);
    waitFor([] { return false; }, 1500); // the last arrivals (the client still sends: the load stays even)
    tick.stop();
    stop = true;
    client->wait();
    delete client;
    std::printf("live: %d requests (%d events/s) for %d s: GUI thread late by at most %.1f ms; %lld table refreshes; "
                "%lld new rows shown\n",
                int(sent), int(sent) * 10 / std::max(1, liveSeconds), liveSeconds, worst,
                static_cast<long long>(refreshes.size()), static_cast<long long>(model->matchCount() - before));
    qint64 widest = 0;
    int updates = 0;
    for (std::size_t i = 1; i < summaryTimes.size(); ++i) {
        if (summaryTimes[i] < liveFrom)
            continue;
        ++updates;
        widest = std::max(widest, summaryTimes[i] - std::max(summaryTimes[i - 1], liveFrom));
    }
    std::printf("live: diagnostics and meters updated %d times, at most %lld ms apart\n", updates,
                static_cast<long long>(widest));
    std::printf("resident memory: %.0f MB\n", double(residentKb()) / 1024.0);
    QElapsedTimer drain;
    drain.start();
    model->refreshAll();
    const qsizetype shown = model->matchCount();
    // Until nothing more arrives for 2 s.
    for (qsizetype last = -1; last != model->matchCount();) {
        last = model->matchCount();
        waitFor([] { return false; }, 2000);
        model->refreshAll();
        waitFor([&] { return !model->isQuerying(); });
    }
    std::printf("after the load: %lld new events shown at once, %lld in all %.1f s later\n",
                static_cast<long long>(shown - before), static_cast<long long>(model->matchCount() - before),
                double(drain.elapsed()) / 1000.0);
    return 0;
}
