#pragma once

#include <QStringList>

namespace pimscope::cli {

/**
 * pimscope follow postgresql://USER@HOST[:PORT]/DB[?sslmode=...] [--db PATH] [--since ID|TIME] [--once]
 * Copies a server's store into the local capture and keeps copying what its receivers commit; resumes where it
 * stopped. --once: until it is caught up. SIGINT/SIGTERM stop it after the pending commit (exit 0).
 */
int followCommand(const QStringList &args);

/**
 * pimscope prune (--store postgresql://... | --db PATH) --keep-days N
 * Deletes the deliveries received more than N days ago: on the server (run by a timer there), or in a capture.
 */
int pruneCommand(const QStringList &args);

} // namespace pimscope::cli
