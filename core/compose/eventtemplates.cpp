#include "eventtemplates.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QMap>
#include <QStandardPaths>

#include <algorithm>

namespace pimscope {

namespace {

/** The files of `root`'s sender folders, SENDER/TYPE.json, as templates; what is not one is said in `problems`. */
QList<EventTemplate> templatesIn(const QString &root, QStringList *problems)
{
    QList<EventTemplate> found;
    const QDir dir(root);
    if (!dir.exists())
        return found;
    const QStringList senders = templateSenders();
    for (const QFileInfo &folder : dir.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        if (!senders.contains(folder.fileName())) {
            if (problems)
                *problems << QStringLiteral("%1: not a sender's folder (%2)")
                                 .arg(folder.filePath(), senders.join(QStringLiteral(", ")));
            continue;
        }
        for (const QFileInfo &file :
             QDir(folder.filePath()).entryInfoList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
            QFile f(file.filePath());
            if (!f.open(QIODevice::ReadOnly)) {
                if (problems)
                    *problems << QStringLiteral("%1: %2").arg(file.filePath(), f.errorString());
                continue;
            }
            EventTemplate t;
            t.sender = folder.fileName();
            t.type = file.completeBaseName();
            t.text = f.readAll().trimmed();
            t.origin = file.filePath();
            found.append(t);
        }
    }
    return found;
}

} // namespace

QStringList templateSenders()
{
    return {QStringLiteral("events-api"), QStringLiteral("event-platform"), QStringLiteral("quable")};
}

std::optional<Format> formatOfSender(const QString &sender)
{
    if (sender == u"events-api")
        return Format::Akeneo;
    if (sender == u"event-platform")
        return Format::AkeneoEventPlatform;
    if (sender == u"quable")
        return Format::Quable;
    return std::nullopt;
}

QString userTemplateDir()
{
    // Beside the default capture (EventStore::defaultPath): the same folder whatever the organisation name.
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
        .filePath(QStringLiteral("pimscope/templates"));
}

QList<EventTemplate> loadTemplates(const QString &userDir, QStringList *problems)
{
    QMap<QString, EventTemplate> byKey;
    for (const EventTemplate &t : templatesIn(QStringLiteral(":/templates"), nullptr))
        byKey.insert(t.key(), t);
    if (!userDir.isEmpty()) {
        for (const EventTemplate &t : templatesIn(userDir, problems))
            byKey.insert(t.key(), t);
    }
    QList<EventTemplate> all = byKey.values();
    const QStringList senders = templateSenders();
    std::stable_sort(all.begin(), all.end(), [&senders](const EventTemplate &a, const EventTemplate &b) {
        const auto sa = senders.indexOf(a.sender);
        const auto sb = senders.indexOf(b.sender);
        return sa != sb ? sa < sb : a.type < b.type;
    });
    return all;
}

Result<EventTemplate> findTemplate(const QList<EventTemplate> &templates, const QString &key)
{
    const auto it
        = std::find_if(templates.cbegin(), templates.cend(), [&key](const EventTemplate &t) { return t.key() == key; });
    if (it != templates.cend())
        return *it;
    QStringList keys;
    for (const EventTemplate &t : templates)
        keys << t.key();
    return Result<EventTemplate>::failure(
        QStringLiteral("no template '%1'; there are: %2").arg(key, keys.join(QStringLiteral(", "))));
}

} // namespace pimscope
