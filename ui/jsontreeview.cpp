#include "jsontreeview.h"

#include "analysis/jsondiff.h"
#include "util/jsontree.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace pimscope::ui {

namespace {

constexpr int pathRole = Qt::UserRole;
constexpr int valueRole = Qt::UserRole + 1;

QString kindName(JsonNode::Kind k)
{
    switch (k) {
    case JsonNode::Object:
        return QStringLiteral("object");
    case JsonNode::Array:
        return QStringLiteral("array");
    case JsonNode::String:
        return QStringLiteral("string");
    case JsonNode::Number:
        return QStringLiteral("number");
    case JsonNode::Bool:
        return QStringLiteral("boolean");
    case JsonNode::Null:
        return QStringLiteral("null");
    }
    return {};
}

void addChildren(QTreeWidgetItem *parent, const JsonNode &node, const QString &path)
{
    for (const JsonNode &child : node.children) {
        auto *item = new QTreeWidgetItem(parent);
        const QString childPath = jsonChildPath(path, child.key, node.kind == JsonNode::Array);
        item->setText(0, node.kind == JsonNode::Array ? u'[' + child.key + u']' : child.key);
        if (child.kind == JsonNode::Object || child.kind == JsonNode::Array) {
            item->setText(
                1,
                QStringLiteral("%1 %2")
                    .arg(child.children.size())
                    .arg(child.kind == JsonNode::Object ? QStringLiteral("members") : QStringLiteral("elements")));
            item->setForeground(1, QApplication::palette().color(QPalette::Disabled, QPalette::Text));
        } else {
            item->setText(1, child.kind == JsonNode::String ? u'"' + child.value + u'"' : child.value);
            item->setData(1, valueRole, child.value);
        }
        item->setText(2, kindName(child.kind));
        item->setData(0, pathRole, childPath);
        addChildren(item, child, childPath);
    }
}

} // namespace

JsonTreeView::JsonTreeView(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    auto *bar = new QHBoxLayout;
    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(QStringLiteral("Search keys and values (Enter: next)"));
    m_search->setClearButtonEnabled(true);
    auto *expand = new QToolButton(this);
    expand->setText(QStringLiteral("Expand all"));
    auto *collapse = new QToolButton(this);
    collapse->setText(QStringLiteral("Collapse"));
    bar->addWidget(m_search, 1);
    bar->addWidget(expand);
    bar->addWidget(collapse);
    layout->addLayout(bar);
    m_tree = new QTreeWidget(this);
    m_tree->setHeaderLabels({QStringLiteral("Key"), QStringLiteral("Value"), QStringLiteral("Type")});
    m_tree->setUniformRowHeights(true);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_tree->setColumnWidth(0, 260);
    layout->addWidget(m_tree, 1);
    connect(expand, &QToolButton::clicked, m_tree, &QTreeWidget::expandAll);
    connect(collapse, &QToolButton::clicked, m_tree, [this] {
        m_tree->collapseAll();
        for (int i = 0; i < m_tree->topLevelItemCount(); ++i)
            m_tree->topLevelItem(i)->setExpanded(false);
    });
    connect(m_search, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_tree->setCurrentItem(nullptr);
        if (!text.isEmpty())
            findNext(text);
    });
    connect(m_search, &QLineEdit::returnPressed, this, [this] { findNext(m_search->text()); });

    m_tree->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto *copyValue = new QAction(QStringLiteral("Copy value"), m_tree);
    connect(copyValue, &QAction::triggered, this, [this] {
        if (QTreeWidgetItem *item = m_tree->currentItem()) {
            const QVariant raw = item->data(1, valueRole);
            QGuiApplication::clipboard()->setText(raw.isValid() ? raw.toString() : item->text(1));
        }
    });
    auto *copyPath = new QAction(QStringLiteral("Copy path"), m_tree);
    copyPath->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    copyPath->setShortcutContext(Qt::WidgetShortcut);
    connect(copyPath, &QAction::triggered, this, [this] {
        if (QTreeWidgetItem *item = m_tree->currentItem())
            QGuiApplication::clipboard()->setText(pathOf(item));
    });
    m_tree->addActions({copyValue, copyPath});
}

void JsonTreeView::clear()
{
    m_tree->clear();
}

void JsonTreeView::setJson(const QByteArray &json)
{
    m_tree->clear();
    const auto root = parseJsonTree(json);
    if (!root) {
        auto *item = new QTreeWidgetItem(m_tree);
        item->setText(0, QStringLiteral("(not JSON: see Raw)"));
        return;
    }
    auto *top = new QTreeWidgetItem(m_tree);
    top->setText(0, QStringLiteral("(event)"));
    top->setText(2, kindName(root->kind));
    addChildren(top, *root, QString());
    m_tree->expandToDepth(1);
    if (!m_search->text().isEmpty())
        findNext(m_search->text());
}

QString JsonTreeView::pathOf(const QTreeWidgetItem *item)
{
    return item ? item->data(0, pathRole).toString() : QString();
}

bool JsonTreeView::findNext(const QString &text)
{
    if (text.isEmpty())
        return false;
    QList<QTreeWidgetItem *> items;
    for (QTreeWidgetItemIterator it(m_tree); *it; ++it)
        items.append(*it);
    const qsizetype from = items.indexOf(m_tree->currentItem()) + 1;
    for (qsizetype i = 0; i < items.size(); ++i) {
        QTreeWidgetItem *item = items[(from + i) % items.size()];
        if (item->text(0).contains(text, Qt::CaseInsensitive) || item->text(1).contains(text, Qt::CaseInsensitive)) {
            for (QTreeWidgetItem *p = item->parent(); p; p = p->parent())
                p->setExpanded(true);
            m_tree->setCurrentItem(item);
            m_tree->scrollToItem(item);
            return true;
        }
    }
    return false;
}

} // namespace pimscope::ui
