// One problem found in a config file, with its position, so every mistake can be listed at once.
#pragma once

#include <string>

namespace mcpwatch {

struct ConfigError {
  std::string file;
  int line = 0;    // 1-based; 0 = the problem concerns the whole file (e.g. it cannot be read)
  int column = 0;  // 1-based; 0 = unknown
  std::string message;
};

// "mcpwatch.yaml:12:5: unknown key ..." (or "mcpwatch.yaml: ..." without a position).
std::string ToString(const ConfigError& error);

}  // namespace mcpwatch
