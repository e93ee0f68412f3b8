// Logging category of the hub library; enable with QT_LOGGING_RULES="pulseboard.hub.debug=true".
#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcHub)
