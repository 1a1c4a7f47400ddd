#pragma once

#include <QStringList>
#include <QWidget>

class QCompleter;
class QLineEdit;
class QStringListModel;
class QToolButton;

namespace pimscope::ui {

/**
 * The filter line: the text field, completion of the word being typed (field names, flag:<name>, and the actions
 * and authors seen in the capture, quoted), the history of the filters applied and the filters saved by name (a
 * menu beside the field; both remembered in the settings).
 */
class FilterBar : public QWidget
{
    Q_OBJECT
public:
    explicit FilterBar(QWidget *parent = nullptr);

    QLineEdit *edit() const { return m_edit; }
    QToolButton *menuButton() const { return m_menuButton; }

    /** Values offered after `action == ` and `author == ` (and anywhere a word starts like them). */
    void setKnownValues(const QStringList &actions, const QStringList &authors);
    /** Records an applied filter at the top of the history (at most 30, no duplicates). */
    void remember(const QString &filter);
    QStringList history() const;
    /** Saves the current filter under `name` (replacing one of that name). */
    void save(const QString &name, const QString &filter);
    /** The saved filters, by name. */
    QList<QPair<QString, QString>> saved() const;

    /** What the completer offers for the text before the cursor (for tests). */
    QStringList completionsFor(const QString &textBeforeCursor) const;

Q_SIGNALS:
    /** A filter was picked from the history or the saved ones: apply it at once. */
    void picked(const QString &filter);

private:
    void complete();
    void insertCompletion(const QString &completion);
    void rebuildMenu();
    static qsizetype wordStart(const QString &text, qsizetype cursor);

    QLineEdit *m_edit = nullptr;
    QToolButton *m_menuButton = nullptr;
    QCompleter *m_completer = nullptr;
    QStringListModel *m_words = nullptr;
    QStringList m_known; ///< field names, flag:*, quoted values
};

} // namespace pimscope::ui
