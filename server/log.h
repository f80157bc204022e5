// The "server" logger (base/log.h).
#pragma once

#include "base/log.h"

namespace mcpwatch::server {

inline std::shared_ptr<spdlog::logger> Log() { return AreaLog("server"); }

}  // namespace mcpwatch::server
