#pragma once

// What the tests of imported logs share: a capture opened or the test stops, the ids a filter matches, and an
// import from bytes in memory.

#include "filter/filter.h"
#include "logimport/logimporter.h"
#include "store/eventstore.h"
#include "store/storereader.h"

#include <QBuffer>

#include <memory>

namespace pimscope::test {

inline std::unique_ptr<EventStore> openStore(const QString &path)
{
    auto s = EventStore::open(path);
    if (!s)
        qFatal("cannot open the store: %s", qPrintable(s.error()));
    return std::move(s.value());
}

inline QList<qint64> ids(StoreReader &reader, const QString &filter, FilterTarget target = FilterTarget::Events)
{
    const Filter f = Filter::parse(filter);
    if (!f.isValid())
        qFatal("bad filter %s: %s", qPrintable(filter), qPrintable(f.error().message));
    auto r = reader.matchingIds(f, target);
    if (!r)
        qFatal("query failed: %s", qPrintable(r.error()));
    return r.value();
}

/** Imports `bytes` as the file /logs/`name`. */
inline Result<LogImportSummary> importBytes(EventStore &store, const QByteArray &bytes, const QString &name)
{
    QByteArray copy = bytes;
    QBuffer buffer(&copy);
    buffer.open(QIODevice::ReadOnly);
    LogImporter importer(store);
    return importer.importDevice(buffer, name, QStringLiteral("/logs/") + name);
}

} // namespace pimscope::test
