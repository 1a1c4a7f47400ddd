#pragma once

#include <QStringList>

namespace pimscope::cli {

/**
 * `pimscope replay [--db PATH] [--filter EXPR] --to URL [--secret-env VAR | --secret-name NAME]
 * [--as-received | --batch-size N] [--rps N | --per-hour N] [--concurrency N]
 * [--order original|event-time|reverse|shuffle] [--seed N] [--duplicates P] [--timeout-ms N] [--insecure] [--dry-run]`
 *
 * Sends the events of the capture that match the filter to URL as the PIM would (see Replayer), prints one line per
 * request (time, status, ms, events, the PIM's classification) and a summary, and stores the results as deliveries of
 * origin `replay`. Exit codes: 0 when every request got a 2xx in time, 3 when any did not, 1 on other errors (the
 * target unreachable before any request, an unreadable capture or secret), 2 on a usage error. --dry-run prints
 * what would be sent (headers with secret values masked) and sends nothing. Ctrl+C stops; what was sent is kept.
 */
int replayCommand(const QStringList &args);

} // namespace pimscope::cli
