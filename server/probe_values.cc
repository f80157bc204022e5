#include "server/probe_values.h"

#include <cstdint>

namespace mcpwatch::detail {

namespace {

constexpr std::array<std::string_view, kNetworkPhaseCount> kNetworkPhases = {"resolve", "connect",
                                                                             "tls"};

}  // namespace

double ToolsHashNumber(std::string_view hex) {
  if (hex.size() < 12) return 0;
  uint64_t value = 0;
  for (char c : hex.substr(0, 12)) {
    int digit = 0;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return 0;
    }
    value = value * 16 + static_cast<uint64_t>(digit);
  }
  return static_cast<double>(value);
}

std::string_view GaugePhaseName(size_t index) {
  return index < kNetworkPhaseCount ? kNetworkPhases[index]
                                    : ToString(kAllSteps[index - kNetworkPhaseCount]);
}

size_t GaugePhaseIndex(Step s) {
  for (size_t i = 0; i < kAllSteps.size(); ++i) {
    if (kAllSteps[i] == s) return kNetworkPhaseCount + i;
  }
  return kNetworkPhaseCount;  // unreachable: kAllSteps lists every step
}

}  // namespace mcpwatch::detail
