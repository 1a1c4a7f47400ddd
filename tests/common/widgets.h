#pragma once

// Helpers for the window tests (header-only; they need Qt Widgets).

#include <QLabel>
#include <QString>
#include <QWidget>

namespace pimscope::test {

/** The text of every label of `window` a person can see now (the banner's included), one per line. */
inline QString visibleLabelText(const QWidget &window)
{
    QString text;
    for (const QLabel *label : window.findChildren<QLabel *>()) {
        if (label->isVisible())
            text += label->text() + u'\n';
    }
    return text;
}

} // namespace pimscope::test
