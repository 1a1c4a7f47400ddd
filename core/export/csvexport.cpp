#include "csvexport.h"

#include "exporttext.h"

#include "util/timeutil.h"

namespace pimscope::csv {

namespace {

using exporttext::optionalName;
using exporttext::utf8;

/** Fields of one row, separated as they are added. */
class Row
{
public:
    explicit Row(QByteArray &out)
        : m_out(out)
    {
    }
    ~Row() { m_out += "\r\n"; }
    Row &operator<<(QByteArrayView utf8)
    {
        if (!m_first)
            m_out += ',';
        m_first = false;
        appendField(m_out, utf8);
        return *this;
    }
    Row &operator<<(const QString &s) { return *this << QByteArrayView(s.toUtf8()); }
    Row &operator<<(const QByteArray &s) { return *this << QByteArrayView(s); }
    Row &operator<<(const char *s) { return *this << QByteArrayView(s); }
    Row &operator<<(qint64 n) { return *this << QByteArray::number(n); }
    Row &operator<<(int n) { return *this << QByteArray::number(n); }
    template<typename T>
    Row &operator<<(const std::optional<T> &v)
    {
        if (v)
            return *this << number(*v);
        return *this << QByteArrayView();
    }

private:
    static QByteArray number(int n) { return QByteArray::number(n); }
    static QByteArray number(qint64 n) { return QByteArray::number(n); }
    static QByteArray number(double d) { return QByteArray::number(d, 'g', 12); }
    QByteArray &m_out;
    bool m_first = true;
};

} // namespace

void appendField(QByteArray &out, QByteArrayView utf8)
{
    const bool quote = utf8.contains(',') || utf8.contains('"') || utf8.contains('\r') || utf8.contains('\n');
    if (!quote) {
        out += utf8;
        return;
    }
    out += '"';
    for (const char c : utf8) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
}

void appendEventHeader(QByteArray &out)
{
    out += "id,delivery_id,seq,origin,format,event_id,action,event_datetime,received_at,author,author_type,pim_source,"
           "subject_type,subject_id,subject_uuid,flags,attempt,retry_of,signature,log_level,log_message,status_code,"
           "answered_status,ack_ms,connector_status,connector_ms,connector_verdict,forward_state,payload\r\n";
}

void appendEvent(QByteArray &out, const EventRecord &r, const ConnectorAnswer *connector)
{
    const Event &e = r.event;
    const auto c = exporttext::ConnectorFields::of(connector);
    Row row(out);
    row << e.id << e.deliveryId << e.seq << originName(r.origin) << formatName(r.format) << e.eventId << e.action
        << (e.eventTimeMs ? toIsoUtc(*e.eventTimeMs) : QString()) << toIsoUtc(r.receivedAtMs) << e.author
        << e.authorType << e.pimSource << e.subjectType << e.subjectId << e.subjectUuid
        << flagNames(e.flags).join(QStringLiteral("; ")) << e.attempt
        << (e.retryOf > 0 ? std::optional<qint64>(e.retryOf) : std::nullopt) << signatureName(r.signature)
        << optionalName(r.logLevel, &logLevelName) << optionalName(r.logMessage, &logMessageName) << r.statusCode
        << r.answeredStatus << r.ackMs << c.status << c.ms << c.verdict << c.state << utf8(r.payload);
}

void appendDeliveryHeader(QByteArray &out)
{
    out += "id,origin,received_at,method,path,remote,format,signature,signature_detail,answered_status,ack_ms,"
           "event_count,error,warnings,log_level,log_message,status_code,url,log_file,log_line,flags,connector_status,"
           "connector_ms,connector_verdict,forward_state,headers,body_size,body,body_base64\r\n";
}

void appendDelivery(QByteArray &out, const Delivery &d, const ConnectorAnswer *connector)
{
    const auto c = exporttext::ConnectorFields::of(connector);
    QByteArray headers;
    for (const Header &h : d.headers) {
        if (!headers.isEmpty())
            headers += '\n';
        headers += utf8(h.name) + ": " + exporttext::headerValue(h.value);
    }
    const bool bodyIsUtf8 = isValidUtf8(d.body);
    Row row(out);
    row << d.id << originName(d.origin) << toIsoUtc(d.receivedAtMs) << utf8(d.method) << utf8(d.path) << d.remote
        << formatName(d.format) << signatureName(d.signature) << d.signatureDetail << d.answeredStatus << d.ackMs
        << d.eventCount << d.error << d.warnings.join(QStringLiteral("; ")) << optionalName(d.logLevel, &logLevelName)
        << optionalName(d.logMessage, &logMessageName) << d.statusCode << d.url << d.logFile << d.logLine
        << flagNames(d.flags).join(QStringLiteral("; ")) << c.status << c.ms << c.verdict << c.state << headers
        << d.bodySize << (bodyIsUtf8 ? d.body : QByteArray()) << (bodyIsUtf8 ? QByteArray() : d.body.toBase64());
}

} // namespace pimscope::csv
