#include "config/config_error.h"

namespace mcpwatch {

std::string ToString(const ConfigError& error) {
  std::string out = error.file;
  if (error.line > 0) {
    out += ":" + std::to_string(error.line);
    if (error.column > 0) out += ":" + std::to_string(error.column);
  }
  return out + ": " + error.message;
}

}  // namespace mcpwatch
