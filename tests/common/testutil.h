#pragma once

// Helpers shared by the tests (header-only, so every test stays one executable of its own).

#include "model/delivery.h"
#include "util/timeutil.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QString>
#include <QStringList>
#include <QTcpSocket>
#include <QTest>
#include <QUrl>

#include <optional>
#include <tuple>
#include <type_traits>

namespace pimscope::test {

inline QByteArray readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read test file %s", qPrintable(path));
    return f.readAll();
}

inline QByteArray sample(const char *name)
{
    return readFile(QDir(QStringLiteral(PIMSCOPE_SAMPLES_DIR)).filePath(QString::fromLatin1(name)));
}

inline QByteArray sha256(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex();
}

inline qint64 iso(const char *text)
{
    const auto ms = parseIsoDateTime(std::string_view(text));
    if (!ms)
        qFatal("bad time in test: %s", text);
    return *ms;
}

/** A received request as the receiver would hand it to the store (body not parsed yet). */
inline Delivery receivedDelivery(QByteArray body, qint64 receivedAtMs, std::optional<double> ackMs = 12.5)
{
    Delivery d;
    d.origin = Origin::Receiver;
    d.receivedAtMs = receivedAtMs;
    d.method = "POST";
    d.path = "/hook/events";
    d.remote = QStringLiteral("127.0.0.1:50000");
    d.headers = {{"Host", "127.0.0.1:8787"},
                 {"Content-Type", "application/json"},
                 {"X-Akeneo-Request-Timestamp", "1742306531"},
                 {"X-Custom", "first"},
                 {"X-Custom", "second"}};
    d.body = std::move(body);
    d.bodySize = d.body.size();
    d.answeredStatus = 200;
    d.ackMs = ackMs;
    return d;
}

/** One Event Platform message (a CloudEvent, as Akeneo's "Available events" shows them) of product `id`. */
inline QByteArray platformEvent(const QString &id)
{
    return QStringLiteral(R"({"specversion":"1.0","id":"%1","type":"com.akeneo.pim.v1.product.updated",)"
                          R"("source":"pim","subject":"https://mypim.cloud.akeneo.com","time":"2026-12-06T10:00:00Z",)"
                          R"("datacontenttype":"application/json","data":{"product":{"uuid":"%1"},)"
                          R"("author":{"identifier":"julia","type":"user"}}})")
        .arg(id)
        .toUtf8();
}

/** One Akeneo Events API event as the PIM encodes it (PHP json_encode: "/" escaped). */
inline QByteArray akeneoEvent(const QString &eventId, const QString &action, const QString &time,
                              const QString &identifier, const QString &author = QStringLiteral("julia"),
                              const QString &authorType = QStringLiteral("ui"))
{
    const bool model = action.startsWith(u"product_model.");
    const QString resource = model ? QStringLiteral(R"({"code":"%1"})").arg(identifier)
                                   : QStringLiteral(R"({"identifier":"%1","family":"clothing"})").arg(identifier);
    return QStringLiteral(R"({"action":"%1","event_id":"%2","event_datetime":"%3","author":"%4","author_type":"%5",)"
                          R"("pim_source":"https:\/\/demo.akeneo.com","data":{"resource":%6}})")
        .arg(action, eventId, time, author, authorType, resource)
        .toUtf8();
}

inline QByteArray akeneoBody(const QList<QByteArray> &events)
{
    QByteArray body = "{\"events\":[";
    for (qsizetype i = 0; i < events.size(); ++i)
        body += (i ? "," : "") + events[i];
    return body + "]}";
}

/** An Akeneo batch of ten events whose ids are unique to `n`: no two such deliveries are duplicates. */
inline QByteArray distinctBatch(int n)
{
    QList<QByteArray> events;
    for (int i = 0; i < 10; ++i)
        events.append(
            akeneoEvent(QStringLiteral("00000000-0000-4000-8000-%1").arg(n * 10 + i, 12, 10, QLatin1Char('0')),
                        QStringLiteral("product.updated"), QStringLiteral("2026-12-02T10:00:00+00:00"),
                        QStringLiteral("SKU-%1-%2").arg(n).arg(i)));
    return akeneoBody(events);
}

/**
 * The rows of one query on a capture file, opened read-only on a connection of its own (closed again), each row a
 * list of its columns; nullopt when the file cannot be opened or the query fails.
 */
inline std::optional<QList<QVariantList>> queryCapture(const QString &path, const QString &sql)
{
    std::optional<QList<QVariantList>> rows;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("test-query"));
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(sql)) {
                rows.emplace();
                while (q.next()) {
                    QVariantList row;
                    for (int c = 0; c < q.record().count(); ++c)
                        row.append(q.value(c));
                    rows->append(row);
                }
            }
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("test-query"));
    return rows;
}

/**
 * POSTs `body` to a receiver at `url` (http://HOST:PORT/) on `path` over a plain socket, with `extraHeaders`
 * ("Name: value\r\n" each); returns the answer's status, or -1 when it could not connect.
 */
inline int postTo(const QString &url, const QByteArray &body, const QByteArray &path = "/hook",
                  const QByteArray &extraHeaders = {})
{
    const QUrl u(url);
    QTcpSocket s;
    s.connectToHost(u.host(), quint16(u.port()));
    if (!s.waitForConnected(5000))
        return -1;
    s.write("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + extraHeaders
            + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QByteArray answer;
    while (!answer.contains("\r\n\r\n") && s.waitForReadyRead(5000))
        answer += s.readAll();
    return answer.split(' ').value(1).toInt();
}

/** postTo() a receiver on the loopback port `port`. */
inline int postTo(quint16 port, const QByteArray &body, const QByteArray &path = "/hook",
                  const QByteArray &extraHeaders = {})
{
    return postTo(QStringLiteral("http://127.0.0.1:%1/").arg(port), body, path, extraHeaders);
}

/**
 * Records a signal's emissions in the test's own thread (queued). QSignalSpy records them in the emitting thread,
 * which races with a test that reads the spy meanwhile: the store emits from its writer thread.
 */
template<typename Sender, typename... Args>
class QueuedSpy : public QObject
{
public:
    using Call = std::tuple<std::decay_t<Args>...>;
    template<typename Emitter>
    QueuedSpy(Emitter *sender, void (Sender::*signal)(Args...))
    {
        connect(
            sender, signal, this, [this](Args... args) { m_calls.append(Call(args...)); }, Qt::QueuedConnection);
    }
    qsizetype size() const { return m_calls.size(); }
    const Call &at(qsizetype i) const { return m_calls.at(i); }
    const QList<Call> &calls() const { return m_calls; }

private:
    QList<Call> m_calls;
};
/** The spy of a signal declared in a base class of the object (EventStore's come from DeliverySink). */
template<typename Emitter, typename Sender, typename... Args>
QueuedSpy(Emitter *, void (Sender::*)(Args...)) -> QueuedSpy<Sender, Args...>;

/** The pimscope executable under test (PIMSCOPE_BIN, set by ctest). */
inline QString binary()
{
    return QString::fromLocal8Bit(qgetenv("PIMSCOPE_BIN"));
}

/** What a run of the pimscope executable gave. */
struct PimscopeRun
{
    int exitCode = -1; ///< -1: it crashed, or did not finish in time (then killed)
    QByteArray out;
    QByteArray err;
};

/**
 * Runs `pimscope ARGS` to its end (at most `timeoutMs`, then killed), `input` on its standard input, in `env` when
 * given (else this process's environment).
 */
inline PimscopeRun runPimscope(const QStringList &args, const QByteArray &input = QByteArray(),
                               const std::optional<QProcessEnvironment> &env = std::nullopt, int timeoutMs = 60000)
{
    QProcess p;
    if (env)
        p.setProcessEnvironment(*env);
    p.start(binary(), args);
    if (!p.waitForStarted())
        return {};
    p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return {-1, p.readAllStandardOutput(), p.readAllStandardError()};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

/** Stores `value` in the keychain under `name` as a user does: `pimscope secret set NAME`, the value on stdin. */
inline void setSecret(const QString &name, const QByteArray &value)
{
    QProcess p;
    p.start(binary(), {QStringLiteral("secret"), QStringLiteral("set"), name});
    QVERIFY(p.waitForStarted());
    p.write(value + '\n');
    p.closeWriteChannel();
    QVERIFY(p.waitForFinished(20000));
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
}

/**
 * Starts `pimscope receive ARGS` and waits for its "Listening on" line; returns the URL (empty on failure). With a
 * `wrapper` (a program and its arguments, e.g. prlimit), the wrapper runs it.
 */
inline QString startReceive(QProcess &p, const QStringList &args, const QStringList &wrapper = {})
{
    const QStringList command = QStringList{binary(), QStringLiteral("receive")} + args;
    if (wrapper.isEmpty())
        p.start(command.first(), command.mid(1));
    else
        p.start(wrapper.first(), wrapper.mid(1) + command);
    if (!p.waitForStarted(5000))
        return {};
    QElapsedTimer t;
    t.start();
    while (!p.canReadLine() && t.elapsed() < 10000 && p.state() == QProcess::Running)
        p.waitForReadyRead(100);
    const QByteArray line = p.readLine().trimmed();
    return line.startsWith("Listening on ") ? QString::fromUtf8(line.mid(13)) : QString();
}

} // namespace pimscope::test
