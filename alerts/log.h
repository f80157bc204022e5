// The "alerts" logger (base/log.h).
#pragma once

#include "base/log.h"

namespace mcpwatch::alerts {

inline std::shared_ptr<spdlog::logger> Log() { return AreaLog("alerts"); }

}  // namespace mcpwatch::alerts
