#pragma once

#include <QDialog>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace pimscope::ui {

/**
 * Capture > Follow a server…: the server store's URL (read as it is typed: what is wrong with it), its password (kept
 * in the keychain, never in the settings; empty: the keychain's, PGPASSWORD or ~/.pgpass), where a first copy starts,
 * and whether to follow when Pimscope starts.
 */
class FollowDialog : public QDialog
{
    Q_OBJECT
public:
    FollowDialog(const QString &url, bool atStartup, QWidget *parent = nullptr);

    QString url() const;
    QByteArray password() const;
    QString since() const;
    bool atStartup() const;

private:
    void check();

    QLineEdit *m_url;
    QLineEdit *m_password;
    QLineEdit *m_since;
    QCheckBox *m_atStartup;
    QLabel *m_verdict;
    QPushButton *m_ok;
};

} // namespace pimscope::ui
