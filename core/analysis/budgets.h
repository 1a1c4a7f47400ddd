#pragma once

#include "model/enums.h"

#include <QtGlobal>

namespace pimscope::budgets {

/** Akeneo drops events older than 2 hours (Pub/Sub retention): more than this between event time and receipt is stale.
 */
inline constexpr qint64 staleAfterMs = qint64{2} * 60 * 60 * 1000;

/** Akeneo's hourly request quota (PIM-wide, sliding hour). */
inline constexpr int akeneoRequestsPerHour = 4000;

/** How long the source waits for an answer: 500 ms for the Akeneo Events API, 5 s for the Event Platform and Quable. */
constexpr double ackBudgetMs(Format format)
{
    switch (format) {
    case Format::AkeneoEventPlatform:
    case Format::Quable:
        return 5000.0;
    case Format::Akeneo:
    case Format::AkeneoTest:
    case Format::Unknown:
        break;
    }
    return 500.0;
}

} // namespace pimscope::budgets
