#pragma once

#include <QSyntaxHighlighter>

#include <optional>

class QTextDocument;

namespace pimscope::ui {

/** Where a JSON text stops being JSON: the position in characters, its line and column (from 1), and why. */
struct JsonProblem
{
    int position = 0;
    int line = 1;
    int column = 1;
    QString reason;
};

/** The first problem of `text` as JSON, or nullopt when it is a valid JSON document. */
std::optional<JsonProblem> jsonProblem(const QString &text);

/**
 * Colours JSON as it is typed: member names, strings, numbers, true / false / null, and the place where the text stops
 * being JSON (setProblem) underlined in red to the end of its line. Broken JSON is never refused: it is a use.
 */
class JsonHighlighter : public QSyntaxHighlighter
{
    Q_OBJECT
public:
    explicit JsonHighlighter(QTextDocument *document);
    /** The problem to mark (nullopt: none); the document is highlighted again. */
    void setProblem(std::optional<JsonProblem> problem);

protected:
    void highlightBlock(const QString &text) override;

private:
    std::optional<JsonProblem> m_problem;
};

} // namespace pimscope::ui
