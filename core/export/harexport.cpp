#include "harexport.h"

#include "exporttext.h"

#include "util/jsonwriter.h"
#include "util/timeutil.h"

#include <QUrl>
#include <QUrlQuery>

namespace pimscope::har {

namespace {

using exporttext::optionalName;
using exporttext::utf8;

QString statusText(int status)
{
    switch (status) {
    case 200:
        return QStringLiteral("OK");
    case 201:
        return QStringLiteral("Created");
    case 202:
        return QStringLiteral("Accepted");
    case 204:
        return QStringLiteral("No Content");
    case 301:
        return QStringLiteral("Moved Permanently");
    case 302:
        return QStringLiteral("Found");
    case 307:
        return QStringLiteral("Temporary Redirect");
    case 308:
        return QStringLiteral("Permanent Redirect");
    case 400:
        return QStringLiteral("Bad Request");
    case 401:
        return QStringLiteral("Unauthorized");
    case 403:
        return QStringLiteral("Forbidden");
    case 404:
        return QStringLiteral("Not Found");
    case 405:
        return QStringLiteral("Method Not Allowed");
    case 408:
        return QStringLiteral("Request Timeout");
    case 411:
        return QStringLiteral("Length Required");
    case 413:
        return QStringLiteral("Content Too Large");
    case 415:
        return QStringLiteral("Unsupported Media Type");
    case 429:
        return QStringLiteral("Too Many Requests");
    case 500:
        return QStringLiteral("Internal Server Error");
    case 502:
        return QStringLiteral("Bad Gateway");
    case 503:
        return QStringLiteral("Service Unavailable");
    case 504:
        return QStringLiteral("Gateway Timeout");
    default:
        return {};
    }
}

void nameValues(JsonWriter &w, const Headers &headers)
{
    w.beginArray();
    for (const Header &h : headers) {
        w.beginObject();
        w.field("name", utf8(h.name));
        w.field("value", exporttext::headerValue(h.value));
        w.endObject();
    }
    w.endArray();
}

} // namespace

bool isRequest(const Delivery &d)
{
    if (d.origin != Origin::Log)
        return true;
    return d.logMessage == LogMessage::RequestSent || d.logMessage == LogMessage::EndpointError
        || d.logMessage == LogMessage::Timeout;
}

void appendBegin(QByteArray &out)
{
    out += R"({"log":{"version":"1.2","creator":{"name":"Pimscope","version":")" PIMSCOPE_VERSION
           R"("},"pages":[],"entries":[)";
    out += '\n';
}

void appendEntry(QByteArray &out, const Delivery &d, bool first, const ConnectorAnswer *connector)
{
    if (!first)
        out += ",\n";
    // An INFO log line holds the endpoint's answer headers; an error line, the request's; a request, its own.
    const bool answerHeaders = d.origin == Origin::Log && d.logMessage == LogMessage::RequestSent;
    const Headers &headers = d.headers; // redacted by runExport
    const Headers requestHeaders = answerHeaders ? Headers() : headers;
    // The answer: the receiver's own for a received request, the endpoint's for a replayed or logged one; in proxy
    // mode, the connector's (what the PIM got), with its headers and body.
    const bool proxied = connector && !connector->ackMode && connector->status && connector->error.isNull();
    const std::optional<int> status = d.origin == Origin::Receiver ? d.answeredStatus : d.statusCode;
    const double waitMs = d.ackMs.value_or(0);
    const QString url = exporttext::requestUrl(d);

    JsonWriter w(out);
    w.beginObject();
    w.field("startedDateTime", toIsoUtc(d.receivedAtMs));
    w.field("time", waitMs);
    w.key("request");
    w.beginObject();
    w.field("method", d.method.isEmpty() ? QByteArray("POST") : utf8(d.method));
    w.field("url", url);
    w.field("httpVersion", QStringLiteral("HTTP/1.1"));
    w.key("cookies");
    w.beginArray();
    w.endArray();
    w.key("headers");
    nameValues(w, requestHeaders);
    w.key("queryString");
    w.beginArray();
    for (const auto &[name, value] : QUrlQuery(QUrl(url)).queryItems(QUrl::FullyDecoded)) {
        w.beginObject();
        w.field("name", name);
        w.field("value", value);
        w.endObject();
    }
    w.endArray();
    const bool hasBody = d.origin != Origin::Log; // a log line is not the request's body
    if (hasBody) {
        w.key("postData");
        w.beginObject();
        const QByteArray type = headerValue(requestHeaders, "Content-Type");
        w.field("mimeType", type.isEmpty() ? QByteArray("application/json") : utf8(type));
        if (isValidUtf8(d.body)) {
            w.field("text", d.body);
        } else {
            w.field("text", d.body.toBase64());
            w.field("_encoding", QStringLiteral("base64"));
        }
        w.endObject();
    }
    w.field("headersSize", -1);
    w.field("bodySize", hasBody ? d.bodySize : qint64(-1));
    w.endObject();

    w.key("response");
    w.beginObject();
    w.field("status", status.value_or(0));
    w.field("statusText", status ? statusText(*status) : QStringLiteral(""));
    w.field("httpVersion", status ? QStringLiteral("HTTP/1.1") : QStringLiteral(""));
    w.key("cookies");
    w.beginArray();
    w.endArray();
    w.key("headers");
    if (proxied)
        nameValues(w, connector->headers);
    else if (answerHeaders)
        nameValues(w, headers);
    else
        w.raw("[]");
    w.key("content");
    w.beginObject();
    if (proxied) {
        w.field("size", connector->bodySize);
        w.field("mimeType", utf8(headerValue(connector->headers, "Content-Type")));
        if (isValidUtf8(connector->body)) {
            w.field("text", connector->body);
        } else {
            w.field("text", connector->body.toBase64());
            w.field("encoding", QStringLiteral("base64"));
        }
    } else {
        w.field("size", 0);
        w.field("mimeType", QStringLiteral(""));
    }
    w.endObject();
    w.field("redirectURL", QStringLiteral(""));
    w.field("headersSize", -1);
    w.field("bodySize", -1);
    if (!d.error.isEmpty())
        w.field("_error", d.error);
    w.endObject();

    w.key("cache");
    w.beginObject();
    w.endObject();
    w.key("timings");
    w.beginObject();
    w.field("send", 0);
    w.field("wait", waitMs);
    w.field("receive", 0);
    w.endObject();

    w.key("_pimscope");
    w.beginObject();
    w.field("delivery_id", d.id);
    w.field("origin", originName(d.origin));
    w.field("remote", d.remote); // who sent a received request (the PIM); where a replay went
    w.field("format", formatName(d.format));
    w.field("signature", signatureName(d.signature));
    w.field("event_count", d.eventCount);
    w.field("flags", flagNames(d.flags));
    w.field("log_level", optionalName(d.logLevel, &logLevelName));
    w.field("log_message", optionalName(d.logMessage, &logMessageName));
    w.field("error", d.error);
    const auto c = exporttext::ConnectorFields::of(connector);
    w.field("connector_status", c.status);
    w.field("connector_ms", c.ms);
    w.field("connector_verdict", c.verdict);
    w.field("forward_state", c.state);
    w.endObject();
    w.endObject();
}

void appendEnd(QByteArray &out)
{
    out += "\n]}}\n";
}

} // namespace pimscope::har
