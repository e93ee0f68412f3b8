// A built-in publisher: produces samples for one or more channels on its own timer; the hub
// publishes each sample through its store like any client's publish. FeedRegistry builds them by name.
#pragma once

#include <QJsonValue>
#include <QObject>
#include <QStringList>

namespace Pulseboard {

class Feed : public QObject
{
    Q_OBJECT
public:
    explicit Feed(QObject *parent = nullptr) : QObject(parent) {}
    ~Feed() override = default;

    virtual QStringList channels() const = 0;
    virtual void start() = 0;
    virtual void stop() = 0;

Q_SIGNALS:
    void sample(const QString &channel, const QJsonValue &data);
};

} // namespace Pulseboard
