#include "searcharea.h"

#include "filterbar.h"

#include "filter/filter.h"
#include "models/pagedtablemodel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QShortcut>
#include <QTimer>
#include <QVBoxLayout>

namespace pimscope::ui {

SearchArea::SearchArea(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("searchArea"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    m_bar = new FilterBar(this);
    m_edit = m_bar->edit();
    m_edit->setObjectName(QStringLiteral("filter"));
    connect(m_bar, &FilterBar::picked, this, &SearchArea::setFilter);
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("filterError"));
    m_error->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_error->hide();
    layout->addWidget(m_bar);
    layout->addWidget(m_error);

    // A filter that reads every payload (contains-anywhere, regex) streams its rows: how far it got, and a way out.
    m_progressBox = new QWidget(this);
    m_progressBox->setObjectName(QStringLiteral("searchProgress"));
    auto *progressLayout = new QHBoxLayout(m_progressBox);
    progressLayout->setContentsMargins(0, 0, 0, 0);
    m_progress = new QProgressBar(m_progressBox);
    m_progress->setRange(0, 1000);
    m_progress->setMaximumHeight(m_progress->fontMetrics().height() + 4);
    auto *stop = new QPushButton(QStringLiteral("Stop"), m_progressBox);
    stop->setObjectName(QStringLiteral("stopSearch"));
    stop->setToolTip(QStringLiteral("Stop the search (Esc): the rows found so far stay"));
    connect(stop, &QPushButton::clicked, this, [this] {
        if (m_model)
            m_model->cancel();
    });
    progressLayout->addWidget(m_progress, 1);
    progressLayout->addWidget(stop);
    m_progressBox->hide();
    layout->addWidget(m_progressBox);
    m_progressDelay = new QTimer(this);
    m_progressDelay->setSingleShot(true);
    m_progressDelay->setInterval(150); // a quick filter never flashes it
    connect(m_progressDelay, &QTimer::timeout, this, &SearchArea::showProgress);
    auto *stopShortcut = new QShortcut(QKeySequence(Qt::Key_Escape), m_edit, [this] {
        if (m_model && m_model->isQuerying())
            m_model->cancel();
    });
    stopShortcut->setContext(Qt::WidgetShortcut);

    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(250);
    connect(m_edit, &QLineEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_edit, &QLineEdit::returnPressed, this, &SearchArea::apply);
    connect(m_debounce, &QTimer::timeout, this, &SearchArea::apply);
    new QShortcut(QKeySequence::Find, this, [this] {
        m_edit->setFocus();
        m_edit->selectAll();
    });
    new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_L), this, [this] { m_edit->clear(); });
}

QString SearchArea::text() const
{
    return m_edit->text();
}

void SearchArea::setFilter(const QString &filter)
{
    m_edit->setText(filter);
    apply();
}

void SearchArea::apply()
{
    m_debounce->stop();
    const QString text = m_edit->text();
    const Filter filter = Filter::parse(text);
    if (!filter.isValid()) {
        m_error->setText(QStringLiteral("At %1: %2").arg(filter.error().position + 1).arg(filter.error().message));
        m_error->show();
        m_edit->setStyleSheet(QStringLiteral("QLineEdit { border: 1px solid #c62828; }"));
        return;
    }
    m_error->hide();
    m_edit->setStyleSheet(QString());
    m_bar->remember(text);
    Q_EMIT applied(text);
}

void SearchArea::setModel(PagedTableModel *model)
{
    m_model = model;
    showProgress();
}

void SearchArea::showProgress()
{
    const bool searching = m_model && m_model->isQuerying() && m_model->progress() < 1.0;
    if (!searching) {
        m_progressBox->hide();
        m_progressDelay->stop();
        m_progressArmed = false;
        return;
    }
    m_progress->setValue(int(m_model->progress() * 1000));
    m_progress->setFormat(QStringLiteral("Searching the capture: %1%").arg(int(m_model->progress() * 100)));
    if (!m_progressArmed) {
        m_progressArmed = true;
        m_progressDelay->start();
    } else if (!m_progressDelay->isActive()) {
        m_progressBox->show();
    }
}

} // namespace pimscope::ui
