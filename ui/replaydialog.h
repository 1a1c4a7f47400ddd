#pragma once

#include "replay/replayer.h"

#include <QDialog>
#include <QPointer>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;
class QSpinBox;
class QThread;
class QTreeWidget;

namespace pimscope {
struct ReplayChoices;
class CaptureQueries;
class EventStore;
class SecretStore;
} // namespace pimscope

namespace pimscope::ui {

/**
 * Replay: the target, its secret (from the keychain, read without blocking, or an environment variable), the mode
 * (as received or rebatched), pacing (as fast as possible, Akeneo's 4,000 an hour, N a second or an hour), concurrency,
 * order, duplicates and the deadline; then a progress bar, the results as they come (status, latency, how the PIM
 * would log each) and Cancel at any time. The plan is built on the capture's query thread and the requests are
 * sent from a thread of their own; the results are stored in the capture as deliveries of origin `replay`.
 * The choices are remembered (never the secret: only its name).
 */
class ReplayDialog : public QDialog
{
    Q_OBJECT
public:
    ReplayDialog(EventStore *store, CaptureQueries *queries, SecretStore *keychain, QWidget *parent = nullptr);
    ~ReplayDialog() override;

    /** What to send: these events (when not empty), else every event matching `filter`. */
    void setSelection(const QList<qint64> &eventIds, const QString &filter);
    /** The user's secret headers: what is stored of each request sent is redacted by it. */
    void setRedactor(HeaderRedactor redactor) { m_redactor = std::move(redactor); }

    bool isRunning() const { return m_thread != nullptr; }
    /** Cancels a running replay and waits for its thread (before the capture goes away). */
    void stop();

    // For tests.
    QLineEdit *urlEdit() const { return m_url; }
    QCheckBox *insecureBox() const { return m_insecure; }
    QCheckBox *asSenderBox() const { return m_asSender; }
    QDoubleSpinBox *retryScaleSpin() const { return m_retryScale; }
    QTreeWidget *resultsList() const { return m_results; }
    QPushButton *startButton() const { return m_start; }
    QPushButton *cancelButton() const { return m_cancel; }
    QLabel *summaryLabel() const { return m_summary; }
    void setSecretFromEnvironment(const QString &variable);
    void setUnsigned();
    void setRate(double perSecond);
    void setRatePerHour(double perHour);
    /** What the pacing choice means, in requests per second (0: as fast as possible). */
    double ratePerSecond() const;
    QLabel *messageLabel() const { return m_message; }
    void setBatchSize(int n);
    /** The choices on show (what Start remembers). */
    ReplayChoices choices() const;

Q_SIGNALS:
    void replayFinished(const pimscope::ReplaySummary &summary);

private:
    HeaderRedactor m_redactor;
    void startReplay();
    void startWithSecrets(const ReplaySecrets &secrets);
    void onPlanned(Result<ReplayPlan> plan, const ReplaySecrets &secrets);
    void onResult(const ReplayResult &result);
    void onFinished(const ReplaySummary &summary);
    void setRunning(bool running);
    void saveChoices() const;

    void fail(const QString &message);
    void cancelReplayer(Qt::ConnectionType type);

    EventStore *m_store;
    CaptureQueries *m_queries;
    QPointer<SecretStore> m_keychain;
    QList<qint64> m_ids;

    QRadioButton *m_selected;
    QRadioButton *m_matching;
    QLineEdit *m_filter;
    QLineEdit *m_url;
    QComboBox *m_secretSource;
    QLineEdit *m_secretName;
    QComboBox *m_secondarySource;
    QLineEdit *m_secondaryName;
    QRadioButton *m_asReceived;
    QRadioButton *m_rebatched;
    QSpinBox *m_batchSize;
    QComboBox *m_pacing;
    QDoubleSpinBox *m_rate;
    QSpinBox *m_concurrency;
    QComboBox *m_order;
    QSpinBox *m_seed;
    QDoubleSpinBox *m_duplicates;
    QSpinBox *m_timeout;
    QCheckBox *m_insecure;
    QCheckBox *m_asSender;
    QDoubleSpinBox *m_retryScale;
    QPushButton *m_start;
    QPushButton *m_cancel;
    QProgressBar *m_progress;
    QTreeWidget *m_results;
    QLabel *m_summary;
    QLabel *m_message;

    QThread *m_thread = nullptr;
    QObject *m_host = nullptr; ///< lives in m_thread; parent of the replayer
    quint64 m_attempt = 0;
};

} // namespace pimscope::ui
