#pragma once

// Reading back what a capture holds, in tests.

#include "filter/filter.h"
#include "model/delivery.h"
#include "store/storereader.h"

#include <QList>
#include <QString>

namespace pimscope::test {

/** The deliveries of a capture (all, or those matching `filter`), in the order they were stored. */
inline QList<Delivery> allDeliveries(StoreReader &reader, const QString &filter = {})
{
    const auto ids = reader.matchingIds(Filter::parse(filter), FilterTarget::Deliveries);
    return reader.deliveries(*ids).value();
}

} // namespace pimscope::test
