#pragma once

#include "logimport/logimporter.h"
#include "receiver/receiver.h"
#include "settings/appsettings.h"
#include "store/records.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QIcon>
#include <QMainWindow>

#include <functional>
#include <memory>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableView;
class QTableWidget;
class QTabWidget;
class QTextEdit;
class QTreeWidget;
class QTimer;
class QAction;
class QDockWidget;
class QMenu;
class QModelIndex;
class QProgressBar;

namespace pimscope {
class CaptureQueries;
class KeychainRuleLoader;
class SecretStore;
class DeliveryTableModel;
class EventStore;
class EventTableModel;
class PagedTableModel;
} // namespace pimscope

namespace pimscope::ui {

class ChartsView;
class DiagnosticsPanel;
class ExportDialog;
class FilterBar;
class LogImportRunner;
class JsonTreeView;
class ReplayDialog;

/** The application's icon: the icon theme's io.github.pimscope.Pimscope, else the built-in hicolor PNGs (16 to 256). */
QIcon applicationIcon();

/**
 * The main window: the receiver's state and URL, the filter bar, the events table (live) and the detail pane
 * of the selected event. It owns the capture (EventStore) and the receiver; every read runs on CaptureQueries'
 * thread, so the window never waits for SQLite.
 */
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    /** Opens the capture at `path` and starts the receiver on `address:port` (port 0: any free port). */
    MainWindow(const QString &path, const QHostAddress &address, quint16 port, QWidget *parent = nullptr);
    ~MainWindow() override;

    /** Imports log files into the capture, one after another, with progress; a summary for each unless quiet. */
    void importLogs(const QStringList &paths, bool showSummary = true);
    /** The import of log files running (its progress widget, its cancel). */
    LogImportRunner *importRunner() const { return m_importRunner; }

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

public:
    // For tests and screenshots.
    EventTableModel *eventsModel() const { return m_model; }
    DeliveryTableModel *deliveriesModel() const { return m_deliveryModel; }
    /** Shows the deliveries table (one row per request or log line) instead of the events table, or back. */
    void showDeliveries(bool deliveries);
    bool showingDeliveries() const;
    QLineEdit *filterEdit() const { return m_filter; }
    FilterBar *filterBar() const { return m_filterBar; }
    QLabel *filterError() const { return m_filterError; }
    /** The progress of a streaming search and its Stop button (shown while one runs for more than a moment). */
    QWidget *searchProgress() const { return m_scanBox; }
    QPushButton *stopSearchButton() const { return m_stopScan; }
    QTableView *eventsView() const { return m_table; }
    QTabWidget *detailTabs() const { return m_details; }
    QPlainTextEdit *eventJson() const { return m_eventJson; }
    JsonTreeView *eventTree() const { return m_eventTree; }
    QPlainTextEdit *rawView() const { return m_raw; }
    QTreeWidget *timeline() const { return m_timeline; }
    QLabel *timelineSummary() const { return m_timelineSummary; }
    QTextEdit *compareView() const { return m_compare; }
    int compareTabIndex() const;
    /** Copies the selected event's JSON, exactly as the PIM sent it (Ctrl+C). */
    void copyEventJson();
    /**
     * Opens the Replay dialog on the selected events (the events of the selected deliveries), or on the filter's
     * matches when nothing is selected (Ctrl+R).
     */
    void replaySelection();
    ReplayDialog *replayDialog() const { return m_replayDialog; }
    /** Opens the Export dialog on the selected rows, or every row shown (Ctrl+E). */
    void exportRows();
    ExportDialog *exportDialog() const { return m_exportDialog; }
    /** The charts (Ctrl+G): shown in a dock, of what the filter matches; a dragged range narrows the filter. */
    ChartsView *chartsView() const { return m_charts; }
    QAction *chartsAction() const { return m_chartsAction; }
    /** Asks for the charts' figures again (when the charts are shown). */
    void refreshCharts();
    /** Narrows the filter to received times in [fromMs, toMs) and applies it. */
    void filterToRange(qint64 fromMs, qint64 toMs);
    /** Help > About: the version, the Qt versions and the build. */
    void showAbout();
    /** The text the About box shows (for tests). */
    static QString aboutText();
    /**
     * Copies a curl command that sends the current row's delivery again to the replay target (else the receiver),
     * with fresh signature headers computed with the replay secret; secret header values only `withSecrets`
     * (Ctrl+Shift+C without them). `done` (for tests) gets the command, or an empty string with the reason shown.
     */
    void copyAsCurl(bool withSecrets, std::function<void(const QString &)> done = {});
    QPushButton *otherPortButton() const { return m_otherPort; }
    DiagnosticsPanel *diagnostics() const { return m_diagnostics; }
    QProgressBar *quotaMeter() const { return m_quota; }
    QLabel *p99Label() const { return m_p99; }
    Receiver *receiver() const { return m_receiver.get(); }
    /** The URL to give the PIM: the tunnel's public URL when one is set, else the receiver's; empty while stopped. */
    QString shownUrl() const;
    /** The field where the public URL of a tunnel in front of the receiver is entered (remembered). */
    QLineEdit *publicUrlEdit() const { return m_publicUrl; }

    /**
     * Shows the capture at `path` (created when missing) and moves the receiver to it; false, with the reason
     * shown, when it cannot be opened (the file is then left as it is).
     */
    bool openCapture(const QString &path);
    /** Opens a new scratch capture (in the temporary folder) filled with an hour of demo traffic. */
    bool loadDemo();
    QString capturePath() const { return m_path; }

    /** Starts (or restarts) the receiver on `port`; false, with the reason shown, when it cannot listen. */
    bool startReceiver(quint16 port);
    void stopReceiver();
    /** True while the receiver's secrets are being read from the keychain (it starts once they are). */
    bool readingSecrets() const { return m_loader != nullptr; }

    /** The settings in use (loaded at start, changed by the settings dialog). */
    const AppSettings &settings() const { return m_settings; }
    /** Opens the settings dialog; its settings are applied when it is accepted. */
    void showSettings();
    /**
     * Saves and applies settings: secret values typed in are written to the keychain (by name) first, then the
     * receiver restarts with the new listen address, answers and secrets if it was running; the theme, the
     * colouring rules, the own author (re-flagging the capture) and the retention (pruning now) apply at once.
     */
    void applySettings(const AppSettings &settings, const QHash<QString, QByteArray> &secrets = {});

Q_SIGNALS:
    /** The receiver started, stopped or failed to start. */
    void receiverChanged();

private:
    void buildUi();
    void sizeColumns();
    void applyFilter();
    void updateStatus();
    void showSelected();
    void showDelivery(qint64 deliveryId);
    PagedTableModel *activeModel() const;
    void attachTable();
    void showTimeline(const EventRecord &selected);
    void updateCompare();
    void saveLayout();
    void showBanner(const QString &html, quint16 suggestedPort = 0);
    void loadSecretsThenStart(quint16 port);
    void fillRowMenu(QMenu &menu, const QModelIndex &index, QAction *copyAction);
    void chooseLogsToImport();
    void showImportSummary(const LogImportSummary &summary);

public:
    /**
     * The filter that narrows the table to rows whose value in `index`'s column is the one there (or, with
     * `exclude`, to the others), combined with the current filter; empty when that column cannot be filtered on.
     */
    QString cellFilter(const QModelIndex &index, bool exclude = false) const;

private:
    void applyCaptureSettings();
    void refreshSummary();
    void showSummary(const CaptureSummary &s);

    QString m_path;
    AppSettings m_settings;
    SecretStore *m_keychain = nullptr; ///< created when secrets are first needed
    KeychainRuleLoader *m_loader = nullptr;
    bool m_rulesLoaded = false;
    QList<KeychainRule> m_loadedRulesFor; ///< the rules m_loadedRules were read for
    QList<SignatureRule> m_loadedRules;
    QStringList m_secretFailures;
    QTimer *m_retentionTimer = nullptr;
    QHostAddress m_address;
    quint16 m_port = 0;
    std::unique_ptr<EventStore> m_store;
    std::unique_ptr<Receiver> m_receiver;
    CaptureQueries *m_queries = nullptr;
    CaptureQueries *m_summaryQueries = nullptr; ///< a thread of its own: its scans never hold the table up
    bool m_summaryAsked = false;
    bool m_chartsAsked = false;
    bool m_chartsAgain = false; ///< asked for while a computation ran: once more after it
    ChartsView *m_charts = nullptr;
    QDockWidget *m_chartsDock = nullptr;
    QAction *m_chartsAction = nullptr;
    QObject *m_captureContext = nullptr; ///< the context of every query about the capture shown
    qint64 m_knownValuesAt = -1; ///< how many events the capture had when the known values were last asked for
    QElapsedTimer m_knownValuesAge;
    void refreshKnownValues(qint64 events);
    EventTableModel *m_model = nullptr;
    DeliveryTableModel *m_deliveryModel = nullptr;
    QAction *m_deliveriesAction = nullptr;
    QAction *m_importAction = nullptr;
    QAction *m_replayAction = nullptr;
    ReplayDialog *m_replayDialog = nullptr;
    ExportDialog *m_exportDialog = nullptr;
    LogImportRunner *m_importRunner = nullptr;
    QHash<QString, bool> m_quietImports; ///< paths being imported -> no summary dialog for them

    QAction *m_receiverAction = nullptr;
    QLabel *m_urlLabel = nullptr;
    QLineEdit *m_publicUrl = nullptr;
    QLabel *m_banner = nullptr;
    QPushButton *m_otherPort = nullptr;
    QWidget *m_bannerBox = nullptr;
    QLineEdit *m_filter = nullptr;
    FilterBar *m_filterBar = nullptr;
    QLabel *m_filterError = nullptr;
    QWidget *m_scanBox = nullptr;
    QProgressBar *m_scanProgress = nullptr;
    QPushButton *m_stopScan = nullptr;
    QTimer *m_scanShow = nullptr; ///< the progress shows only for a search that takes a while
    bool m_scanArmed = false;
    QTableView *m_table = nullptr;
    QTabWidget *m_details = nullptr;
    QPlainTextEdit *m_eventJson = nullptr;
    QPlainTextEdit *m_raw = nullptr;
    QPlainTextEdit *m_rawPretty = nullptr;
    JsonTreeView *m_eventTree = nullptr;
    QTableWidget *m_headers = nullptr;
    QPlainTextEdit *m_delivery = nullptr;
    QLabel *m_statusText = nullptr;
    QLabel *m_counts = nullptr;
    QProgressBar *m_quota = nullptr;
    QLabel *m_p99 = nullptr;
    DiagnosticsPanel *m_diagnostics = nullptr;
    QTimer *m_summaryTimer = nullptr;
    QTimer *m_debounce = nullptr;
    QTimer *m_live = nullptr;
    qint64 m_shownDelivery = 0;
    QTreeWidget *m_timeline = nullptr;
    QLabel *m_timelineSummary = nullptr;
    QString m_timelineSubject; ///< type + key of the subject shown
    QTextEdit *m_compare = nullptr;
    QWidget *m_compareTab = nullptr;
};

} // namespace pimscope::ui
