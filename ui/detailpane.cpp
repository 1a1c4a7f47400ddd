#include "detailpane.h"

#include "deliverysummary.h"
#include "headertable.h"
#include "jsontreeview.h"
#include "severitydelegate.h"

#include "analysis/jsondiff.h"
#include "compose/composer.h"
#include "model/senderprofile.h"
#include "models/eventtablemodel.h"
#include "replay/replayplan.h"
#include "store/capturequeries.h"
#include "store/storereader.h"
#include "util/jsonindent.h"
#include "util/timeutil.h"

#include <QFontDatabase>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMap>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSplitter>
#include <QTableWidget>
#include <QTextEdit>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace pimscope::ui {

namespace {

/** JSON indented in its own member order with its own bytes; anything else as it is. */
QString prettyJson(const QByteArray &bytes)
{
    QJsonParseError error;
    QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError)
        return QString::fromUtf8(bytes);
    return QString::fromUtf8(indentJson(bytes));
}

QPlainTextEdit *codeView(QWidget *parent, const char *objectName)
{
    auto *view = new QPlainTextEdit(parent);
    view->setObjectName(QString::fromLatin1(objectName));
    view->setReadOnly(true);
    view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    view->setLineWrapMode(QPlainTextEdit::NoWrap);
    return view;
}

constexpr int timelineColumns = 9;

/** The answer the sender got, e.g. "500 in 12 ms, failed" (judged by the sender's rules); empty for none. */
QString answerText(const EventRecord &r)
{
    const std::optional<int> status = r.statusCode ? r.statusCode : r.answeredStatus;
    if (!status)
        return {};
    QString text = QString::number(*status);
    if (r.ackMs)
        text += *r.ackMs >= 1000 ? QStringLiteral(" in %1 s").arg(*r.ackMs / 1000.0, 0, 'f', 1)
                                 : QStringLiteral(" in %1 ms").arg(qRound(*r.ackMs));
    const SenderProfile &sender = senderProfile(r.format);
    if (!sender.isSuccess(*status, r.ackMs.value_or(0.0)))
        text += QStringLiteral(", failed");
    return text;
}

/** What an edited request was made from, as the capture still holds it. */
struct EditDifference
{
    std::optional<EditSource> source;
    std::optional<EventRecord> sourceEvent;
    std::optional<Delivery> sourceDelivery;
    QByteArray logBody; ///< a log line's events in their envelope (what Edit and send sends of it)
};

/** Changes as lines, + added (green), - removed (red), ~ changed (amber), in a <pre>. */
QString changesHtml(const QList<JsonChange> &changes)
{
    QString html = QStringLiteral("<pre>");
    for (const JsonChange &c : changes) {
        const QString path = c.path.isEmpty() ? QStringLiteral("(the whole value)") : c.path;
        switch (c.kind) {
        case JsonChange::Added:
            html += QStringLiteral("<span style='color:#2e7d32'>+ %1: %2</span>\n")
                        .arg(path.toHtmlEscaped(), compactJson(c.after).toHtmlEscaped());
            break;
        case JsonChange::Removed:
            html += QStringLiteral("<span style='color:#c62828'>- %1: %2</span>\n")
                        .arg(path.toHtmlEscaped(), compactJson(c.before).toHtmlEscaped());
            break;
        case JsonChange::Changed:
            html += QStringLiteral("<span style='color:#b26a00'>~ %1: %2 → %3</span>\n")
                        .arg(path.toHtmlEscaped(), compactJson(c.before).toHtmlEscaped(),
                             compactJson(c.after).toHtmlEscaped());
            break;
        }
    }
    return html + QStringLiteral("</pre>");
}

QString differencesText(qsizetype n)
{
    return n == 0 ? QStringLiteral("no difference")
                  : (n > 1 ? QStringLiteral("%1 differences") : QStringLiteral("%1 difference")).arg(n);
}

/** What an edited request changed from its source: its body (JSON compared, else bytes) and its headers. */
QString editDifferenceHtml(const Delivery &sent, const EditDifference &from)
{
    const EditSource &e = *from.source;
    QString html = QStringLiteral("<p><b>Delivery #%1</b>, sent by Pimscope, ").arg(sent.id);
    QByteArray before;
    Headers beforeHeaders;
    bool haveSource = false;
    if (e.eventId > 0) {
        html += QStringLiteral("edited from event <b>#%1</b> of delivery #%2").arg(e.eventId).arg(e.deliveryId);
        if (from.sourceEvent) {
            before = eventRequestBody(*from.sourceEvent);
            haveSource = true;
        }
    } else if (e.deliveryId > 0) {
        html += QStringLiteral("edited from delivery <b>#%1</b>").arg(e.deliveryId);
        if (from.sourceDelivery) {
            before = from.sourceDelivery->origin == Origin::Log ? from.logBody : from.sourceDelivery->body;
            haveSource = true;
        }
    } else if (!e.templateKey.isEmpty()) {
        html += QStringLiteral("composed from the template <b>%1</b>").arg(e.templateKey.toHtmlEscaped());
    } else {
        html += QStringLiteral("composed by hand");
    }
    if (from.sourceDelivery)
        beforeHeaders = from.sourceDelivery->headers;
    // Ids of rows deleted last may be given again: a "source" received after the copy was sent is another row.
    if ((from.sourceEvent && from.sourceEvent->receivedAtMs > sent.receivedAtMs)
        || (from.sourceDelivery && from.sourceDelivery->receivedAtMs > sent.receivedAtMs))
        haveSource = false;
    if (!e.templateKey.isEmpty() && (e.eventId > 0 || e.deliveryId > 0))
        html += QStringLiteral(" (template %1)").arg(e.templateKey.toHtmlEscaped());
    html += e.handEdited ? QStringLiteral(", changed by hand") : QString();
    html += e.faults.isEmpty()
        ? QStringLiteral(".")
        : QStringLiteral(", with the faults <b>%1</b>.").arg(e.faults.join(QStringLiteral(", ")).toHtmlEscaped());
    html += QStringLiteral("</p>");
    if ((e.eventId > 0 || e.deliveryId > 0) && !haveSource)
        return html
            + QStringLiteral("<p>What it was edited from is no longer in the capture (pruned or deleted): "
                             "nothing to compare.</p>");
    if (!haveSource)
        return html;

    // The body.
    QJsonParseError beforeError{};
    QJsonParseError afterError{};
    const QJsonDocument a = QJsonDocument::fromJson(before, &beforeError);
    const QJsonDocument b = QJsonDocument::fromJson(sent.body, &afterError);
    if (beforeError.error == QJsonParseError::NoError && afterError.error == QJsonParseError::NoError) {
        const QJsonValue av = a.isObject() ? QJsonValue(a.object()) : QJsonValue(a.array());
        const QJsonValue bv = b.isObject() ? QJsonValue(b.object()) : QJsonValue(b.array());
        const QList<JsonChange> changes = jsonDiff(av, bv);
        html += QStringLiteral("<p><b>Body</b>: %1%2</p>")
                    .arg(differencesText(changes.size()),
                         changes.isEmpty() && before != sent.body ? QStringLiteral(" in the JSON (its bytes differ)")
                                                                  : QString());
        html += changesHtml(changes);
    } else {
        qsizetype at = 0;
        while (at < before.size() && at < sent.body.size() && before[at] == sent.body[at])
            ++at;
        html += before == sent.body
            ? QStringLiteral("<p><b>Body</b>: the same bytes.</p>")
            : QStringLiteral("<p><b>Body</b>: %1; the bytes differ from byte %2 on (%3 bytes, were %4).</p>")
                  .arg(afterError.error != QJsonParseError::NoError
                           ? QStringLiteral("the body sent is not JSON (%1 at byte %2)")
                                 .arg(afterError.errorString())
                                 .arg(afterError.offset)
                           : QStringLiteral("what it was edited from is not JSON"))
                  .arg(at)
                  .arg(sent.body.size())
                  .arg(before.size());
    }

    // The headers the user could change: not the signer's, nor the connection's.
    // By name, compared case-insensitively (Qt 6.8's receiver stores names lowercase), shown as last written.
    QMap<QByteArray, QString> names;
    const auto shown = [&sent, &names](const Headers &headers) {
        QMap<QByteArray, QByteArray> out;
        for (const Header &h : headers) {
            if (isSigningHeader(h.name, sent.format) || isConnectionHeader(h.name))
                continue;
            const QByteArray key = h.name.toLower();
            names[key] = QString::fromLatin1(h.name);
            out[key] += out.contains(key) ? ", " + h.value : h.value;
        }
        return out;
    };
    const QMap<QByteArray, QByteArray> old = shown(beforeHeaders);
    const QMap<QByteArray, QByteArray> now = shown(sent.headers);
    QList<JsonChange> headerChanges;
    for (auto it = old.cbegin(); it != old.cend(); ++it) {
        if (!now.contains(it.key()))
            headerChanges.append(
                {JsonChange::Removed, names.value(it.key()), QString::fromUtf8(it.value()), QJsonValue::Undefined});
        else if (now.value(it.key()) != it.value())
            headerChanges.append({JsonChange::Changed, names.value(it.key()), QString::fromUtf8(it.value()),
                                  QString::fromUtf8(now.value(it.key()))});
    }
    for (auto it = now.cbegin(); it != now.cend(); ++it) {
        if (!old.contains(it.key()))
            headerChanges.append(
                {JsonChange::Added, names.value(it.key()), QJsonValue::Undefined, QString::fromUtf8(it.value())});
    }
    html += QStringLiteral("<p><b>Headers</b> (the signing ones aside, computed when sent): %1</p>")
                .arg(differencesText(headerChanges.size()));
    return html + changesHtml(headerChanges);
}

} // namespace

DetailPane::DetailPane(QWidget *parent)
    : QTabWidget(parent)
{
    setObjectName(QStringLiteral("details"));
    // Event: the tree (search, copy value or path) over the indented text.
    auto *eventTab = new QSplitter(Qt::Vertical, this);
    m_eventTree = new JsonTreeView(eventTab);
    m_eventTree->setObjectName(QStringLiteral("eventTree"));
    m_eventJson = codeView(eventTab, "eventJson");
    eventTab->addWidget(m_eventTree);
    eventTab->addWidget(m_eventJson);
    eventTab->setStretchFactor(0, 3);
    eventTab->setStretchFactor(1, 2);
    // Raw: the body's exact bytes, and beside them the same JSON indented.
    auto *rawTab = new QSplitter(Qt::Horizontal, this);
    m_raw = codeView(rawTab, "rawBody");
    m_raw->setToolTip(QStringLiteral("The body exactly as received"));
    m_rawPretty = codeView(rawTab, "rawBodyIndented");
    m_rawPretty->setToolTip(QStringLiteral("The same body indented (members in their order)"));
    rawTab->addWidget(m_raw);
    rawTab->addWidget(m_rawPretty);
    m_headers = newHeaderTable(this, QStringLiteral("headersTable"), false);
    m_delivery = codeView(this, "deliveryText");
    addTab(eventTab, QStringLiteral("Event"));
    addTab(rawTab, QStringLiteral("Raw"));
    addTab(m_headers, QStringLiteral("Headers"));
    addTab(m_delivery, QStringLiteral("Delivery"));

    m_timelineTab = new QWidget(this);
    auto *timelineLayout = new QVBoxLayout(m_timelineTab);
    timelineLayout->setContentsMargins(4, 4, 4, 4);
    m_timelineSummary = new QLabel(m_timelineTab);
    m_timelineSummary->setObjectName(QStringLiteral("timelineSummary"));
    m_timelineSummary->setWordWrap(true);
    m_timeline = new QTreeWidget(m_timelineTab);
    m_timeline->setObjectName(QStringLiteral("timeline"));
    m_timeline->setUniformRowHeights(true);
    // A sender's retries are nested under the first attempt of their chain, each with the answer it got.
    m_timeline->setHeaderLabels({QStringLiteral("Event time (UTC)"), QStringLiteral("Action"), QStringLiteral("Author"),
                                 QStringLiteral("Origin"), QStringLiteral("Received (UTC)"), QStringLiteral("Delivery"),
                                 QStringLiteral("Attempt"), QStringLiteral("Answer"), QStringLiteral("Flags")});
    connect(m_timeline, &QTreeWidget::itemActivated, this,
            [this](QTreeWidgetItem *item) { Q_EMIT eventActivated(item->data(0, Qt::UserRole).toLongLong()); });
    timelineLayout->addWidget(m_timelineSummary);
    timelineLayout->addWidget(m_timeline, 1);
    addTab(m_timelineTab, QStringLiteral("Timeline"));

    m_compareTab = new QWidget(this);
    auto *compareLayout = new QVBoxLayout(m_compareTab);
    compareLayout->setContentsMargins(4, 4, 4, 4);
    m_compare = new QTextEdit(m_compareTab);
    m_compare->setObjectName(QStringLiteral("compareView"));
    m_compare->setReadOnly(true);
    m_compare->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    compareLayout->addWidget(m_compare);
    addTab(m_compareTab, QStringLiteral("Compare"));
    setTabEnabled(compareTabIndex(), false);
    setTabToolTip(compareTabIndex(), QStringLiteral("Select two events (Ctrl+click) to compare them"));
}

void DetailPane::setCapture(CaptureQueries *queries, QObject *context)
{
    m_queries = queries;
    m_context = context;
    clear();
}

void DetailPane::clear()
{
    m_shownDelivery = 0;
    m_timelineSubject.clear();
    for (QPlainTextEdit *view : {m_eventJson, m_raw, m_rawPretty, m_delivery})
        view->clear();
    m_eventTree->clear();
    m_headers->setRowCount(0);
    m_timeline->clear();
    m_timelineSummary->clear();
    m_compare->clear();
    m_editDifference.clear();
}

void DetailPane::setShowingDeliveries(bool deliveries)
{
    m_shownDelivery = 0;
    m_editDifference.clear();
    setTabEnabled(indexOf(m_timelineTab), !deliveries);
    setTabEnabled(compareTabIndex(), false);
    if (deliveries && currentIndex() == 0)
        setCurrentWidget(m_delivery);
}

void DetailPane::clearEvent()
{
    m_eventJson->clear();
    m_eventTree->clear();
}

bool DetailPane::showsEvent() const
{
    return !m_eventJson->toPlainText().isEmpty();
}

void DetailPane::showEventRecord(const EventRecord &record)
{
    m_eventJson->setPlainText(prettyJson(record.payload));
    m_eventTree->setJson(record.payload);
    showTimeline(record);
    showDelivery(record.event.deliveryId);
}

void DetailPane::showDeliveryRow(qint64 deliveryId)
{
    if (!m_queries)
        return;
    // The Event tab lists the delivery's events, each as the PIM sent it.
    m_queries->eventsOfDelivery(deliveryId, m_context, [this, deliveryId](Result<QList<EventRecord>> events) {
        if (deliveryId != m_shownDelivery || !events)
            return;
        QStringList parts;
        for (const EventRecord &e : *events) {
            parts << QStringLiteral("// event %1 of %2: %3 %4")
                         .arg(e.event.seq + 1)
                         .arg(events->size())
                         .arg(e.event.action, EventTableModel::subjectText(e.event))
                  << prettyJson(e.payload);
        }
        m_eventJson->setPlainText(parts.isEmpty() ? QStringLiteral("// no event in this delivery") : parts.join(u'\n'));
        m_eventTree->clear();
    });
    showDelivery(deliveryId);
}

void DetailPane::showDelivery(qint64 deliveryId)
{
    if (deliveryId == m_shownDelivery || !m_queries)
        return;
    m_shownDelivery = deliveryId;
    m_editDifference.clear();
    if (!m_comparing) { // the previous row's difference goes with it
        m_compare->clear();
        setTabEnabled(compareTabIndex(), false);
    }
    // Nothing of the previous selection stays on show while this one is read.
    m_raw->setPlainText(QStringLiteral("…"));
    m_rawPretty->clear();
    m_delivery->setPlainText(QStringLiteral("…"));
    m_headers->setRowCount(0);
    m_queries->delivery(deliveryId, m_context, [this, deliveryId](Result<Delivery> d) {
        if (deliveryId != m_shownDelivery)
            return;
        if (!d) {
            m_delivery->setPlainText(d.error());
            return;
        }
        // Exactly as received (bytes that are not UTF-8 show as U+FFFD here; exports keep them).
        m_raw->setPlainText(QString::fromUtf8(d->body));
        m_rawPretty->setPlainText(prettyJson(d->body));
        showHeaders(m_headers, d->headers);
        m_delivery->setPlainText(deliverySummary(*d));
        if (d->origin == Origin::Replay)
            showEditDifference(*d);
        if (d->connector)
            showDeliverySummary(std::move(*d));
    });
}

void DetailPane::showEditDifference(const Delivery &sent)
{
    const qint64 id = sent.id;
    m_queries->run<EditDifference>(
        m_context,
        [id](StoreReader &reader) -> Result<EditDifference> {
            EditDifference out;
            auto source = reader.editSource(id);
            if (!source)
                return Result<EditDifference>::failure(source.error());
            out.source = *source;
            if (out.source && out.source->eventId > 0) {
                if (auto events = reader.events({out.source->eventId}); events && !events->isEmpty())
                    out.sourceEvent = events->first();
            }
            if (out.source && out.source->deliveryId > 0) {
                // Its body only when it is what was edited (an event's own bytes are the event's).
                if (auto ds = reader.deliveries({out.source->deliveryId}, out.source->eventId == 0);
                    ds && !ds->isEmpty())
                    out.sourceDelivery = ds->first();
                if (out.sourceDelivery && out.sourceDelivery->origin == Origin::Log) {
                    if (auto events = reader.eventsOfDelivery(out.source->deliveryId))
                        out.logBody = logLineBody(*events);
                }
            }
            return out;
        },
        [this, id, sent](Result<EditDifference> from) {
            if (id != m_shownDelivery || !from || !from->source)
                return;
            m_editDifference = editDifferenceHtml(sent, *from);
            if (m_comparing)
                return; // two events selected: their comparison stays
            m_compare->setHtml(m_editDifference);
            setTabEnabled(compareTabIndex(), true);
            setTabToolTip(compareTabIndex(), QStringLiteral("What this request changed from what it was made of"));
        });
}

void DetailPane::refreshConnector()
{
    const qint64 deliveryId = m_shownDelivery;
    if (deliveryId == 0 || !m_queries)
        return;
    m_queries->delivery(deliveryId, m_context, [this, deliveryId](Result<Delivery> d) {
        if (deliveryId == m_shownDelivery && d && d->connector)
            showDeliverySummary(std::move(*d));
    });
}

void DetailPane::showDeliverySummary(Delivery d)
{
    // A forwarded delivery: its Connector section, with the whole answer as recorded.
    const qint64 deliveryId = d.id;
    m_queries->run<QList<ConnectorAnswer>>(
        m_context, [deliveryId](StoreReader &reader) { return reader.forwards({deliveryId}); },
        [this, deliveryId, delivery = std::move(d)](Result<QList<ConnectorAnswer>> forwards) {
            if (deliveryId != m_shownDelivery || !forwards || forwards->isEmpty())
                return;
            QScrollBar *bar = m_delivery->verticalScrollBar();
            const int at = bar->value();
            m_delivery->setPlainText(deliverySummary(delivery, forwards->front()));
            bar->setValue(at);
        });
}

void DetailPane::showTimeline(const EventRecord &selected)
{
    const Event &e = selected.event;
    const QString key = e.subjectUuid.isEmpty() ? e.subjectId : e.subjectUuid;
    if (key.isEmpty()) {
        m_timelineSubject.clear();
        m_timeline->clear();
        m_timelineSummary->setText(QStringLiteral("This event names no product, product model or document."));
        return;
    }
    const QString subject = e.subjectType + u'\x1f' + key;
    const qint64 selectedId = e.id;
    m_timelineSubject = subject;
    const QString title = EventTableModel::subjectText(e);
    m_queries->eventsOfSubject(
        e.subjectType, key, m_context,
        [this, subject, selectedId, title, type = e.subjectType](Result<QList<EventRecord>> rows) {
            if (subject != m_timelineSubject)
                return; // another row was selected meanwhile
            m_timeline->clear();
            if (!rows) {
                m_timelineSummary->setText(rows.error());
                return;
            }
            QMap<QString, int> byAction;
            int duplicates = 0, outOfOrder = 0, retries = 0;
            QHash<qint64, QTreeWidgetItem *> firstAttempts;
            for (const EventRecord &r : *rows) {
                const Event &ev = r.event;
                QTreeWidgetItem *chain = ev.retryOf > 0 ? firstAttempts.value(ev.retryOf) : nullptr;
                auto *item = chain ? new QTreeWidgetItem(chain) : new QTreeWidgetItem(m_timeline);
                if (ev.attempt <= 1)
                    firstAttempts.insert(ev.id, item);
                item->setText(0, ev.eventTimeMs ? toTableUtc(*ev.eventTimeMs) : QString());
                item->setText(1, ev.action);
                item->setText(2, ev.author);
                item->setText(3, originName(r.origin));
                item->setText(4, toTableUtc(r.receivedAtMs));
                item->setText(5, QString::number(ev.deliveryId));
                item->setText(6, ev.attempt > 1 ? QStringLiteral("retry %1").arg(ev.attempt) : QStringLiteral("1"));
                item->setText(7, answerText(r));
                item->setText(8, EventTableModel::flagsText(ev.flags));
                retries += ev.attempt > 1 ? 1 : 0;
                item->setData(0, Qt::UserRole, ev.id);
                if (const QColor tint = severityTint(severityOf(ev.flags)); tint.isValid()) {
                    for (int c = 0; c < timelineColumns; ++c)
                        item->setBackground(c, tint);
                }
                if (ev.id == selectedId) {
                    QFont bold = item->font(0);
                    bold.setBold(true);
                    for (int c = 0; c < timelineColumns; ++c)
                        item->setFont(c, bold);
                    m_timeline->setCurrentItem(item);
                }
                const QString verb = ev.action.section(u'.', -1);
                byAction[verb.isEmpty() ? ev.action : verb]++;
                duplicates += ev.flags.testFlag(Flag::Duplicate) ? 1 : 0;
                outOfOrder += ev.flags.testFlag(Flag::OutOfOrder) ? 1 : 0;
            }
            QStringList counts;
            for (auto it = byAction.cbegin(); it != byAction.cend(); ++it)
                counts << QStringLiteral("%1 %2×").arg(it.key()).arg(it.value());
            QString text = QStringLiteral("<b>%1</b> (%2): %3 events — %4")
                               .arg(title.toHtmlEscaped(), type.toHtmlEscaped())
                               .arg(rows->size())
                               .arg(counts.join(QStringLiteral(", ")).toHtmlEscaped());
            if (retries)
                text += QStringLiteral(" · %1 %2 of a failed delivery")
                            .arg(retries)
                            .arg(retries == 1 ? u"retry" : u"retries");
            if (duplicates)
                text += QStringLiteral(" · <span style='color:#b58900'>%1 delivered again</span>").arg(duplicates);
            if (outOfOrder)
                text += QStringLiteral(" · <span style='color:#b58900'>%1 older than one already received</span>")
                            .arg(outOfOrder);
            m_timelineSummary->setText(text);
            m_timeline->setRootIsDecorated(retries > 0);
            m_timeline->expandAll();
            for (int c = 0; c < timelineColumns; ++c)
                m_timeline->resizeColumnToContents(c);
        });
}

int DetailPane::compareTabIndex() const
{
    return indexOf(m_compareTab);
}

bool DetailPane::canCompare() const
{
    return isTabEnabled(compareTabIndex());
}

void DetailPane::showCompareTab()
{
    setCurrentIndex(compareTabIndex());
}

void DetailPane::showTimelineTab()
{
    setCurrentWidget(m_timelineTab);
}

void DetailPane::compare(const EventRecord *a, const EventRecord *b)
{
    m_comparing = a && b;
    if (!m_comparing) {
        // One row: an edited request shows what it changed, when it is one.
        setTabEnabled(compareTabIndex(), !m_editDifference.isEmpty());
        m_compare->setHtml(m_editDifference);
        return;
    }
    setTabEnabled(compareTabIndex(), true);
    // Compare what the events are about (the resource), or the whole events when they have none.
    const auto resource = [](const QByteArray &payload) {
        const QJsonObject o = QJsonDocument::fromJson(payload).object();
        const QJsonValue r = o.value(u"data").toObject().value(u"resource");
        return r.isObject() ? r : QJsonValue(o);
    };
    const QList<JsonChange> changes = jsonDiff(resource(a->payload), resource(b->payload));
    QString html = QStringLiteral("<p><b>#%1</b> %2 %3 → <b>#%4</b> %5 %6: %7</p>")
                       .arg(a->event.id)
                       .arg(a->event.action.toHtmlEscaped(),
                            a->event.eventTimeMs ? toTableUtc(*a->event.eventTimeMs) : QString())
                       .arg(b->event.id)
                       .arg(b->event.action.toHtmlEscaped(),
                            b->event.eventTimeMs ? toTableUtc(*b->event.eventTimeMs) : QString())
                       .arg(changes.isEmpty() ? QStringLiteral("no difference")
                                              : (changes.size() > 1 ? QStringLiteral("%1 differences")
                                                                    : QStringLiteral("%1 difference"))
                                                    .arg(changes.size()));
    html += changesHtml(changes);
    m_compare->setHtml(html);
}

} // namespace pimscope::ui
