// The steps of one MCP probe run, in the order they happen.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace mcpwatch {

enum class Step {
  kInitialize,   // initialize request
  kInitialized,  // notifications/initialized
  kToolsList,    // tools/list, every page
  kToolCall,     // the operator's synthetic tools/call
  kPing,         // ping
  kClose,        // DELETE of the session (never fails a run)
};

inline constexpr std::array kAllSteps = {Step::kInitialize, Step::kInitialized, Step::kToolsList,
                                         Step::kToolCall,   Step::kPing,        Step::kClose};

// "initialize", "initialized", "tools_list", "tool_call", "ping", "close": the `phase` label.
std::string_view ToString(Step s);
std::optional<Step> ParseStep(std::string_view s);

}  // namespace mcpwatch
