#include "checks/skip_reason.h"

namespace mcpwatch {

std::string_view ToString(SkipReason r) {
  switch (r) {
    case SkipReason::kOverlap: return "overlap";
    case SkipReason::kInflightCap: return "inflight_cap";
    case SkipReason::kOwnBurst: return "own_burst";
  }
  return "overlap";  // unreachable: every enumerator is handled above
}

}  // namespace mcpwatch
