#pragma once

#include "store/capturequeries.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QSet>

namespace pimscope {

/**
 * The events of a capture that match a filter, one row per event, for a table view. It never holds more than
 * the ids of the matching events and a few pages of rows: the ids come from a query on CaptureQueries' thread,
 * and the rows are fetched there in pages of pageSize as the view asks for them (a row not fetched yet shows
 * "…"). refresh() runs the filter again (live arrivals): rows appended at the end are inserted, keeping the
 * selection and the scroll position; cached rows stay shown until their refreshed page arrives.
 *
 * Display text per column; Qt::UserRole gives the raw value (numbers and times for sorting, the flags as an int),
 * IdRole the event's row id.
 */
class EventTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        Number,
        Received,
        EventTime,
        Action,
        Subject,
        Author,
        AuthorType,
        PimSource,
        Origin,
        DeliveryColumn,
        Status,
        SignatureColumn,
        FlagsColumn,
        ColumnCount
    };
    enum Role { RawRole = Qt::UserRole, IdRole };
    static constexpr int pageSize = 200;

    explicit EventTableModel(CaptureQueries *queries, QObject *parent = nullptr);

    /** Shows what matches `filter` (the filter language; empty: every event). The query runs at once. */
    void setFilter(const QString &filter);
    QString filter() const { return m_filter; }
    /** Runs the current filter again. */
    void refresh();

    /** Why the last query failed (empty when it did not). */
    QString error() const { return m_error; }
    /** The number of matching events, as of the last answered query. */
    qsizetype matchCount() const { return m_ids.size(); }
    /** True while a query is running. */
    bool isQuerying() const { return m_asked > m_answered; }

    /** The record at `row`, when its page is fetched. */
    const EventRecord *record(int row) const;
    qint64 idAt(int row) const { return row >= 0 && row < m_ids.size() ? m_ids[row] : 0; }
    /** The row of event `id`, or -1. */
    int rowOf(qint64 id) const;

    static QString flagsText(Flags flags);
    static QString subjectText(const Event &e);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    /** A query was answered (error() and matchCount() are up to date). */
    void matched();

private:
    struct Page
    {
        QList<EventRecord> rows;
        bool stale = false;
    };
    void onMatched(CaptureQueries::Matched m);
    void requestPage(int page) const;
    void onPage(int page, quint64 generation, Result<QList<EventRecord>> rows);
    QVariant display(const EventRecord &r, int column) const;
    QVariant raw(const EventRecord &r, int column) const;

    CaptureQueries *m_queries;
    QString m_filter;
    QString m_error;
    QList<qint64> m_ids;
    quint64 m_asked = 0;    ///< generation of the last query asked
    quint64 m_answered = 0; ///< generation of the last query answered
    // Fetching is a side effect of data(), which is const.
    mutable QHash<int, Page> m_pages;
    mutable QSet<int> m_requested;
    static constexpr int maxPages = 64;
};

} // namespace pimscope
