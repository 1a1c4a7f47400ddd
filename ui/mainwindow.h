#pragma once

#include "about.h"
#include "analysis/subscriptionhealth.h"
#include "logimport/logimporter.h"
#include "settings/appsettings.h"
#include "store/records.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QIcon>
#include <QMainWindow>

#include <functional>
#include <memory>

class QAction;
class QDockWidget;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTimer;
class QModelIndex;

namespace pimscope {
class CaptureQueries;
class DeliveryTableModel;
class EventStore;
class EventTableModel;
class PagedTableModel;
class Receiver;
class SecretStore;
} // namespace pimscope

namespace pimscope::ui {

class CaptureTableView;
class ChartsDock;
class DetailPane;
class DiagnosticsPanel;
class ExportDialog;
class LogImportRunner;
class ReceiverController;
class TunnelController;
class FollowController;
class ReplayDialog;
class ComposeDialog;
class SearchArea;
class StatusMeters;

/**
 * The main window: a frame that wires its parts. The toolbar and menus; the receiver (ReceiverController: its
 * state, URL and banner); the filter bar; the capture's table (CaptureTableView, live) over the detail pane of the
 * selected row (DetailPane); the diagnostics and charts docks; the status bar's meters (StatusMeters). It owns the
 * capture (EventStore); every read runs on CaptureQueries' threads, so the window never waits for SQLite.
 *
 * Its parts and widgets have object names (captureTable, filter, details, eventJson, diagnostics, …): tests and
 * screenshots find them with findChild() rather than through accessors.
 */
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    /** Opens the capture at `path` and starts the receiver on `address:port` (port 0: any free port). */
    MainWindow(const QString &path, const QHostAddress &address, quint16 port, QWidget *parent = nullptr);
    ~MainWindow() override;

    /**
     * Shows the capture at `path` (created when missing) and moves the receiver to it; false, with the reason
     * shown, when it cannot be opened (the file is then left as it is).
     */
    bool openCapture(const QString &path);
    QString capturePath() const { return m_path; }
    /** Opens a new scratch capture (in the temporary folder) filled with an hour of demo traffic. */
    bool loadDemo();
    /** Imports log files into the capture, one after another, with progress; a summary for each unless quiet. */
    void importLogs(const QStringList &paths, bool showSummary = true);
    /** The import of log files running (its progress widget, its cancel; null without a capture). */
    LogImportRunner *importRunner() const { return m_importRunner; }

    /** Shows the deliveries table (one row per request or log line) instead of the events table, or back. */
    void showDeliveries(bool deliveries);
    bool showingDeliveries() const;
    /** Narrows the filter to received times in [fromMs, toMs) and applies it. */
    void filterToRange(qint64 fromMs, qint64 toMs);
    /** See CaptureTableView::cellFilter(). */
    QString cellFilter(const QModelIndex &index, bool exclude = false) const;
    /** Copies the selected event's JSON, exactly as the PIM sent it (Ctrl+C); a delivery's body. */
    void copyEventJson();
    /**
     * Copies a curl command that sends the current row's delivery again to the replay target (else the receiver),
     * with fresh signature headers computed with the replay secret; secret header values only `withSecrets`
     * (Ctrl+Shift+C without them). `done` (for tests) gets the command, or an empty string with the reason shown.
     */
    void copyAsCurl(bool withSecrets, std::function<void(const QString &)> done = {});
    /**
     * Opens the Replay dialog on the selected events (the events of the selected deliveries), or on the filter's
     * matches when nothing is selected (Ctrl+R).
     */
    void replaySelection();
    /** Edit and send: the current row (an event alone, or a delivery's exact body) in the composer. */
    void editAndSend();
    /** New event: the composer on the templates. */
    void newEvent();
    /** The composer of this capture, made on first use, with what the capture suggests for its fields. */
    ComposeDialog *composeDialog();
    /** Opens the Export dialog on the selected rows, or every row shown (Ctrl+E). */
    void exportRows();
    /** Asks for the charts' figures again (when the charts are shown, Ctrl+G). */
    void refreshCharts();
    /** Help > About: the version, the Qt versions and the build. */
    void showAbout();
    /** The text the About box shows (for tests). */
    static QString aboutText();

    /** Starts (or restarts) the receiver on `port`; false, with the reason shown, when it cannot listen. */
    bool startReceiver(quint16 port);
    void stopReceiver();
    Receiver *receiver() const;
    /** True while the receiver's secrets are being read from the keychain (it starts once they are). */
    bool readingSecrets() const;
    /** The URL to give the PIM: the tunnel's public URL when one is set, else the receiver's; empty while stopped. */
    QString shownUrl() const;

    /** The settings in use (loaded at start, changed by the settings dialog). */
    const AppSettings &settings() const { return m_settings; }
    /** Opens the settings dialog; its settings are applied when it is accepted. */
    void showSettings();
    /**
     * Saves and applies settings: the receiver's (ReceiverController::applySettings), and at once the theme, the
     * colouring rules, the own author (re-flagging the capture) and the retention (pruning now).
     */
    void applySettings(const AppSettings &settings, const QHash<QString, QByteArray> &secrets = {});

Q_SIGNALS:
    /** The receiver started, stopped or failed to start. */
    void receiverChanged();

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void buildUi();
    void buildActions();
    void buildFilterArea(QWidget *central, QLayout *layout);
    void buildDocks();
    PagedTableModel *activeModel() const;
    SecretStore *keychain();
    void closeCapture();
    void applyFilter(const QString &filter);
    void setFilter(const QString &filter);
    void updateStatus();
    void showSelected();
    void saveLayout();
    void chooseLogsToImport();
    void showImportSummary(const LogImportSummary &summary);
    void applyCaptureSettings();
    void refreshSummary();
    void refreshKnownValues(qint64 events);
    /**
     * The subscriptions' health in the meters and the diagnostics; a cut-off that happens while the capture is open
     * (not one `read` with it) is also said in a banner over the table until dismissed.
     */
    void showHealth(const QList<SubscriptionHealth> &health, bool read);

    QString m_path;
    AppSettings m_settings;
    SecretStore *m_keychain = nullptr; ///< created when secrets are first needed
    std::unique_ptr<EventStore> m_store;
    CaptureQueries *m_queries = nullptr;
    CaptureQueries *m_summaryQueries = nullptr; ///< a thread of its own: its scans never hold the table up
    QObject *m_captureContext = nullptr; ///< the context of every query about the capture shown
    EventTableModel *m_model = nullptr;
    DeliveryTableModel *m_deliveryModel = nullptr;
    bool m_summaryAsked = false;
    qint64 m_knownValuesAt = -1; ///< how many events the capture had when the known values were last asked for
    QElapsedTimer m_knownValuesAge;
    QHash<QString, bool> m_quietImports; ///< paths being imported -> no summary dialog for them
    NewCutOffs m_newCutOffs; ///< the cut-offs said already
    QStringList m_cutOffsShown; ///< the banner's sentences

    // The parts.
    ReceiverController *m_receiver = nullptr;
    TunnelController *m_tunnel = nullptr;
    FollowController *m_follow = nullptr;
    CaptureTableView *m_table = nullptr;
    DetailPane *m_details = nullptr;
    StatusMeters *m_meters = nullptr;
    DiagnosticsPanel *m_diagnostics = nullptr;
    QLabel *m_cutOffBanner = nullptr; ///< "Quable would have disabled the webhook…", as it happens
    ChartsDock *m_chartsDock = nullptr;
    ReplayDialog *m_replayDialog = nullptr;
    ComposeDialog *m_composeDialog = nullptr;
    quint64 m_composeGeneration = 0; ///< the latest Edit and send or New event asked for
    ExportDialog *m_exportDialog = nullptr;
    LogImportRunner *m_importRunner = nullptr;

    QAction *m_deliveriesAction = nullptr;

    SearchArea *m_search = nullptr;

    QTimer *m_summaryTimer = nullptr;
    QTimer *m_live = nullptr;
    QTimer *m_forwardsRecorded = nullptr;
    QTimer *m_retentionTimer = nullptr;
};

} // namespace pimscope::ui
