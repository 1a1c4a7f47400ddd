#include "eventtablemodel.h"

#include "util/timeutil.h"

namespace pimscope {

namespace {

QVariant header(const char *const names[], int count, int section, Qt::Orientation orientation, int role)
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= count)
        return {};
    return QString::fromUtf8(names[section]); // the names hold '·' (UTF-8, as this file is)
}

} // namespace

EventTableModel::EventTableModel(CaptureQueries *queries, QObject *parent)
    : PagedRows<EventRecord>(queries, FilterTarget::Events, parent)
{
}

void EventTableModel::fetch(const QList<qint64> &ids, std::function<void(Result<QList<EventRecord>>)> done) const
{
    m_queries->events(ids, const_cast<EventTableModel *>(this), std::move(done));
}

QString EventTableModel::sortKeyOf(int column) const
{
    // Status and signature are the delivery's: not sortable here (the deliveries table sorts by them).
    static const char *const keys[ColumnCount] = {"id",
                                                  "received",
                                                  "time",
                                                  "action",
                                                  "subject",
                                                  "author",
                                                  "author_type",
                                                  "pim_source",
                                                  "origin",
                                                  "delivery",
                                                  "attempt",
                                                  "",
                                                  "",
                                                  "flags",
                                                  "connector_status",
                                                  "connector_ms",
                                                  "connector_verdict"};
    return column >= 0 && column < ColumnCount ? QString::fromLatin1(keys[column]) : QString();
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

QString EventTableModel::attemptText(const Event &e)
{
    if (e.attempt <= 1)
        return {};
    return e.retryOf > 0 ? QStringLiteral("%1 ← #%2").arg(e.attempt).arg(e.retryOf) : QString::number(e.attempt);
}

QString EventTableModel::connectorStatusText(const std::optional<ConnectorSummary> &c)
{
    if (!c)
        return {};
    if (c->status && c->state == ForwardState::Answered)
        return QString::number(*c->status);
    return forwardStateName(c->state);
}

QString EventTableModel::connectorMsText(const std::optional<ConnectorSummary> &c)
{
    return c && c->ms ? QString::number(*c->ms, 'f', 1) : QString();
}

QString EventTableModel::connectorVerdictText(const std::optional<ConnectorSummary> &c)
{
    return c && c->verdict ? connectorVerdictName(*c->verdict) : QString();
}

int EventTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventTableModel::cell(const EventRecord &r, int column, int role) const
{
    if (role == RawRole)
        return raw(r, column);
    if (role == Qt::ToolTipRole) {
        if (column == Subject && !r.event.subjectUuid.isEmpty())
            return QStringLiteral("%1 %2 (uuid %3)").arg(r.event.subjectType, r.event.subjectId, r.event.subjectUuid);
        return {};
    }
    return display(r, column);
}

QVariant EventTableModel::display(const EventRecord &r, int column)
{
    const Event &e = r.event;
    switch (Column(column)) {
    case Number:
        return e.id;
    case Received:
        return toTableUtc(r.receivedAtMs);
    case EventTime:
        return e.eventTimeMs ? toTableUtc(*e.eventTimeMs) : QString();
    case Action:
        return e.action;
    case Subject:
        return subjectText(e);
    case Author:
        return e.author;
    case AuthorType:
        return e.authorType;
    case PimSource:
        return e.pimSource;
    case Origin:
        return originName(r.origin);
    case DeliveryColumn:
        return e.deliveryId;
    case Attempt:
        return attemptText(e);
    case Status: {
        const std::optional<int> status = r.statusCode ? r.statusCode : r.answeredStatus;
        return status ? QVariant(*status) : QVariant(QString());
    }
    case SignatureColumn:
        return signatureName(r.signature);
    case FlagsColumn:
        return flagsText(e.flags);
    case ConnectorStatus:
        return connectorStatusText(r.connector);
    case ConnectorMs:
        return connectorMsText(r.connector);
    case ConnectorVerdictColumn:
        return connectorVerdictText(r.connector);
    case ColumnCount:
        break;
    }
    return {};
}

QVariant EventTableModel::raw(const EventRecord &r, int column)
{
    const Event &e = r.event;
    switch (Column(column)) {
    case Received:
        return r.receivedAtMs;
    case EventTime:
        return e.eventTimeMs ? QVariant(*e.eventTimeMs) : QVariant();
    case Origin:
        return int(r.origin);
    case SignatureColumn:
        return int(r.signature);
    case FlagsColumn:
        return int(e.flags.toInt());
    case Attempt:
        return e.attempt;
    case ConnectorMs:
        return r.connector && r.connector->ms ? QVariant(*r.connector->ms) : QVariant();
    default:
        return display(r, column);
    }
}

QVariant EventTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    static const char *const names[ColumnCount]
        = {"#",           "Received (UTC)", "Event time (UTC)", "Action",       "Subject",          "Author",
           "Author type", "PIM source",     "Origin",           "Delivery",     "Attempt",          "Status",
           "Signature",   "Flags",          "Connector",        "Connector ms", "Connector verdict"};
    return header(names, ColumnCount, section, orientation, role);
}

DeliveryTableModel::DeliveryTableModel(CaptureQueries *queries, QObject *parent)
    : PagedRows<Delivery>(queries, FilterTarget::Deliveries, parent)
{
}

void DeliveryTableModel::fetch(const QList<qint64> &ids, std::function<void(Result<QList<Delivery>>)> done) const
{
    m_queries->deliveries(ids, const_cast<DeliveryTableModel *>(this), std::move(done));
}

QString DeliveryTableModel::sortKeyOf(int column) const
{
    static const char *const keys[ColumnCount] = {
        "id",      "received",  "origin", "method", "path",  "format",           "events",       "status",
        "latency", "signature", "remote", "flags",  "error", "connector_status", "connector_ms", "connector_verdict"};
    return column >= 0 && column < ColumnCount ? QString::fromLatin1(keys[column]) : QString();
}

int DeliveryTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DeliveryTableModel::cell(const Delivery &d, int column, int role) const
{
    if (role == Qt::ToolTipRole) {
        if (column == Problem || column == SignatureColumn)
            return d.error.isEmpty() ? d.signatureDetail : d.error;
        return {};
    }
    if (role == RawRole) {
        switch (Column(column)) {
        case Received:
            return d.receivedAtMs;
        case AckMs:
            return d.ackMs ? QVariant(*d.ackMs) : QVariant();
        case ConnectorMs:
            return d.connector && d.connector->ms ? QVariant(*d.connector->ms) : QVariant();
        case FlagsColumn:
            return int(d.flags.toInt());
        default:
            break;
        }
    }
    return display(d, column);
}

QVariant DeliveryTableModel::display(const Delivery &d, int column)
{
    switch (Column(column)) {
    case Number:
        return d.id;
    case Received:
        return toTableUtc(d.receivedAtMs);
    case Origin:
        return originName(d.origin);
    // A log line has no method, path or peer: its level, message kind and place in its file stand there.
    case Method:
        return d.origin == Origin::Log ? (d.logLevel ? logLevelName(*d.logLevel) : QString())
                                       : QString::fromLatin1(d.method);
    case Path:
        return d.origin == Origin::Log ? (d.logMessage ? logMessageName(*d.logMessage) : QString())
                                       : QString::fromUtf8(d.path);
    case Format:
        return formatName(d.format);
    case Events:
        return d.eventCount;
    case Status: {
        const std::optional<int> status = d.statusCode ? d.statusCode : d.answeredStatus;
        return status ? QVariant(*status) : QVariant(QString());
    }
    case AckMs:
        return d.ackMs ? QVariant(QString::number(*d.ackMs, 'f', 1)) : QVariant(QString());
    case SignatureColumn:
        return signatureName(d.signature);
    case Remote:
        return d.origin == Origin::Log ? QStringLiteral("%1:%2").arg(d.logFile).arg(d.logLine.value_or(0)) : d.remote;
    case FlagsColumn:
        return EventTableModel::flagsText(d.flags);
    case Problem:
        return d.error.isEmpty() && !d.warnings.isEmpty() ? d.warnings.first() : d.error;
    case ConnectorStatus:
        return EventTableModel::connectorStatusText(d.connector);
    case ConnectorMs:
        return EventTableModel::connectorMsText(d.connector);
    case ConnectorVerdictColumn:
        return EventTableModel::connectorVerdictText(d.connector);
    case ColumnCount:
        break;
    }
    return {};
}

QVariant DeliveryTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    static const char *const names[ColumnCount]
        = {"#",       "Received (UTC)", "Origin",       "Method · level",   "Path · message",    "Format",
           "Events",  "Status",         "Answer ms",    "Signature",        "Remote · log line", "Flags",
           "Problem", "Connector",      "Connector ms", "Connector verdict"};
    return header(names, ColumnCount, section, orientation, role);
}

} // namespace pimscope
