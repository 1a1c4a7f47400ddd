#include "jsonhighlighter.h"

#include "theme.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QTextBlock>
#include <QTextDocument>

namespace pimscope::ui {

std::optional<JsonProblem> jsonProblem(const QString &text)
{
    QJsonParseError error{};
    const QByteArray utf8 = text.toUtf8();
    QJsonDocument::fromJson(utf8, &error);
    if (error.error == QJsonParseError::NoError)
        return std::nullopt;
    // The offset is in the UTF-8 bytes: back to characters, then to a line and a column.
    JsonProblem p;
    p.position = int(QString::fromUtf8(utf8.left(std::clamp<qsizetype>(error.offset, 0, utf8.size()))).size());
    for (int i = 0; i < p.position && i < text.size(); ++i) {
        if (text[i] == u'\n') {
            ++p.line;
            p.column = 1;
        } else {
            ++p.column;
        }
    }
    p.reason = error.errorString();
    return p;
}

JsonHighlighter::JsonHighlighter(QTextDocument *document)
    : QSyntaxHighlighter(document)
{
}

void JsonHighlighter::setProblem(std::optional<JsonProblem> problem)
{
    const bool same = problem.has_value() == m_problem.has_value()
        && (!problem || (problem->position == m_problem->position && problem->reason == m_problem->reason));
    m_problem = std::move(problem);
    if (!same)
        rehighlight();
}

void JsonHighlighter::highlightBlock(const QString &text)
{
    const bool dark = isDarkPalette();
    QTextCharFormat key;
    key.setForeground(dark ? QColor(0x82, 0xaa, 0xff) : QColor(0x1f, 0x4e, 0x9a));
    QTextCharFormat string;
    string.setForeground(dark ? QColor(0xa5, 0xd6, 0x7f) : QColor(0x2e, 0x7d, 0x32));
    QTextCharFormat number;
    number.setForeground(dark ? QColor(0xff, 0xb7, 0x4d) : QColor(0xb2, 0x5b, 0x00));
    QTextCharFormat literal;
    literal.setForeground(dark ? QColor(0xce, 0x93, 0xd8) : QColor(0x7b, 0x1f, 0xa2));
    literal.setFontWeight(QFont::Bold);

    // A string that runs over a line break (broken JSON) goes on in the next block: the state says so.
    const int n = int(text.size());
    int i = 0;
    if (previousBlockState() == 1) {
        while (i < n && text[i] != u'"')
            i += text[i] == u'\\' ? 2 : 1;
        setFormat(0, std::min(i + 1, n), string);
        if (i >= n) {
            setCurrentBlockState(1);
            return;
        }
        ++i;
    }
    setCurrentBlockState(0);
    while (i < n) {
        const QChar c = text[i];
        if (c == u'"') {
            int j = i + 1;
            while (j < n && text[j] != u'"')
                j += text[j] == u'\\' ? 2 : 1;
            if (j >= n) {
                setFormat(i, n - i, string);
                setCurrentBlockState(1);
                break;
            }
            // A member name is a string followed by a colon.
            int k = j + 1;
            while (k < n && text[k].isSpace())
                ++k;
            setFormat(i, j + 1 - i, k < n && text[k] == u':' ? key : string);
            i = j + 1;
        } else if (c == u'-' || c.isDigit()) {
            int j = i + 1;
            while (j < n
                   && (text[j].isDigit() || text[j] == u'.' || text[j] == u'e' || text[j] == u'E' || text[j] == u'+'
                       || text[j] == u'-'))
                ++j;
            setFormat(i, j - i, number);
            i = j;
        } else if (c.isLetter()) {
            int j = i + 1;
            while (j < n && text[j].isLetter())
                ++j;
            const QStringView word = QStringView(text).mid(i, j - i);
            if (word == u"true" || word == u"false" || word == u"null")
                setFormat(i, j - i, literal);
            i = j;
        } else {
            ++i;
        }
    }

    if (!m_problem)
        return;
    const int start = currentBlock().position();
    const int at = m_problem->position - start;
    if (at < 0 || at > n)
        return;
    QTextCharFormat wrong;
    wrong.setUnderlineStyle(QTextCharFormat::WaveUnderline);
    wrong.setUnderlineColor(QColor(0xe5, 0x39, 0x35));
    wrong.setBackground(QColor(0xe5, 0x39, 0x35, 60));
    const int from = std::min(at, std::max(0, n - 1));
    for (int p = from; p < std::max(n, from + 1); ++p) {
        QTextCharFormat f = format(p);
        f.merge(wrong);
        setFormat(p, 1, f);
    }
}

} // namespace pimscope::ui
