#pragma once

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace pimscope::ui {

/**
 * Which tunnel gives the receiver its public HTTPS URL: a provider picked from a list fills in its spec (the same
 * text as `pimscope receive --tunnel`), which the user completes; the spec is read as it is typed (its problem named,
 * or what it will do: the URL it will have, whether the program is installed and how to install it). ngrok's
 * authtoken is typed here but goes to the OS keychain, never to the settings. And whether to start it with Pimscope.
 */
class TunnelDialog : public QDialog
{
    Q_OBJECT
public:
    TunnelDialog(const QString &spec, bool atStartup, QWidget *parent = nullptr);

    /** The spec as typed (valid when the dialog was accepted). */
    QString spec() const;
    bool atStartup() const;
    /** The authtoken typed in (empty: keep what the keychain holds). */
    QByteArray authtoken() const;

    /** The spec each provider of the list starts from. */
    static QStringList templates();

private:
    void check();

    QComboBox *m_provider;
    QLineEdit *m_spec;
    QLabel *m_verdict;
    QLabel *m_authtokenLabel;
    QLineEdit *m_authtoken;
    QCheckBox *m_atStartup;
    QPushButton *m_ok = nullptr;
};

} // namespace pimscope::ui
