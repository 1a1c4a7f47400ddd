#include "akeneologexport.h"

#include "exporttext.h"

#include "formats/phpjson.h"
#include "util/timeutil.h"

#include <QRegularExpression>
#include <algorithm>

namespace pimscope::akeneolog {

namespace {

void appendNullableString(QByteArray &out, const QString &s)
{
    if (s.isNull())
        out += "null";
    else
        appendPhpJsonString(out, s);
}

/** {"Name":["value", ...], ...} in the order the names first appear. */
void appendHeaderMap(QByteArray &out, const Headers &headers)
{
    QList<QByteArray> names;
    for (const Header &h : headers) {
        if (!std::any_of(names.begin(), names.end(),
                         [&](const QByteArray &n) { return n.compare(h.name, Qt::CaseInsensitive) == 0; }))
            names.append(h.name);
    }
    if (names.isEmpty()) {
        out += "[]"; // PHP's empty array
        return;
    }
    out += '{';
    for (qsizetype i = 0; i < names.size(); ++i) {
        if (i)
            out += ',';
        appendPhpJsonString(out, QString::fromLatin1(names[i]));
        out += ":[";
        bool first = true;
        for (const Header &h : headers) {
            if (h.name.compare(names[i], Qt::CaseInsensitive) != 0)
                continue;
            if (!first)
                out += ',';
            first = false;
            appendPhpJsonString(out, QString::fromUtf8(h.value));
        }
        out += ']';
    }
    out += '}';
}

void appendEvents(QByteArray &out, const QList<EventRecord> &events)
{
    out += '[';
    for (qsizetype i = 0; i < events.size(); ++i) {
        const Event &e = events[i].event;
        if (i)
            out += ',';
        out += "{\"action\":";
        appendNullableString(out, e.action);
        out += ",\"event_id\":";
        appendNullableString(out, e.eventId);
        out += ",\"event_datetime\":";
        appendNullableString(out, e.eventTimeMs ? toAtomUtc(*e.eventTimeMs) : QString());
        out += ",\"author\":";
        appendNullableString(out, e.author);
        out += ",\"author_type\":";
        appendNullableString(out, e.authorType);
        if (e.subjectType == u"product") {
            out += ",\"product_identifier\":";
            appendNullableString(out, e.subjectId);
            if (!e.subjectUuid.isEmpty()) {
                out += ",\"product_uuid\":";
                appendPhpJsonString(out, e.subjectUuid);
            }
        } else if (e.subjectType == u"product_model") {
            out += ",\"product_model_code\":";
            appendNullableString(out, e.subjectId);
        }
        out += '}';
    }
    out += ']';
}

} // namespace

void appendLine(QByteArray &out, const Delivery &d, const QList<EventRecord> &events, const ConnectorAnswer *connector)
{
    if (d.origin == Origin::Log && !d.body.isEmpty()) {
        out += d.body;
        out += '\n';
        return;
    }
    LogMessage kind = LogMessage::RequestSent;
    std::optional<int> status;
    int timeoutMs = 500;
    if (d.origin == Origin::Replay) {
        kind = d.logMessage.value_or(LogMessage::RequestSent);
        status = d.statusCode;
        static const QRegularExpression within(QStringLiteral("within (\\d+) ms"));
        if (const auto m = within.match(d.error); m.hasMatch())
            timeoutMs = m.captured(1).toInt();
    } else {
        status = d.answeredStatus;
        if (d.ackMs && *d.ackMs > timeoutMs)
            kind = LogMessage::Timeout; // the PIM's client gives up at 500 ms, whatever came later
        else if (status && *status >= 400)
            kind = LogMessage::EndpointError;
    }
    out += toLogTimeUtc(d.receivedAtMs);
    out += ' ';
    switch (kind) {
    case LogMessage::EndpointError:
        out += "ERROR The endpoint returned an error. ";
        break;
    case LogMessage::Timeout:
        out += "ERROR The endpoint failed to answer under " + QByteArray::number(timeoutMs) + " ms. ";
        break;
    default:
        out += "INFO The API event request was sent. ";
        break;
    }
    out += "{\"event_subscription_url\":";
    appendPhpJsonString(out, exporttext::requestUrl(d));
    if (kind != LogMessage::Timeout) {
        out += ",\"status_code\":";
        out += status ? QByteArray::number(*status) : QByteArray("null");
        out += ",\"headers\":";
        if (kind == LogMessage::EndpointError)
            appendHeaderMap(
                out, d.headers); // the request's headers (redacted by runExport), as the PIM logs them for an error
        else
            out += "[]"; // the response's headers: not kept
    }
    out += ",\"events\":";
    appendEvents(out, events);
    if (connector) {
        // Pimscope's own key, after the PIM's: the forward to the connector (the importer reads only the PIM's keys).
        const auto c = exporttext::ConnectorFields::of(connector);
        out += ",\"pimscope_connector\":{\"connector_status\":";
        out += c.status ? QByteArray::number(*c.status) : QByteArray("null");
        out += ",\"connector_ms\":";
        out += c.ms ? QByteArray::number(*c.ms, 'f', 3) : QByteArray("null");
        out += ",\"connector_verdict\":";
        appendNullableString(out, c.verdict);
        out += ",\"forward_state\":";
        appendNullableString(out, c.state);
        out += '}';
    }
    out += "}\n";
}

} // namespace pimscope::akeneolog
