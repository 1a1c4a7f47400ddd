#include "eventtablemodel.h"

#include "util/timeutil.h"

namespace pimscope {

EventTableModel::EventTableModel(CaptureQueries *queries, QObject *parent)
    : QAbstractTableModel(parent), m_queries(queries)
{
}

void EventTableModel::setFilter(const QString &filter)
{
    m_filter = filter;
    refresh();
}

void EventTableModel::refresh()
{
    const quint64 generation = ++m_asked;
    m_queries->match(generation, m_filter, FilterTarget::Events, this,
                     [this](CaptureQueries::Matched m) { onMatched(std::move(m)); });
}

void EventTableModel::onMatched(CaptureQueries::Matched m)
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
    const bool appended = m.ids.size() >= old && std::equal(m_ids.cbegin(), m_ids.cend(), m.ids.cbegin());
    if (appended) {
        // Live arrivals: the rows shown stay where they are; their pages are fetched again (flags change) but shown
        // meanwhile.
        for (Page &p : m_pages)
            p.stale = true;
        m_requested.clear();
        if (m.ids.size() > old) {
            beginInsertRows({}, int(old), int(m.ids.size() - 1));
            m_ids = std::move(m.ids);
            endInsertRows();
        }
        if (old > 0)
            Q_EMIT dataChanged(index(0, 0), index(int(old - 1), ColumnCount - 1));
    } else {
        beginResetModel();
        m_ids = std::move(m.ids);
        m_pages.clear();
        m_requested.clear();
        endResetModel();
    }
    Q_EMIT matched();
}

void EventTableModel::requestPage(int page) const
{
    if (m_requested.contains(page))
        return;
    m_requested.insert(page);
    const QList<qint64> slice = m_ids.mid(qsizetype(page) * pageSize, pageSize);
    auto *self = const_cast<EventTableModel *>(this);
    m_queries->events(slice, self, [self, page, slice, generation = m_answered](Result<QList<EventRecord>> rows) {
        if (self->m_ids.mid(qsizetype(page) * pageSize, pageSize) != slice) {
            // The rows moved meanwhile (a new filter): what the view asks for next is fetched again.
            self->m_requested.remove(page);
            return;
        }
        self->onPage(page, generation, std::move(rows));
    });
}

void EventTableModel::onPage(int page, quint64 generation, Result<QList<EventRecord>> rows)
{
    Q_UNUSED(generation)
    if (!rows) {
        m_error = rows.error();
        Q_EMIT matched();
        return;
    }
    if (m_pages.size() >= maxPages) {
        // Keep the pages nearest to this one.
        int farthest = -1;
        for (auto it = m_pages.cbegin(); it != m_pages.cend(); ++it) {
            if (farthest < 0 || std::abs(it.key() - page) > std::abs(farthest - page))
                farthest = it.key();
        }
        m_pages.remove(farthest);
        m_requested.remove(farthest);
    }
    Page &p = m_pages[page];
    p.rows = std::move(rows.value());
    p.stale = false;
    const int first = page * pageSize;
    const int last = std::min<int>(first + pageSize, int(m_ids.size())) - 1;
    if (last >= first)
        Q_EMIT dataChanged(index(first, 0), index(last, ColumnCount - 1));
}

const EventRecord *EventTableModel::record(int row) const
{
    if (row < 0 || row >= m_ids.size())
        return nullptr;
    const int page = row / pageSize;
    const auto it = m_pages.constFind(page);
    if (it == m_pages.cend() || it->stale || row - page * pageSize >= it->rows.size())
        requestPage(page);
    if (it == m_pages.cend() || row - page * pageSize >= it->rows.size())
        return nullptr;
    const EventRecord &r = it->rows[row - page * pageSize];
    return r.event.id == m_ids[row] ? &r : nullptr;
}

int EventTableModel::rowOf(qint64 id) const
{
    const auto it = std::lower_bound(m_ids.cbegin(), m_ids.cend(), id);
    return it != m_ids.cend() && *it == id ? int(it - m_ids.cbegin()) : -1;
}

QString EventTableModel::flagsText(Flags flags)
{
    return flagNames(flags).join(QStringLiteral(", "));
}

QString EventTableModel::subjectText(const Event &e)
{
    if (!e.subjectId.isEmpty())
        return e.subjectId;
    return e.subjectUuid;
}

int EventTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_ids.size());
}

int EventTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (role == IdRole)
        return m_ids[index.row()];
    if (role != Qt::DisplayRole && role != RawRole && role != Qt::ToolTipRole)
        return {};
    const EventRecord *r = record(index.row());
    if (!r)
        return role == Qt::DisplayRole ? QVariant(QStringLiteral("…")) : QVariant();
    if (role == RawRole)
        return raw(*r, index.column());
    if (role == Qt::ToolTipRole) {
        if (index.column() == Subject && !r->event.subjectUuid.isEmpty())
            return QStringLiteral("%1 %2 (uuid %3)").arg(r->event.subjectType, r->event.subjectId, r->event.subjectUuid);
        return {};
    }
    return display(*r, index.column());
}

QVariant EventTableModel::display(const EventRecord &r, int column) const
{
    const Event &e = r.event;
    switch (Column(column)) {
    case Number: return e.id;
    case Received: return toTableUtc(r.receivedAtMs);
    case EventTime: return e.eventTimeMs ? toTableUtc(*e.eventTimeMs) : QString();
    case Action: return e.action;
    case Subject: return subjectText(e);
    case Author: return e.author;
    case AuthorType: return e.authorType;
    case PimSource: return e.pimSource;
    case Origin: return originName(r.origin);
    case DeliveryColumn: return e.deliveryId;
    case Status: {
        const std::optional<int> status = r.statusCode ? r.statusCode : r.answeredStatus;
        return status ? QVariant(*status) : QVariant(QString());
    }
    case SignatureColumn: return signatureName(r.signature);
    case FlagsColumn: return flagsText(e.flags);
    case ColumnCount: break;
    }
    return {};
}

QVariant EventTableModel::raw(const EventRecord &r, int column) const
{
    const Event &e = r.event;
    switch (Column(column)) {
    case Received: return r.receivedAtMs;
    case EventTime: return e.eventTimeMs ? QVariant(*e.eventTimeMs) : QVariant();
    case Origin: return int(r.origin);
    case SignatureColumn: return int(r.signature);
    case FlagsColumn: return int(e.flags.toInt());
    default: return display(r, column);
    }
}

QVariant EventTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    static const char *const names[ColumnCount] = {"#", "Received (UTC)", "Event time (UTC)", "Action", "Subject", "Author",
                                                   "Author type", "PIM source", "Origin", "Delivery", "Status",
                                                   "Signature", "Flags"};
    return section >= 0 && section < ColumnCount ? QVariant(QString::fromLatin1(names[section])) : QVariant();
}

} // namespace pimscope
