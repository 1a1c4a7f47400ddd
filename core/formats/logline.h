#pragma once

#include "model/enums.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QIODevice>
#include <QList>
#include <QString>

#include <optional>

namespace pimscope {

/**
 * One line of an Akeneo event-subscription log file (FACTS.md 1.8): `YYYY/MM/DD HH:MM:SS LEVEL message CONTEXT`,
 * the time in UTC, LEVEL one of ERROR, WARNING, NOTICE, INFO, CONTEXT a JSON object or `[]`. This is the framing
 * only: the context is kept as raw text, its events are read by the log importer.
 *
 * A line that does not have that shape is still returned, whole (raw), with `error` saying what is wrong with it
 * and where, so that nothing of a file is ever dropped.
 */
struct LogLine
{
    int number = 0; ///< 1-based line number in the file
    QByteArray raw; ///< the line's exact bytes, without its line ending
    std::optional<qint64> timeMs;
    std::optional<LogLevel> level;
    LogMessage kind = LogMessage::Unknown;
    QByteArray message; ///< the message text (between the level and the context)
    qsizetype contextOffset = -1; ///< where the trailing JSON text (`{...}` or `[]`) starts in raw; -1: none
    std::optional<int> timeoutMs; ///< the N of "failed to answer under N ms"
    QString error; ///< why the line is not a well-formed log line; empty when it is

    /** The trailing JSON text, empty when there is none. */
    QByteArrayView context() const
    {
        return contextOffset < 0 ? QByteArrayView() : QByteArrayView(raw).sliced(contextOffset);
    }
};

/** Frames one line (without its line ending). */
LogLine parseLogLine(QByteArray bytes, int number);

/**
 * What identifies a log line across imports (24 bytes): the line's time (whole seconds since the epoch, 8 bytes
 * big-endian; 0 when it has none), then 16 bytes of SHA-256 of the line and its occurrence (how many identical
 * lines of the same second came before it in its file). The time comes first because a log's lines are in time
 * order: their keys go into the store's index at its end, where random keys dirtied a page of the index per line
 * and commit (the bulk import wrote three times the bytes it stored).
 */
QByteArray logLineKey(QByteArrayView line, int occurrence);
/** The same key for an entry of another log, given its time and the bytes that identify it. */
QByteArray logEntryKey(std::optional<qint64> timeMs, QByteArrayView bytes, int occurrence);
/** The 8 bytes of the time a line's key starts with (see logLineKey). */
QByteArray logLineKeyPrefix(QByteArrayView line);

/** The message kind of a message text (both wordings where Akeneo's code and docs differ); the N of a timeout. */
LogMessage logMessageKind(QByteArrayView message, std::optional<int> *timeoutMs = nullptr);

/**
 * Splits a whole file into its lines and frames each: a UTF-8 byte order mark is skipped, LF and CRLF endings are
 * accepted, blank lines are skipped (they are not entries), and a last line without an ending is read like the
 * others (a truncated one shows up through its error).
 */
QList<LogLine> parseLogFile(QByteArrayView file);

/**
 * Reads the lines of a log file from a device, a chunk at a time (the file is never held whole), with the same
 * rules as parseLogFile(): BOM skipped, LF or CRLF, blank lines skipped. A line longer than maxLineBytes is cut
 * there (the rest of it skipped) and said so through `cut`.
 */
class LogLineReader
{
public:
    explicit LogLineReader(QIODevice *device);

    /** The next non-blank line without its ending, and its 1-based number; false at the end or on a read error. */
    bool next(QByteArray &line, int &number, bool &cut);
    /** Bytes consumed so far (for progress). */
    qint64 position() const { return m_consumed; }
    /** The device's error, when next() stopped because of one. */
    QString error() const { return m_error; }

    static constexpr qsizetype maxLineBytes = qsizetype(32) << 20;

private:
    bool fill();

    QIODevice *m_device;
    QByteArray m_buffer;
    qsizetype m_start = 0;
    qint64 m_consumed = 0;
    int m_number = 0;
    bool m_atStart = true;
    bool m_eof = false;
    QString m_error;
};

} // namespace pimscope
