#include "settingsdialog.h"

#include "filter/filter.h"
#include "model/senderprofile.h"

#include <QCheckBox>
#include <QColorDialog>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace pimscope::ui {

namespace {

enum SecretColumn { PrefixColumn, KindColumn, NameColumn, ValueColumn };
enum SecretRowKind { AkeneoRow, PrimaryRow, SecondaryRow, QuableRow };
enum ColourColumn { FilterColumn, ColourColumn };

QWidget *fileField(QLineEdit *edit, const QString &title, QWidget *parent)
{
    auto *box = new QWidget(parent);
    auto *row = new QHBoxLayout(box);
    row->setContentsMargins(0, 0, 0, 0);
    auto *browse = new QPushButton(QStringLiteral("Browse…"), box);
    QObject::connect(browse, &QPushButton::clicked, box, [edit, title, box] {
        const QString file = QFileDialog::getOpenFileName(
            box, title, edit->text(), QStringLiteral("PEM files (*.pem *.crt *.key);;All files (*)"));
        if (!file.isEmpty())
            edit->setText(file);
    });
    row->addWidget(edit, 1);
    row->addWidget(browse);
    return box;
}

void paintColourButton(QPushButton *button, const QString &colour)
{
    button->setProperty("colour", colour);
    button->setText(colour);
    button->setStyleSheet(QStringLiteral("QPushButton { background: %1; }").arg(colour));
}

QString cellText(const QTableWidget *table, int row, int column)
{
    const QTableWidgetItem *item = table->item(row, column);
    return item ? item->text().trimmed() : QString();
}

} // namespace

SettingsDialog::SettingsDialog(const AppSettings &settings, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(QStringLiteral("Pimscope settings"));
    auto *layout = new QVBoxLayout(this);
    auto *tabs = new QTabWidget(this);
    tabs->addTab(receiverPage(settings), QStringLiteral("Receiver"));
    tabs->addTab(secretsPage(settings), QStringLiteral("Signatures"));
    tabs->addTab(forwardingPage(settings), QStringLiteral("Forwarding"));
    tabs->addTab(capturePage(settings), QStringLiteral("Capture"));
    tabs->addTab(appearancePage(settings), QStringLiteral("Appearance"));
    layout->addWidget(tabs);
    m_problems = new QLabel(this);
    m_problems->setWordWrap(true);
    m_problems->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_problems->hide();
    layout->addWidget(m_problems);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
    layout->addWidget(buttons);
    resize(720, 520);
}

QWidget *SettingsDialog::receiverPage(const AppSettings &s)
{
    auto *page = new QWidget(this);
    auto *form = new QFormLayout(page);
    m_listen = new QLineEdit(s.listen, page);
    m_listen->setPlaceholderText(QStringLiteral("127.0.0.1:8787"));
    m_listen->setToolTip(
        QStringLiteral("HOST:PORT. Anything but a loopback address makes the capture reachable from the network."));
    form->addRow(QStringLiteral("Listen on"), m_listen);
    m_cert = new QLineEdit(s.tlsCertificate, page);
    m_cert->setPlaceholderText(QStringLiteral("none: plain HTTP"));
    form->addRow(QStringLiteral("HTTPS certificate (PEM)"),
                 fileField(m_cert, QStringLiteral("HTTPS certificate"), page));
    m_key = new QLineEdit(s.tlsKey, page);
    form->addRow(QStringLiteral("HTTPS private key (PEM)"),
                 fileField(m_key, QStringLiteral("HTTPS private key"), page));
    m_bodyLimit = new QSpinBox(page);
    m_bodyLimit->setRange(1, 4096);
    m_bodyLimit->setSuffix(QStringLiteral(" MiB"));
    m_bodyLimit->setValue(int(std::clamp<qint64>(s.maxBodyBytes / (1024 * 1024), 1, 4096)));
    m_bodyLimit->setToolTip(QStringLiteral(
        "Bodies over this size are answered 413 before they are read (the delivery is still recorded)."));
    form->addRow(QStringLiteral("Body limit"), m_bodyLimit);
    auto *simulation
        = new QLabel(QStringLiteral("<b>Simulate a failing connector</b> (every POST that passes the checks)"), page);
    form->addRow(simulation);
    m_status = new QSpinBox(page);
    m_status->setRange(100, 599);
    m_status->setValue(s.answerStatus);
    form->addRow(QStringLiteral("Answer with status"), m_status);
    m_delay = new QSpinBox(page);
    m_delay->setRange(0, 600000);
    m_delay->setSingleStep(100);
    m_delay->setSuffix(QStringLiteral(" ms"));
    m_delay->setValue(s.answerDelayMs);
    m_delay->setToolTip(QStringLiteral("Each sender has its deadline: 500 ms for the Akeneo Events API, 5 s for the "
                                       "Event Platform and Quable."));
    form->addRow(QStringLiteral("Answer after"), m_delay);
    // What these answers would make each sender do, said while they are chosen (a real subscription can be cut off).
    m_answerRisks = new QLabel(page);
    m_answerRisks->setObjectName(QStringLiteral("answerRisks"));
    m_answerRisks->setWordWrap(true);
    m_answerRisks->setTextFormat(Qt::PlainText);
    m_answerRisks->setStyleSheet(QStringLiteral("color: #c62828;"));
    form->addRow(m_answerRisks);
    // Per sender, answers that never endanger its subscription (while the others get the simulated ones).
    auto *spared = new QWidget(page);
    auto *sparedLayout = new QHBoxLayout(spared);
    sparedLayout->setContentsMargins(0, 0, 0, 0);
    for (const Format f : {Format::Akeneo, Format::AkeneoEventPlatform, Format::Quable}) {
        auto *box = new QCheckBox(QLatin1StringView(senderProfile(f).name), spared);
        box->setObjectName(QStringLiteral("always2xx-") + formatName(f));
        box->setChecked(s.alwaysSucceedFor.contains(formatName(f)));
        box->setToolTip(QStringLiteral("Answer 200 at once to every request of this sender, whatever the status, "
                                       "delay and signature checks above (the verdicts are still recorded), so "
                                       "that capturing never gets its subscription disabled or suspended."));
        sparedLayout->addWidget(box);
        m_alwaysSucceed.insert(f, box);
    }
    sparedLayout->addStretch(1);
    form->addRow(QStringLiteral("Always answer 2xx to"), spared);
    const auto showRisks = [this] {
        const QStringList risks = risksOfAnswering(m_status->value(), m_delay->value(), alwaysSucceedFor());
        m_answerRisks->setText(risks.join(u'\n'));
        m_answerRisks->setVisible(!risks.isEmpty());
    };
    connect(m_status, &QSpinBox::valueChanged, this, showRisks);
    connect(m_delay, &QSpinBox::valueChanged, this, showRisks);
    for (QCheckBox *box : std::as_const(m_alwaysSucceed))
        connect(box, &QCheckBox::toggled, this, showRisks);
    showRisks();
    m_acceptInvalid = new QCheckBox(
        QStringLiteral("Answer normally whatever the signature verdict (still recorded and flagged)"), page);
    m_acceptInvalid->setChecked(s.acceptInvalidSignature);
    form->addRow(QString(), m_acceptInvalid);
    return page;
}

QList<Format> SettingsDialog::alwaysSucceedFor() const
{
    QList<Format> spared;
    for (auto it = m_alwaysSucceed.cbegin(); it != m_alwaysSucceed.cend(); ++it) {
        if (it.value()->isChecked())
            spared << it.key();
    }
    return spared;
}

QWidget *SettingsDialog::secretsPage(const AppSettings &s)
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    auto *help = new QLabel(
        QStringLiteral(
            "Which secret verifies which requests, by path prefix (the longest matching prefix applies). Values are "
            "kept in the system keychain under the name given; type a value to store or replace it, leave it empty to "
            "keep the stored one."),
        page);
    help->setWordWrap(true);
    layout->addWidget(help);
    m_secrets = new QTableWidget(0, 4, page);
    m_secrets->setHorizontalHeaderLabels({QStringLiteral("Path prefix"), QStringLiteral("Checks"),
                                          QStringLiteral("Keychain name"), QStringLiteral("New value")});
    m_secrets->horizontalHeader()->setStretchLastSection(true);
    m_secrets->verticalHeader()->hide();
    m_secrets->setSelectionBehavior(QAbstractItemView::SelectRows);
    layout->addWidget(m_secrets, 1);
    for (const KeychainRule &r : s.secretRules) {
        const QString prefix = QString::fromUtf8(r.prefix);
        switch (r.kind) {
        case SecretKind::Akeneo:
            addSecretRow(prefix, AkeneoRow, r.names.value(0));
            break;
        case SecretKind::EventPlatform:
            for (qsizetype i = 0; i < r.names.size(); ++i)
                addSecretRow(prefix, i == 0 ? PrimaryRow : SecondaryRow, r.names[i]);
            break;
        case SecretKind::Quable:
            addSecretRow(prefix, QuableRow, r.names.value(0));
            break;
        }
    }
    auto *buttons = new QHBoxLayout;
    auto *add = new QPushButton(QStringLiteral("Add"), page);
    connect(add, &QPushButton::clicked, this, [this] {
        addSecretRow(QStringLiteral("/"), AkeneoRow, QStringLiteral("akeneo-%1").arg(m_secrets->rowCount() + 1));
    });
    auto *remove = new QPushButton(QStringLiteral("Remove"), page);
    connect(remove, &QPushButton::clicked, this, [this] {
        if (m_secrets->currentRow() >= 0)
            m_secrets->removeRow(m_secrets->currentRow());
    });
    buttons->addWidget(add);
    buttons->addWidget(remove);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    auto *headers = new QFormLayout;
    m_secretHeaders = new QLineEdit(s.secretHeaders.join(QStringLiteral(", ")), page);
    m_secretHeaders->setPlaceholderText(QStringLiteral("e.g. X-Api-Key, X-Auth-Token"));
    m_secretHeaders->setToolTip(QStringLiteral("Header names (comma-separated) whose values are stored redacted, like "
                                               "Authorization and Proxy-Authorization always are"));
    headers->addRow(QStringLiteral("Also secret headers:"), m_secretHeaders);
    layout->addLayout(headers);
    return page;
}

void SettingsDialog::addSecretRow(const QString &prefix, int kind, const QString &name, const QString &value)
{
    const int row = m_secrets->rowCount();
    m_secrets->insertRow(row);
    m_secrets->setItem(row, PrefixColumn, new QTableWidgetItem(prefix));
    auto *kinds = new QComboBox(m_secrets);
    kinds->addItems({QStringLiteral("Akeneo Events API signature"), QStringLiteral("Event Platform, primary secret"),
                     QStringLiteral("Event Platform, secondary secret"), QStringLiteral("Quable Authorization value")});
    kinds->setCurrentIndex(kind);
    m_secrets->setCellWidget(row, KindColumn, kinds);
    m_secrets->setItem(row, NameColumn, new QTableWidgetItem(name));
    auto *edit = new QLineEdit(value, m_secrets);
    edit->setEchoMode(QLineEdit::Password);
    edit->setPlaceholderText(QStringLiteral("(keep the stored value)"));
    m_secrets->setCellWidget(row, ValueColumn, edit);
}

QWidget *SettingsDialog::capturePage(const AppSettings &s)
{
    auto *page = new QWidget(this);
    auto *form = new QFormLayout(page);
    m_selfAuthor = new QLineEdit(s.selfAuthor, page);
    m_selfAuthor->setPlaceholderText(
        QStringLiteral("e.g. the connection's user name, the app's client_id (several: comma-separated)"));
    m_selfAuthor->setToolTip(QStringLiteral(
        "Events by these authors are flagged self: the echo of your own connector's writes. The Events API names the "
        "connection's user; the Event Platform names an app by its client_id (give each of your apps' ids)."));
    form->addRow(QStringLiteral("Own authors"), m_selfAuthor);
    m_keepDays = new QSpinBox(page);
    m_keepDays->setRange(0, 3650);
    m_keepDays->setSpecialValueText(QStringLiteral("forever"));
    m_keepDays->setSuffix(QStringLiteral(" days"));
    m_keepDays->setValue(s.retention.keepDays);
    form->addRow(QStringLiteral("Keep deliveries for"), m_keepDays);
    m_keepMegabytes = new QSpinBox(page);
    m_keepMegabytes->setRange(0, 1024 * 1024);
    m_keepMegabytes->setSpecialValueText(QStringLiteral("no limit"));
    m_keepMegabytes->setSuffix(QStringLiteral(" MB"));
    m_keepMegabytes->setValue(int(s.retention.keepBytes / (1024 * 1024)));
    form->addRow(QStringLiteral("Keep at most"), m_keepMegabytes);
    auto *note = new QLabel(
        QStringLiteral("Older deliveries are deleted with their events, at once and every ten minutes."), page);
    note->setWordWrap(true);
    form->addRow(note);
    return page;
}

QWidget *SettingsDialog::forwardingPage(const AppSettings &s)
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    auto *help = new QLabel(
        QStringLiteral(
            "<b>Forward to your connector</b>: what arrives under a path prefix is passed on to a URL, the rest of the "
            "path appended and the query kept, one rule per line:<br><tt>PREFIX=URL[,mode=proxy|ack][,insecure]"
            "[,concurrency=N]</tt><br><b>proxy</b> (the default): the PIM gets your connector's answer, judged by the "
            "sender's rules. <b>ack</b>: Pimscope answers the PIM, then forwards in order and keeps what your "
            "connector missed until it is back (24 h at most), so a broken connector never gets the subscription "
            "cut off. <b>insecure</b>: accept any TLS certificate. A comma of the URL is written %2C."),
        page);
    help->setWordWrap(true);
    help->setTextFormat(Qt::RichText);
    layout->addWidget(help);
    m_forwardRules = new QPlainTextEdit(s.forwardRules.join(u'\n'), page);
    m_forwardRules->setObjectName(QStringLiteral("forwardRules"));
    m_forwardRules->setPlaceholderText(QStringLiteral("/akeneo=http://localhost:3000/hooks\n/quable=http://localhost:"
                                                      "3000/quable,mode=ack"));
    layout->addWidget(m_forwardRules, 1);
    return page;
}

QWidget *SettingsDialog::appearancePage(const AppSettings &s)
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    auto *form = new QFormLayout;
    m_theme = new QComboBox(page);
    m_theme->addItems({QStringLiteral("Follow the system"), QStringLiteral("Light"), QStringLiteral("Dark")});
    m_theme->setCurrentIndex(int(s.theme));
    form->addRow(QStringLiteral("Theme"), m_theme);
    layout->addLayout(form);
    auto *help = new QLabel(
        QStringLiteral(
            "<b>Colouring rules</b>: rows matching a filter get its colour; the first rule that matches wins, before "
            "the severity colours."),
        page);
    help->setWordWrap(true);
    layout->addWidget(help);
    m_colours = new QTableWidget(0, 2, page);
    m_colours->setHorizontalHeaderLabels({QStringLiteral("Filter"), QStringLiteral("Colour")});
    m_colours->horizontalHeader()->setSectionResizeMode(FilterColumn, QHeaderView::Stretch);
    m_colours->verticalHeader()->hide();
    m_colours->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_colours->setSelectionMode(QAbstractItemView::SingleSelection);
    layout->addWidget(m_colours, 1);
    for (const ColourRule &r : s.colourRules)
        addColourRow(r.filter, r.colour);
    auto *buttons = new QHBoxLayout;
    auto *add = new QPushButton(QStringLiteral("Add"), page);
    connect(add, &QPushButton::clicked, this,
            [this] { addColourRow(QStringLiteral("author_type == api"), QStringLiteral("#64b5f6")); });
    auto *remove = new QPushButton(QStringLiteral("Remove"), page);
    connect(remove, &QPushButton::clicked, this, [this] {
        if (m_colours->currentRow() >= 0)
            m_colours->removeRow(m_colours->currentRow());
    });
    auto *up = new QPushButton(QStringLiteral("Up"), page);
    connect(up, &QPushButton::clicked, this, [this] { moveRow(m_colours, -1); });
    auto *down = new QPushButton(QStringLiteral("Down"), page);
    connect(down, &QPushButton::clicked, this, [this] { moveRow(m_colours, 1); });
    for (QPushButton *b : {add, remove, up, down})
        buttons->addWidget(b);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    return page;
}

void SettingsDialog::addColourRow(const QString &filter, const QString &colour)
{
    const int row = m_colours->rowCount();
    m_colours->insertRow(row);
    m_colours->setItem(row, FilterColumn, new QTableWidgetItem(filter));
    auto *button = new QPushButton(m_colours);
    paintColourButton(button, colour);
    connect(button, &QPushButton::clicked, this, [this, button] {
        const QColor picked = QColorDialog::getColor(QColor::fromString(button->property("colour").toString()), this);
        if (picked.isValid())
            paintColourButton(button, picked.name());
    });
    m_colours->setCellWidget(row, ColourColumn, button);
}

void SettingsDialog::moveRow(QTableWidget *table, int delta)
{
    const int row = table->currentRow();
    const int to = row + delta;
    if (row < 0 || to < 0 || to >= table->rowCount())
        return;
    // Only the colouring table is reordered: its row is a filter text and a colour button.
    const QString filter = cellText(table, row, FilterColumn);
    const QString colour = table->cellWidget(row, ColourColumn)->property("colour").toString();
    const QString otherFilter = cellText(table, to, FilterColumn);
    const QString otherColour = table->cellWidget(to, ColourColumn)->property("colour").toString();
    table->item(row, FilterColumn)->setText(otherFilter);
    paintColourButton(static_cast<QPushButton *>(table->cellWidget(row, ColourColumn)), otherColour);
    table->item(to, FilterColumn)->setText(filter);
    paintColourButton(static_cast<QPushButton *>(table->cellWidget(to, ColourColumn)), colour);
    table->setCurrentCell(to, FilterColumn);
}

AppSettings SettingsDialog::settings() const
{
    AppSettings s;
    s.listen = m_listen->text().trimmed();
    s.tlsCertificate = m_cert->text().trimmed();
    s.tlsKey = m_key->text().trimmed();
    s.maxBodyBytes = qint64(m_bodyLimit->value()) * 1024 * 1024;
    s.answerStatus = m_status->value();
    s.answerDelayMs = m_delay->value();
    s.acceptInvalidSignature = m_acceptInvalid->isChecked();
    s.alwaysSucceedFor.clear();
    for (const Format f : alwaysSucceedFor())
        s.alwaysSucceedFor << formatName(f);
    for (const QString &name : m_secretHeaders->text().split(u',')) {
        if (!name.trimmed().isEmpty())
            s.secretHeaders.append(name.trimmed());
    }
    for (int row = 0; row < m_secrets->rowCount(); ++row) {
        const QByteArray prefix = cellText(m_secrets, row, PrefixColumn).toUtf8();
        const QString name = cellText(m_secrets, row, NameColumn);
        const int kind = static_cast<QComboBox *>(m_secrets->cellWidget(row, KindColumn))->currentIndex();
        const SecretKind k = kind == AkeneoRow ? SecretKind::Akeneo
            : kind == QuableRow                ? SecretKind::Quable
                                               : SecretKind::EventPlatform;
        // The Event Platform's two secrets of one prefix make one rule, the primary first.
        auto it = std::find_if(s.secretRules.begin(), s.secretRules.end(), [&](const KeychainRule &r) {
            return k == SecretKind::EventPlatform && r.kind == k && r.prefix == prefix;
        });
        if (it == s.secretRules.end()) {
            s.secretRules.append(KeychainRule{prefix, k, {name}});
        } else if (kind == PrimaryRow) {
            it->names.prepend(name);
        } else {
            it->names.append(name);
        }
    }
    for (const QString &line : m_forwardRules->toPlainText().split(u'\n')) {
        if (!line.trimmed().isEmpty())
            s.forwardRules.append(line.trimmed());
    }
    s.selfAuthor = m_selfAuthor->text().trimmed();
    s.retention.keepDays = m_keepDays->value();
    s.retention.keepBytes = qint64(m_keepMegabytes->value()) * 1024 * 1024;
    s.theme = Theme(m_theme->currentIndex());
    for (int row = 0; row < m_colours->rowCount(); ++row)
        s.colourRules.append({cellText(m_colours, row, FilterColumn),
                              m_colours->cellWidget(row, ColourColumn)->property("colour").toString()});
    return s;
}

QHash<QString, QByteArray> SettingsDialog::newSecrets() const
{
    QHash<QString, QByteArray> values;
    for (int row = 0; row < m_secrets->rowCount(); ++row) {
        const QString value = static_cast<QLineEdit *>(m_secrets->cellWidget(row, ValueColumn))->text();
        if (!value.isEmpty())
            values.insert(cellText(m_secrets, row, NameColumn), value.toUtf8());
    }
    return values;
}

void SettingsDialog::accept()
{
    QStringList problems = settings().problems();
    for (int row = 0; row < m_secrets->rowCount(); ++row) {
        if (cellText(m_secrets, row, NameColumn).isEmpty())
            problems << QStringLiteral("Secret %1 has no keychain name.").arg(row + 1);
        if (!cellText(m_secrets, row, PrefixColumn).startsWith(u'/'))
            problems << QStringLiteral("Secret %1: the path prefix must start with '/'.").arg(row + 1);
    }
    if (!problems.isEmpty()) {
        m_problems->setText(problems.join(u'\n'));
        m_problems->show();
        return;
    }
    m_problems->hide();
    QDialog::accept();
}

} // namespace pimscope::ui
