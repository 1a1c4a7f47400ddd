#pragma once

#include <QByteArrayView>
#include <QStringView>
#include <QtGlobal>

#include <optional>

namespace pimscope::textkey {

/**
 * A stable 64-bit key of a text: FNV-1a over its UTF-8 bytes, then the splitmix64 finalizer (so that every bit
 * depends on every byte). Captures store these keys (events.event_key, events.subject_key) and index them instead
 * of the texts: an integer index is a fraction of the size of a text one and builds several times faster. Lookups
 * compare the text as well wherever it matters; where they do not (the flags, the reconciliation's joins), two
 * different texts share a key with odds of about 10^-7 in a capture of two million events.
 *
 * Persisted: never change the function (a capture's keys would no longer match the ones computed for a filter).
 */
qint64 of(QByteArrayView utf8);
qint64 of(QStringView text);

/** The key of a subject: its type, U+001F, then its key text (the uuid when it has one, else identifier or code). */
qint64 subject(QStringView subjectType, QStringView subjectKeyText);

/** An event's subject key by that rule; nullopt when it names neither a uuid nor an identifier. */
std::optional<qint64> subjectOf(QStringView subjectType, QStringView subjectId, QStringView subjectUuid);

/** The event id's key; nullopt for a missing or empty id. */
std::optional<qint64> eventIdOf(QStringView eventId);

} // namespace pimscope::textkey
