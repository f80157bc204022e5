// The "storage" logger (base/log.h).
#pragma once

#include "base/log.h"

namespace mcpwatch::storage {

inline std::shared_ptr<spdlog::logger> Log() { return AreaLog("storage"); }

}  // namespace mcpwatch::storage
