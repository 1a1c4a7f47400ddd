#pragma once

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

/** Formats UTC milliseconds as "2025-03-18T14:02:11.000Z". */
QString toIsoUtc(qint64 msSinceEpoch);
/** The same for a table column headed "(UTC)": "2025-03-18 14:02:11.000". */
QString toTableUtc(qint64 msSinceEpoch);

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
