// The hostile payload of tst_hubhostile and bench-hostile (header only: the benchmarks, built
// without the tests, include it from here): one JSON object whose members come in an order
// shuffled by a fixed seed, the shape that made a QJsonObject conversion quadratic.
#pragma once

#include <QByteArray>
#include <QRandomGenerator>

#include <numeric>
#include <utility>
#include <vector>

namespace Pulseboard::TestData {

// `count` members "k<i>":<last digit of i>, in the same shuffled order on every call.
inline QByteArray randomOrderObject(int count)
{
    std::vector<int> order(static_cast<size_t>(count));
    std::iota(order.begin(), order.end(), 0);
    QRandomGenerator rng(13);
    for (size_t i = order.size() - 1; i > 0; --i)
        std::swap(order[i], order[rng.bounded(quint32(i + 1))]);
    QByteArray out;
    out.reserve(qsizetype(count) * 11 + 2);
    out.append('{');
    for (size_t i = 0; i < order.size(); ++i) {
        if (i)
            out.append(',');
        out.append("\"k")
            .append(QByteArray::number(order[i]))
            .append("\":")
            .append(char('0' + order[i] % 10));
    }
    out.append('}');
    return out;
}

} // namespace Pulseboard::TestData
