#include "logline.h"

#include "util/timeutil.h"

#include <QBuffer>
#include <QtEndian>

#include <openssl/evp.h>

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
        const QByteArrayView digits
            = message.sliced(timeoutStart.size(), message.size() - timeoutStart.size() - timeoutEnd.size());
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
    if (message
            == "The event was not sent because the product does not exists or the connection does not have the "
               "required permissions."
        || message
            == "The event was not sent because the product does not exist or the connection does not have the required "
               "permissions.")
        return LogMessage::NotSentPermissions;
    return LogMessage::Unknown;
}

namespace {

QByteArray keyPrefix(std::optional<qint64> timeMs)
{
    QByteArray prefix(8, '\0');
    if (timeMs && *timeMs >= 0)
        qToBigEndian(quint64(*timeMs / 1000), prefix.data());
    return prefix;
}

} // namespace

QByteArray logLineKeyPrefix(QByteArrayView line)
{
    return keyPrefix(line.size() >= 19 ? parseLogDateTime(std::string_view(line.data(), 19)) : std::nullopt);
}

QByteArray logEntryKey(std::optional<qint64> timeMs, QByteArrayView bytes, int occurrence)
{
    QByteArray key = keyPrefix(timeMs);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    const QByteArray suffix = '\n' + QByteArray::number(occurrence);
    const bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr)
        && EVP_DigestUpdate(ctx, bytes.data(), size_t(bytes.size()))
        && EVP_DigestUpdate(ctx, suffix.constData(), size_t(suffix.size())) && EVP_DigestFinal_ex(ctx, digest, &length);
    EVP_MD_CTX_free(ctx);
    if (!ok || length < 16)
        key += QByteArray(bytes.first(std::min<qsizetype>(bytes.size(), 16)).toByteArray()).leftJustified(16, '\0');
    else
        key += QByteArray(reinterpret_cast<const char *>(digest), 16);
    return key;
}

QByteArray logLineKey(QByteArrayView line, int occurrence)
{
    return logEntryKey(line.size() >= 19 ? parseLogDateTime(std::string_view(line.data(), 19)) : std::nullopt, line,
                       occurrence);
}

LogLine parseLogLine(QByteArray bytes, int number)
{
    LogLine l;
    l.number = number;
    l.raw = std::move(bytes);
    const QByteArrayView line(l.raw);
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
    const QByteArrayView message
        = line.sliced(messageStart, (contextStart < 0 ? line.size() : contextStart - 1) - messageStart);
    l.message = message.toByteArray();
    l.kind = logMessageKind(message, &l.timeoutMs);
    if (contextStart < 0) {
        l.error = at("no context (a JSON object or []) after the message", line.size());
        return l;
    }
    l.contextOffset = contextStart;
    const char open = line[contextStart];
    const char close = line.back();
    if ((open == '{' && close != '}') || (open == '[' && close != ']'))
        l.error = at("the context is cut short (the line looks truncated)", line.size());
    return l;
}

QList<LogLine> parseLogFile(QByteArrayView file)
{
    QByteArray copy = file.toByteArray();
    QBuffer buffer(&copy);
    buffer.open(QIODevice::ReadOnly);
    LogLineReader reader(&buffer);
    QList<LogLine> lines;
    QByteArray line;
    int number = 0;
    bool cut = false;
    while (reader.next(line, number, cut))
        lines.append(parseLogLine(std::move(line), number));
    return lines;
}

LogLineReader::LogLineReader(QIODevice *device)
    : m_device(device)
{
}

bool LogLineReader::fill()
{
    if (m_eof)
        return false;
    if (m_start > 0) {
        m_buffer.remove(0, m_start);
        m_start = 0;
    }
    constexpr qsizetype chunk = qsizetype(1) << 20;
    const qsizetype had = m_buffer.size();
    m_buffer.resize(had + chunk);
    const qint64 got = m_device->read(m_buffer.data() + had, chunk);
    if (got < 0) {
        m_error = m_device->errorString();
        m_buffer.resize(had);
        m_eof = true;
        return false;
    }
    m_buffer.resize(had + qsizetype(got));
    if (got == 0)
        m_eof = true;
    return got > 0;
}

bool LogLineReader::next(QByteArray &line, int &number, bool &cut)
{
    for (;;) {
        cut = false;
        line.clear();
        bool any = false; // something of a line was read (its bytes or its ending)
        for (;;) {
            const qsizetype newline = m_buffer.indexOf('\n', m_start);
            const qsizetype end = newline < 0 ? m_buffer.size() : newline;
            if (end > m_start) {
                any = true;
                const qsizetype room = maxLineBytes - line.size();
                if (room > 0)
                    line.append(m_buffer.constData() + m_start, std::min(room, end - m_start));
                cut = cut || end - m_start > room;
            }
            m_consumed += end - m_start;
            if (newline >= 0) {
                any = true;
                ++m_consumed;
                m_start = newline + 1;
                break;
            }
            m_start = m_buffer.size();
            if (!fill())
                break; // the end: a last line without its ending
        }
        if (!any)
            return false;
        ++m_number;
        if (m_atStart) {
            m_atStart = false;
            if (line.startsWith("\xEF\xBB\xBF"))
                line.remove(0, 3);
        }
        if (line.endsWith('\r'))
            line.chop(1);
        if (!cut && line.trimmed().isEmpty())
            continue;
        number = m_number;
        return true;
    }
}

} // namespace pimscope
