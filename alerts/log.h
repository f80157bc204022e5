// The "alerts" spdlog logger (created on first use from the default logger's sinks).
#pragma once

#include <spdlog/spdlog.h>

#include <memory>

namespace mcpwatch::alerts {

std::shared_ptr<spdlog::logger> Log();

}  // namespace mcpwatch::alerts
