#include "composedialog.h"

#include "headertable.h"
#include "jsonhighlighter.h"
#include "replaysecrets.h"

#include "formats/payloadparser.h"
#include "model/senderprofile.h"
#include "replay/replayplan.h"
#include "replay/replaysigner.h"
#include "secrets/secretstore.h"
#include "settings/replaychoices.h"
#include "store/eventstore.h"
#include "util/jsonindent.h"
#include "util/printable.h"
#include "util/timeutil.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStringListModel>
#include <QTableWidget>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace pimscope::ui {

namespace {

/** The senders in the order of the Sign as list. */
constexpr Format senders[] = {Format::Akeneo, Format::AkeneoEventPlatform, Format::Quable};

int senderIndex(Format format)
{
    switch (format) {
    case Format::AkeneoEventPlatform:
        return 1;
    case Format::Quable:
        return 2;
    default: // the Events API's test events, and bodies of unknown shape, are signed as the Events API signs
        return 0;
    }
}

/** The template folder of a sender (eventtemplates.h). */
QString templateSenderOf(Format format)
{
    return templateSenders().value(senderIndex(format));
}

/** The fields New event fills, as the export names them, and their labels. */
const std::pair<const char *, const char *> fieldNames[] = {
    {"identifier", "Identifier"},
    {"uuid", "UUID"},
    {"code", "Code"},
    {"author", "Author"},
    {"author_type", "Author type"},
    {"event_datetime", "Event time"},
    {"pim_source", "PIM source"},
};

/** A fault that changes the events themselves: a template's business (compose()). */
bool changesEvents(Fault f)
{
    return f == Fault::OversizedBatch || f == Fault::StaleEventTime;
}

QString statusText(const ReplayResult &r)
{
    if (r.cancelled)
        return QStringLiteral("cancelled");
    return r.status ? QString::number(*r.status) : QStringLiteral("no answer");
}

} // namespace

ComposeDialog::ComposeDialog(EventStore *store, SecretStore *keychain, QWidget *parent)
    : QDialog(parent)
    , m_store(store)
    , m_keychain(keychain)
{
    setObjectName(QStringLiteral("composeDialog"));
    auto *layout = new QVBoxLayout(this);
    m_source = new QLabel(this);
    m_source->setObjectName(QStringLiteral("composeSource"));
    m_source->setWordWrap(true);
    m_source->setTextFormat(Qt::RichText);
    layout->addWidget(m_source);
    buildTemplateArea(this);
    layout->addWidget(m_templateArea);

    // The request (body | headers), then the answers.
    auto *split = new QSplitter(Qt::Vertical, this);
    auto *request = new QSplitter(Qt::Horizontal, split);
    auto *bodyBox = new QWidget(request);
    auto *bodyLayout = new QVBoxLayout(bodyBox);
    bodyLayout->setContentsMargins(0, 0, 0, 0);
    auto *bodyTitle = new QHBoxLayout;
    bodyTitle->addWidget(new QLabel(QStringLiteral("<b>Body</b> (sent byte for byte as it stands)"), bodyBox), 1);
    auto *indent = new QPushButton(QStringLiteral("Indent"), bodyBox);
    indent->setObjectName(QStringLiteral("composeIndent"));
    indent->setToolTip(QStringLiteral("Lay the JSON out on several lines (members in their order, every value's bytes "
                                      "kept): the whitespace sent changes"));
    bodyTitle->addWidget(indent);
    bodyLayout->addLayout(bodyTitle);
    m_body = new QPlainTextEdit(bodyBox);
    m_body->setObjectName(QStringLiteral("composeBody"));
    m_body->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_body->setLineWrapMode(QPlainTextEdit::WidgetWidth); // a sender's one-line JSON is read whole; no byte changes
    m_body->setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    connect(indent, &QPushButton::clicked, this, [this] {
        const QString text = bodyText();
        if (jsonProblem(text)) {
            m_message->setText(QStringLiteral("The body is not JSON: it stays as it is."));
            return;
        }
        m_body->setPlainText(QString::fromUtf8(indentJson(text.toUtf8(), 2)));
    });
    m_highlighter = new JsonHighlighter(m_body->document());
    bodyLayout->addWidget(m_body, 1);
    m_bodyProblem = new QLabel(bodyBox);
    m_bodyProblem->setObjectName(QStringLiteral("composeBodyProblem"));
    m_bodyProblem->setWordWrap(true);
    bodyLayout->addWidget(m_bodyProblem);
    connect(m_body, &QPlainTextEdit::textChanged, this, &ComposeDialog::checkBody);

    auto *headersBox = new QWidget(request);
    auto *headersLayout = new QVBoxLayout(headersBox);
    headersLayout->setContentsMargins(0, 0, 0, 0);
    auto *headersTitle = new QHBoxLayout;
    headersTitle->addWidget(new QLabel(QStringLiteral("<b>Headers</b>"), headersBox), 1);
    auto *addHeader = new QToolButton(headersBox);
    addHeader->setText(QStringLiteral("+"));
    addHeader->setToolTip(QStringLiteral("Add a header"));
    auto *removeHeader = new QToolButton(headersBox);
    removeHeader->setText(QStringLiteral("−"));
    removeHeader->setToolTip(QStringLiteral("Remove the selected headers"));
    headersTitle->addWidget(addHeader);
    headersTitle->addWidget(removeHeader);
    headersLayout->addLayout(headersTitle);
    m_headers = newHeaderTable(headersBox, QStringLiteral("composeHeaders"), true);
    m_headers->setToolTip(QStringLiteral("Sent as they are, in this order (Host and Content-Length are the "
                                         "connection's)"));
    headersLayout->addWidget(m_headers, 2);
    connect(addHeader, &QToolButton::clicked, this, [this] {
        const int row = m_headers->rowCount();
        m_headers->insertRow(row);
        m_headers->setItem(row, 0, new QTableWidgetItem(QStringLiteral("X-")));
        m_headers->setItem(row, 1, new QTableWidgetItem);
        m_headers->editItem(m_headers->item(row, 0));
    });
    connect(removeHeader, &QToolButton::clicked, this, [this] {
        QList<int> rows;
        for (const QModelIndex &i : m_headers->selectionModel()->selectedIndexes())
            if (!rows.contains(i.row()))
                rows << i.row();
        std::sort(rows.rbegin(), rows.rend());
        for (const int row : rows)
            m_headers->removeRow(row);
    });
    auto *signingTitle = new QLabel(QStringLiteral("<b>Signing headers</b> (computed by the signer when the request "
                                                   "goes)"),
                                    headersBox);
    signingTitle->setWordWrap(true);
    headersLayout->addWidget(signingTitle);
    m_signing = newHeaderTable(headersBox, QStringLiteral("composeSigning"), false);
    headersLayout->addWidget(m_signing, 1);
    request->addWidget(bodyBox);
    request->addWidget(headersBox);
    request->setStretchFactor(0, 3);
    request->setStretchFactor(1, 2);

    auto *answers = new QWidget(split);
    auto *answersLayout = new QHBoxLayout(answers);
    answersLayout->setContentsMargins(0, 0, 0, 0);
    m_answers = new QTreeWidget(answers);
    m_answers->setObjectName(QStringLiteral("composeAnswers"));
    m_answers->setRootIsDecorated(false);
    m_answers->setUniformRowHeights(true);
    m_answers->setHeaderLabels(
        {QStringLiteral("#"), QStringLiteral("Status"), QStringLiteral("ms"), QStringLiteral("Sender's verdict")});
    m_answers->header()->setStretchLastSection(true);
    connect(m_answers, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        if (item)
            showAnswer(m_answers->indexOfTopLevelItem(item));
    });
    m_answer = new QPlainTextEdit(answers);
    m_answer->setObjectName(QStringLiteral("composeAnswer"));
    m_answer->setReadOnly(true);
    m_answer->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_answer->setPlaceholderText(QStringLiteral("The answer: its status, time, headers and body"));
    answersLayout->addWidget(m_answers, 2);
    answersLayout->addWidget(m_answer, 3);
    split->addWidget(request);
    split->addWidget(answers);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({480, 200});
    layout->addWidget(split, 1);

    buildSendArea(this);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("composeSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_summary);
    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    layout->addWidget(m_message);
    auto *buttons = new QDialogButtonBox(this);
    m_send = buttons->addButton(QStringLiteral("Send"), QDialogButtonBox::AcceptRole);
    m_send->setObjectName(QStringLiteral("composeSend"));
    m_cancel = buttons->addButton(QStringLiteral("Cancel sending"), QDialogButtonBox::ActionRole);
    m_cancel->setEnabled(false);
    QPushButton *close = buttons->addButton(QDialogButtonBox::Close);
    layout->addWidget(buttons);
    connect(m_send, &QPushButton::clicked, this, &ComposeDialog::send);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_replayer) {
            m_replayer->cancel();
            return;
        }
        ++m_attempt; // a secret still on its way starts nothing
        m_message->setText(QStringLiteral("Cancelled before anything was sent."));
        m_send->setEnabled(true);
        m_cancel->setEnabled(false);
    });
    connect(close, &QPushButton::clicked, this, &QDialog::close);

    // The target and the secret of last time (the Replay dialog's: the same connector).
    QSettings stored;
    const ReplayChoices c = ReplayChoices::load(stored);
    m_url->setText(c.url);
    m_secretSource->setCurrentIndex(int(c.secretSource));
    m_secretName->setText(c.secretName);
    resize(1180, 820);
}

ComposeDialog::~ComposeDialog()
{
    stop();
}

void ComposeDialog::buildTemplateArea(QWidget *parent)
{
    m_templateArea = new QGroupBox(QStringLiteral("Template"), parent);
    auto *grid = new QGridLayout(m_templateArea);
    m_template = new QComboBox(m_templateArea);
    m_template->setObjectName(QStringLiteral("composeTemplate"));
    m_template->setMinimumContentsLength(24);
    grid->addWidget(new QLabel(QStringLiteral("Event"), m_templateArea), 0, 0);
    grid->addWidget(m_template, 0, 1);
    m_batch = new QSpinBox(m_templateArea);
    m_batch->setObjectName(QStringLiteral("composeBatch"));
    m_batch->setRange(1, 1000);
    m_batch->setSuffix(QStringLiteral(" event a request"));
    m_batch->setToolTip(QStringLiteral("The Events API's batch: Akeneo sends 1 to 10 events a request; more tests the "
                                       "limit"));
    grid->addWidget(new QLabel(QStringLiteral("Batch"), m_templateArea), 0, 2);
    grid->addWidget(m_batch, 0, 3);
    m_batchNote = new QLabel(m_templateArea);
    m_batchNote->setObjectName(QStringLiteral("composeBatchNote"));
    grid->addWidget(m_batchNote, 0, 4, 1, 3);
    m_fill = new QPushButton(QStringLiteral("Fill in again"), m_templateArea);
    m_fill->setToolTip(QStringLiteral("The body from the template and the fields, with new event ids (what you typed "
                                      "in the body is replaced)"));
    grid->addWidget(m_fill, 0, 7);
    int column = 0;
    int row = 1;
    for (const auto &[key, label] : fieldNames) {
        auto *edit = new QLineEdit(m_templateArea);
        edit->setObjectName(QStringLiteral("composeField_") + QLatin1StringView(key));
        edit->setClearButtonEnabled(true);
        m_fields.insert(QLatin1StringView(key), edit);
        grid->addWidget(new QLabel(QLatin1StringView(label), m_templateArea), row, column);
        grid->addWidget(edit, row, column + 1);
        connect(edit, &QLineEdit::textEdited, this, &ComposeDialog::followTemplate);
        column += 2;
        if (column == 8) {
            column = 0;
            ++row;
        }
    }
    for (int c : {1, 3, 5, 7})
        grid->setColumnStretch(c, 1);
    connect(m_template, &QComboBox::currentIndexChanged, this, &ComposeDialog::followTemplate);
    connect(m_batch, &QSpinBox::valueChanged, this, [this](int n) {
        m_batch->setSuffix(n == 1 ? QStringLiteral(" event a request") : QStringLiteral(" events a request"));
        m_batchNote->setText(n > 10 ? QStringLiteral("<span style='color:#c62828'>more than Akeneo's 10: tests the "
                                                     "limit</span>")
                                    : QString());
        followTemplate();
    });
    connect(m_fill, &QPushButton::clicked, this, &ComposeDialog::composeFromTemplate);
}

void ComposeDialog::buildSendArea(QWidget *parent)
{
    auto *box = new QGroupBox(QStringLiteral("Send"), parent);
    auto *form = new QFormLayout(box);
    m_url = new QLineEdit(box);
    m_url->setObjectName(QStringLiteral("composeUrl"));
    m_url->setPlaceholderText(QStringLiteral("http://localhost:3000/webhook"));
    form->addRow(QStringLiteral("Target URL"), m_url);
    auto *signRow = new QHBoxLayout;
    m_sender = new QComboBox(box);
    m_sender->setObjectName(QStringLiteral("composeSender"));
    for (const Format f : senders)
        m_sender->addItem(QLatin1StringView(senderProfile(f).name));
    m_sender->setToolTip(QStringLiteral("Signed as this sender signs (its headers), judged by its rules (its deadline "
                                        "and the statuses it counts as a success)"));
    signRow->addWidget(m_sender);
    signRow->addSpacing(12);
    signRow->addWidget(new QLabel(QStringLiteral("Secret"), box));
    m_secretSource = new QComboBox(box);
    m_secretSource->addItems(
        {QStringLiteral("None (unsigned)"), QStringLiteral("Keychain secret"), QStringLiteral("Environment variable")});
    m_secretName = new QLineEdit(box);
    m_secretName->setPlaceholderText(QStringLiteral("keychain name or variable"));
    signRow->addWidget(m_secretSource);
    signRow->addWidget(m_secretName, 1);
    m_insecure = new QCheckBox(QStringLiteral("Accept any TLS certificate"), box);
    signRow->addWidget(m_insecure);
    signRow->addSpacing(12);
    signRow->addWidget(new QLabel(QStringLiteral("Times"), box));
    m_times = new QSpinBox(box);
    m_times->setObjectName(QStringLiteral("composeTimes"));
    m_times->setRange(1, 10000);
    m_times->setToolTip(QStringLiteral("Send the same request this many times, one after the other (each signed when "
                                       "it goes)"));
    signRow->addWidget(m_times);
    form->addRow(QStringLiteral("Sign as"), signRow);
    auto *faultsRow = new QHBoxLayout;
    for (const QString &name : faultNames()) {
        const Fault f = *faultFromName(name);
        auto *box2 = new QCheckBox(name, box);
        box2->setObjectName(QStringLiteral("fault_") + name);
        box2->setToolTip(faultDescription(f));
        m_faults.insert(int(f), box2);
        faultsRow->addWidget(box2);
        connect(box2, &QCheckBox::toggled, this, [this, f] {
            if (changesEvents(f))
                followTemplate(); // the events themselves change: shown in the body
        });
    }
    faultsRow->addStretch(1);
    form->addRow(QStringLiteral("Faults"), faultsRow);
    connect(m_sender, &QComboBox::currentIndexChanged, this, [this] {
        updateForSender();
        if (m_fromTemplate) {
            fillTemplateBox();
            followTemplate();
        }
    });
    const auto secretEnabled = [this] {
        m_secretName->setEnabled(m_secretSource->currentIndex() != 0);
        m_secretName->setPlaceholderText(m_secretSource->currentIndex() == 2 ? QStringLiteral("variable, e.g. "
                                                                                              "AKENEO_SECRET")
                                                                             : QStringLiteral("keychain name"));
    };
    connect(m_secretSource, &QComboBox::currentIndexChanged, this, secretEnabled);
    secretEnabled();
    parent->layout()->addWidget(box);
}

void ComposeDialog::setSecretFromEnvironment(const QString &variable)
{
    m_secretSource->setCurrentIndex(int(ReplayChoices::SecretSource::Environment));
    m_secretName->setText(variable);
}

Format ComposeDialog::senderFormat() const
{
    return senders[std::clamp(m_sender->currentIndex(), 0, int(std::size(senders)) - 1)];
}

void ComposeDialog::updateForSender()
{
    const Format format = senderFormat();
    const bool eventsApi = format == Format::Akeneo;
    // What the fields default to, for this sender.
    const QMap<QString, QString> defaults = composeDefaults(format, QDateTime::currentMSecsSinceEpoch());
    for (auto it = m_fields.cbegin(); it != m_fields.cend(); ++it) {
        QString shown = it.key() == u"uuid" ? QStringLiteral("a new one for each event")
            : it.key() == u"event_datetime" ? QStringLiteral("now, e.g. %1").arg(defaults.value(it.key()))
                                            : defaults.value(it.key());
        it.value()->setPlaceholderText(shown);
    }
    m_batch->setEnabled(eventsApi && m_fromTemplate);
    if (!eventsApi)
        m_batch->setValue(1);
    m_faults.value(int(Fault::Expired))->setEnabled(eventsApi);
    m_faults.value(int(Fault::Expired))
        ->setToolTip(eventsApi ? faultDescription(Fault::Expired)
                               : QStringLiteral("Only the Events API signs a timestamp"));
    m_faults.value(int(Fault::OversizedBatch))->setEnabled(eventsApi && m_fromTemplate);
    m_faults.value(int(Fault::StaleEventTime))->setEnabled(m_fromTemplate);
    for (const Fault f : {Fault::Expired, Fault::OversizedBatch, Fault::StaleEventTime}) {
        if (!m_faults.value(int(f))->isEnabled())
            m_faults.value(int(f))->setChecked(false);
    }
    showSigningHeaders({});
}

void ComposeDialog::fillTemplateBox()
{
    const QString sender = templateSenderOf(senderFormat());
    const QString current = m_template->currentData().toString();
    const QSignalBlocker block(m_template);
    m_template->clear();
    for (const EventTemplate &t : std::as_const(m_templates)) {
        if (t.sender == sender)
            m_template->addItem(t.origin.startsWith(u':') ? t.type : t.type + QStringLiteral(" (yours)"), t.key());
    }
    const int again = m_template->findData(current);
    m_template->setCurrentIndex(again >= 0 ? again : 0);
}

void ComposeDialog::startNew()
{
    stop();
    m_fromTemplate = true;
    m_editSource = EditSource();
    m_templateProblems.clear();
    m_templates = loadTemplates(userTemplateDir(), &m_templateProblems);
    setWindowTitle(QStringLiteral("New event"));
    m_source->setText(QStringLiteral("A new event from a template: the built-in ones, and yours in <tt>%1</tt> "
                                     "(<tt>SENDER/TYPE.json</tt>, the same name replaces a built-in one).")
                          .arg(userTemplateDir().toHtmlEscaped())
                      + (m_templateProblems.isEmpty()
                             ? QString()
                             : QStringLiteral("<br><span style='color:#c62828'>Left out: %1</span>")
                                   .arg(m_templateProblems.join(QStringLiteral("; ")).toHtmlEscaped())));
    m_templateArea->setVisible(true);
    m_sender->setEnabled(true);
    updateForSender();
    fillTemplateBox();
    m_answers->clear();
    m_answer->clear();
    m_summary->clear();
    composeFromTemplate();
}

void ComposeDialog::editFrom(const Delivery &delivery, const EventRecord *event)
{
    stop();
    m_fromTemplate = false;
    m_editSource = EditSource();
    m_editSource.deliveryId = delivery.id;
    const Format format = event ? event->format : delivery.format;
    QByteArray body = delivery.body;
    if (event) {
        m_editSource.eventId = event->event.id;
        // The event alone, in its sender's envelope (the Events API's holds a list of events).
        body = eventRequestBody(*event);
    }
    setWindowTitle(QStringLiteral("Edit and send"));
    m_source->setText(event ? QStringLiteral("Edited from event <b>#%1</b> (%2 %3) of delivery #%4, %5.")
                                  .arg(event->event.id)
                                  .arg(event->event.action.toHtmlEscaped(), event->event.subjectId.toHtmlEscaped())
                                  .arg(delivery.id)
                                  .arg(QLatin1StringView(senderProfile(format).name))
                            : QStringLiteral("Edited from delivery <b>#%1</b> (%2 events, %3), its exact body.")
                                  .arg(delivery.id)
                                  .arg(delivery.eventCount)
                                  .arg(QLatin1StringView(senderProfile(format).name)));
    m_templateArea->setVisible(false);
    {
        const QSignalBlocker block(m_sender);
        m_sender->setCurrentIndex(senderIndex(format));
    }
    updateForSender();
    // Its headers but those the signer and the connection set, and those the capture redacted (their values are gone).
    Headers headers;
    QStringList redacted;
    for (const Header &h : delivery.headers) {
        if (isSigningHeader(h.name, senderFormat()) || isConnectionHeader(h.name))
            continue;
        if (HeaderRedactor::isRedacted(h.value)) {
            redacted << QString::fromLatin1(h.name);
            continue;
        }
        headers.append(h);
    }
    if (headers.isEmpty() || delivery.origin == Origin::Log) // a log line has no headers: the signer's own
        headers = withUserHeaders({}, replayHeaders(senderFormat(), body, {}, 0), Format::Unknown);
    setHeaders(headers);
    m_message->setText(
        redacted.isEmpty()
            ? QString()
            : QStringLiteral("Left out, redacted in the capture: %1.").arg(redacted.join(QStringLiteral(", "))));
    setBody(body);
    m_answers->clear();
    m_answer->clear();
    m_summary->clear();
}

void ComposeDialog::setSuggestions(const ComposeSuggestions &s)
{
    const std::pair<const char *, const QStringList *> lists[]
        = {{"identifier", &s.identifiers}, {"code", &s.codes}, {"uuid", &s.uuids}, {"author", &s.authors}};
    for (const auto &[key, values] : lists) {
        QLineEdit *edit = m_fields.value(QLatin1StringView(key));
        auto *completer = new QCompleter(*values, edit);
        completer->setCaseSensitivity(Qt::CaseInsensitive);
        completer->setFilterMode(Qt::MatchContains);
        delete edit->completer();
        edit->setCompleter(completer);
    }
}

void ComposeDialog::followTemplate()
{
    if (!m_fromTemplate)
        return;
    if (bodyText() == m_loadedText)
        composeFromTemplate(); // nothing typed in the body: it follows the template and its fields
    else
        m_message->setText(QStringLiteral("The body was edited by hand: Fill in again applies the template, the fields "
                                          "and the faults (what you typed is replaced)."));
}

QString ComposeDialog::bodyText() const
{
    // The document's own characters: toPlainText() would make non-breaking spaces plain ones.
    QString text = m_body->document()->toRawText();
    text.replace(QChar::ParagraphSeparator, u'\n');
    return text;
}

void ComposeDialog::composeFromTemplate()
{
    m_message->clear();
    const QString key = m_template->currentData().toString();
    const auto found = findTemplate(m_templates, key);
    if (!found)
        return fail(found.error());
    ComposeRequest request;
    request.eventTemplate = *found;
    request.nowMs = QDateTime::currentMSecsSinceEpoch();
    request.batch = m_batch->isEnabled() ? m_batch->value() : 1;
    for (auto it = m_fields.cbegin(); it != m_fields.cend(); ++it) {
        if (!it.value()->text().isEmpty())
            request.values.insert(it.key(), it.value()->text());
    }
    for (const Fault f : faultsChosen()) {
        if (changesEvents(f))
            request.faults.append(f);
    }
    const auto composed = compose(request);
    if (!composed)
        return fail(composed.error());
    m_editSource.templateKey = key;
    // The fields this template has: the others are not its business (an Event Platform product names no identifier).
    for (auto it = m_fields.cbegin(); it != m_fields.cend(); ++it) {
        const bool used = found->text.contains(QByteArray("{{" + it.key().toLatin1() + "}}"));
        it.value()->setEnabled(used);
        it.value()->setToolTip(used ? QString() : QStringLiteral("%1 has no %2").arg(found->key(), it.key()));
    }
    if (headersShown() == m_loadedHeaders) // the user's own headers stay
        setHeaders(withUserHeaders({}, replayHeaders(composed->format, composed->body, {}, 0), Format::Unknown));
    setBody(composed->body);
}

void ComposeDialog::setBody(const QByteArray &body)
{
    m_loadedBody = body;
    m_composing = true;
    m_body->setPlainText(QString::fromUtf8(body));
    m_composing = false;
    // As the editor holds it (CR LF shown as a line break): unchanged, the loaded bytes go, whatever they are.
    m_loadedText = bodyText();
    checkBody();
    if (m_loadedText.toUtf8() != body)
        m_message->setText(m_message->text()
                           + QStringLiteral(" The body holds bytes the editor cannot show as they are (not UTF-8, or "
                                            "CR line ends): sent unchanged, they go as they were; edited, as shown."));
}

void ComposeDialog::setHeaders(const Headers &headers)
{
    m_loadedHeaders = headers;
    showHeaders(m_headers, headers); // each value's bytes kept: sent while its text is unchanged
    m_headers->resizeColumnToContents(0);
}

Headers ComposeDialog::headersShown() const
{
    Headers out;
    for (int row = 0; row < m_headers->rowCount(); ++row) {
        const QTableWidgetItem *name = m_headers->item(row, 0);
        const QTableWidgetItem *value = m_headers->item(row, 1);
        const QByteArray n = name ? name->text().trimmed().toLatin1() : QByteArray();
        if (n.isEmpty())
            continue;
        QByteArray bytes = value ? value->text().toUtf8() : QByteArray();
        if (value && value->data(Qt::UserRole).isValid()
            && QString::fromUtf8(value->data(Qt::UserRole).toByteArray()) == value->text())
            bytes = value->data(Qt::UserRole).toByteArray();
        out.append({n, bytes});
    }
    return out;
}

void ComposeDialog::showSigningHeaders(const Headers &sent)
{
    // Before a send: which headers the signer computes for this sender; after: what went (a secret redacted).
    Headers rows;
    if (sent.isEmpty()) {
        const QByteArray when = "computed when sent";
        switch (senderFormat()) {
        case Format::AkeneoEventPlatform:
            rows = {{"X-AKENEO-SIGNATURE-PRIMARY", when}, {"X-AKENEO-SIGNATURE-ALGORITHM", "HmacSHA256"}};
            break;
        case Format::Quable:
            rows = {{"Authorization", "the secret, as Quable sends it"}};
            break;
        default:
            rows = {{"X-Akeneo-Request-Timestamp", when}, {"X-Akeneo-Request-Signature", when}};
            break;
        }
    } else {
        for (const Header &h : m_redactor.redacted(sent)) {
            if (isSigningHeader(h.name, m_sendFormat))
                rows.append(h);
        }
        if (rows.isEmpty())
            rows.append(Header{"(none)", "sent unsigned"});
    }
    showHeaders(m_signing, rows);
    m_signing->resizeColumnToContents(0);
}

void ComposeDialog::checkBody()
{
    if (m_composing)
        return;
    const QString text = bodyText();
    const auto problem = jsonProblem(text);
    m_highlighter->setProblem(problem);
    if (!problem) {
        const QByteArray utf8 = text.toUtf8();
        const ParseResult parsed = PayloadParser().parse(utf8, PayloadParser::Depth::Envelope);
        m_bodyProblem->setText(QStringLiteral("JSON, %1 bytes: %2")
                                   .arg(utf8.size())
                                   .arg(parsed.events.size() == 1
                                            ? QStringLiteral("1 event")
                                            : QStringLiteral("%1 events").arg(parsed.events.size())));
        m_bodyProblem->setStyleSheet(QString());
        return;
    }
    m_bodyProblem->setText(QStringLiteral("Not JSON at line %1, column %2: %3. It is sent as it is.")
                               .arg(problem->line)
                               .arg(problem->column)
                               .arg(problem->reason));
    m_bodyProblem->setStyleSheet(QStringLiteral("color: #c62828"));
}

QList<Fault> ComposeDialog::faultsChosen() const
{
    QList<Fault> out;
    for (auto it = m_faults.cbegin(); it != m_faults.cend(); ++it) {
        if (it.value()->isChecked() && it.value()->isEnabled())
            out.append(Fault(it.key()));
    }
    return out;
}

void ComposeDialog::fail(const QString &message)
{
    m_message->setText(QStringLiteral("<b>%1</b>").arg(message.toHtmlEscaped()));
    if (m_replayer)
        return; // a send goes on: its end gives Send back
    m_send->setEnabled(true);
    m_cancel->setEnabled(false);
}

void ComposeDialog::send()
{
    if (m_replayer || !m_send->isEnabled())
        return; // one send at a time
    m_message->clear();
    const QUrl url(m_url->text().trimmed(), QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https") || url.host().isEmpty())
        return fail(QStringLiteral("The target must be an http or https URL, e.g. http://localhost:3000/webhook."));
    ReplayChoices c;
    {
        QSettings stored;
        c = ReplayChoices::load(stored);
        c.url = url.toString(QUrl::RemoveUserInfo);
        c.secretSource = ReplayChoices::SecretSource(m_secretSource->currentIndex());
        c.secretName = m_secretName->text().trimmed();
        c.save(stored);
    }
    c.secondarySource = ReplayChoices::SecretSource::None;
    m_send->setEnabled(false);
    m_cancel->setEnabled(true);
    if (c.secretSource == ReplayChoices::SecretSource::Keychain)
        m_message->setText(QStringLiteral("Reading the secret %1 from the keychain…").arg(c.secretName));
    const quint64 attempt = ++m_attempt;
    readReplaySecrets(
        c, [this] { return m_keychain.data(); }, this,
        [this, attempt](Result<ReplaySecrets> secrets) {
            if (attempt != m_attempt)
                return;
            if (!secrets)
                return fail(secrets.error());
            m_message->clear();
            sendWithSecret(secrets->primary);
        });
}

void ComposeDialog::sendWithSecret(const QByteArray &secret)
{
    const Format format = senderFormat();
    m_sendFormat = format; // the answers are judged by this sender, whatever the list shows meanwhile
    const QList<Fault> faults = faultsChosen();
    if (secret.isEmpty() && faults.contains(Fault::Expired))
        return fail(QStringLiteral("expired signs with a timestamp 10 minutes old: choose a secret."));
    // The bytes as loaded while the text is unchanged (bytes that are not UTF-8 go as they were), else the text.
    const QString text = bodyText();
    QByteArray body = text == m_loadedText ? m_loadedBody : text.toUtf8();
    QList<Fault> sendFaults;
    for (const Fault f : faults) {
        if (!changesEvents(f)) // those are in the body already
            sendFaults.append(f);
    }
    const ParseResult parsed = PayloadParser().parse(body, PayloadParser::Depth::Envelope);
    auto composed = composeBody(std::move(body), format, int(parsed.events.size()), sendFaults);
    if (!composed)
        return fail(composed.error());
    ReplayRequest request;
    request.format = format;
    request.body = composed->body;
    request.eventCount = composed->eventCount;
    for (const Event &e : parsed.events)
        request.eventIds << e.eventId;
    request.faults = composed->faults;
    request.headers = headersShown();
    EditSource source = m_editSource;
    source.faults.clear();
    for (const Fault f : faults)
        source.faults << faultName(f);
    source.handEdited = text != m_loadedText || *request.headers != m_loadedHeaders;
    request.editSource = source;

    ReplayTarget target;
    target.url = QUrl(m_url->text().trimmed());
    target.secrets.primary = secret;
    target.insecure = m_insecure->isChecked();
    // The real answer time even past the sender's deadline (judged by it all the same), up to the forwarder's 30 s.
    target.timeoutMs = 30000;
    target.keepAnswerBytes = qsizetype(64) * 1024;
    target.redactor = m_redactor;
    m_results.clear();
    m_verdicts.clear();
    m_answers->clear();
    m_answer->clear();
    m_failuresInARow = 0;
    m_summary->setText(QStringLiteral("Sending…"));
    if (secret.isEmpty())
        m_message->setText(faults.contains(Fault::InvalidSignature)
                               ? QStringLiteral("No secret: the request goes with a signature made up to be wrong.")
                               : QStringLiteral("No secret: the request goes unsigned."));
    m_replayer = new Replayer(target, QList<ReplayRequest>(m_times->value(), request), m_store, this);
    connect(m_replayer, &Replayer::requestFinished, this, &ComposeDialog::onAnswer);
    connect(m_replayer, &Replayer::finished, this, [this, replayer = m_replayer](const ReplaySummary &s) {
        QString text = describeReplay(s)
            + QStringLiteral(". Stored in the capture (origin == replay), with what it was "
                             "made from: its Compare tab shows the difference.");
        text[0] = text[0].toUpper();
        m_summary->setText(text);
        replayer->deleteLater();
        if (m_replayer == replayer)
            m_replayer = nullptr;
        m_send->setEnabled(true);
        m_cancel->setEnabled(false);
        Q_EMIT sent(s);
    });
    m_replayer->start();
}

void ComposeDialog::onAnswer(const ReplayResult &r)
{
    const AnswerJudgement judged = judgeAnswer(r, m_sendFormat, m_failuresInARow);
    m_results.append(r);
    m_verdicts.append(judged.wording);
    auto *item = new QTreeWidgetItem(m_answers);
    item->setText(0, QString::number(r.index + 1));
    item->setText(1, statusText(r));
    item->setText(2, QString::number(r.latencyMs, 'f', 1));
    item->setText(3, judged.wording);
    const QColor colour = judged.success ? QColor(0x2e, 0x7d, 0x32) : QColor(0xc6, 0x28, 0x28);
    for (int c = 1; c < 4; ++c)
        item->setForeground(c, colour);
    if (m_answers->topLevelItemCount() == 1 || m_answers->currentItem() == m_answers->topLevelItem(r.index - 1))
        m_answers->setCurrentItem(item);
    if (r.index == 0)
        showSigningHeaders(r.sentHeaders);
}

void ComposeDialog::showAnswer(int row)
{
    if (row < 0 || row >= m_results.size())
        return;
    const ReplayResult &r = m_results[row];
    QString text = QStringLiteral("#%1  %2 in %3 ms: %4\n")
                       .arg(r.index + 1)
                       .arg(statusText(r))
                       .arg(r.latencyMs, 0, 'f', 1)
                       .arg(m_verdicts.value(row));
    text += QStringLiteral("sent %1\n").arg(toIsoUtc(r.sentAtMs));
    if (!r.error.isEmpty())
        text += r.error + u'\n';
    text += u'\n';
    for (const Header &h : r.answerHeaders)
        text += printableAscii(h.name, 200) + QStringLiteral(": ") + printableAscii(h.value, 2000) + u'\n';
    if (!r.answerBody.isEmpty())
        text += u'\n' + QString::fromUtf8(r.answerBody);
    m_answer->setPlainText(text);
}

void ComposeDialog::stop()
{
    ++m_attempt;
    if (!m_replayer)
        return;
    m_replayer->disconnect(this);
    m_replayer->cancel();
    delete m_replayer;
    m_replayer = nullptr;
    m_send->setEnabled(true);
    m_cancel->setEnabled(false);
}

} // namespace pimscope::ui
