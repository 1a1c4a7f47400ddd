// StoreWriter: a delivery and its events (the hot path of receiving and importing).

#include "storewriter.h"

#include "headercodec.h"
#include "writerstatements.h"

#include "formats/payloadparser.h"
#include "model/senderprofile.h"
#include "util/textkey.h"

#include <sqlite3.h>

#include <span>

namespace pimscope {

using namespace writersql;

namespace {

/** "INSERT INTO table (a, b) VALUES (:a, :b)" for parameters named as the columns. */
QByteArray insertInto(const char *table, std::span<const char *const> params)
{
    QByteArray columns;
    QByteArray values;
    for (const char *param : params) {
        if (!columns.isEmpty()) {
            columns += ", ";
            values += ", ";
        }
        columns += param + 1; // without the ':'
        values += param;
    }
    return "INSERT INTO " + QByteArray(table) + " (" + columns + ") VALUES (" + values + ")";
}

/**
 * A forward inserted, or its row updated: an upsert, not a REPLACE, so that the counting triggers see an update (a
 * REPLACE's delete fires no trigger).
 */
QByteArray upsertForwardSql()
{
    QByteArray set;
    for (const char *param : std::span(forwardParams).subspan(1)) {
        if (!set.isEmpty())
            set += ", ";
        set += QByteArray(param + 1) + " = excluded." + (param + 1);
    }
    return insertInto("forwards", forwardParams) + " ON CONFLICT (delivery_id) DO UPDATE SET " + set;
}

} // namespace

writerjobs::PreparedEvents writerjobs::PreparedEvents::of(const QList<Event> &events)
{
    PreparedEvents out;
    out.rows.reserve(std::size_t(events.size()));
    const auto add = [&out](const QString &text) -> std::pair<qint32, qint32> {
        if (text.isNull())
            return {-1, 0};
        const auto offset = qint32(out.utf8.size());
        bool ascii = true;
        for (const QChar c : text)
            ascii = ascii && c.unicode() < 0x80;
        if (ascii) {
            out.utf8.resize(offset + text.size());
            char *p = out.utf8.data() + offset;
            for (const QChar c : text)
                *p++ = char(c.unicode());
        } else {
            out.utf8 += text.toUtf8();
        }
        return {offset, qint32(out.utf8.size() - offset)};
    };
    for (const Event &e : events) {
        Row row{textkey::eventIdOf(e.eventId), textkey::subjectOf(e.subjectType, e.subjectId, e.subjectUuid), {}};
        int k = 0;
        for (const QString *text : {&e.eventId, &e.action, &e.author, &e.authorType, &e.pimSource, &e.subjectType,
                                    &e.subjectId, &e.subjectUuid})
            row.text[std::size_t(k++)] = add(*text);
        out.rows.push_back(row);
    }
    return out;
}

Result<void> StoreWriter::prepareStatements()
{
    sqlite3 *handle = SqliteStatement::handle(m_connection->db());
    m_sql = std::make_unique<Statements>();
    // The answer-time budget depends on the delivery's format: one CASE built from the table the flagger uses.
    QByteArray budget = "CASE format";
    for (const Format f :
         {Format::Unknown, Format::Akeneo, Format::AkeneoTest, Format::AkeneoEventPlatform, Format::Quable})
        budget += " WHEN " + QByteArray::number(int(f)) + " THEN " + QByteArray::number(senderProfile(f).deadlineMs);
    budget += " END";
    const QByteArray slow = QByteArray::number(int(Flag::SlowAck));
    const QByteArray recordAck = "UPDATE deliveries SET ack_ms = :ack_ms, flags = CASE WHEN :ack_ms > " + budget
        + " THEN flags | " + slow + " ELSE flags END WHERE id = :id";
    const QByteArray markEventsSlow = "UPDATE events SET flags = flags | " + slow
        + " WHERE delivery_id = :delivery_id AND (SELECT flags & " + slow
        + " FROM deliveries WHERE id = :delivery_id) != 0";
    const QByteArray insertDelivery = insertInto("deliveries", deliveryParams);
    const QByteArray upsertForward = upsertForwardSql();
    const QByteArray insertEvent = insertInto("events", eventParams);
    const QByteArray insertEdit = insertInto("edits", editParams);
    Statements &sql = *m_sql;
    struct Prepared
    {
        SqliteStatement *statement;
        const char *text;
        std::span<const char *const> names;
    };
    const Prepared statements[] = {
        {&sql.insertDelivery, insertDelivery.constData(), deliveryParams},
        {&sql.insertEvent, insertEvent.constData(), eventParams},
        {&sql.updateDeliveryFlags, "UPDATE deliveries SET flags = :flags WHERE id = :id", updateFlagsParams},
        {&sql.markIndexed,
         "UPDATE deliveries SET flags = :flags, event_count = :event_count, warnings = :warnings, indexed = 1 "
         "WHERE id = :id",
         markIndexedParams},
        {&sql.recordAck, recordAck.constData(), recordAckParams},
        {&sql.markEventsSlow, markEventsSlow.constData(), markEventsSlowParams},
        {&sql.findLogKey, "SELECT 1 FROM deliveries WHERE log_key = :log_key AND import_id IS NOT :import_id",
         findLogKeyParams},
        {&sql.upsertForward, upsertForward.constData(), forwardParams},
        {&sql.passedOnStatus, "UPDATE deliveries SET answered_status = :status, flags = flags | :flags WHERE id = :id",
         passedOnStatusParams},
        {&sql.markEventsFailed,
         "UPDATE events SET flags = flags | :flags WHERE delivery_id = :delivery_id AND (flags & :flags) = 0",
         markEventsFailedParams},
        {&sql.formatOf, "SELECT format FROM deliveries WHERE id = :id", formatOfParams},
        {&sql.insertEdit, insertEdit.constData(), editParams},
    };
    for (const Prepared &p : statements) {
        if (!p.statement->prepare(handle, p.text, p.names))
            return Result<void>::failure(QStringLiteral("cannot prepare the store's statements: ")
                                         + p.statement->errorString());
    }
    return {};
}

Result<void> StoreWriter::apply(writerjobs::StoreDelivery &job, quint64 ticket)
{
    Delivery &d = job.delivery;
    if (!d.logKey.isEmpty()) {
        SqliteStatement &find = m_sql->findLogKey;
        find.bindBlob(FindLogKey::LogKey, d.logKey);
        find.bind(FindLogKey::ImportId, d.importId);
        bool ok = false;
        const bool known = find.existsRow(&ok);
        if (!ok)
            return Result<void>::failure(QStringLiteral("cannot look up a log line: ") + find.errorString());
        if (known) {
            m_batch.stored.append(StoredDelivery{ticket, 0, {}, 0});
            return {};
        }
    }
    if (!job.parsed) {
        ParseResult parsed = m_parser->parse(d.body);
        d.format = parsed.format;
        d.events = std::move(parsed.events);
        if (d.error.isNull())
            d.error = parsed.error;
        d.warnings += parsed.warnings;
    }
    d.eventCount = int(d.events.size());
    if (d.bodySize == 0)
        d.bodySize = d.body.size();
    const Flags ownFlags = Flagger::deliveryFlags(d);

    SqliteStatement &qd = m_sql->insertDelivery;
    using P = DeliveryParam;
    qd.bind(P::Origin, int(d.origin));
    qd.bind(P::ReceivedAt, d.receivedAtMs);
    qd.bindText(P::Method, d.method);
    if (d.path.isNull())
        qd.bindNull(P::Path);
    else
        qd.bindBlob(P::Path, d.path); // raw bytes: a request target need not be UTF-8
    qd.bind(P::Remote, d.remote);
    const QByteArray headers = headercodec::encode(d.headers);
    qd.bindBlob(P::Headers, headers);
    qd.bindBlob(P::Body, d.body);
    qd.bind(P::BodySize, d.bodySize);
    qd.bind(P::Format, int(d.format));
    qd.bind(P::Signature, int(d.signature));
    qd.bind(P::SignatureDetail, d.signatureDetail);
    qd.bind(P::AnsweredStatus, d.answeredStatus);
    qd.bind(P::AckMs, d.ackMs);
    qd.bind(P::EventCount, d.eventCount);
    qd.bind(P::Error, d.error);
    qd.bind(P::Warnings, d.warnings.isEmpty() ? QString() : d.warnings.join(u'\n'));
    qd.bind(P::LogLevel, d.logLevel ? std::optional<int>(int(*d.logLevel)) : std::nullopt);
    qd.bind(P::LogMessage, d.logMessage ? std::optional<int>(int(*d.logMessage)) : std::nullopt);
    qd.bind(P::StatusCode, d.statusCode);
    qd.bind(P::Url, d.url);
    qd.bind(P::LogFile, d.logFile);
    qd.bind(P::LogLine, d.logLine);
    qd.bind(P::Flags, int(ownFlags.toInt()));
    qd.bind(P::Indexed, job.indexLater ? 0 : 1); // 0: caught up at the next open if the process dies before indexing
    if (d.importId > 0)
        qd.bind(P::ImportId, d.importId);
    else
        qd.bindNull(P::ImportId);
    if (d.logKey.isEmpty())
        qd.bindNull(P::LogKey);
    else
        qd.bindBlob(P::LogKey, d.logKey);
    if (!qd.exec())
        return Result<void>::failure(QStringLiteral("cannot store a delivery: ") + qd.errorString());
    d.id = sqlite3_last_insert_rowid(SqliteStatement::handle(m_connection->db()));
    if (job.forward) {
        job.forward->deliveryId = d.id;
        if (auto r = writeForward(*job.forward); !r)
            return r;
    }
    if (d.editSource) {
        const EditSource &e = *d.editSource;
        SqliteStatement &qe = m_sql->insertEdit;
        qe.bind(EditParam::DeliveryId, d.id);
        qe.bind(EditParam::SourceEvent, e.eventId > 0 ? std::optional<qint64>(e.eventId) : std::nullopt);
        qe.bind(EditParam::SourceDelivery, e.deliveryId > 0 ? std::optional<qint64>(e.deliveryId) : std::nullopt);
        qe.bind(EditParam::Template, e.templateKey);
        qe.bind(EditParam::Faults, e.faults.isEmpty() ? QString() : e.faults.join(u','));
        qe.bind(EditParam::HandEdited, e.handEdited ? 1 : 0);
        if (!qe.exec())
            return Result<void>::failure(QStringLiteral("cannot store what a request was made from: ")
                                         + qe.errorString());
    }
    if (d.importId > 0) {
        ImportProgress &p = m_batch.importProgress[d.importId];
        ++p.added;
        p.events += d.eventCount;
    }

    if (job.indexLater) {
        // The events are indexed after the commit (indexBacklog), from the stored body.
        m_batch.backlog.push_back(d.id);
        m_batch.stored.append(StoredDelivery{ticket, d.id, ownFlags, d.eventCount});
        return {};
    }
    if (job.prepared.rows.size() != std::size_t(d.events.size()))
        job.prepared = PreparedEvents::of(d.events);
    return insertEvents(d, job.prepared, ownFlags, false, ticket);
}

Result<void> StoreWriter::insertEvents(Delivery &d, const PreparedEvents &prepared, Flags ownFlags, bool indexing,
                                       quint64 ticket)
{
    Flags all = ownFlags;
    SqliteStatement &qe = m_sql->insertEvent;
    sqlite3 *handle = SqliteStatement::handle(m_connection->db());
    for (qsizetype i = 0; i < d.events.size(); ++i) {
        Event &e = d.events[i];
        e.deliveryId = d.id;
        const PreparedEvents::Row &row = prepared.rows[std::size_t(i)];
        e.flags = m_flagger.flagEvent(d, e, row.idKey, row.subjectKey);
        all |= e.flags;
        const auto text = [&](int column, int field) {
            const auto [offset, length] = row.text[std::size_t(field)];
            if (offset < 0)
                qe.bindNull(column);
            else
                qe.bindStaticText(column, prepared.utf8.constData() + offset, length);
        };
        using P = EventParam;
        qe.bind(P::DeliveryId, d.id);
        qe.bind(P::Seq, e.seq);
        qe.bind(P::Origin, int(d.origin));
        qe.bind(P::ReceivedAt, d.receivedAtMs);
        qe.bind(P::EventTime, e.eventTimeMs);
        // The texts in PreparedEvents' order: event_id ... subject_uuid.
        for (int field = 0; field < PreparedEvents::textCount; ++field)
            text(eventTextParams[std::size_t(field)], field);
        qe.bind(P::Flags, int(e.flags.toInt()));
        qe.bind(P::PayloadOffset, qint64(e.payloadOffset));
        qe.bind(P::PayloadLength, qint64(e.payloadLength));
        qe.bind(P::EventKey, row.idKey);
        qe.bind(P::SubjectKey, row.subjectKey);
        qe.bind(P::Attempt, e.attempt);
        qe.bind(P::RetryOf, e.retryOf > 0 ? std::optional<qint64>(e.retryOf) : std::nullopt);
        if (!qe.exec())
            return Result<void>::failure(QStringLiteral("cannot store an event: ") + qe.errorString());
        e.id = sqlite3_last_insert_rowid(handle);
        m_flagger.stored(e);
    }
    if (indexing) {
        // Indexing a stored delivery: its row gets the union of the flags and is marked indexed.
        m_sql->markIndexed.bind(MarkIndexed::Flags, int(all.toInt()));
        m_sql->markIndexed.bind(MarkIndexed::EventCount, int(d.events.size()));
        m_sql->markIndexed.bind(MarkIndexed::Warnings, d.warnings.isEmpty() ? QString() : d.warnings.join(u'\n'));
        m_sql->markIndexed.bind(MarkIndexed::Id, d.id);
        if (!m_sql->markIndexed.exec())
            return Result<void>::failure(m_sql->markIndexed.errorString());
    } else if (all != ownFlags) {
        m_sql->updateDeliveryFlags.bind(UpdateFlags::Flags, int(all.toInt()));
        m_sql->updateDeliveryFlags.bind(UpdateFlags::Id, d.id);
        if (!m_sql->updateDeliveryFlags.exec())
            return Result<void>::failure(m_sql->updateDeliveryFlags.errorString());
    }
    d.flags = all;
    m_health.stored(d);
    if (!indexing)
        m_batch.stored.append(StoredDelivery{ticket, d.id, all, d.eventCount});
    return {};
}

} // namespace pimscope
