#pragma once

// The window tests' fixture and the window's parts by object name (header-only; they need Qt Widgets).

#include "testutil.h"

#include "capturetableview.h"
#include "chartsview.h"
#include "diagnosticspanel.h"
#include "exportdialog.h"
#include "filterbar.h"
#include "jsontreeview.h"
#include "mainwindow.h"
#include "models/eventtablemodel.h"
#include "replaydialog.h"
#include "searcharea.h"

#include <QAction>
#include <QHostAddress>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextEdit>
#include <QTreeWidget>
#include <QUrl>

#include <functional>

namespace pimscope::test {

/**
 * The child of `window` of type T named `name`, the way a test finds a part of the window. A missing part stops
 * the test program with its name: the window was built without it, or the name changed.
 */
template<typename T>
T *part(const QObject &window, const char *name)
{
    T *found = window.findChild<T *>(QString::fromLatin1(name));
    if (!found)
        qFatal("the window has no %s named \"%s\"", T::staticMetaObject.className(), name);
    return found;
}

inline ui::CaptureTableView *captureTable(const QObject &w)
{
    return part<ui::CaptureTableView>(w, "captureTable");
}
inline EventTableModel *eventsModel(const QObject &w)
{
    return part<EventTableModel>(w, "eventsModel");
}
inline DeliveryTableModel *deliveriesModel(const QObject &w)
{
    return part<DeliveryTableModel>(w, "deliveriesModel");
}
inline QLineEdit *filterEdit(const QObject &w)
{
    return part<QLineEdit>(w, "filter");
}
inline QLabel *filterError(const QObject &w)
{
    return part<QLabel>(w, "filterError");
}
inline ui::FilterBar *filterBar(const QObject &w)
{
    return part<ui::SearchArea>(w, "searchArea")->bar();
}
inline QTabWidget *detailTabs(const QObject &w)
{
    return part<QTabWidget>(w, "details");
}
inline QPlainTextEdit *eventJson(const QObject &w)
{
    return part<QPlainTextEdit>(w, "eventJson");
}
inline ui::JsonTreeView *eventTree(const QObject &w)
{
    return part<ui::JsonTreeView>(w, "eventTree");
}
inline QPlainTextEdit *rawBody(const QObject &w)
{
    return part<QPlainTextEdit>(w, "rawBody");
}
inline QTreeWidget *timeline(const QObject &w)
{
    return part<QTreeWidget>(w, "timeline");
}
inline QLabel *timelineSummary(const QObject &w)
{
    return part<QLabel>(w, "timelineSummary");
}
inline QTextEdit *compareView(const QObject &w)
{
    return part<QTextEdit>(w, "compareView");
}
/** The Compare tab's index in the detail tabs. */
inline int compareTab(const QObject &w)
{
    return detailTabs(w)->indexOf(compareView(w)->parentWidget());
}
inline QLineEdit *publicUrlEdit(const QObject &w)
{
    return part<QLineEdit>(w, "publicUrl");
}
inline QPushButton *otherPortButton(const QObject &w)
{
    return part<QPushButton>(w, "otherPort");
}
inline QProgressBar *quotaMeter(const QObject &w)
{
    return part<QProgressBar>(w, "quotaMeter");
}
inline ui::DiagnosticsPanel *diagnostics(const QObject &w)
{
    return part<ui::DiagnosticsPanel>(w, "diagnostics");
}
inline ui::ChartsView *chartsView(const QObject &w)
{
    return part<ui::ChartsView>(w, "charts");
}
inline QAction *chartsAction(const QObject &w)
{
    return part<QAction>(w, "chartsAction");
}
/** The Replay dialog (opened once by Replay…, Ctrl+R). */
inline ui::ReplayDialog *replayDialog(const QObject &w)
{
    return part<ui::ReplayDialog>(w, "replayDialog");
}
/** The Export dialog (opened once by Export…, Ctrl+E). */
inline ui::ExportDialog *exportDialog(const QObject &w)
{
    return part<ui::ExportDialog>(w, "exportDialog");
}

/**
 * A window on a new capture (`c.db` in a temporary folder) with its receiver listening on a free port of
 * `address`, shown at 1400x860: what most window tests start from.
 */
struct WindowFixture
{
    explicit WindowFixture(const QHostAddress &address = QHostAddress::LocalHost)
        : WindowFixture(QStringLiteral("c.db"), {}, address)
    {
    }
    /** The same on the capture `name` in the temporary folder, which `prepare` (when given) fills first. */
    explicit WindowFixture(const QString &name, const std::function<void(const QString &path)> &prepare = {},
                           const QHostAddress &address = QHostAddress::LocalHost)
        : window(prepared(dir, name, prepare), address, 0)
    {
        window.resize(1400, 860);
        window.show();
    }

    /** The capture's path. */
    QString path() const { return window.capturePath(); }

    /** The port the receiver listens on (0 when it does not). */
    quint16 port() const { return quint16(QUrl(window.shownUrl()).port(0)); }
    /** Posts `body` to the receiver; the HTTP status. */
    int post(const QByteArray &body, const QByteArray &path = "/hook") const { return postTo(port(), body, path); }
    /**
     * Posts the sample `name`, then waits until the events table shows `rows` rows, each read (its record
     * loaded); false when it does not within `timeoutMs`.
     */
    bool postAndWait(const char *name, int rows, int timeoutMs = 10000) const
    {
        if (post(sample(name)) != 200)
            return false;
        EventTableModel *model = eventsModel(window);
        return QTest::qWaitFor(
            [&] {
                if (model->rowCount() != rows)
                    return false;
                for (int row = 0; row < rows; ++row) {
                    if (!model->record(row))
                        return false;
                }
                return true;
            },
            timeoutMs);
    }

    QTemporaryDir dir;
    ui::MainWindow window;

private:
    static QString prepared(const QTemporaryDir &dir, const QString &name,
                            const std::function<void(const QString &path)> &prepare)
    {
        const QString path = dir.filePath(name);
        if (prepare)
            prepare(path);
        return path;
    }
};

} // namespace pimscope::test
