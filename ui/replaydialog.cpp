#include "replaydialog.h"

#include "replaysecrets.h"

#include "settings/replaychoices.h"

#include "filter/filter.h"
#include "replay/replaysigner.h"
#include "secrets/secretstore.h"
#include "store/capturequeries.h"
#include "store/eventstore.h"
#include "store/storereader.h"
#include "util/timeutil.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSpinBox>
#include <QThread>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <array>

namespace pimscope::ui {

namespace {

// The lists' indexes are ReplayChoices' values.
constexpr int NoSecret = int(ReplayChoices::SecretSource::None);
constexpr int Keychain = int(ReplayChoices::SecretSource::Keychain);
constexpr int Environment = int(ReplayChoices::SecretSource::Environment);
constexpr int AsFastAsPossible = int(ReplayChoices::Pacing::AsFastAsPossible);
constexpr int AkeneoQuota = int(ReplayChoices::Pacing::AkeneoQuota);
constexpr int PerSecond = int(ReplayChoices::Pacing::PerSecond);
constexpr int PerHour = int(ReplayChoices::Pacing::PerHour);

} // namespace

ReplayDialog::ReplayDialog(EventStore *store, CaptureQueries *queries, SecretStore *keychain, QWidget *parent)
    : QDialog(parent)
    , m_store(store)
    , m_queries(queries)
    , m_keychain(keychain)
{
    setObjectName(QStringLiteral("replayDialog"));
    setWindowTitle(QStringLiteral("Replay events"));
    auto *layout = new QVBoxLayout(this);

    auto *what = new QGroupBox(QStringLiteral("What"), this);
    auto *whatLayout = new QFormLayout(what);
    m_selected = new QRadioButton(what);
    m_matching = new QRadioButton(QStringLiteral("Every event matching"), what);
    m_filter = new QLineEdit(what);
    m_filter->setPlaceholderText(QStringLiteral("all events but earlier replays and imported log lines"));
    m_filter->setToolTip(
        QStringLiteral("Earlier replays (copies) and the events of imported logs (ids without their data) "
                       "are left out unless the filter asks for them: origin == replay, origin == log"));
    whatLayout->addRow(m_selected);
    whatLayout->addRow(m_matching, m_filter);
    layout->addWidget(what);

    auto *where = new QGroupBox(QStringLiteral("Target"), this);
    auto *whereLayout = new QFormLayout(where);
    m_url = new QLineEdit(where);
    m_url->setObjectName(QStringLiteral("replayUrl"));
    m_url->setPlaceholderText(QStringLiteral("http://localhost:8000/akeneo/webhook"));
    whereLayout->addRow(QStringLiteral("URL"), m_url);
    auto *secretRow = new QHBoxLayout;
    m_secretSource = new QComboBox(where);
    m_secretSource->addItems(
        {QStringLiteral("None (unsigned)"), QStringLiteral("Keychain secret"), QStringLiteral("Environment variable")});
    m_secretName = new QLineEdit(where);
    m_secretName->setPlaceholderText(QStringLiteral("name"));
    secretRow->addWidget(m_secretSource);
    secretRow->addWidget(m_secretName, 1);
    whereLayout->addRow(QStringLiteral("Secret"), secretRow);
    // The Event Platform signs with a subscription's primary secret and, when it has one, its secondary secret too
    // (a second header, for rotating secrets).
    auto *secondaryRow = new QHBoxLayout;
    m_secondarySource = new QComboBox(where);
    m_secondarySource->setObjectName(QStringLiteral("secondarySource"));
    m_secondarySource->addItems(
        {QStringLiteral("None"), QStringLiteral("Keychain secret"), QStringLiteral("Environment variable")});
    m_secondarySource->setToolTip(
        QStringLiteral("Event Platform messages: the subscription's secondary secret, signed into "
                       "X-AKENEO-SIGNATURE-SECONDARY beside the primary signature, as the platform does while secrets "
                       "are rotated"));
    m_secondaryName = new QLineEdit(where);
    m_secondaryName->setObjectName(QStringLiteral("secondaryName"));
    secondaryRow->addWidget(m_secondarySource);
    secondaryRow->addWidget(m_secondaryName, 1);
    whereLayout->addRow(QStringLiteral("Secondary"), secondaryRow);
    m_insecure = new QCheckBox(QStringLiteral("Accept any TLS certificate (insecure)"), where);
    whereLayout->addRow(QString(), m_insecure);
    m_timeout = new QSpinBox(where);
    m_timeout->setRange(1, 3600000);
    m_timeout->setSuffix(QStringLiteral(" ms"));
    m_timeout->setToolTip(QStringLiteral("A deadline for the whole request; Akeneo's is 500 ms"));
    m_timeout->setMaximumWidth(160);
    whereLayout->addRow(QStringLiteral("Timeout"), m_timeout);
    layout->addWidget(where);

    auto *how = new QGroupBox(QStringLiteral("How"), this);
    auto *howLayout = new QFormLayout(how);
    auto *modeRow = new QHBoxLayout;
    m_rebatched = new QRadioButton(QStringLiteral("Rebatched, at most"), how);
    m_batchSize = new QSpinBox(how);
    m_batchSize->setRange(1, 1000);
    m_batchSize->setSuffix(QStringLiteral(" events a request"));
    m_asReceived = new QRadioButton(QStringLiteral("As received (each delivery's exact body)"), how);
    modeRow->addWidget(m_rebatched);
    modeRow->addWidget(m_batchSize);
    modeRow->addWidget(m_asReceived);
    modeRow->addStretch();
    howLayout->addRow(QStringLiteral("Mode"), modeRow);
    auto *paceRow = new QHBoxLayout;
    m_pacing = new QComboBox(how);
    m_pacing->addItems({QStringLiteral("As fast as possible"), QStringLiteral("Akeneo's quota: 4,000 an hour"),
                        QStringLiteral("Requests per second:"), QStringLiteral("Requests per hour:")});
    m_rate = new QDoubleSpinBox(how);
    m_rate->setRange(0.01, 1e6); // a second (an hour: see the pacing's connection below)
    m_rate->setDecimals(2);
    m_rate->setToolTip(QStringLiteral("Evenly spaced from the first request, no burst"));
    paceRow->addWidget(m_pacing);
    paceRow->addWidget(m_rate);
    paceRow->addStretch();
    howLayout->addRow(QStringLiteral("Pacing"), paceRow);
    m_concurrency = new QSpinBox(how);
    m_concurrency->setRange(1, 256);
    m_concurrency->setToolTip(QStringLiteral("Requests in flight at most; 1 keeps the order"));
    m_concurrency->setMaximumWidth(160);
    howLayout->addRow(QStringLiteral("Concurrency"), m_concurrency);
    auto *orderRow = new QHBoxLayout;
    m_order = new QComboBox(how);
    m_order->addItems({QStringLiteral("Original"), QStringLiteral("By event time"), QStringLiteral("Reversed"),
                       QStringLiteral("Shuffled, seed")});
    m_seed = new QSpinBox(how);
    m_seed->setRange(0, std::numeric_limits<int>::max());
    orderRow->addWidget(m_order);
    orderRow->addWidget(m_seed);
    orderRow->addStretch();
    howLayout->addRow(QStringLiteral("Order"), orderRow);
    m_duplicates = new QDoubleSpinBox(how);
    m_duplicates->setRange(0, 100);
    m_duplicates->setSuffix(QStringLiteral(" % of the requests sent twice"));
    m_duplicates->setMaximumWidth(300);
    howLayout->addRow(QStringLiteral("Duplicates"), m_duplicates);
    // As the sender: its deadline and success rule, its retries (scaled to be tried in seconds), the Event Platform's
    // rate slowed by 429s, and a stop where it would cut the subscription off.
    auto *senderRow = new QWidget(how);
    auto *senderLayout = new QHBoxLayout(senderRow);
    senderLayout->setContentsMargins(0, 0, 0, 0);
    m_asSender = new QCheckBox(QStringLiteral("Behave as each request's sender"), senderRow);
    m_asSender->setObjectName(QStringLiteral("asSender"));
    m_asSender->setToolTip(QStringLiteral(
        "Its deadline (500 ms for the Events API, 5 s for the Event Platform and Quable) and success rule, its retries "
        "after a failure, the Event Platform's rate slowed by 429s, and a stop where it would disable or suspend the "
        "subscription."));
    m_retryScale = new QDoubleSpinBox(senderRow);
    m_retryScale->setObjectName(QStringLiteral("retryScale"));
    m_retryScale->setDecimals(4);
    m_retryScale->setRange(0, 1);
    m_retryScale->setSingleStep(0.001);
    m_retryScale->setValue(0.001);
    m_retryScale->setPrefix(QStringLiteral("retry delays × "));
    m_retryScale->setToolTip(QStringLiteral("0.001 makes Quable's and the Event Platform's 5 min 0.3 s; 1 waits as "
                                            "they do"));
    senderLayout->addWidget(m_asSender);
    senderLayout->addWidget(m_retryScale);
    senderLayout->addStretch(1);
    howLayout->addRow(QStringLiteral("Sender"), senderRow);
    layout->addWidget(how);

    m_progress = new QProgressBar(this);
    m_progress->setVisible(false);
    layout->addWidget(m_progress);
    m_results = new QTreeWidget(this);
    m_results->setObjectName(QStringLiteral("replayResults"));
    m_results->setRootIsDecorated(false);
    m_results->setUniformRowHeights(true);
    m_results->setHeaderLabels({QStringLiteral("#"), QStringLiteral("Sent (UTC)"), QStringLiteral("Status"),
                                QStringLiteral("ms"), QStringLiteral("Events"), QStringLiteral("As the PIM logs it")});
    m_results->header()->setStretchLastSection(true);
    m_results->setMinimumHeight(160);
    layout->addWidget(m_results, 1);
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_summary);
    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    layout->addWidget(m_message);

    auto *buttons = new QDialogButtonBox(this);
    m_start = buttons->addButton(QStringLiteral("Replay"), QDialogButtonBox::AcceptRole);
    m_cancel = buttons->addButton(QStringLiteral("Cancel replay"), QDialogButtonBox::ActionRole);
    QPushButton *close = buttons->addButton(QDialogButtonBox::Close);
    layout->addWidget(buttons);
    connect(m_start, &QPushButton::clicked, this, &ReplayDialog::startReplay);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (!m_thread) {
            // Still reading the secret or planning: what answers later is dropped.
            ++m_attempt;
            m_summary->setText(QStringLiteral("Cancelled before anything was sent."));
            setRunning(false);
            return;
        }
        cancelReplayer(Qt::QueuedConnection);
        m_cancel->setEnabled(false);
    });
    connect(close, &QPushButton::clicked, this, &QDialog::close);

    const auto updateEnabled = [this] {
        m_secretName->setEnabled(m_secretSource->currentIndex() != NoSecret);
        m_secretName->setPlaceholderText(m_secretSource->currentIndex() == Environment
                                             ? QStringLiteral("variable, e.g. AKENEO_SECRET")
                                             : QStringLiteral("keychain name"));
        // Only beside a primary secret: the Event Platform always signs with its primary one.
        m_secondarySource->setEnabled(m_secretSource->currentIndex() != NoSecret);
        m_secondaryName->setEnabled(m_secondarySource->isEnabled() && m_secondarySource->currentIndex() != NoSecret);
        m_secondaryName->setPlaceholderText(
            m_secondarySource->currentIndex() == Environment ? QStringLiteral("variable, e.g. EVENT_PLATFORM_SECONDARY")
                : m_secondarySource->currentIndex() == Keychain ? QStringLiteral("keychain name")
                                                                : QStringLiteral("Event Platform messages only"));
        m_batchSize->setEnabled(m_rebatched->isChecked());
        m_rate->setEnabled(m_pacing->currentIndex() == PerSecond || m_pacing->currentIndex() == PerHour);
        m_seed->setEnabled(m_order->currentIndex() == 3);
        m_filter->setEnabled(m_matching->isChecked());
        m_retryScale->setEnabled(m_asSender->isChecked());
        m_timeout->setEnabled(!m_asSender->isChecked()); // each sender's own deadline applies
    };
    connect(m_asSender, &QCheckBox::toggled, this, updateEnabled);
    connect(m_secretSource, &QComboBox::currentIndexChanged, this, updateEnabled);
    connect(m_secondarySource, &QComboBox::currentIndexChanged, this, updateEnabled);
    connect(m_rebatched, &QRadioButton::toggled, this, updateEnabled);
    connect(m_pacing, &QComboBox::currentIndexChanged, this, updateEnabled);
    // Between "a second" and "an hour" the rate stays what it was: 10 a second becomes 36,000 an hour.
    // The range is the command's: --rps up to 1e6, --per-hour up to 1e9.
    connect(m_pacing, &QComboBox::currentIndexChanged, this,
            [this, previous = int(m_pacing->currentIndex())](int now) mutable {
                const bool wasRate = previous == PerSecond || previous == PerHour;
                const double perSecond = previous == PerHour ? m_rate->value() / 3600.0 : m_rate->value();
                previous = now;
                if (now != PerSecond && now != PerHour)
                    return;
                m_rate->setRange(0.01, now == PerHour ? 1e9 : 1e6);
                if (wasRate)
                    m_rate->setValue(now == PerHour ? perSecond * 3600.0 : perSecond);
            });
    connect(m_order, &QComboBox::currentIndexChanged, this, updateEnabled);
    connect(m_matching, &QRadioButton::toggled, this, updateEnabled);

    // The choices of last time (the secret's name, never its value). "Accept any TLS certificate" is a choice for
    // one replay, never remembered: every dialog starts verifying.
    QSettings stored;
    const ReplayChoices c = ReplayChoices::load(stored);
    m_url->setText(c.url);
    m_secretSource->setCurrentIndex(int(c.secretSource));
    m_secretName->setText(c.secretName);
    m_secondarySource->setCurrentIndex(int(c.secondarySource));
    m_secondaryName->setText(c.secondaryName);
    m_timeout->setValue(c.timeoutMs);
    (c.asReceived ? m_asReceived : m_rebatched)->setChecked(true);
    m_batchSize->setValue(c.batchSize);
    m_pacing->setCurrentIndex(int(c.pacing));
    m_rate->setValue(c.rate);
    m_concurrency->setValue(c.concurrency);
    m_order->setCurrentIndex(std::clamp(c.order, 0, m_order->count() - 1));
    m_seed->setValue(c.seed);
    m_duplicates->setValue(c.duplicatesPercent);
    updateEnabled();
    setRunning(false);
    resize(720, 720);
}

ReplayDialog::~ReplayDialog()
{
    stop();
}

void ReplayDialog::setSelection(const QList<qint64> &eventIds, const QString &filter)
{
    m_ids = eventIds;
    m_selected->setText(eventIds.size() == 1 ? QStringLiteral("The selected event")
                                             : QStringLiteral("The %L1 selected events").arg(eventIds.size()));
    m_selected->setEnabled(!eventIds.isEmpty());
    m_filter->setText(filter);
    (eventIds.isEmpty() ? m_matching : m_selected)->setChecked(true);
}

void ReplayDialog::setSecretFromEnvironment(const QString &variable)
{
    m_secretSource->setCurrentIndex(Environment);
    m_secretName->setText(variable);
}

void ReplayDialog::setRate(double perSecond)
{
    m_pacing->setCurrentIndex(perSecond > 0 ? PerSecond : AsFastAsPossible);
    if (perSecond > 0)
        m_rate->setValue(perSecond);
}

void ReplayDialog::setRatePerHour(double perHour)
{
    m_pacing->setCurrentIndex(PerHour);
    m_rate->setValue(perHour);
}

void ReplayDialog::setUnsigned()
{
    m_secretSource->setCurrentIndex(NoSecret);
}

double ReplayDialog::ratePerSecond() const
{
    switch (m_pacing->currentIndex()) {
    case AkeneoQuota:
        return 4000.0 / 3600.0;
    case PerSecond:
        return m_rate->value();
    case PerHour:
        return m_rate->value() / 3600.0;
    default:
        return 0.0;
    }
}

void ReplayDialog::setBatchSize(int n)
{
    m_rebatched->setChecked(true);
    m_batchSize->setValue(n);
}

ReplayChoices ReplayDialog::choices() const
{
    ReplayChoices c;
    c.url = m_url->text().trimmed();
    c.secretSource = ReplayChoices::SecretSource(m_secretSource->currentIndex());
    c.secretName = m_secretName->text().trimmed();
    c.secondarySource = ReplayChoices::SecretSource(m_secondarySource->currentIndex());
    c.secondaryName = m_secondaryName->text().trimmed();
    c.timeoutMs = m_timeout->value();
    c.asReceived = m_asReceived->isChecked();
    c.batchSize = m_batchSize->value();
    c.pacing = ReplayChoices::Pacing(m_pacing->currentIndex());
    c.rate = m_rate->value();
    c.concurrency = m_concurrency->value();
    c.order = m_order->currentIndex();
    c.seed = m_seed->value();
    c.duplicatesPercent = m_duplicates->value();
    return c;
}

void ReplayDialog::saveChoices() const
{
    QSettings stored;
    choices().save(stored);
}

void ReplayDialog::setRunning(bool running)
{
    m_start->setEnabled(!running);
    m_cancel->setEnabled(running);
    m_progress->setVisible(running || m_progress->maximum() > 0);
    for (QGroupBox *box : findChildren<QGroupBox *>())
        box->setEnabled(!running);
}

void ReplayDialog::fail(const QString &message)
{
    m_message->setText(QStringLiteral("<b>%1</b>").arg(message.toHtmlEscaped()));
    setRunning(false);
}

void ReplayDialog::startReplay()
{
    m_message->clear();
    const QUrl url(m_url->text().trimmed(), QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https") || url.host().isEmpty())
        return fail(QStringLiteral("The target must be an http or https URL, e.g. http://localhost:8000/webhook."));
    saveChoices();
    const ReplayChoices c = choices();
    setRunning(true);
    if (c.secretSource == ReplayChoices::SecretSource::Keychain)
        m_message->setText(QStringLiteral("Reading the secret %1 from the keychain…").arg(c.secretName));
    const quint64 attempt = ++m_attempt;
    readReplaySecrets(
        c, [this] { return m_keychain; }, this,
        [this, attempt](Result<ReplaySecrets> secrets) {
            if (attempt != m_attempt)
                return;
            if (secrets)
                startWithSecrets(secrets.value());
            else
                fail(secrets.error());
        });
}

void ReplayDialog::startWithSecrets(const ReplaySecrets &secrets)
{
    setRunning(true);
    ReplayPlanOptions options;
    options.mode = m_asReceived->isChecked() ? ReplayMode::AsReceived : ReplayMode::Rebatched;
    options.batchSize = m_batchSize->value();
    options.order = std::array{ReplayOrder::Original, ReplayOrder::EventTime, ReplayOrder::Reverse,
                               ReplayOrder::Shuffle}[std::size_t(m_order->currentIndex())];
    options.seed = quint64(m_seed->value());
    options.duplicates = m_duplicates->value() / 100.0;
    const QList<qint64> ids = m_selected->isChecked() ? m_ids : QList<qint64>();
    const QString filter = m_selected->isChecked() ? QString() : m_filter->text();
    m_summary->setText(QStringLiteral("Reading the events…"));
    const quint64 attempt = m_attempt;
    const auto query = [filter, ids, options](StoreReader &reader) {
        return planReplay(reader, Filter::parse(filter), ids, options);
    };
    m_queries->run<ReplayPlan>(this, query, [this, secrets, attempt](Result<ReplayPlan> plan) {
        if (attempt == m_attempt)
            onPlanned(std::move(plan), secrets);
    });
}

void ReplayDialog::onPlanned(Result<ReplayPlan> plan, const ReplaySecrets &secrets)
{
    if (!plan)
        return fail(plan.error());
    // How the requests are signed (unsigned, one secret for two formats), then what the plan did.
    QStringList lines;
    for (const QString &line :
         (plan->requests.isEmpty() ? QStringList() : signingWarnings(plan->requests, secrets)) + plan->notes)
        lines << line.left(1).toUpper() + line.mid(1) + u'.';
    m_message->setText(lines.join(u'\n'));
    if (plan->requests.isEmpty()) {
        m_summary->setText(
            plan->notes.isEmpty()
                ? QStringLiteral("Nothing to send: no event matches.")
                : QStringLiteral("Nothing to send: no event matches, or every one was left out (see below)."));
        setRunning(false);
        return;
    }
    ReplayTarget target;
    target.url = QUrl(m_url->text().trimmed());
    target.secrets = secrets;
    target.concurrency = m_concurrency->value();
    target.timeoutMs = m_timeout->value();
    target.insecure = m_insecure->isChecked();
    target.asSender = m_asSender->isChecked();
    target.retryScale = m_retryScale->value();
    target.ratePerSecond = ratePerSecond();
    target.redactor = m_redactor;
    m_results->clear();
    m_progress->setRange(0, int(plan->requests.size()));
    m_progress->setValue(0);
    m_progress->setVisible(true);
    m_summary->setText(
        QStringLiteral("Sending %L1 requests (%L2 events)…").arg(plan->requests.size()).arg(plan->events));

    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("pimscope-replay"));
    m_host = new QObject;
    m_host->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_host, &QObject::deleteLater);
    m_thread->start();
    // The replayer (and its access managers) are created in the replay thread, where they live.
    QMetaObject::invokeMethod(m_host, [this, host = m_host, target, requests = plan->requests] {
        auto *replayer = new Replayer(target, requests, m_store, host);
        connect(replayer, &Replayer::requestFinished, this, &ReplayDialog::onResult, Qt::QueuedConnection);
        connect(replayer, &Replayer::progress, m_progress, &QProgressBar::setValue, Qt::QueuedConnection);
        connect(replayer, &Replayer::finished, this, &ReplayDialog::onFinished, Qt::QueuedConnection);
        replayer->start();
    });
}

void ReplayDialog::onResult(const ReplayResult &r)
{
    auto *item = new QTreeWidgetItem(m_results);
    item->setText(0, QString::number(r.index + 1));
    item->setText(1, toIsoUtc(r.sentAtMs).mid(11, 12));
    item->setText(2, r.status ? QString::number(*r.status) : QStringLiteral("—"));
    item->setText(3, QString::number(r.latencyMs, 'f', 1));
    item->setText(4, QString::number(r.eventCount));
    item->setText(5,
                  outcomeName(r) + (r.error.isEmpty() ? QString() : QStringLiteral(": ") + r.error)
                      + (r.duplicate ? QStringLiteral(" (duplicate)") : QString())
                      + (r.attempt > 1 ? QStringLiteral(" (attempt %1)").arg(r.attempt) : QString()));
    if (!r.ok()) {
        const QColor bad = r.kind == LogMessage::RequestSent ? QColor(0xB2, 0x6B, 0x00) : QColor(0xC6, 0x28, 0x28);
        for (int c = 0; c < 6; ++c)
            item->setForeground(c, bad);
    }
    if (m_results->topLevelItemCount() > 5000)
        delete m_results->takeTopLevelItem(0); // the capture keeps them all
    m_results->scrollToBottom();
}

void ReplayDialog::onFinished(const ReplaySummary &s)
{
    QString text = describeReplay(s) + QStringLiteral(". The results are in the capture (origin == replay).");
    text[0] = text[0].toUpper();
    m_summary->setText(text);
    stop();
    setRunning(false);
    Q_EMIT replayFinished(s);
}

void ReplayDialog::cancelReplayer(Qt::ConnectionType type)
{
    // Through the host, which the GUI thread knows from the start (the replayer is created in the replay thread).
    if (m_host)
        QMetaObject::invokeMethod(
            m_host,
            [host = m_host] {
                if (auto *replayer = host->findChild<Replayer *>())
                    replayer->cancel();
            },
            type);
}

void ReplayDialog::stop()
{
    ++m_attempt; // a plan or a secret still on its way starts nothing
    if (!m_thread)
        return;
    cancelReplayer(Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    m_host = nullptr;
}

} // namespace pimscope::ui
