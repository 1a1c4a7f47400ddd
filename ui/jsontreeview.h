#pragma once

#include <QWidget>

class QLineEdit;
class QTreeWidget;
class QTreeWidgetItem;

namespace pimscope::ui {

/**
 * A JSON document as a tree in its own member order (key, value, type): expand and collapse, search keys and
 * values (Enter for the next match), and copy a value or its path (`data.resource.values.name[0].data`) from the
 * context menu or with Ctrl+Shift+C (the path).
 */
class JsonTreeView : public QWidget
{
    Q_OBJECT
public:
    explicit JsonTreeView(QWidget *parent = nullptr);

    /** Shows `json`; text that is not JSON shows as one line saying so. */
    void setJson(const QByteArray &json);
    void clear();

    QTreeWidget *tree() const { return m_tree; }
    QLineEdit *searchEdit() const { return m_search; }
    /** The path of an item, from the root. */
    static QString pathOf(const QTreeWidgetItem *item);
    /** Selects the next item (after the current one) whose key or value contains `text`; false when none does. */
    bool findNext(const QString &text);

private:
    QLineEdit *m_search = nullptr;
    QTreeWidget *m_tree = nullptr;
};

} // namespace pimscope::ui
