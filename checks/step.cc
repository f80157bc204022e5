#include "checks/step.h"

#include "base/parse_by_name.h"

namespace mcpwatch {

std::string_view ToString(Step s) {
  switch (s) {
    case Step::kInitialize: return "initialize";
    case Step::kInitialized: return "initialized";
    case Step::kToolsList: return "tools_list";
    case Step::kToolCall: return "tool_call";
    case Step::kPing: return "ping";
    case Step::kClose: return "close";
  }
  return "initialize";  // unreachable
}

std::optional<Step> ParseStep(std::string_view s) {
  return ParseByName(kAllSteps, s);
}

}  // namespace mcpwatch
