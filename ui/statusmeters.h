#pragma once

#include "store/records.h"

#include <QObject>

class QLabel;
class QProgressBar;
class QStatusBar;

namespace pimscope::ui {

/**
 * The status bar's figures: what the window is doing (left), and on the right the capture's counts, the hourly
 * request quota as a meter (red from 80 %) and the p99 answer time of the last hour against Akeneo's 500 ms.
 */
class StatusMeters : public QObject
{
    Q_OBJECT
public:
    explicit StatusMeters(QStatusBar *bar);

    /** The left-hand text (hidden while the bar shows a temporary message). */
    void setStatus(const QString &text, const QString &toolTip);
    /** The capture's figures. */
    void showSummary(const CaptureSummary &s);

private:
    QLabel *m_status;
    QLabel *m_counts;
    QProgressBar *m_quota;
    QLabel *m_p99;
};

} // namespace pimscope::ui
