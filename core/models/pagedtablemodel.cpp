#include "pagedtablemodel.h"

namespace pimscope {

PagedTableModel::PagedTableModel(CaptureQueries *queries, FilterTarget target, QObject *parent)
    : QAbstractTableModel(parent)
    , m_queries(queries)
    , m_target(target)
{
}

void PagedTableModel::setFilter(const QString &filter)
{
    m_filter = filter;
    m_cancelled = false;
    ask(true, 0);
}

void PagedTableModel::sort(int column, Qt::SortOrder order)
{
    const QString key = sortKeyOf(column);
    if (key.isEmpty())
        return;
    const bool descending = order == Qt::DescendingOrder;
    if (key == m_sortKey && descending == m_descending)
        return;
    m_sortKey = key;
    m_descending = descending;
    m_cancelled = false;
    ask(true, 0);
}

void PagedTableModel::refresh()
{
    if (m_cancelled)
        return;
    if (isQuerying()) {
        m_refreshPending = true;
        return;
    }
    const qint64 fullEvery = std::max<qint64>(fullEveryMs, 20 * m_fullCostMs);
    if (m_scannedTo <= 0 || !m_sinceFull.isValid() || m_sinceFull.elapsed() > fullEvery || !m_error.isEmpty()
        || !idOrder()) {
        refreshAll();
        return;
    }
    ask(false, m_scannedTo);
}

void PagedTableModel::refreshAll()
{
    m_cancelled = false;
    ask(false, 0);
}

void PagedTableModel::ask(bool streamed, qint64 afterId)
{
    const quint64 generation = ++m_asked;
    m_refreshPending = false;
    m_progress = afterId > 0 ? 1.0 : 0.0;
    if (afterId == 0)
        m_sinceFull.start();
    const auto answered = [this](CaptureQueries::Matched m) { onMatched(std::move(m)); };
    if (idOrder())
        m_queries->match(generation, m_filter, m_target, this, answered, afterId, streamed);
    else
        m_queries->matchSorted(generation, m_filter, m_target, m_sortKey, m_descending, this, answered);
}

void PagedTableModel::cancel()
{
    if (!isQuerying())
        return;
    m_queries->cancel(this);
    m_answered = m_asked; // what is still on its way is dropped
    m_cancelled = true;
    m_refreshPending = false;
    Q_EMIT matched();
}

void PagedTableModel::replaceRows(QList<qint64> ids)
{
    beginResetModel();
    m_ids = std::move(ids);
    dropPages();
    endResetModel();
}

void PagedTableModel::appendRows(const QList<qint64> &ids)
{
    if (ids.isEmpty())
        return;
    const qsizetype old = m_ids.size();
    tailGrew(old);
    beginInsertRows({}, int(old), int(old + ids.size() - 1));
    m_ids += ids;
    endInsertRows();
}

void PagedTableModel::onMatched(CaptureQueries::Matched m)
{
    if (m.generation <= m_answered)
        return; // superseded, or cancelled
    if (!m.partial)
        m_answered = m.generation;
    m_error = m.error;
    m_progress = m.progress;
    if (!m.error.isEmpty()) {
        m_answered = m.generation;
        Q_EMIT matched();
        return; // the rows of the last good query stay
    }
    const qsizetype old = m_ids.size();
    if (!m.partial && m.afterId == 0)
        m_fullCostMs = m_sinceFull.isValid() ? m_sinceFull.elapsed() : 0; // a pass over every row ended
    if (m.partial || m.continued) {
        // A streaming scan: its first range replaces the rows, the next ones append theirs.
        if (m.continued)
            appendRows(m.ids);
        else
            replaceRows(std::move(m.ids));
        m_scannedTo = m.scannedTo;
    } else if (m.afterId > 0) {
        // Only what came after the part already scanned: append it (unless the rows changed meanwhile).
        if (m.afterId == m_scannedTo) {
            appendRows(m.ids);
            m_scannedTo = m.scannedTo;
        }
    } else {
        m_scannedTo = m.scannedTo;
        // Live arrivals in a sorted table land anywhere: the rows are laid out again (the view keeps the
        // selection's id through rowOf()).
        const bool appended = m.ids.size() >= old && std::equal(m_ids.cbegin(), m_ids.cend(), m.ids.cbegin());
        if (appended) {
            // Live arrivals: the rows shown stay where they are; their pages are fetched again (flags change) but
            // shown meanwhile.
            stalePages();
            if (m.ids.size() > old) {
                beginInsertRows({}, int(old), int(m.ids.size() - 1));
                m_ids = std::move(m.ids);
                endInsertRows();
            }
            if (old > 0)
                Q_EMIT dataChanged(index(0, 0), index(int(old - 1), columnCount() - 1));
        } else {
            replaceRows(std::move(m.ids));
        }
    }
    Q_EMIT matched();
    if (!isQuerying() && m_refreshPending)
        refresh();
}

void PagedTableModel::setColourRules(const QList<ColourRule> &rules)
{
    if (rules == m_colourRules)
        return;
    m_colourRules = rules;
    m_ruleOf.clear();
    ++m_rulesGeneration;
    // The rows on show are fetched again, and checked against the new rules with them.
    refreshShownRows();
}

void PagedTableModel::refreshShownRows()
{
    stalePages();
    if (!m_ids.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(int(m_ids.size() - 1), columnCount() - 1));
}

void PagedTableModel::pageArrived(int firstRow, const QList<qint64> &ids)
{
    if (m_colourRules.isEmpty() || ids.isEmpty())
        return;
    if (m_ruleOf.size() > qsizetype{64} * pageSize)
        m_ruleOf.clear(); // no more than the pages kept
    QStringList filters;
    for (const ColourRule &r : std::as_const(m_colourRules))
        filters.append(r.filter);
    const quint64 generation = m_rulesGeneration;
    m_queries->firstMatching(
        filters, m_target, ids, this, [this, generation, firstRow, ids](Result<QHash<qint64, int>> first) {
            if (!first || generation != m_rulesGeneration)
                return;
            for (qint64 id : ids)
                m_ruleOf.insert(id, first->value(id, -1));
            if (m_ids.mid(firstRow, ids.size()) == ids)
                Q_EMIT dataChanged(index(firstRow, 0), index(firstRow + int(ids.size()) - 1, columnCount() - 1),
                                   {ColourRole});
        });
}

QVariant PagedTableModel::colourOf(qint64 id) const
{
    const int rule = m_ruleOf.value(id, -1);
    if (rule < 0 || rule >= m_colourRules.size())
        return {};
    return m_colourRules[rule].colour;
}

void PagedTableModel::pageFailed(const QString &error)
{
    m_error = error;
    Q_EMIT matched();
}

int PagedTableModel::rowOf(qint64 id) const
{
    if (!idOrder())
        return int(m_ids.indexOf(id));
    const auto it = std::lower_bound(m_ids.cbegin(), m_ids.cend(), id);
    return it != m_ids.cend() && *it == id ? int(it - m_ids.cbegin()) : -1;
}

int PagedTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_ids.size());
}

} // namespace pimscope
