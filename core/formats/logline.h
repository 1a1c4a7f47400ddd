#pragma once

#include "model/enums.h"

#include <QByteArray>
#include <QByteArrayView>
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
    int number = 0;          ///< 1-based line number in the file
    QByteArray raw;          ///< the line's exact bytes, without its line ending
    std::optional<qint64> timeMs;
    std::optional<LogLevel> level;
    LogMessage kind = LogMessage::Unknown;
    QByteArray message;      ///< the message text (between the level and the context)
    QByteArray context;      ///< the trailing JSON text (`{...}` or `[]`), empty when there is none
    std::optional<int> timeoutMs; ///< the N of "failed to answer under N ms"
    QString error;           ///< why the line is not a well-formed log line; empty when it is
};

/** Frames one line (without its line ending). */
LogLine parseLogLine(QByteArrayView line, int number);

/** The message kind of a message text (both wordings where Akeneo's code and docs differ); the N of a timeout. */
LogMessage logMessageKind(QByteArrayView message, std::optional<int> *timeoutMs = nullptr);

/**
 * Splits a whole file into its lines and frames each: a UTF-8 byte order mark is skipped, LF and CRLF endings are
 * accepted, blank lines are skipped (they are not entries), and a last line without an ending is read like the
 * others (a truncated one shows up through its error).
 */
QList<LogLine> parseLogFile(QByteArrayView file);

} // namespace pimscope
