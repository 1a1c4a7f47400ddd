#include "logline.h"

#include "util/timeutil.h"

#include <string_view>

namespace pimscope {

namespace {

constexpr qsizetype dateLength = 19; // "YYYY/MM/DD HH:MM:SS"

std::optional<LogLevel> levelOf(QByteArrayView word)
{
    if (word == "ERROR")
        return LogLevel::Error;
    if (word == "WARNING")
        return LogLevel::Warning;
    if (word == "NOTICE")
        return LogLevel::Notice;
    if (word == "INFO")
        return LogLevel::Info;
    return std::nullopt;
}

QString at(const char *what, qsizetype column)
{
    return QStringLiteral("%1 at column %2").arg(QLatin1StringView(what)).arg(column + 1);
}

} // namespace

LogMessage logMessageKind(QByteArrayView message, std::optional<int> *timeoutMs)
{
    if (message == "The API event request was sent.")
        return LogMessage::RequestSent;
    if (message == "The endpoint returned an error.")
        return LogMessage::EndpointError;
    static constexpr QByteArrayView timeoutStart("The endpoint failed to answer under ");
    static constexpr QByteArrayView timeoutEnd(" ms.");
    if (message.size() > timeoutStart.size() + timeoutEnd.size() && message.startsWith(timeoutStart)
        && message.endsWith(timeoutEnd)) {
        const QByteArrayView digits = message.sliced(timeoutStart.size(), message.size() - timeoutStart.size() - timeoutEnd.size());
        bool ok = !digits.isEmpty() && digits.size() <= 9;
        for (char c : digits)
            ok = ok && c >= '0' && c <= '9';
        if (ok) {
            if (timeoutMs)
                *timeoutMs = digits.toInt();
            return LogMessage::Timeout;
        }
    }
    if (message == "The maximum number of events sent per hour has been reached."
        || message == "The maximum number of requests per hour has been reached.")
        return LogMessage::RateLimit;
    if (message == "The event was not sent because it was raised by the same connection.")
        return LogMessage::SameConnection;
    if (message == "The event was not sent because the product does not exists or the connection does not have the required permissions."
        || message == "The event was not sent because the product does not exist or the connection does not have the required permissions.")
        return LogMessage::NotSentPermissions;
    return LogMessage::Unknown;
}

LogLine parseLogLine(QByteArrayView line, int number)
{
    LogLine l;
    l.number = number;
    l.raw = line.toByteArray();
    if (line.size() < dateLength || !(l.timeMs = parseLogDateTime(std::string_view(line.data(), size_t(dateLength))))) {
        l.error = QStringLiteral("no date (YYYY/MM/DD HH:MM:SS) at the start of the line");
        return l;
    }
    if (line.size() == dateLength || line[dateLength] != ' ') {
        l.error = at("expected a space and a level after the date", dateLength);
        return l;
    }
    const qsizetype levelStart = dateLength + 1;
    qsizetype levelEnd = line.indexOf(' ', levelStart);
    if (levelEnd < 0)
        levelEnd = line.size();
    l.level = levelOf(line.sliced(levelStart, levelEnd - levelStart));
    if (!l.level) {
        l.error = at("expected a level (ERROR, WARNING, NOTICE or INFO)", levelStart);
        return l;
    }
    if (levelEnd >= line.size()) {
        l.error = at("the line ends after its level: no message", levelEnd);
        return l;
    }
    // The message runs up to the first " {" or " [" that starts the trailing context.
    const qsizetype messageStart = levelEnd + 1;
    qsizetype contextStart = -1;
    for (qsizetype i = messageStart; i + 1 < line.size(); ++i) {
        if (line[i] == ' ' && (line[i + 1] == '{' || line[i + 1] == '[')) {
            contextStart = i + 1;
            break;
        }
    }
    const QByteArrayView message = line.sliced(messageStart, (contextStart < 0 ? line.size() : contextStart - 1) - messageStart);
    l.message = message.toByteArray();
    l.kind = logMessageKind(message, &l.timeoutMs);
    if (contextStart < 0) {
        l.error = at("no context (a JSON object or []) after the message", line.size());
        return l;
    }
    l.context = line.sliced(contextStart).toByteArray();
    const char open = l.context.front();
    const char close = l.context.back();
    if ((open == '{' && close != '}') || (open == '[' && close != ']'))
        l.error = at("the context is cut short (the line looks truncated)", line.size());
    return l;
}

QList<LogLine> parseLogFile(QByteArrayView file)
{
    QList<LogLine> lines;
    if (file.startsWith("\xEF\xBB\xBF"))
        file = file.sliced(3);
    qsizetype start = 0;
    int number = 0;
    while (start < file.size()) {
        qsizetype end = file.indexOf('\n', start);
        const qsizetype next = end < 0 ? file.size() : end + 1;
        if (end < 0)
            end = file.size();
        ++number;
        QByteArrayView line = file.sliced(start, end - start);
        if (line.endsWith('\r'))
            line.chop(1);
        if (!line.trimmed().isEmpty())
            lines.append(parseLogLine(line, number));
        start = next;
    }
    return lines;
}

} // namespace pimscope
