// One spdlog logger per area of the code ("alerts", "server", "storage"), created on first use
// from the default logger's sinks, so every area logs through the same sinks and level.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace mcpwatch {

// Thread-safe; returns the same logger for the same area.
std::shared_ptr<spdlog::logger> AreaLog(const std::string& area);

}  // namespace mcpwatch
