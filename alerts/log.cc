#include "alerts/log.h"

namespace mcpwatch::alerts {

std::shared_ptr<spdlog::logger> Log() {
  if (auto existing = spdlog::get("alerts")) return existing;
  auto logger = spdlog::default_logger()->clone("alerts");
  try {
    spdlog::register_logger(logger);
  } catch (const spdlog::spdlog_ex&) {
    // Another thread registered it first; use theirs.
    if (auto existing = spdlog::get("alerts")) return existing;
  }
  return logger;
}

}  // namespace mcpwatch::alerts
