#include "server/log.h"

namespace mcpwatch::server {

std::shared_ptr<spdlog::logger> Log() {
  if (auto existing = spdlog::get("server")) return existing;
  auto logger = spdlog::default_logger()->clone("server");
  try {
    spdlog::register_logger(logger);
  } catch (const spdlog::spdlog_ex&) {
    // Another thread registered it first; use theirs.
    if (auto existing = spdlog::get("server")) return existing;
  }
  return logger;
}

}  // namespace mcpwatch::server
