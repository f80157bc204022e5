#include "storage/log.h"

namespace mcpwatch::storage {

std::shared_ptr<spdlog::logger> Log() {
  if (auto existing = spdlog::get("storage")) return existing;
  auto logger = spdlog::default_logger()->clone("storage");
  try {
    spdlog::register_logger(logger);
  } catch (const spdlog::spdlog_ex&) {
    // Another thread registered it first; use theirs.
    if (auto existing = spdlog::get("storage")) return existing;
  }
  return logger;
}

}  // namespace mcpwatch::storage
