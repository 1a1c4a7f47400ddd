#pragma once

#include <QStringList>

namespace pimscope::cli {

/**
 * `pimscope import [--db PATH] FILE...`: imports Akeneo event-subscription log files, and the Event Platform's Logs
 * API files, into the capture (see LogImporter) and prints, for each, the summary: lines, entries by level and message
 * kind, events, time span, error rate, the hours where the quota warning fired, the slowest hour (for the Event
 * Platform: failures by reason, subscriptions and their destinations, what the file covers), and every malformed
 * line with its number.
 *
 * Exit codes: 0 when every file was imported (malformed lines included: they are imported and reported), 1 when a
 * file cannot be read or stored (the other files are still imported), 2 on a usage error. Ctrl+C cancels the file
 * being imported: nothing of it is kept.
 */
int importCommand(const QStringList &args);

} // namespace pimscope::cli
