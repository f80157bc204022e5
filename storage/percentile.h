// Nearest-rank percentile, shared by rollups and the status query so both agree.
#pragma once

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

namespace mcpwatch::storage {

// q in [0, 1]; reorders `values`; nullopt when empty.
inline std::optional<double> Percentile(std::vector<double>& values, double q) {
  if (values.empty()) return std::nullopt;
  const double rank = std::ceil(q * static_cast<double>(values.size()));
  size_t index = rank < 1.0 ? 0 : static_cast<size_t>(rank) - 1;
  index = std::min(index, values.size() - 1);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(index),
                   values.end());
  return values[index];
}

}  // namespace mcpwatch::storage
