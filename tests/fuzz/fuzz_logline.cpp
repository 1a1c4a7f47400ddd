// fuzz_logline: a log file of any bytes through the importer's reading path (LogLineReader, parseLogLine,
// PayloadParser::parseLogContext), with what formats/logline.h promises checked: nothing of a line is dropped (the
// raw bytes are the line's), the context lies inside the line, and parseLogFile() frames the same lines as the
// streaming reader.
#include "formats/logline.h"
#include "formats/payloadparser.h"

#include "fuzzcheck.h"

#include <QBuffer>
#include <QByteArray>

#include <cstdint>

using namespace pimscope;

namespace {

void check(bool condition, const char *what)
{
    fuzz::check(condition, "fuzz_logline", what);
}

} // namespace

PIMSCOPE_FUZZ_NO_INITIALIZE

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static PayloadParser parser;
    const QByteArray file = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    const QList<LogLine> whole = parseLogFile(file);

    QByteArray copy(file.constData(), file.size()); // QBuffer wants a QByteArray it may read at any time
    QBuffer device(&copy);
    device.open(QIODevice::ReadOnly);
    LogLineReader reader(&device);
    QByteArray raw;
    int number = 0;
    bool cut = false;
    qsizetype index = 0;
    while (reader.next(raw, number, cut)) {
        check(!cut, "a line shorter than the limit was cut");
        check(index < whole.size(), "the reader found more lines than parseLogFile");
        check(whole[index].raw == raw && whole[index].number == number,
              "the reader and parseLogFile frame lines differently");
        ++index;
        const QByteArray keep = raw;
        const LogLine line = parseLogLine(std::move(raw), number);
        check(line.raw == keep, "the framed line's bytes differ from the line");
        check(line.number == number, "the line lost its number");
        check(line.contextOffset < line.raw.size(), "the context starts past the line");
        check(!line.error.isEmpty() || (line.timeMs.has_value() && line.level.has_value()),
              "a line without a time or a level has no error");
        if (line.contextOffset >= 0) {
            const LogContext context = parser.parseLogContext(line.raw, line.contextOffset);
            for (const Event &e : context.events) {
                check(e.payloadOffset >= 0 && e.payloadLength >= 0
                          && e.payloadOffset + e.payloadLength <= line.raw.size(),
                      "an event's slice is outside the line");
            }
        }
        (void)logLineKey(line.raw, 0);
        (void)logMessageKind(line.message);
    }
    check(index == whole.size(), "parseLogFile found more lines than the reader");
    return 0;
}
