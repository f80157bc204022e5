// The "server" spdlog logger (created on first use from the default logger's sinks).
#pragma once

#include <spdlog/spdlog.h>

#include <memory>

namespace mcpwatch::server {

std::shared_ptr<spdlog::logger> Log();

}  // namespace mcpwatch::server
