#pragma once

#include <QPointer>
#include <QWidget>

class QLabel;
class QLineEdit;
class QProgressBar;
class QTimer;

namespace pimscope {
class PagedTableModel;
}

namespace pimscope::ui {

class FilterBar;

/**
 * The filter area above the table: the filter line (FilterBar), what is wrong with the filter typed (its position
 * and why, the field outlined in red), and for a filter that reads every payload (contains-anywhere, regex) how far
 * the search got with a Stop button (Esc), shown only for a search that takes a while. A filter is applied 250 ms
 * after the typing stops, or at once with Enter; Ctrl+F goes to the field, Ctrl+L clears it.
 */
class SearchArea : public QWidget
{
    Q_OBJECT
public:
    explicit SearchArea(QWidget *parent = nullptr);

    FilterBar *bar() const { return m_bar; }
    QLineEdit *edit() const { return m_edit; }
    QString text() const;
    /** Sets the filter and applies it at once. */
    void setFilter(const QString &filter);
    /** Applies the text typed: applied() when it is a valid filter, else the error shown. */
    void apply();
    /** The model whose search is shown (and stopped): the table's (null: no capture). */
    void setModel(PagedTableModel *model);
    /** Shows the search's progress as the model reports it. */
    void showProgress();

Q_SIGNALS:
    /** A valid filter to apply (remembered in the history already). */
    void applied(const QString &filter);

private:
    FilterBar *m_bar;
    QLineEdit *m_edit;
    QLabel *m_error;
    QWidget *m_progressBox;
    QProgressBar *m_progress;
    QTimer *m_debounce;
    QTimer *m_progressDelay; ///< the progress shows only for a search that takes a while
    bool m_progressArmed = false;
    QPointer<PagedTableModel> m_model;
};

} // namespace pimscope::ui
