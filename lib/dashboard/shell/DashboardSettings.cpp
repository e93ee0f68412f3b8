#include "DashboardSettings.h"

#include "dashboard/charts/ChartWindows.h"
#include "protocol/EndpointUrl.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QUrl>

namespace Pulseboard {

namespace {

// The keys, once.
const QString kChartWindowMs = QStringLiteral("charts/windowMs");
const QString kFieldsGroup = QStringLiteral("fields");
const QString kLayoutsGroup = QStringLiteral("layouts");
const QString kWindowGeometry = QStringLiteral("window/geometry");
const QString kTheme = QStringLiteral("appearance/theme");
const QString kProfiles = QStringLiteral("profiles");
const QString kSavedCommands = QStringLiteral("commands/saved");
const QString kUnreadableCommands = QStringLiteral("commands/unreadable");
// Inside each entry of kProfiles.
const QString kName = QStringLiteral("name");
const QString kEndpoints = QStringLiteral("endpoints");
const QString kChannels = QStringLiteral("channels");
const QString kOrigin = QStringLiteral("origin");
const QString kCaFile = QStringLiteral("caFile");
const QString kInsecure = QStringLiteral("insecure");
const QString kProtocol = QStringLiteral("protocol");
const QString kProtocolConfig = QStringLiteral("protocolConfig");
const QString kConfig = QStringLiteral("config");
const QString kTokenFrom = QStringLiteral("tokenFrom");
const QString kLastUsedMs = QStringLiteral("lastUsedMs");

QString fieldsKey(const QString &channel)
{
    return kFieldsGroup + QLatin1Char('/') + QString::fromLatin1(QUrl::toPercentEncoding(channel));
}

} // namespace

DashboardSettings::DashboardSettings(QSettings *settings, bool writable)
    : m_settings(settings), m_writable(writable)
{
}

std::unique_ptr<QSettings> DashboardSettings::openUserSettings()
{
    return std::make_unique<QSettings>(QSettings::NativeFormat, QSettings::UserScope,
                                       QStringLiteral("Pulseboard"), QStringLiteral("pulseboard"));
}

int DashboardSettings::chartWindowMs() const
{
    if (!m_settings)
        return 0;
    const int saved = m_settings->value(kChartWindowMs, 0).toInt();
    return ChartWindows::isAllowedMs(saved) ? saved : 0;
}

void DashboardSettings::setChartWindowMs(int ms)
{
    if (isWritable())
        m_settings->setValue(kChartWindowMs, ms);
}

QHash<QString, QStringList> DashboardSettings::tileFields() const
{
    QHash<QString, QStringList> out;
    if (!m_settings)
        return out;
    m_settings->beginGroup(kFieldsGroup);
    for (const QString &key : m_settings->childKeys())
        out.insert(QUrl::fromPercentEncoding(key.toUtf8()), m_settings->value(key).toStringList());
    m_settings->endGroup();
    return out;
}

void DashboardSettings::setTileFields(const QString &channel, const QStringList &fields)
{
    if (!isWritable())
        return;
    if (fields.isEmpty())
        m_settings->remove(fieldsKey(channel));
    else
        m_settings->setValue(fieldsKey(channel), fields);
}

QByteArray DashboardSettings::layout(const QString &source) const
{
    if (!m_settings)
        return QByteArray();
    return m_settings
        ->value(kLayoutsGroup + QLatin1Char('/') + QString::fromLatin1(QUrl::toPercentEncoding(source)))
        .toString()
        .toUtf8();
}

void DashboardSettings::setLayout(const QString &source, const QByteArray &chartsJson)
{
    if (!isWritable())
        return;
    const QString key =
        kLayoutsGroup + QLatin1Char('/') + QString::fromLatin1(QUrl::toPercentEncoding(source));
    if (chartsJson.isEmpty())
        m_settings->remove(key);
    else
        m_settings->setValue(key, QString::fromUtf8(chartsJson));
    m_settings->sync();
}

bool DashboardSettings::isThemeName(const QString &name)
{
    return themeNames().contains(name);
}

QStringList DashboardSettings::themeNames()
{
    return {QStringLiteral("dark"), QStringLiteral("light")};
}

QString DashboardSettings::theme() const
{
    if (!m_settings)
        return QString();
    const QString saved = m_settings->value(kTheme).toString();
    return isThemeName(saved) ? saved : QString();
}

void DashboardSettings::setTheme(const QString &name)
{
    if (isWritable() && isThemeName(name)) {
        m_settings->setValue(kTheme, name);
        m_settings->sync();
    }
}

QByteArray DashboardSettings::savedCommands() const
{
    return m_settings ? m_settings->value(kSavedCommands).toString().toUtf8() : QByteArray();
}

void DashboardSettings::setSavedCommands(const QByteArray &json)
{
    if (!isWritable())
        return;
    if (json.isEmpty())
        m_settings->remove(kSavedCommands);
    else
        m_settings->setValue(kSavedCommands, QString::fromUtf8(json));
    m_settings->sync();
}

void DashboardSettings::setUnreadableCommands(const QByteArray &json)
{
    if (isWritable()) {
        m_settings->setValue(kUnreadableCommands, QString::fromUtf8(json));
        m_settings->sync();
    }
}

QRect DashboardSettings::windowGeometry() const
{
    return m_settings ? m_settings->value(kWindowGeometry).toRect() : QRect();
}

void DashboardSettings::setWindowGeometry(const QRect &geometry)
{
    if (isWritable())
        m_settings->setValue(kWindowGeometry, geometry);
}

QList<ServerProfile> DashboardSettings::profiles() const
{
    QList<ServerProfile> out;
    if (!m_settings)
        return out;
    const int size = m_settings->beginReadArray(kProfiles);
    for (int i = 0; i < size; ++i) {
        m_settings->setArrayIndex(i);
        ServerProfile p;
        p.name = m_settings->value(kName).toString();
        for (const QString &text : m_settings->value(kEndpoints).toStringList()) {
            if (const std::optional<QUrl> url = EndpointUrl::parse(text))
                p.endpoints.append(*url);
        }
        if (p.name.isEmpty() || p.endpoints.isEmpty()) {
            qWarning(
                "pulseboard: settings: server profile %d is not usable (no name or no ws:// URL); ignored",
                i + 1);
            continue;
        }
        p.channels = m_settings->value(kChannels).toStringList();
        p.origin = m_settings->value(kOrigin).toString();
        p.caFile = m_settings->value(kCaFile).toString();
        p.insecure = m_settings->value(kInsecure, false).toBool();
        p.configPath = m_settings->value(kConfig).toString();
        p.protocol = m_settings->value(kProtocol).toString();
        if (p.protocol == QLatin1StringView("pulseboard"))
            p.protocol.clear();
        const QByteArray protocolConfig = m_settings->value(kProtocolConfig).toString().toUtf8();
        if (!protocolConfig.isEmpty()) {
            const QJsonDocument doc = QJsonDocument::fromJson(protocolConfig);
            if (!doc.isObject()) {
                qWarning("pulseboard: settings: server profile %d has protocol settings that are not a JSON "
                         "object; ignored",
                         i + 1);
                continue;
            }
            p.protocolConfig = doc.object();
        }
        p.tokenSource = ServerProfile::tokenSourceFromName(m_settings->value(kTokenFrom).toString());
        p.lastUsedMs = m_settings->value(kLastUsedMs, 0).toLongLong();
        out.append(p);
    }
    m_settings->endArray();
    return out;
}

void DashboardSettings::setProfiles(const QList<ServerProfile> &profiles)
{
    if (!isWritable())
        return;
    m_settings->remove(kProfiles);
    m_settings->beginWriteArray(kProfiles, int(profiles.size()));
    for (int i = 0; i < profiles.size(); ++i) {
        const ServerProfile &p = profiles.at(i);
        m_settings->setArrayIndex(i);
        m_settings->setValue(kName, p.name);
        m_settings->setValue(kEndpoints, ProfileStore::urlStrings(p.endpoints));
        m_settings->setValue(kChannels, p.channels);
        m_settings->setValue(kOrigin, p.origin);
        m_settings->setValue(kCaFile, p.caFile);
        m_settings->setValue(kInsecure, p.insecure);
        m_settings->setValue(kConfig, p.configPath);
        m_settings->setValue(kProtocol, p.protocol);
        m_settings->setValue(
            kProtocolConfig,
            p.protocolConfig.isEmpty()
                ? QString()
                : QString::fromUtf8(QJsonDocument(p.protocolConfig).toJson(QJsonDocument::Compact)));
        m_settings->setValue(kTokenFrom, ServerProfile::tokenSourceName(p.tokenSource));
        m_settings->setValue(kLastUsedMs, p.lastUsedMs);
    }
    m_settings->endArray();
    m_settings->sync();
}

} // namespace Pulseboard
