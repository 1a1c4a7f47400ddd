#include "headertable.h"

#include <QHeaderView>
#include <QTableWidget>

namespace pimscope::ui {

QTableWidget *newHeaderTable(QWidget *parent, const QString &objectName, bool editable)
{
    auto *table = new QTableWidget(0, 2, parent);
    table->setObjectName(objectName);
    table->setHorizontalHeaderLabels({QStringLiteral("Header"), QStringLiteral("Value")});
    table->horizontalHeader()->setStretchLastSection(true);
    table->verticalHeader()->hide();
    if (!editable)
        table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    return table;
}

void showHeaders(QTableWidget *table, const Headers &headers)
{
    table->setRowCount(int(headers.size()));
    for (int i = 0; i < headers.size(); ++i) {
        auto *value = new QTableWidgetItem(QString::fromUtf8(headers[i].value));
        value->setData(Qt::UserRole, headers[i].value);
        table->setItem(i, 0, new QTableWidgetItem(QString::fromLatin1(headers[i].name)));
        table->setItem(i, 1, value);
    }
}

} // namespace pimscope::ui
