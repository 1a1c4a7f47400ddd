#include "replaysigner.h"

#include "signing/hmac.h"
#include "signing/redactor.h"

#include <QStringList>

#include <algorithm>

namespace pimscope {

QByteArray replayUserAgent()
{
    return QByteArrayLiteral("Pimscope/" PIMSCOPE_VERSION " (replay)");
}

Headers replayHeaders(Format format, QByteArrayView body, const ReplaySecrets &secrets, qint64 nowSeconds,
                      bool notification)
{
    const QByteArray &secret = secrets.primary;
    Headers h;
    h.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
    h.append({QByteArrayLiteral("User-Agent"), replayUserAgent()});
    if (secret.isEmpty())
        return h;
    switch (format) {
    case Format::Quable:
        h.append({QByteArrayLiteral("Authorization"), secret});
        break;
    case Format::AkeneoEventPlatform:
        h.append({QByteArrayLiteral("X-AKENEO-SIGNATURE-ALGORITHM"), QByteArrayLiteral("HmacSHA256")});
        h.append({QByteArrayLiteral("X-AKENEO-SIGNATURE-PRIMARY"), hmacSha256Hex(secret, body)});
        if (!secrets.secondary.isEmpty() && !notification)
            h.append({QByteArrayLiteral("X-AKENEO-SIGNATURE-SECONDARY"), hmacSha256Hex(secrets.secondary, body)});
        break;
    case Format::Akeneo:
    case Format::AkeneoTest:
    case Format::Unknown: {
        const QByteArray ts = QByteArray::number(nowSeconds);
        h.append({QByteArrayLiteral("X-Akeneo-Request-Timestamp"), ts});
        h.append({QByteArrayLiteral("X-Akeneo-Request-Signature"), akeneoSignature(secret, ts, body)});
        break;
    }
    }
    return h;
}

Headers replayHeaders(const ReplayRequest &request, const ReplaySecrets &secrets, qint64 nowSeconds)
{
    return replayHeaders(request.format, request.body, secrets, nowSeconds, request.notification);
}

QStringList signingWarnings(const QList<ReplayRequest> &requests, const ReplaySecrets &secrets)
{
    if (secrets.primary.isEmpty())
        return {QStringLiteral("no secret: the requests go unsigned (a receiver that checks signatures refuses them)")};
    QStringList warnings;
    if (!secrets.secondary.isEmpty() && std::none_of(requests.cbegin(), requests.cend(), [](const ReplayRequest &r) {
            return r.format == Format::AkeneoEventPlatform && !r.notification;
        }))
        warnings << QStringLiteral("the secondary secret signs nothing: it is the Event Platform's, and no Event "
                                   "Platform message is among the requests");
    const bool quable = std::any_of(requests.cbegin(), requests.cend(),
                                    [](const ReplayRequest &r) { return r.format == Format::Quable; });
    const bool hmac = std::any_of(requests.cbegin(), requests.cend(),
                                  [](const ReplayRequest &r) { return r.format != Format::Quable; });
    if (quable && hmac)
        warnings << QStringLiteral("Quable and Akeneo events go to one target: the secret signs the Akeneo requests "
                                   "and is sent as it is as the Authorization header of the Quable ones");
    return warnings;
}

namespace {

/** `text` in $'...' (ANSI-C quoting): printable ASCII as it is, except \ and ', the rest as \xHH. */
QString ansiQuoted(QByteArrayView bytes)
{
    QString out = QStringLiteral("$'");
    out.reserve(bytes.size() + 3);
    for (const char ch : bytes) {
        const auto c = uchar(ch);
        if (c == '\\' || c == '\'') {
            out += u'\\';
            out += QLatin1Char(ch);
        } else if (c >= 0x20 && c < 0x7f) {
            out += QLatin1Char(ch);
        } else if (c == '\n') {
            out += QStringLiteral("\\n");
        } else {
            out += QStringLiteral("\\x%1").arg(c, 2, 16, QLatin1Char('0'));
        }
    }
    out += u'\'';
    return out;
}

/** `text` in single quotes for the shell ('\'' for a quote). */
QString singleQuoted(const QString &text)
{
    QString out = text;
    out.replace(u'\'', QStringLiteral("'\\''"));
    return u'\'' + out + u'\'';
}

} // namespace

QString curlCommand(const QUrl &url, const Headers &headers, const QByteArray &body, int timeoutMs, bool showSecrets)
{
    QStringList lines;
    bool fromEnvironment = false;
    const bool nul = body.contains('\0');
    QString first;
    if (nul) {
        // printf's %b turns \0NNN into bytes, NUL included.
        QString escaped;
        for (const char ch : body)
            escaped += QStringLiteral("\\0%1").arg(uchar(ch), 3, 8, QLatin1Char('0'));
        first = QStringLiteral("printf '%b' ") + singleQuoted(escaped) + QStringLiteral(" | curl");
    } else {
        first = QStringLiteral("curl");
    }
    lines << first + QStringLiteral(" -sS -X POST --max-time %1").arg(QString::number(timeoutMs / 1000.0, 'g', 6));
    // The headers are replayHeaders()': the only secret among them can be the Authorization of Quable.
    const HeaderRedactor secrets;
    for (const Header &h : headers) {
        const QString name = QString::fromLatin1(h.name);
        if (secrets.isSecretHeader(h.name) && !showSecrets) {
            fromEnvironment = true;
            lines << QStringLiteral(
                         "  -H \"%1: ${PIMSCOPE_AUTHORIZATION:?set PIMSCOPE_AUTHORIZATION to the %1 value}\"")
                         .arg(name);
            continue;
        }
        lines << QStringLiteral("  -H ") + ansiQuoted(QByteArray(h.name + ": " + h.value));
    }
    // --data-raw: a body that starts with '@' is not a file name.
    lines << (nul ? QStringLiteral("  --data-binary @-") : QStringLiteral("  --data-raw ") + ansiQuoted(body));
    lines << QStringLiteral("  ") + singleQuoted(url.toString(QUrl::FullyEncoded));
    QString out = lines.join(QStringLiteral(" \\\n"));
    if (fromEnvironment)
        out.prepend(QStringLiteral(
            "# The Authorization value is read from $PIMSCOPE_AUTHORIZATION (copy with secrets to include it).\n"));
    return out + u'\n';
}

} // namespace pimscope
