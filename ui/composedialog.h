#pragma once

#include "compose/composer.h"
#include "compose/eventtemplates.h"
#include "model/delivery.h"
#include "replay/replayer.h"
#include "signing/redactor.h"
#include "store/records.h"

#include <QDialog>
#include <QMap>
#include <QPointer>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QTreeWidget;
class QGroupBox;

namespace pimscope {
class EventStore;
class SecretStore;
} // namespace pimscope

namespace pimscope::ui {

class JsonHighlighter;

/**
 * Edit and send, and New event: one request composed by hand and sent as its sender signs it.
 *
 * The body is edited as text (JSON highlighted, where it stops being JSON shown with its line and column, and sent
 * all the same: broken JSON on purpose is a use); the headers are a table (the signing ones are the signer's, computed
 * when the request goes, and shown once it went). New event starts from a template of the chosen sender, filled from
 * fields completed with the capture's own subjects and authors; the Events API's batch builder makes 1 to 1000 events
 * (more than 10 tests the limit). The deliberate faults are check boxes. Each answer shows with its status, time,
 * headers, body and the sender's verdict; what was sent is stored as a delivery of origin `replay` with what it was
 * made from (the Compare tab shows the difference).
 */
class ComposeDialog : public QDialog
{
    Q_OBJECT
public:
    ComposeDialog(EventStore *store, SecretStore *keychain, QWidget *parent = nullptr);
    ~ComposeDialog() override;

    /**
     * Edit and send: `delivery`'s exact body and headers, or (`event` given) that event alone in its sender's envelope
     * with its delivery's headers.
     */
    void editFrom(const Delivery &delivery, const EventRecord *event = nullptr);
    /** New event: from the templates (the built-in ones and the user's). */
    void startNew();
    /** What the fields suggest: the capture's identifiers, codes, uuids and authors. */
    void setSuggestions(const ComposeSuggestions &suggestions);
    /** The user's secret headers: what is stored of each request sent is redacted by it. */
    void setRedactor(HeaderRedactor redactor) { m_redactor = std::move(redactor); }

    bool isSending() const { return m_replayer != nullptr; }
    /** Cancels a send in flight (before the capture goes away). */
    void stop();

    // For tests.
    QPlainTextEdit *bodyEdit() const { return m_body; }
    QLabel *bodyProblemLabel() const { return m_bodyProblem; }
    QTableWidget *headersTable() const { return m_headers; }
    QTableWidget *signingTable() const { return m_signing; }
    QLineEdit *urlEdit() const { return m_url; }
    QComboBox *senderBox() const { return m_sender; }
    QComboBox *templateBox() const { return m_template; }
    QLineEdit *field(const QString &key) const { return m_fields.value(key); }
    QSpinBox *batchSpin() const { return m_batch; }
    QSpinBox *timesSpin() const { return m_times; }
    QCheckBox *faultBox(Fault fault) const { return m_faults.value(int(fault)); }
    QPushButton *sendButton() const { return m_send; }
    QTreeWidget *answersList() const { return m_answers; }
    QPlainTextEdit *answerView() const { return m_answer; }
    QLabel *sourceLabel() const { return m_source; }
    QLabel *summaryLabel() const { return m_summary; }
    void setSecretFromEnvironment(const QString &variable);

Q_SIGNALS:
    /** Every request of a Send got its answer (or none): what the replayer counted. */
    void sent(const pimscope::ReplaySummary &summary);

private:
    void buildTemplateArea(QWidget *parent);
    void buildSendArea(QWidget *parent);
    /** The templates of the chosen sender in the template box. */
    void fillTemplateBox();
    /** The body from the template and the fields (a new event id and uuid each time). */
    void composeFromTemplate();
    /** New event: composeFromTemplate() while the body is not typed in, else says how to apply. */
    void followTemplate();
    /** The body as the editor holds it (its non-breaking spaces kept). */
    QString bodyText() const;
    /** The fields' placeholders, the faults that apply, the batch builder: after the sender or the mode changed. */
    void updateForSender();
    void setBody(const QByteArray &body);
    void setHeaders(const Headers &headers);
    Headers headersShown() const;
    void showSigningHeaders(const Headers &sent);
    void checkBody();
    QList<Fault> faultsChosen() const;
    Format senderFormat() const;
    void send();
    void sendWithSecret(const QByteArray &secret);
    void onAnswer(const ReplayResult &result);
    void showAnswer(int row);
    void fail(const QString &message);

    EventStore *m_store;
    QPointer<SecretStore> m_keychain;
    HeaderRedactor m_redactor;
    QList<EventTemplate> m_templates;
    QStringList m_templateProblems;

    // What the request is made from.
    bool m_fromTemplate = false;
    EditSource m_editSource;
    QByteArray m_loadedBody; ///< the body as loaded or composed: sent byte for byte while the text is unchanged
    QString m_loadedText; ///< that body as the editor shows it
    Headers m_loadedHeaders;
    bool m_composing = false; ///< the body is being set by the dialog, not typed

    QLabel *m_source;
    QGroupBox *m_templateArea;
    QComboBox *m_template;
    QMap<QString, QLineEdit *> m_fields;
    QSpinBox *m_batch;
    QLabel *m_batchNote;
    QPushButton *m_fill;
    QPlainTextEdit *m_body;
    JsonHighlighter *m_highlighter;
    QLabel *m_bodyProblem;
    QTableWidget *m_headers;
    QTableWidget *m_signing;
    QLineEdit *m_url;
    QComboBox *m_sender;
    QComboBox *m_secretSource;
    QLineEdit *m_secretName;
    QCheckBox *m_insecure;
    QSpinBox *m_times;
    QMap<int, QCheckBox *> m_faults;
    QPushButton *m_send;
    QPushButton *m_cancel;
    QTreeWidget *m_answers;
    QPlainTextEdit *m_answer;
    QLabel *m_summary;
    QLabel *m_message;

    QList<ReplayResult> m_results;
    QStringList m_verdicts; ///< the sender's verdict on each, in words (as it stood after the ones before)
    Replayer *m_replayer = nullptr;
    int m_failuresInARow = 0;
    Format m_sendFormat = Format::Akeneo; ///< the sender the requests in flight were signed as
    quint64 m_attempt = 0;
};

} // namespace pimscope::ui
