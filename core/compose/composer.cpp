#include "composer.h"

#include "formats/phpjson.h"
#include "util/jsonwriter.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QTimeZone>
#include <QUuid>

#include <array>

namespace pimscope {

namespace {

struct FaultInfo
{
    Fault fault;
    const char *name;
    const char *description;
};
constexpr std::array faults{
    FaultInfo{Fault::InvalidSignature, "invalid-signature", "a wrong signature (Quable: a wrong Authorization value)"},
    FaultInfo{Fault::Expired, "expired", "Events API: signed 10 minutes ago (receivers refuse more than 5 minutes)"},
    FaultInfo{Fault::MissingSignature, "missing-signature", "no signature header (Quable: no Authorization)"},
    FaultInfo{Fault::OversizedBatch, "oversized-batch",
              "Events API: 11 events in one request (Akeneo sends 10 at most)"},
    FaultInfo{Fault::Truncated, "truncated", "the body cut in half (not JSON any more)"},
    FaultInfo{Fault::WrongContentType, "wrong-content-type", "Content-Type: text/plain"},
    FaultInfo{Fault::StaleEventTime, "stale", "the event time 3 hours ago (Akeneo drops events older than 2 hours)"},
};

constexpr qint64 expiredBySeconds = 600;
constexpr qint64 staleByMs = qint64(3) * 3600 * 1000;

/** A value as the inside of a JSON string, as the sender writes it. */
QByteArray jsonInside(const QString &value, Format format)
{
    QByteArray quoted;
    if (format == Format::Akeneo)
        appendPhpJsonString(quoted, value); // PHP's json_encode: `/` as `\/`, non-ASCII as \uXXXX
    else
        JsonWriter::escape(quoted, value.toUtf8());
    return quoted.mid(1, quoted.size() - 2);
}

QString timeText(qint64 ms, Format format)
{
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc());
    if (format == Format::AkeneoEventPlatform) // RFC 3339 in UTC, as the platform's examples: 2024-02-22T17:31:00Z
        return t.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss")) + u'Z';
    return t.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss")) + QStringLiteral("+00:00"); // PHP's DATE_ATOM
}

} // namespace

QMap<QString, QString> composeDefaults(Format format, qint64 eventMs)
{
    QMap<QString, QString> d;
    d[QStringLiteral("event_datetime")] = timeText(eventMs, format);
    d[QStringLiteral("author")] = QStringLiteral("admin");
    d[QStringLiteral("author_type")]
        = format == Format::AkeneoEventPlatform ? QStringLiteral("user") : QStringLiteral("ui");
    d[QStringLiteral("pim_source")] = format == Format::AkeneoEventPlatform ? QStringLiteral("pim")
        : format == Format::Quable                                          ? QStringLiteral("https://demo.quable.com")
                                                                            : QStringLiteral("https://pim.example.com");
    d[QStringLiteral("identifier")] = QStringLiteral("PIMSCOPE-{n}");
    d[QStringLiteral("code")] = QStringLiteral("pimscope_{n}");
    d[QStringLiteral("family")] = QStringLiteral("clothing");
    return d;
}

namespace {

/** `{{name}}` in a template. */
const QRegularExpression &placeholder()
{
    static const QRegularExpression re(QStringLiteral(R"(\{\{([a-z_]+)\}\})"));
    return re;
}

} // namespace

QString faultName(Fault fault)
{
    for (const FaultInfo &f : faults) {
        if (f.fault == fault)
            return QLatin1StringView(f.name);
    }
    return {};
}

std::optional<Fault> faultFromName(const QString &name)
{
    for (const FaultInfo &f : faults) {
        if (name == QLatin1StringView(f.name))
            return f.fault;
    }
    return std::nullopt;
}

QStringList faultNames()
{
    QStringList names;
    for (const FaultInfo &f : faults)
        names << QLatin1StringView(f.name);
    return names;
}

QString faultDescription(Fault fault)
{
    for (const FaultInfo &f : faults) {
        if (f.fault == fault)
            return QLatin1StringView(f.description);
    }
    return {};
}

QStringList composeKeys()
{
    return {QStringLiteral("event_id"),    QStringLiteral("event_datetime"), QStringLiteral("author"),
            QStringLiteral("author_type"), QStringLiteral("pim_source"),     QStringLiteral("identifier"),
            QStringLiteral("uuid"),        QStringLiteral("code"),           QStringLiteral("family")};
}

Result<Composed> compose(const ComposeRequest &request)
{
    using R = Result<Composed>;
    const EventTemplate &t = request.eventTemplate;
    const auto format = formatOfSender(t.sender);
    if (!format)
        return R::failure(QStringLiteral("template %1: '%2' is not a sender (%3)")
                              .arg(t.key(), t.sender, templateSenders().join(QStringLiteral(", "))));
    const QStringList keys = composeKeys();
    for (auto it = request.values.cbegin(); it != request.values.cend(); ++it) {
        if (!keys.contains(it.key()))
            return R::failure(QStringLiteral("'%1' is not a value a template takes (%2)")
                                  .arg(it.key(), keys.join(QStringLiteral(", "))));
    }
    const bool eventsApi = *format == Format::Akeneo;
    int batch = request.batch;
    if (request.faults.contains(Fault::OversizedBatch)) {
        if (!eventsApi)
            return R::failure(QStringLiteral("oversized-batch: only the Events API batches events (%1 sends one event "
                                             "per request)")
                                  .arg(t.sender));
        batch = std::max(batch, 11);
    }
    if (request.faults.contains(Fault::Expired) && !eventsApi)
        return R::failure(QStringLiteral("expired: only the Events API signs a timestamp (%1 does not)").arg(t.sender));
    if (request.faults.contains(Fault::StaleEventTime) && request.values.contains(QStringLiteral("event_datetime")))
        return R::failure(QStringLiteral("stale sets the event time (3 hours ago): it cannot go with a value of "
                                         "event_datetime"));
    if (batch < 1 || batch > 1000)
        return R::failure(QStringLiteral("a batch holds 1 to 1000 events (%1 asked)").arg(batch));
    if (batch > 1 && !eventsApi)
        return R::failure(QStringLiteral("%1 sends one event per request: a batch of %2 is the Events API's")
                              .arg(t.sender)
                              .arg(batch));

    const qint64 eventMs = request.faults.contains(Fault::StaleEventTime) ? request.nowMs - staleByMs : request.nowMs;
    QMap<QString, QString> values = composeDefaults(*format, eventMs);
    for (auto it = request.values.cbegin(); it != request.values.cend(); ++it)
        values[it.key()] = it.value();
    // Not a key of its own: the delta's updated_at, the same time as PHP's DateTime writes it.
    values[QStringLiteral("updated_at_date")] = QDateTime::fromMSecsSinceEpoch(eventMs, QTimeZone::utc())
                                                    .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz000"));

    Composed out;
    out.format = *format;
    out.faults = request.faults;
    QList<QByteArray> events;
    for (int n = 1; n <= batch; ++n) {
        QMap<QString, QString> these = values;
        if (!request.values.contains(QStringLiteral("event_id")))
            these[QStringLiteral("event_id")] = QUuid::createUuid().toString(QUuid::WithoutBraces);
        if (!request.values.contains(QStringLiteral("uuid")))
            these[QStringLiteral("uuid")] = QUuid::createUuid().toString(QUuid::WithoutBraces);
        QByteArray event;
        const QString text = QString::fromUtf8(t.text);
        qsizetype from = 0;
        auto matches = placeholder().globalMatch(text);
        while (matches.hasNext()) {
            const auto m = matches.next();
            const QString name = m.captured(1);
            if (!these.contains(name))
                return R::failure(QStringLiteral("template %1 (%2): no value for {{%3}} (%4)")
                                      .arg(t.key(), t.origin, name, keys.join(QStringLiteral(", "))));
            event += text.mid(from, m.capturedStart() - from).toUtf8();
            QString value = these.value(name);
            value.replace(QStringLiteral("{n}"), QString::number(n));
            event += jsonInside(value, *format);
            from = m.capturedEnd();
        }
        event += text.mid(from).toUtf8();
        events.append(event);
        out.eventIds << these.value(QStringLiteral("event_id")).replace(QStringLiteral("{n}"), QString::number(n));
    }
    out.eventCount = int(events.size());
    out.body = eventsApi ? QByteArray("{\"events\":[") + events.join(',') + QByteArray("]}") : events.first();
    if (request.faults.contains(Fault::Truncated))
        out.body.truncate(out.body.size() / 2);
    return out;
}

Result<Composed> composeBody(QByteArray body, Format format, int eventCount, const QList<Fault> &faults)
{
    for (const Fault f : faults) {
        if (f == Fault::OversizedBatch || f == Fault::StaleEventTime)
            return Result<Composed>::failure(
                QStringLiteral("%1 changes the events: it goes with a template").arg(faultName(f)));
        if (f == Fault::Expired && format != Format::Akeneo && format != Format::Unknown)
            return Result<Composed>::failure(
                QStringLiteral("expired: only the Events API signs a timestamp (this body is %1)")
                    .arg(formatName(format)));
    }
    Composed out;
    out.format = format;
    out.body = std::move(body);
    out.eventCount = eventCount;
    out.faults = faults;
    if (faults.contains(Fault::Truncated))
        out.body.truncate(out.body.size() / 2);
    return out;
}

qint64 signingTime(const QList<Fault> &faults, qint64 nowSeconds)
{
    return faults.contains(Fault::Expired) ? nowSeconds - expiredBySeconds : nowSeconds;
}

bool isSigningHeader(QByteArrayView name, Format format)
{
    const auto is = [name](const char *other) { return name.compare(QByteArrayView(other), Qt::CaseInsensitive) == 0; };
    switch (format) {
    case Format::Quable:
        return is("Authorization");
    case Format::AkeneoEventPlatform:
        return is("X-AKENEO-SIGNATURE-PRIMARY") || is("X-AKENEO-SIGNATURE-SECONDARY")
            || is("X-AKENEO-SIGNATURE-ALGORITHM");
    default:
        return is("X-Akeneo-Request-Signature") || is("X-Akeneo-Request-Timestamp");
    }
}

bool isConnectionHeader(QByteArrayView name)
{
    for (const char *other : {"Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "TE",
                              "Trailer", "Upgrade", "Proxy-Connection", "Expect"}) {
        if (name.compare(QByteArrayView(other), Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

Headers withUserHeaders(const Headers &signedHeaders, const Headers &user, Format format)
{
    Headers out;
    for (const Header &h : user) {
        if (!isSigningHeader(h.name, format) && !isConnectionHeader(h.name))
            out.append(h);
    }
    for (const Header &h : signedHeaders) {
        if (isSigningHeader(h.name, format))
            out.append(h);
    }
    return out;
}

void applyHeaderFaults(Headers &headers, Format format, const QList<Fault> &faults)
{
    QList<QByteArray> signatureHeaders;
    switch (format) {
    case Format::Quable:
        signatureHeaders = {QByteArrayLiteral("Authorization")};
        break;
    case Format::AkeneoEventPlatform:
        signatureHeaders
            = {QByteArrayLiteral("X-AKENEO-SIGNATURE-PRIMARY"), QByteArrayLiteral("X-AKENEO-SIGNATURE-SECONDARY")};
        break;
    default:
        signatureHeaders = {QByteArrayLiteral("X-Akeneo-Request-Signature")};
        break;
    }
    const auto isSignature = [&signatureHeaders](const Header &h) {
        return std::any_of(signatureHeaders.cbegin(), signatureHeaders.cend(),
                           [&h](const QByteArray &name) { return h.name.compare(name, Qt::CaseInsensitive) == 0; });
    };
    if (faults.contains(Fault::MissingSignature))
        headers.removeIf(isSignature);
    if (faults.contains(Fault::InvalidSignature)) {
        bool changed = false;
        for (Header &h : headers) {
            if (!isSignature(h))
                continue;
            // Another hex digit at the end: the same length, a wrong value.
            if (format == Format::Quable)
                h.value += "-not-the-configured-value";
            else if (!h.value.isEmpty())
                h.value.back() = h.value.back() == '0' ? '1' : '0';
            changed = true;
        }
        if (!changed) // unsigned: a signature that cannot be right
            headers.append({signatureHeaders.first(),
                            format == Format::Quable ? QByteArrayLiteral("invalid") : QByteArray(64, '0')});
    }
    if (faults.contains(Fault::WrongContentType)) {
        bool found = false;
        for (Header &h : headers) {
            if (h.name.compare("Content-Type", Qt::CaseInsensitive) == 0) {
                h.value = QByteArrayLiteral("text/plain");
                found = true;
            }
        }
        if (!found) // the user's headers had none
            headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/plain")});
    }
}

} // namespace pimscope
