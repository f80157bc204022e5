// Pure functions over a tools/list result: canonical form and hash (schema drift), validation,
// and the text of a tools/call result. No I/O; none of them throws.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace mcpwatch {

// Canonical JSON of a tool list: tools sorted by name (ties, e.g. duplicate or missing names,
// broken by their canonical text, so the input order never matters), object keys sorted,
// compact, invalid UTF-8 replaced. A non-array is dumped as it is. Used for hash and drift.
std::string CanonicalToolsJson(const nlohmann::json& tools);


// Empty when valid; else every problem (at most kMaxToolProblems, then one "... and N more"),
// e.g. "tools is not an array", "tool #3 has no name" (1-based position),
// "duplicate tool name \"echo\"", "tool \"x\" inputSchema is not an object".
std::vector<std::string> ValidateTools(const nlohmann::json& tools);

// Names outside the SHOULD rules (1-128 chars of A-Z a-z 0-9 _ - .): warnings, not failures.
std::vector<std::string> ToolNameWarnings(const nlohmann::json& tools);

inline constexpr std::size_t kMaxToolProblems = 50;

// Text of a tools/call result for --expect-text matching and messages: all text content blocks
// joined with '\n', then structuredContent (compact JSON) if present; at most max_bytes bytes,
// cut on a UTF-8 character boundary.
std::string ToolResultText(const nlohmann::json& result, std::size_t max_bytes = 64 * 1024);

// One part of a tools/call result that expect_text is matched against on its own.
struct ToolResultPart {
  std::string label;  // "text block 1", ..., "structuredContent"
  std::string text;   // the block's text, or structuredContent as compact JSON
};
// Each text content block and the structuredContent, in that order, together at most max_bytes
// bytes (a part is cut on a UTF-8 boundary; parts past the budget are left out). An operator's
// `^echo: hi$` means one block, not the blocks and the structured content joined.
std::vector<ToolResultPart> ToolResultParts(const nlohmann::json& result,
                                            std::size_t max_bytes = 64 * 1024);

}  // namespace mcpwatch
