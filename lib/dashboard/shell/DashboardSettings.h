// DashboardSettings: every key the dashboard keeps in QSettings, declared once, read and written
// through typed accessors. The names are those earlier versions wrote, so saved settings load:
//   charts/windowMs           the chart window the user picked (ms)
//   fields/<channel>          the fields chosen for a channel's tile (channel percent-encoded)
//   layouts/<source>          the charts the user built (the "charts" JSON of --config), for
//                             the config file, or the server, they were built on (percent-encoded)
//   window/geometry           the main window's geometry
//   appearance/theme          the colour theme the user picked: "dark" or "light"
//   profiles/<n>/...          the server profiles (ProfileStore), most recent first
//   commands/saved            the commands the user saved in the Console's library (the
//                             "commands" JSON array of --config, compact)
//   commands/unreadable       saved commands that could not be read, kept for a person to mend
// It wraps a QSettings it does not own. Without one (--no-settings) every getter answers its
// fallback and every setter does nothing; not writable (a screenshot run) reads but never writes.
#pragma once

#include "dashboard/servers/ProfileStore.h"

#include <QHash>
#include <QRect>
#include <QStringList>

#include <memory>

class QSettings;

namespace Pulseboard {

class DashboardSettings
{
public:
    explicit DashboardSettings(QSettings *settings = nullptr, bool writable = true);

    // The user's settings file (organisation "Pulseboard", application "pulseboard").
    static std::unique_ptr<QSettings> openUserSettings();

    bool isReadable() const { return m_settings != nullptr; }
    bool isWritable() const { return m_settings != nullptr && m_writable; }
    QSettings *qsettings() const { return m_settings; }

    // 0 when none is saved or the saved one is not an allowed window (ChartWindows).
    int chartWindowMs() const;
    void setChartWindowMs(int ms);

    QHash<QString, QStringList> tileFields() const;
    // Empty `fields`: back to automatic (the key goes).
    void setTileFields(const QString &channel, const QStringList &fields);

    // The saved "charts" JSON for `source` (a config file's path, or a server); empty: none.
    QByteArray layout(const QString &source) const;
    // Empty `chartsJson`: none saved any more (the key goes).
    void setLayout(const QString &source, const QByteArray &chartsJson);

    // The colour themes there are ("dark", the default, and "light"), and whether `name` is one.
    static QStringList themeNames();
    static bool isThemeName(const QString &name);
    // The saved theme; empty when none is saved or the saved one is not a theme.
    QString theme() const;
    void setTheme(const QString &name); // a name that is not a theme is not saved

    // The user's commands (a JSON array); empty: none. Empty `json` removes the key.
    QByteArray savedCommands() const;
    void setSavedCommands(const QByteArray &json);
    void setUnreadableCommands(const QByteArray &json);

    // Invalid when none is saved.
    QRect windowGeometry() const;
    void setWindowGeometry(const QRect &geometry);

    // The saved profiles as written; one without a name or a ws:// URL is skipped with a warning.
    QList<ServerProfile> profiles() const;
    void setProfiles(const QList<ServerProfile> &profiles);

private:
    QSettings *m_settings;
    bool m_writable;
};

} // namespace Pulseboard
