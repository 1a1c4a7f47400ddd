#pragma once

#include "colourrule.h"
#include "store/capturequeries.h"

#include <QAbstractTableModel>
#include <QElapsedTimer>
#include <QHash>
#include <QSet>

#include <algorithm>

namespace pimscope {

/**
 * A table of what matches a filter in a capture, one row per id. It never holds more than the matching ids and a
 * few pages of rows: the ids come from a query on CaptureQueries' thread, and the rows are fetched there in pages
 * of pageSize as the view asks for them (a row not fetched yet shows "…"). refresh() runs the filter again (live
 * arrivals): rows appended at the end are inserted, keeping the selection and the scroll position; cached rows
 * stay shown until their refreshed page arrives. See PagedRows for the typed part.
 */
class PagedTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    /**
     * RawRole: the raw value of a cell; IdRole: the row's id; FlagsRole: the row's flags as an int (any column);
     * ColourRole: the "#rrggbb" of the first colouring rule the row matches (none: invalid); LogLevelRole: the level
     * of an imported log line as an int (LogLevel; invalid for anything else).
     */
    enum Role { RawRole = Qt::UserRole, IdRole, FlagsRole, ColourRole, LogLevelRole };
    static constexpr int pageSize = 200;

    PagedTableModel(CaptureQueries *queries, FilterTarget target, QObject *parent = nullptr);

    /**
     * Shows what matches `filter` (the filter language; empty: everything). The query runs at once and, in id
     * order, streams: the rows appear range by range as the capture is scanned (progress()), until it is done or
     * cancel() is called.
     */
    void setFilter(const QString &filter);
    QString filter() const { return m_filter; }
    /**
     * Runs the current filter again for live arrivals: only the rows above the part of the capture already
     * scanned are asked for, except every fullEveryMs (or twenty times what the last full pass took, when more:
     * a slow filter does not keep the query thread busy) the rows already shown are checked again, e.g. for flags
     * that changed. While a query runs, the refresh waits for its end; after cancel(), nothing is refreshed until
     * the filter is set again.
     */
    void refresh();
    /** Runs the current filter again over every row (quietly: the rows shown stay until the answer). */
    void refreshAll();
    /**
     * Fetches the rows on show again when the view next asks for them (what they show changed, not which rows
     * match: a forward's outcome, the colouring rules); the cells already fetched stay on show meanwhile.
     */
    void refreshShownRows();
    static constexpr int fullEveryMs = 5000;

    /** The user's colouring rules, in order (see ColourRule): rows are checked against them as they are fetched. */
    void setColourRules(const QList<ColourRule> &rules);
    const QList<ColourRule> &colourRules() const { return m_colourRules; }

    /** Stops a streaming query: the rows found so far stay, wasCancelled() says they are partial. */
    void cancel();
    bool wasCancelled() const { return m_cancelled; }
    /** The share of the capture a streaming query has scanned (1 when none runs). */
    double progress() const { return isQuerying() || m_cancelled ? m_progress : 1.0; }
    /** Why the last query failed (empty when it did not). */
    QString error() const { return m_error; }
    /** How many rows match, as of the last answered query. */
    qsizetype matchCount() const { return m_ids.size(); }
    /** True while a query is running. */
    bool isQuerying() const { return m_asked > m_answered; }

    qint64 idAt(int row) const { return row >= 0 && row < m_ids.size() ? m_ids[row] : 0; }
    /** The ids of every row, in the table's order. */
    const QList<qint64> &ids() const { return m_ids; }
    /** The row of `id`, or -1. */
    int rowOf(qint64 id) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    /** Sorts by a column the query can order (see sortKey()); other columns leave the order as it is. */
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    /** The sort key of the rows (empty: by id), and whether it is descending. */
    QString sortKey() const { return m_sortKey; }
    bool sortDescending() const { return m_descending; }
    /** The column the rows are sorted by (0, the number, when by id). */
    int sortColumn() const
    {
        for (int c = 0; c < columnCount(); ++c) {
            if (!m_sortKey.isEmpty() && sortKeyOf(c) == m_sortKey)
                return c;
        }
        return 0;
    }

Q_SIGNALS:
    /** A query was answered (error() and matchCount() are up to date). */
    void matched();

protected:
    /** Drop every cached page (the rows moved). */
    virtual void dropPages() = 0;
    /** Keep the cached pages on show but fetch them again when next asked for (live arrivals). */
    virtual void stalePages() = 0;
    /** Rows were appended after `oldCount` rows: the page that held the last of them is to be fetched again. */
    virtual void tailGrew(qsizetype oldCount) = 0;
    /** A page could not be fetched. */
    void pageFailed(const QString &error);
    /** A page of rows (from `firstRow`) arrived: which colouring rules they match is asked for. */
    void pageArrived(int firstRow, const QList<qint64> &ids);
    /** The colour of a row's rule, or invalid. */
    QVariant colourOf(qint64 id) const;
    /** The name in StoreReader::sortExpressions() that orders `column`, or empty when it cannot be sorted. */
    virtual QString sortKeyOf(int column) const = 0;
    /** Rows in id order, ascending: live arrivals append and an id is found by bisection. */
    bool idOrder() const { return (m_sortKey.isEmpty() || m_sortKey == u"id") && !m_descending; }

    CaptureQueries *m_queries;
    QList<qint64> m_ids;

private:
    void onMatched(CaptureQueries::Matched m);
    void ask(bool streamed, qint64 afterId);
    void replaceRows(QList<qint64> ids);
    void appendRows(const QList<qint64> &ids);

    FilterTarget m_target;
    QString m_filter;
    QString m_error;
    quint64 m_asked = 0; ///< generation of the last query asked
    quint64 m_answered = 0; ///< generation of the last query answered
    QElapsedTimer m_sinceFull; ///< since the last query over every row was asked
    qint64 m_fullCostMs = 0; ///< what the last query over every row took
    qint64 m_scannedTo = 0; ///< the rows shown cover the capture up to this id (0: unknown, ask for all)
    double m_progress = 1.0;
    bool m_cancelled = false;
    bool m_refreshPending = false; ///< refresh() was called while a query ran
    QList<ColourRule> m_colourRules;
    QHash<qint64, int> m_ruleOf; ///< row id -> index of its colouring rule, for the rows fetched
    quint64 m_rulesGeneration = 0;
    QString m_sortKey;
    bool m_descending = false;
};

/** The typed half of PagedTableModel: the cache of pages of `Row` and their fetching. */
template<typename Row>
class PagedRows : public PagedTableModel
{
public:
    using PagedTableModel::PagedTableModel;

    /** The row at `row`, when its page is fetched (asking for it fetches it). */
    const Row *rowAt(int row) const
    {
        if (row < 0 || row >= m_ids.size())
            return nullptr;
        const int page = row / pageSize;
        const auto it = m_pages.constFind(page);
        const int offset = row - page * pageSize;
        if (it == m_pages.cend() || it->stale || offset >= it->rows.size())
            requestPage(page);
        if (it == m_pages.cend() || offset >= it->rows.size())
            return nullptr;
        const Row &r = it->rows[offset];
        return idOf(r) == m_ids[row] ? &r : nullptr;
    }

    /**
     * The roles every paged table answers the same way: IdRole, FlagsRole, and the "…" of a row not fetched yet;
     * the rest is cell().
     */
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override
    {
        if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
            return {};
        if (role == IdRole)
            return m_ids[index.row()];
        if (role == ColourRole)
            return colourOf(m_ids[index.row()]);
        if (role != Qt::DisplayRole && role != RawRole && role != Qt::ToolTipRole && role != FlagsRole
            && role != LogLevelRole)
            return {};
        const Row *r = rowAt(index.row());
        if (!r)
            return role == Qt::DisplayRole ? QVariant(QStringLiteral("…")) : QVariant();
        if (role == FlagsRole)
            return int(flagsOf(*r).toInt());
        if (role == LogLevelRole) {
            const std::optional<LogLevel> level = logLevelOf(*r);
            return level ? QVariant(int(*level)) : QVariant();
        }
        return cell(*r, index.column(), role);
    }

protected:
    /** Fetches the rows of `ids` (in that order) on the query thread. */
    virtual void fetch(const QList<qint64> &ids, std::function<void(Result<QList<Row>>)> done) const = 0;
    virtual qint64 idOf(const Row &row) const = 0;
    virtual Flags flagsOf(const Row &row) const = 0;
    virtual std::optional<LogLevel> logLevelOf(const Row &row) const = 0;
    /** A fetched row's cell for Qt::DisplayRole, RawRole (its raw value) or Qt::ToolTipRole. */
    virtual QVariant cell(const Row &row, int column, int role) const = 0;

    void dropPages() override
    {
        m_pages.clear();
        m_requested.clear();
    }
    void stalePages() override
    {
        for (Page &p : m_pages)
            p.stale = true;
        m_requested.clear();
    }
    void tailGrew(qsizetype oldCount) override
    {
        if (oldCount == 0)
            return;
        const int page = int((oldCount - 1) / pageSize);
        m_requested.remove(page);
        if (auto it = m_pages.find(page); it != m_pages.end())
            it->stale = true;
    }

private:
    struct Page
    {
        QList<Row> rows;
        bool stale = false;
    };
    static constexpr int maxPages = 64;

    void requestPage(int page) const
    {
        if (m_requested.contains(page))
            return;
        m_requested.insert(page);
        const QList<qint64> slice = m_ids.mid(qsizetype(page) * pageSize, pageSize);
        auto *self = const_cast<PagedRows *>(this);
        fetch(slice, [self, page, slice](Result<QList<Row>> rows) {
            if (self->m_ids.mid(qsizetype(page) * pageSize, pageSize) != slice) {
                // The rows moved meanwhile (a new filter): what the view asks for next is fetched again.
                self->m_requested.remove(page);
                return;
            }
            self->onPage(page, std::move(rows));
        });
    }

    void onPage(int page, Result<QList<Row>> rows)
    {
        if (!rows) {
            pageFailed(rows.error());
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
        pageArrived(first, m_ids.mid(first, pageSize));
        const int last = std::min<int>(first + pageSize, int(m_ids.size())) - 1;
        if (last >= first)
            Q_EMIT dataChanged(index(first, 0), index(last, columnCount() - 1));
    }

    // Fetching is a side effect of data(), which is const.
    mutable QHash<int, Page> m_pages;
    mutable QSet<int> m_requested;
};

} // namespace pimscope
