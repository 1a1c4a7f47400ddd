#include "jsonlexport.h"

#include "exporttext.h"

#include "util/jsonwriter.h"
#include "util/timeutil.h"

namespace pimscope::jsonl {

namespace {

using exporttext::optionalName;

void text(JsonWriter &w, const char *key, QByteArrayView bytes)
{
    w.key(key);
    w.value(exporttext::utf8(bytes));
}

void appendConnector(JsonWriter &w, const ConnectorAnswer *connector)
{
    const auto c = exporttext::ConnectorFields::of(connector);
    w.field("connector_status", c.status);
    w.field("connector_ms", c.ms);
    w.field("connector_verdict", c.verdict);
    w.field("forward_state", c.state);
}

} // namespace

void appendEvent(QByteArray &out, const EventRecord &r, const ConnectorAnswer *connector)
{
    const Event &e = r.event;
    JsonWriter w(out);
    w.beginObject();
    w.field("id", e.id);
    w.field("delivery_id", e.deliveryId);
    w.field("seq", e.seq);
    w.field("origin", originName(r.origin));
    w.field("format", formatName(r.format));
    w.field("event_id", e.eventId);
    w.field("action", e.action);
    w.field("event_datetime", e.eventTimeMs ? toIsoUtc(*e.eventTimeMs) : QString());
    w.field("received_at", toIsoUtc(r.receivedAtMs));
    w.field("author", e.author);
    w.field("author_type", e.authorType);
    w.field("pim_source", e.pimSource);
    w.field("subject_type", e.subjectType);
    w.field("subject_id", e.subjectId);
    w.field("subject_uuid", e.subjectUuid);
    w.field("flags", flagNames(e.flags));
    w.field("attempt", e.attempt);
    w.field("retry_of", e.retryOf > 0 ? std::optional<qint64>(e.retryOf) : std::nullopt);
    w.field("signature", signatureName(r.signature));
    w.field("log_level", optionalName(r.logLevel, &logLevelName));
    w.field("log_message", optionalName(r.logMessage, &logMessageName));
    w.field("status_code", r.statusCode);
    w.field("answered_status", r.answeredStatus);
    w.field("ack_ms", r.ackMs);
    appendConnector(w, connector);
    w.key("payload");
    if (r.payload.isEmpty())
        w.null();
    else
        w.rawCompact(r.payload);
    w.endObject();
    out += '\n';
}

void appendDelivery(QByteArray &out, const Delivery &d, const ConnectorAnswer *connector)
{
    JsonWriter w(out);
    w.beginObject();
    w.field("id", d.id);
    w.field("origin", originName(d.origin));
    w.field("received_at", toIsoUtc(d.receivedAtMs));
    if (d.method.isNull())
        w.nullField("method");
    else
        text(w, "method", d.method);
    if (d.path.isNull())
        w.nullField("path");
    else
        text(w, "path", d.path);
    w.field("remote", d.remote);
    w.key("headers");
    w.beginArray();
    for (const Header &h : d.headers) {
        w.beginArray();
        w.value(exporttext::utf8(h.name));
        w.value(exporttext::headerValue(h.value));
        w.endArray();
    }
    w.endArray();
    w.field("body_size", d.bodySize);
    w.field("format", formatName(d.format));
    w.field("signature", signatureName(d.signature));
    w.field("signature_detail", d.signatureDetail);
    w.field("answered_status", d.answeredStatus);
    w.field("ack_ms", d.ackMs);
    w.field("event_count", d.eventCount);
    w.field("error", d.error);
    w.field("warnings", d.warnings);
    w.field("log_level", optionalName(d.logLevel, &logLevelName));
    w.field("log_message", optionalName(d.logMessage, &logMessageName));
    w.field("status_code", d.statusCode);
    w.field("url", d.url);
    w.field("log_file", d.logFile);
    w.field("log_line", d.logLine);
    w.field("flags", flagNames(d.flags));
    appendConnector(w, connector);
    const bool utf8 = isValidUtf8(d.body);
    w.key("body");
    if (utf8)
        w.value(QByteArrayView(d.body));
    else
        w.null();
    w.key("body_base64");
    if (utf8)
        w.null();
    else
        w.value(QByteArrayView(d.body.toBase64()));
    w.endObject();
    out += '\n';
}

} // namespace pimscope::jsonl
