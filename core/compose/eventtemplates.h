#pragma once

#include "model/enums.h"
#include "util/result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace pimscope {

/**
 * One event as a sender writes it, with placeholders to fill: `{{name}}` inside JSON strings (composer.h says which
 * names and their defaults). A file `SENDER/TYPE.json`: the built-in ones are resources (resources/templates), the
 * user's in userTemplateDir() (a user's template of the same sender and type replaces the built-in one).
 */
struct EventTemplate
{
    QString sender; ///< "events-api", "event-platform" or "quable" (templateSenders())
    QString type; ///< the file's name without .json, e.g. "product.created", "uuid-product.updated"
    QByteArray text; ///< the event's JSON with its placeholders
    QString origin; ///< ":/templates/…" for a built-in one, else the user's file
    /** "events-api:product.created": what `pimscope send --template` takes. */
    QString key() const { return sender + u':' + type; }
};

/** The senders templates are written for, in the order the window lists them. */
QStringList templateSenders();
/** The format a sender's template composes (Akeneo, AkeneoEventPlatform, Quable); nullopt for an unknown sender. */
std::optional<Format> formatOfSender(const QString &sender);
/** The folder of the user's own templates (SENDER/TYPE.json below it) in the user's data directory. */
QString userTemplateDir();

/**
 * The built-in templates and those of `userDir` (a user's template replaces a built-in one of the same key), sorted
 * by sender (templateSenders' order) then type. A user's file that cannot be read, or sits in a folder that is not a
 * sender, is left out and said in `problems` (when given), by its path.
 */
QList<EventTemplate> loadTemplates(const QString &userDir, QStringList *problems = nullptr);

/** The template of `key` ("SENDER:TYPE") among `templates`, or a failure that lists the keys there are. */
Result<EventTemplate> findTemplate(const QList<EventTemplate> &templates, const QString &key);

} // namespace pimscope
