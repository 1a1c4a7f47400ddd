#include "deliverysummary.h"

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

} // namespace

QString deliverySummary(const Delivery &d)
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
    return lines.join(u'\n');
}

} // namespace pimscope::ui
