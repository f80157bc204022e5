// Test helpers: the text exposition of a registry and lookups of single samples in it.
#pragma once

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <limits>
#include <sstream>
#include <string>

namespace mcpwatch::test {

inline std::string Exposition(const prometheus::Registry& registry) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry.Collect());
  return out.str();
}

// The value of the sample whose line starts with `series` followed by a space, e.g.
// SampleValue(text, "probe_success{target=\"shop\"}"); NaN (equal to nothing) when absent.
inline double SampleValue(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace mcpwatch::test
