#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringView>
#include <QtGlobal>

#include <optional>
#include <string_view>

namespace pimscope {

/**
 * Parses an ISO-8601 date-time as PIMs write them ("2020-10-20T09:13:59+00:00", "...59.123Z", "...59+0200")
 * into UTC milliseconds since the epoch. A text without a zone is taken as UTC. Accepts "YYYY-MM-DD",
 * "YYYY-MM-DDTHH:MM" and a space instead of the T. Returns std::nullopt for anything else.
 * Plain C++, no allocation: it is on the parsing hot path.
 */
std::optional<qint64> parseIsoDateTime(std::string_view text);
std::optional<qint64> parseIsoDateTime(QStringView text);

/** Parses an Akeneo log time "YYYY/MM/DD HH:MM:SS" (UTC) into UTC milliseconds since the epoch. */
std::optional<qint64> parseLogDateTime(std::string_view text);

// UTC milliseconds since the epoch as text, by hand: no QDateTime (its Qt::TimeSpec overloads are deprecated from
// Qt 6.8 on, and a QTimeZone costs a back-end lookup on Qt 6.4), the same digits QDateTime writes. Years 1 to 9999
// are formatted here; the rare time outside them goes through QDateTime in UTC.

/** Formats UTC milliseconds as "2025-03-18T14:02:11.000Z". */
QString toIsoUtc(qint64 msSinceEpoch);
/** The same for a table column headed "(UTC)": "2025-03-18 14:02:11.000". */
QString toTableUtc(qint64 msSinceEpoch);
/** As Akeneo's event-subscription log writes its times: "2025/03/18 14:02:11" (Latin-1). */
QByteArray toLogTimeUtc(qint64 msSinceEpoch);
/** PHP's DATE_ATOM in UTC, as Akeneo writes event_datetime: "2025-03-18T14:02:11+00:00". */
QString toAtomUtc(qint64 msSinceEpoch);
/** A QDateTime in UTC, built without the time-spec API that Qt 6.8 deprecates (for custom formats). */
QDateTime utcDateTime(qint64 msSinceEpoch);

/** Days since 1970-01-01 of a proleptic Gregorian civil date (Howard Hinnant's algorithm). */
constexpr qint64 daysFromCivil(qint64 y, unsigned m, unsigned d)
{
    y -= m <= 2 ? 1 : 0;
    const qint64 era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = unsigned(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + qint64(doe) - 719468;
}

} // namespace pimscope
