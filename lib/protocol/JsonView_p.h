// Internal: the bridge between JsonView and simdjson's DOM, for the protocol sources only.
#pragma once

#include "JsonView.h"

#include <QByteArrayView>

#include <simdjson.h>

#include <cstring>
#include <type_traits>

namespace Pulseboard::detail {

// Appends `utf8` as a JSON string the way QJsonDocument writes one (the two specials and control
// characters escaped, everything else as UTF-8).
void appendJsonString(QByteArray &out, QByteArrayView utf8);

struct ParsedAccess
{
    static_assert(sizeof(simdjson::dom::element) <= sizeof(JsonView::m_element));
    static_assert(std::is_trivially_copyable_v<simdjson::dom::element>);

    static JsonView make(const simdjson::dom::element &element)
    {
        JsonView view;
        view.m_source = JsonView::Source::Parsed;
        std::memcpy(view.m_element, &element, sizeof element);
        return view;
    }

    static bool isParsed(const JsonView &view) { return view.m_source == JsonView::Source::Parsed; }

    static simdjson::dom::element element(const JsonView &view)
    {
        simdjson::dom::element element;
        std::memcpy(static_cast<void *>(&element), view.m_element, sizeof element);
        return element;
    }

    // The UTF-8 bytes of a parsed string value, without a QString; empty for anything else.
    static QByteArrayView utf8(const JsonView &view)
    {
        if (!isParsed(view))
            return {};
        std::string_view text;
        if (element(view).get_string().get(text) != simdjson::SUCCESS)
            return {};
        return QByteArrayView(text.data(), qsizetype(text.size()));
    }
};

} // namespace Pulseboard::detail
