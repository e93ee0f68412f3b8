// JsonTreeModel: the Raw panel's selected frame as a collapsible JSON tree, compared with the
// frame of the same channel before it. A flat list of the rows shown (each with its depth and
// whether it is expanded), which a ListView draws as a tree: expanding a row inserts its
// children's rows under it, collapsing removes them, so the view keeps its place.
// The root row is the frame's `data`; each row has its key, JSON pointer (`/data/cpu/0`, the
// Raw filter's notation), the field path the charts name it by (`data.cpu[0]`), its type, its
// value as shown (cut to kShownChars) and in full, and how it differs from the previous frame:
// changed (with the previous value), added (not in the previous frame) or removed (only in the
// previous frame; shown with the value it had). Objects and arrays are compared member by
// member and element by element (by index); a value whose type changed is changed as a whole.
// Built once per selection (setFrame), never per arriving message; at most kMaxNodes values
// (the rest left out and said by `truncated`).
#pragma once

#include <QAbstractListModel>
#include <QJsonValue>
#include <QList>
#include <QSet>
#include <QtQml/qqmlregistration.h>

#include <optional>

namespace Pulseboard {

class JsonTreeModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("JsonTreeModel belongs to a RawMessageModel")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    Q_PROPERTY(bool hasFrame READ hasFrame NOTIFY frameChanged)
    Q_PROPERTY(QString channel READ channel NOTIFY frameChanged)
    Q_PROPERTY(double seq READ seq NOTIFY frameChanged)
    // Whether a previous frame was there to compare with, and its seq (-1: it had none).
    Q_PROPERTY(bool hasPrevious READ hasPrevious NOTIFY frameChanged)
    Q_PROPERTY(double previousSeq READ previousSeq NOTIFY frameChanged)
    Q_PROPERTY(double previousReceivedMs READ previousReceivedMs NOTIFY frameChanged)
    // Values marked so (each changed leaf, each added or removed value, its children included).
    Q_PROPERTY(int changedCount READ changedCount NOTIFY frameChanged)
    Q_PROPERTY(int addedCount READ addedCount NOTIFY frameChanged)
    Q_PROPERTY(int removedCount READ removedCount NOTIFY frameChanged)
    Q_PROPERTY(bool truncated READ truncated NOTIFY frameChanged)
    // Only the rows that differ from the previous frame, and the objects and arrays holding them.
    Q_PROPERTY(bool changesOnly READ changesOnly WRITE setChangesOnly NOTIFY changesOnlyChanged)

public:
    enum Role {
        KeyRole = Qt::UserRole + 1,
        PointerRole,
        FieldRole,
        DepthRole,
        TypeRole,
        ValueRole,
        FullValueRole,
        ElidedRole,
        ExpandableRole,
        ExpandedRole,
        ChildCountRole,
        ChangeRole,
        PreviousValueRole,
        FullPreviousValueRole,
        NumericRole,
        ChartableRole,
    };
    enum class Change : quint8 { None, Changed, Added, Removed };

    struct Frame
    {
        QString channel;
        qint64 seq = -1;
        qint64 receivedMs = 0;
        QJsonValue data{QJsonValue::Undefined};
    };

    static constexpr int kMaxNodes = 5000;
    static constexpr int kMaxDepth = 64;
    static constexpr int kShownChars = 120;
    // Expanded at first: the root, and objects and arrays above this depth with at most
    // kBigContainer children (a long array stays closed until asked).
    static constexpr int kDefaultDepth = 2;
    static constexpr int kBigContainer = 50;

    explicit JsonTreeModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Shows `current`, compared with `previous` when there is one.
    void setFrame(const Frame &current, const std::optional<Frame> &previous);
    void clear();

    Q_INVOKABLE void toggle(int row);
    Q_INVOKABLE void setExpanded(int row, bool expanded);
    Q_INVOKABLE void expandAll();
    // The row showing `pointer` now; -1 when none does (collapsed away, or no such value).
    Q_INVOKABLE int rowOfPointer(const QString &pointer) const;
    // The roles of `row` by name (for tests and automation).
    Q_INVOKABLE QVariantMap rowAt(int row) const;

    bool hasFrame() const { return !m_nodes.isEmpty(); }
    QString channel() const { return m_channel; }
    double seq() const { return double(m_seq); }
    bool hasPrevious() const { return m_hasPrevious; }
    double previousSeq() const { return double(m_previousSeq); }
    double previousReceivedMs() const { return double(m_previousReceivedMs); }
    int changedCount() const { return m_changed; }
    int addedCount() const { return m_added; }
    int removedCount() const { return m_removed; }
    bool truncated() const { return m_truncated; }
    bool changesOnly() const { return m_changesOnly; }
    void setChangesOnly(bool on);

    static QString changeName(Change change);
    // A value as the tree shows it: strings quoted, whole numbers below 2^53 without an exponent.
    static QString valueText(const QJsonValue &value);

Q_SIGNALS:
    void countChanged();
    void frameChanged();
    void changesOnlyChanged();

private:
    struct Node
    {
        QString key;
        QString pointer;
        QString field;
        int parent = -1;
        int depth = 0;
        QList<int> children;
        QJsonValue value{QJsonValue::Undefined};    // now (undefined: removed)
        QJsonValue previous{QJsonValue::Undefined}; // before (undefined: added, or nothing to compare)
        Change change = Change::None;
        bool changesBelow = false;
        bool expanded = false;
        bool chartable = false;
    };
    int addNode(int parent, const QString &key, const QString &pointer, const QString &field, int depth,
                const QJsonValue &now, const QJsonValue &before, bool compare);
    // The node's row and the rows of its shown descendants, in order, appended to `out`.
    void appendRows(int node, QList<int> &out) const;
    bool shown(const Node &n) const;
    void rebuildRows();
    const QJsonValue &shownValue(const Node &n) const;
    int descendantRows(int row) const;

    QList<Node> m_nodes; // [0] is the root (the data)
    QList<int> m_rows;   // nodes shown, in order
    QSet<QString> m_chartFields;
    QString m_channel;
    qint64 m_seq = -1;
    bool m_hasPrevious = false;
    qint64 m_previousSeq = -1;
    qint64 m_previousReceivedMs = 0;
    int m_changed = 0;
    int m_added = 0;
    int m_removed = 0;
    bool m_truncated = false;
    bool m_changesOnly = false;
};

} // namespace Pulseboard
