#include "filterbar.h"

#include "filter/filter.h"
#include "model/enums.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLineEdit>
#include <QMenu>
#include <QSettings>
#include <QStringListModel>
#include <QToolButton>

namespace pimscope::ui {

namespace {

constexpr int maxHistory = 30;
const QString historyKey = QStringLiteral("filter/history");
const QString savedKey = QStringLiteral("filter/saved");

bool isWordChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_' || c == u':' || c == u'.' || c == u'-' || c == u'"';
}

QStringList baseWords()
{
    QStringList words = Filter::fieldNames();
    for (Flag f : allFlags)
        words << QStringLiteral("flag:") + flagName(f);
    // Values of the enumerated fields.
    words << originNames() << signatureNames() << logMessageNames() << reconNames()
          << QStringList{QStringLiteral("info"), QStringLiteral("notice"), QStringLiteral("warning"),
                         QStringLiteral("error")};
    words.removeDuplicates();
    return words;
}

} // namespace

FilterBar::FilterBar(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    m_edit = new QLineEdit(this);
    m_edit->setClearButtonEnabled(true);
    m_edit->setPlaceholderText(QStringLiteral(
        "Filter: action == \"product.updated\" && author_type == \"api\"   ·   flag:duplicate   ·   TSHIRT"));
    m_menuButton = new QToolButton(this);
    m_menuButton->setText(QStringLiteral("Filters"));
    m_menuButton->setToolTip(QStringLiteral("Recent and saved filters"));
    m_menuButton->setPopupMode(QToolButton::InstantPopup);
    m_menuButton->setMenu(new QMenu(m_menuButton));
    connect(m_menuButton->menu(), &QMenu::aboutToShow, this, &FilterBar::rebuildMenu);
    layout->addWidget(m_edit, 1);
    layout->addWidget(m_menuButton);

    m_known = baseWords();
    m_words = new QStringListModel(m_known, this);
    m_completer = new QCompleter(m_words, this);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setCompletionMode(QCompleter::PopupCompletion);
    m_completer->setWidget(m_edit);
    connect(m_completer, qOverload<const QString &>(&QCompleter::activated), this, &FilterBar::insertCompletion);
    connect(m_edit, &QLineEdit::textEdited, this, &FilterBar::complete);
}

void FilterBar::setKnownValues(const QStringList &actions, const QStringList &authors)
{
    QStringList words = baseWords();
    for (const QStringList &values : {actions, authors}) {
        for (const QString &v : values) {
            if (!v.isEmpty())
                words << u'"' + v + u'"';
        }
    }
    words.removeDuplicates();
    m_known = words;
    m_words->setStringList(m_known);
}

qsizetype FilterBar::wordStart(const QString &text, qsizetype cursor)
{
    qsizetype start = cursor;
    while (start > 0 && isWordChar(text[start - 1]))
        --start;
    return start;
}

QStringList FilterBar::completionsFor(const QString &textBeforeCursor) const
{
    const QString word = textBeforeCursor.mid(wordStart(textBeforeCursor, textBeforeCursor.size()));
    QStringList out;
    if (word.isEmpty())
        return out;
    // A value is typed with or without its opening quote.
    const QString bare = word.startsWith(u'"') ? word.mid(1) : word;
    for (const QString &w : m_known) {
        const QString candidate = w.startsWith(u'"') ? w.mid(1) : w;
        if (candidate.startsWith(bare, Qt::CaseInsensitive) && candidate.compare(bare, Qt::CaseInsensitive) != 0)
            out << w;
    }
    return out;
}

void FilterBar::complete()
{
    const QString before = m_edit->text().left(m_edit->cursorPosition());
    const QString word = before.mid(wordStart(before, before.size()));
    if (word.size() < 1 || completionsFor(before).isEmpty()) {
        m_completer->popup()->hide();
        return;
    }
    // The model holds just this word's candidates, so the popup shows them all.
    m_words->setStringList(completionsFor(before));
    m_completer->setCompletionPrefix(QString());
    m_completer->complete();
}

void FilterBar::insertCompletion(const QString &completion)
{
    const QString text = m_edit->text();
    const qsizetype cursor = m_edit->cursorPosition();
    const qsizetype start = wordStart(text, cursor);
    const QString replaced = text.left(start) + completion + text.mid(cursor);
    m_edit->setText(replaced);
    m_edit->setCursorPosition(int(start + completion.size()));
    m_words->setStringList(m_known);
}

void FilterBar::remember(const QString &filter)
{
    const QString f = filter.trimmed();
    if (f.isEmpty())
        return;
    QStringList h = history();
    h.removeAll(f);
    h.prepend(f);
    while (h.size() > maxHistory)
        h.removeLast();
    QSettings().setValue(historyKey, h);
}

QStringList FilterBar::history() const
{
    return QSettings().value(historyKey).toStringList();
}

void FilterBar::save(const QString &name, const QString &filter)
{
    QSettings settings;
    QVariantMap saved = settings.value(savedKey).toMap();
    saved.insert(name, filter);
    settings.setValue(savedKey, saved);
}

QList<QPair<QString, QString>> FilterBar::saved() const
{
    QList<QPair<QString, QString>> out;
    const QVariantMap saved = QSettings().value(savedKey).toMap();
    for (auto it = saved.cbegin(); it != saved.cend(); ++it)
        out.append({it.key(), it.value().toString()});
    return out;
}

void FilterBar::rebuildMenu()
{
    QMenu *menu = m_menuButton->menu();
    menu->clear();
    QAction *saveAction = menu->addAction(QStringLiteral("Save this filter…"));
    saveAction->setEnabled(!m_edit->text().trimmed().isEmpty());
    connect(saveAction, &QAction::triggered, this, [this] {
        bool ok = false;
        const QString name = QInputDialog::getText(this, QStringLiteral("Save the filter"), QStringLiteral("Name:"),
                                                   QLineEdit::Normal, QString(), &ok);
        if (ok && !name.trimmed().isEmpty())
            save(name.trimmed(), m_edit->text().trimmed());
    });
    const auto saved = this->saved();
    if (!saved.isEmpty()) {
        menu->addSection(QStringLiteral("Saved"));
        for (const auto &[name, filter] : saved) {
            QAction *a = menu->addAction(name);
            a->setToolTip(filter);
            connect(a, &QAction::triggered, this, [this, filter = filter] { Q_EMIT picked(filter); });
        }
    }
    const QStringList recent = history();
    if (!recent.isEmpty()) {
        menu->addSection(QStringLiteral("Recent"));
        for (const QString &filter : recent)
            connect(menu->addAction(filter), &QAction::triggered, this, [this, filter] { Q_EMIT picked(filter); });
    }
}

} // namespace pimscope::ui
