#include "pagedtablemodel.h"

namespace pimscope {

PagedTableModel::PagedTableModel(CaptureQueries *queries, FilterTarget target, QObject *parent)
    : QAbstractTableModel(parent), m_queries(queries), m_target(target)
{
}

void PagedTableModel::setFilter(const QString &filter)
{
    m_filter = filter;
    refreshAll();
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
    refreshAll();
}

void PagedTableModel::refresh()
{
    if (m_ids.isEmpty() || !m_sinceFull.isValid() || m_sinceFull.elapsed() > fullEveryMs || !m_error.isEmpty()
        || !idOrder()) {
        refreshAll();
        return;
    }
    const quint64 generation = ++m_asked;
    m_queries->match(generation, m_filter, m_target, this, [this](CaptureQueries::Matched m) { onMatched(std::move(m)); },
                     m_ids.last());
}

void PagedTableModel::refreshAll()
{
    const quint64 generation = ++m_asked;
    m_sinceFull.start();
    const auto answered = [this](CaptureQueries::Matched m) { onMatched(std::move(m)); };
    if (idOrder())
        m_queries->match(generation, m_filter, m_target, this, answered);
    else
        m_queries->matchSorted(generation, m_filter, m_target, m_sortKey, m_descending, this, answered);
}

void PagedTableModel::onMatched(CaptureQueries::Matched m)
{
    if (m.generation < m_answered)
        return;
    m_answered = m.generation;
    m_error = m.error;
    if (!m.error.isEmpty()) {
        Q_EMIT matched();
        return; // the rows of the last good query stay
    }
    const qsizetype old = m_ids.size();
    if (m.afterId > 0) {
        // Only what came after the last row asked about: append it (unless the rows changed meanwhile).
        if (!m_ids.isEmpty() && m_ids.last() == m.afterId && !m.ids.isEmpty()) {
            tailGrew(old);
            beginInsertRows({}, int(old), int(old + m.ids.size() - 1));
            m_ids += m.ids;
            endInsertRows();
        }
        Q_EMIT matched();
        return;
    }
    // Live arrivals in a sorted table land anywhere: the rows are laid out again (the view keeps the selection's
    // id through rowOf()).
    const bool appended = m.ids.size() >= old && std::equal(m_ids.cbegin(), m_ids.cend(), m.ids.cbegin());
    if (appended) {
        // Live arrivals: the rows shown stay where they are; their pages are fetched again (flags change) but shown
        // meanwhile.
        stalePages();
        if (m.ids.size() > old) {
            beginInsertRows({}, int(old), int(m.ids.size() - 1));
            m_ids = std::move(m.ids);
            endInsertRows();
        }
        if (old > 0)
            Q_EMIT dataChanged(index(0, 0), index(int(old - 1), columnCount() - 1));
    } else {
        beginResetModel();
        m_ids = std::move(m.ids);
        dropPages();
        endResetModel();
    }
    Q_EMIT matched();
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
