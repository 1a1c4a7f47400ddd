#include "util/timeutil.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QTest>
#include <QTimeZone>

using namespace pimscope;

class TestTimeUtil : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void iso_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected"); // empty = rejected
        QTest::newRow("akeneo atom") << "2020-10-20T09:13:59+00:00"
                                     << "2020-10-20T09:13:59.000Z";
        QTest::newRow("offset +02:00") << "2025-03-18T14:02:11+02:00"
                                       << "2025-03-18T12:02:11.000Z";
        QTest::newRow("offset -0530") << "2025-03-18T14:02:11-0530"
                                      << "2025-03-18T19:32:11.000Z";
        QTest::newRow("zulu millis") << "2025-03-18T14:02:11.123Z"
                                     << "2025-03-18T14:02:11.123Z";
        QTest::newRow("micros truncated") << "2025-03-18T14:02:11.123456Z"
                                          << "2025-03-18T14:02:11.123Z";
        QTest::newRow("no zone is utc") << "2026-11-22T10:00"
                                        << "2026-11-22T10:00:00.000Z";
        QTest::newRow("date only") << "2026-11-22"
                                   << "2026-11-22T00:00:00.000Z";
        QTest::newRow("space separator") << "2026-11-22 10:00:05"
                                         << "2026-11-22T10:00:05.000Z";
        QTest::newRow("leap day") << "2024-02-29T00:00:00Z"
                                  << "2024-02-29T00:00:00.000Z";
        QTest::newRow("before epoch") << "1969-12-31T23:59:59Z"
                                      << "1969-12-31T23:59:59.000Z";
        QTest::newRow("not leap") << "2025-02-29T00:00:00Z"
                                  << "";
        QTest::newRow("month 13") << "2025-13-01T00:00:00Z"
                                  << "";
        QTest::newRow("hour 24") << "2025-01-01T24:00:00Z"
                                 << "";
        QTest::newRow("trailing junk") << "2025-01-01T10:00:00Zjunk"
                                       << "";
        QTest::newRow("empty") << ""
                               << "";
        QTest::newRow("words") << "yesterday"
                               << "";
        QTest::newRow("fraction without digits") << "2025-01-01T10:00:00.Z"
                                                 << "";
    }
    void iso()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        const auto ms = parseIsoDateTime(QStringView(text));
        if (expected.isEmpty()) {
            QVERIFY2(!ms, qPrintable(text));
            return;
        }
        QVERIFY2(ms.has_value(), qPrintable(text));
        QCOMPARE(toIsoUtc(*ms), expected);
        // Agrees with Qt's own parser where Qt understands the text.
        const QDateTime qt = QDateTime::fromString(text, Qt::ISODateWithMs);
        if (qt.isValid() && qt.timeSpec() != Qt::LocalTime)
            QCOMPARE(*ms, qt.toMSecsSinceEpoch());
    }
    void formatsAsQtDoes()
    {
        // The hand-written formatters write what QDateTime in UTC writes, for every millisecond tried: the edges of
        // days, months, leap days and centuries, before 1970, the first and last of years 1 and 9999, beyond them
        // (through QDateTime), and a million random times across the years.
        const auto check = [](qint64 ms) {
            const QDateTime qt = QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc());
            QCOMPARE(toIsoUtc(ms), qt.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ")));
            QCOMPARE(toTableUtc(ms), qt.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")));
            QCOMPARE(toLogTimeUtc(ms), qt.toString(QStringLiteral("yyyy/MM/dd HH:mm:ss")).toLatin1());
            QCOMPARE(toAtomUtc(ms), qt.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss+00:00")));
            QCOMPARE(utcDateTime(ms), qt);
        };
        const qint64 day = 86'400'000;
        const qint64 edges[] = {0,
                                -1,
                                1,
                                day - 1,
                                day,
                                -day,
                                -day - 1,
                                *parseIsoDateTime("2000-02-29T23:59:59.999Z"),
                                *parseIsoDateTime("2000-03-01T00:00:00Z"),
                                *parseIsoDateTime("1900-02-28T12:00:00Z"),
                                *parseIsoDateTime("1900-03-01T00:00:00Z"),
                                *parseIsoDateTime("2100-03-01T00:00:00Z"),
                                *parseIsoDateTime("1969-12-31T23:59:59.999Z"),
                                *parseIsoDateTime("2026-12-31T23:59:59.999Z"),
                                *parseIsoDateTime("0001-01-01T00:00:00Z"),
                                *parseIsoDateTime("0001-01-01T00:00:00Z") - 1, // 1 BC: -0001 in Qt
                                *parseIsoDateTime("9999-12-31T23:59:59.999Z"),
                                *parseIsoDateTime("9999-12-31T23:59:59.999Z") + 1, // year 10000
                                -62'200'000'000'000,
                                400'000'000'000'000};
        for (const qint64 ms : edges) {
            check(ms);
            if (QTest::currentTestFailed())
                QFAIL(qPrintable(QStringLiteral("at %1 ms").arg(ms)));
        }
        QRandomGenerator random(20261206);
        const qint64 first = *parseIsoDateTime("0001-01-01T00:00:00Z");
        const qint64 last = *parseIsoDateTime("9999-12-31T23:59:59.999Z");
        for (int i = 0; i < 1'000'000; ++i) {
            const qint64 ms = first + qint64(random.bounded(quint64(last - first)));
            check(ms);
            if (QTest::currentTestFailed())
                QFAIL(qPrintable(QStringLiteral("at %1 ms").arg(ms)));
        }
    }
    void logTime()
    {
        QCOMPARE(toIsoUtc(*parseLogDateTime("2025/03/18 08:00:41")), QStringLiteral("2025-03-18T08:00:41.000Z"));
        QCOMPARE(toTableUtc(*parseLogDateTime("2025/03/18 08:00:41")), QStringLiteral("2025-03-18 08:00:41.000"));
        QVERIFY(!parseLogDateTime("2025-03-18 08:00:41"));
        QVERIFY(!parseLogDateTime("2025/03/18 08:00"));
        QVERIFY(!parseLogDateTime("2025/02/30 08:00:00"));
    }
};

QTEST_GUILESS_MAIN(TestTimeUtil)
#include "tst_timeutil.moc"
