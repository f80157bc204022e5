// The "storage" spdlog logger (created on first use from the default logger's sinks).
#pragma once

#include <spdlog/spdlog.h>

#include <memory>

namespace mcpwatch::storage {

std::shared_ptr<spdlog::logger> Log();

}  // namespace mcpwatch::storage
