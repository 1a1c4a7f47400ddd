#include "deliverysummary.h"

#include "model/senderprofile.h"
#include "models/eventtablemodel.h"
#include "util/timeutil.h"

#include <QRegularExpression>
#include <QStringList>

namespace pimscope::ui {

namespace {

QString line(const char *label, const QString &value)
{
    return QStringLiteral("%1 %2").arg(QString::fromLatin1(label), -10).arg(value);
}

QString requestLine(const Delivery &d)
{
    return QStringLiteral("%1 %2, %3 bytes, format %4")
        .arg(QString::fromLatin1(d.method), QString::fromUtf8(d.path))
        .arg(d.bodySize)
        .arg(formatName(d.format));
}

QString signatureLine(const Delivery &d)
{
    // The verdict, and why (the detail often starts with the verdict itself).
    const QString verdict = signatureName(d.signature);
    QString why = d.signatureDetail;
    if (why.startsWith(verdict))
        why = why.mid(verdict.size()).remove(QRegularExpression(QStringLiteral("^[:;,]?\\s*")));
    return line("Signature", why.isEmpty() ? verdict : verdict + QStringLiteral(": ") + why);
}

QString answerTime(const Delivery &d)
{
    return d.ackMs ? QStringLiteral(" in %1 ms").arg(*d.ackMs, 0, 'f', 1) : QString();
}

/** The Connector section of a forwarded delivery. */
QStringList connectorLines(const Delivery &d, const ConnectorAnswer &c)
{
    QStringList lines;
    lines << QString() << QStringLiteral("Connector");
    lines << line("Target",
                  QStringLiteral("%1 (%2)").arg(c.target,
                                                c.ackMode
                                                    ? QStringLiteral("ack: Pimscope answered the PIM, then forwarded")
                                                    : QStringLiteral("proxy: the PIM got the connector's answer")));
    QString attempt = QStringLiteral("%1, attempt %2")
                          .arg(c.sentAtMs ? toIsoUtc(*c.sentAtMs) : QStringLiteral("not yet"))
                          .arg(c.attempts);
    if (c.possiblyTwice)
        attempt += QStringLiteral(", possibly received twice (sent again after a stop mid-request)");
    lines << line("Sent", attempt);
    lines << line("State", forwardStateName(c.state));
    if (c.status && c.error.isNull()) {
        QString answered = QString::number(*c.status);
        if (c.endMs)
            answered += QStringLiteral(" in %1 ms").arg(*c.endMs, 0, 'f', 1);
        if (c.firstByteMs)
            answered += QStringLiteral(" (first byte %1 ms)").arg(*c.firstByteMs, 0, 'f', 1);
        lines << line("Answered", answered);
    }
    if (!c.error.isNull())
        lines << line("No answer", c.error);
    if (c.nextAttemptAtMs && c.state == ForwardState::Queued)
        lines << line("Next try", toIsoUtc(*c.nextAttemptAtMs));
    if (c.verdict) {
        const Format sender = senderOfRequest(d.format, d.headers);
        lines << line("Verdict",
                      QStringLiteral("%1: %2").arg(connectorVerdictName(*c.verdict),
                                                   senderProfile(sender).verdictWording(*c.verdict)));
    }
    for (const Header &h : c.headers)
        lines << line("Header", QStringLiteral("%1: %2").arg(QString::fromLatin1(h.name), QString::fromUtf8(h.value)));
    if (c.bodySize > 0) {
        constexpr qsizetype shown = 2048;
        QString body = QString::fromUtf8(c.body.left(shown));
        if (c.bodySize > qMin(shown, c.body.size()))
            body += QStringLiteral(" … (%1 bytes in all)").arg(c.bodySize);
        lines << line("Body", body);
    }
    return lines;
}

} // namespace

QString deliverySummary(const Delivery &d, const std::optional<ConnectorAnswer> &connector)
{
    QStringList lines;
    lines << line("Delivery", QStringLiteral("%1 (%2)").arg(d.id).arg(originName(d.origin)));
    switch (d.origin) {
    case Origin::Receiver:
        lines << line("Received",
                      d.remote.isEmpty() ? toIsoUtc(d.receivedAtMs)
                                         : QStringLiteral("%1 from %2").arg(toIsoUtc(d.receivedAtMs), d.remote));
        lines << line("Request", requestLine(d));
        lines << signatureLine(d);
        if (d.answeredStatus)
            lines << line("Answered", QString::number(*d.answeredStatus) + answerTime(d));
        break;
    case Origin::Log:
        lines << line("Log line", d.logLine ? QStringLiteral("%1:%2").arg(d.logFile).arg(*d.logLine) : d.logFile);
        lines << line("Logged", toIsoUtc(d.receivedAtMs));
        if (d.logLevel)
            lines << line("Level", logLevelName(*d.logLevel));
        if (d.logMessage)
            lines << line("Message", logMessageName(*d.logMessage));
        if (!d.url.isEmpty())
            lines << line("URL", d.url);
        if (d.statusCode)
            lines << line("Status", QString::number(*d.statusCode));
        lines << line("Events", QString::number(d.eventCount));
        break;
    case Origin::Replay:
        lines << line("Sent",
                      QStringLiteral("%1 to %2").arg(toIsoUtc(d.receivedAtMs), d.url.isEmpty() ? d.remote : d.url));
        lines << line("Request", requestLine(d));
        if (d.statusCode)
            lines << line("Answered", QString::number(*d.statusCode) + answerTime(d));
        else if (d.ackMs)
            lines << line("Answered", QStringLiteral("no answer after %1 ms").arg(*d.ackMs, 0, 'f', 1));
        if (d.logMessage)
            lines << line("Outcome", logMessageName(*d.logMessage));
        break;
    }
    if (!d.error.isEmpty())
        lines << line("Error", d.error);
    for (const QString &w : d.warnings)
        lines << line("Warning", w);
    lines << line("Flags", EventTableModel::flagsText(d.flags));
    if (connector)
        lines << connectorLines(d, *connector);
    return lines.join(u'\n');
}

} // namespace pimscope::ui
