#pragma once

#include "pagedtablemodel.h"

namespace pimscope {

/**
 * The events of a capture that match a filter, one row per event (see PagedTableModel for the paging).
 * Display text per column; RawRole gives the raw value (times in ms, the flags as an int), IdRole the row id.
 */
class EventTableModel : public PagedRows<EventRecord>
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
        Attempt, ///< blank for a first attempt; "2 ← #17" for a retry of event 17
        Status,
        SignatureColumn,
        FlagsColumn,
        ConnectorStatus, ///< the connector's status (or how its forward stands: queued, failed, given up)
        ConnectorMs,
        ConnectorVerdictColumn,
        ColumnCount
    };

    explicit EventTableModel(CaptureQueries *queries, QObject *parent = nullptr);

    /** The record at `row`, when its page is fetched. */
    const EventRecord *record(int row) const { return rowAt(row); }

    static QString flagsText(Flags flags);
    static QString subjectText(const Event &e);
    /** A retry's place in its chain, e.g. "2 ← #17"; empty for a first attempt. */
    static QString attemptText(const Event &e);
    /** The connector columns' text: its status or how the forward stands, its time, the sender's verdict. */
    static QString connectorStatusText(const std::optional<ConnectorSummary> &c);
    static QString connectorMsText(const std::optional<ConnectorSummary> &c);
    static QString connectorVerdictText(const std::optional<ConnectorSummary> &c);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

protected:
    void fetch(const QList<qint64> &ids, std::function<void(Result<QList<EventRecord>>)> done) const override;
    qint64 idOf(const EventRecord &row) const override { return row.event.id; }
    Flags flagsOf(const EventRecord &row) const override { return row.event.flags; }
    std::optional<LogLevel> logLevelOf(const EventRecord &row) const override { return row.logLevel; }
    QString sortKeyOf(int column) const override;
    QVariant cell(const EventRecord &row, int column, int role) const override;

private:
    static QVariant display(const EventRecord &r, int column);
    static QVariant raw(const EventRecord &r, int column);
};

/** The deliveries (HTTP requests, log lines, replays) that match a filter, one row each, without their bodies. */
class DeliveryTableModel : public PagedRows<Delivery>
{
    Q_OBJECT
public:
    enum Column {
        Number,
        Received,
        Origin,
        Method,
        Path,
        Format,
        Events,
        Status,
        AckMs,
        SignatureColumn,
        Remote,
        FlagsColumn,
        Problem,
        ConnectorStatus,
        ConnectorMs,
        ConnectorVerdictColumn,
        ColumnCount
    };

    explicit DeliveryTableModel(CaptureQueries *queries, QObject *parent = nullptr);

    /** The delivery at `row` (without its body), when its page is fetched. */
    const Delivery *delivery(int row) const { return rowAt(row); }

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

protected:
    void fetch(const QList<qint64> &ids, std::function<void(Result<QList<Delivery>>)> done) const override;
    qint64 idOf(const Delivery &row) const override { return row.id; }
    Flags flagsOf(const Delivery &row) const override { return row.flags; }
    std::optional<LogLevel> logLevelOf(const Delivery &row) const override { return row.logLevel; }
    QString sortKeyOf(int column) const override;
    QVariant cell(const Delivery &d, int column, int role) const override;

private:
    static QVariant display(const Delivery &d, int column);
};

} // namespace pimscope
