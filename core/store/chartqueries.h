#pragma once

#include "analysis/charts.h"
#include "util/result.h"

namespace pimscope {

class Filter;
class StoreReader;

/**
 * What the charts are made of, counted by SQL over the events and deliveries of a capture matching `filter`: events
 * per minute and stack key (the action, or the severity as the table tints its rows), the PIM's requests per minute
 * (received, or logged as sent, failed or timed out), and the answer times of the received deliveries. Runs in the
 * reader's thread; a query that fails is named in the error.
 */
Result<ChartCounts> readChartCounts(StoreReader &reader, const Filter &filter, ChartStack stack);

/** The charts of a capture for `filter`: readChartCounts, then chartsFromCounts. */
Result<CaptureCharts> computeCharts(StoreReader &reader, const Filter &filter, ChartStack stack);

} // namespace pimscope
