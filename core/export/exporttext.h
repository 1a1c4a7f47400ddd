#pragma once

// What the export writers share: how stored bytes become UTF-8 text, enum names, and a request's URL.

#include "model/connectoranswer.h"
#include "model/delivery.h"
#include "util/utf8.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace pimscope::exporttext {

/** Bytes as UTF-8: as they are when they are UTF-8, else decoded with U+FFFD for what is not. */
inline QByteArray utf8(QByteArrayView bytes)
{
    return isValidUtf8(bytes) ? bytes.toByteArray() : QString::fromUtf8(bytes).toUtf8();
}

/** A header value as UTF-8: as it is when it is UTF-8, else read as Latin-1 (HTTP's historical charset). */
inline QByteArray headerValue(const QByteArray &value)
{
    return isValidUtf8(value) ? value : QString::fromLatin1(value).toUtf8();
}

/** The name of an optional enum value; null when absent. */
template<typename E>
QString optionalName(const std::optional<E> &v, QString (*name)(E))
{
    return v ? name(*v) : QString();
}

/**
 * The URL a delivery's request went to: a replay's target or a logged request's endpoint; for a received request,
 * http://<its Host header><its path> (the scheme it came with is not kept).
 */
inline QString requestUrl(const Delivery &d)
{
    if (d.origin != Origin::Receiver && !d.url.isEmpty())
        return d.url;
    QByteArray host = pimscope::headerValue(d.headers, "Host");
    if (host.isEmpty())
        host = "localhost";
    return QString::fromUtf8("http://" + utf8(host) + utf8(d.path.isEmpty() ? QByteArray("/") : d.path));
}

/**
 * The connector's fields of a forwarded delivery (and of its events), by their filter names: connector_status,
 * connector_ms, connector_verdict, forward_state; all empty for a delivery not forwarded.
 */
struct ConnectorFields
{
    std::optional<int> status;
    std::optional<double> ms;
    QString verdict;
    QString state;

    static ConnectorFields of(const ConnectorAnswer *c)
    {
        if (!c)
            return {};
        return {c->status, c->endMs, optionalName(c->verdict, &connectorVerdictName), forwardStateName(c->state)};
    }
};

} // namespace pimscope::exporttext
