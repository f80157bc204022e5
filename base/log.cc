#include "base/log.h"

namespace mcpwatch {

std::shared_ptr<spdlog::logger> AreaLog(const std::string& area) {
  if (auto existing = spdlog::get(area)) return existing;
  auto logger = spdlog::default_logger()->clone(area);
  try {
    spdlog::register_logger(logger);
  } catch (const spdlog::spdlog_ex&) {
    // Another thread registered it first; use theirs.
    if (auto existing = spdlog::get(area)) return existing;
  }
  return logger;
}

}  // namespace mcpwatch
