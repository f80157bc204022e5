// The 2026-07-28 Streamable HTTP request metadata that depends on the request: the Mcp-Name
// value, and the Mcp-Param-{Name} headers a tool's inputSchema designates with `x-mcp-header`.
// A tool whose annotations break the spec's constraints must not be called (clients exclude it
// from the tools/list result); ToolHeaderRules says why. Values that cannot travel as a plain
// header value go in the spec's base64 sentinel form. Pure functions; none throws, and nothing
// here follows a $ref (a network $ref is never dereferenced; a local one is not "statically
// reachable", so an annotation behind it is invalid).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

namespace mcpwatch {

// One annotated parameter: where its value sits in the arguments, and its header name part.
struct ParamHeader {
  std::vector<std::string> path;  // chain of `properties` keys from the schema root
  std::string name;               // the x-mcp-header value ("Region" → Mcp-Param-Region)
};

// The annotated parameters of a tool's inputSchema, or why the tool definition is invalid.
tl::expected<std::vector<ParamHeader>, std::string> ToolHeaderRules(
    const nlohmann::json& input_schema);

// "Mcp-Param-{Name}: value" lines for the call's arguments; a parameter absent or null in the
// arguments gets no header.
std::vector<std::string> ParamHeaders(const std::vector<ParamHeader>& rules,
                                      const nlohmann::json& arguments);

// A header value as the spec encodes it: as-is when it is visible ASCII with inner spaces only,
// else "=?base64?{base64 of the UTF-8}?=" (also for a value that looks like the sentinel).
std::string EncodeHeaderValue(std::string_view value);

}  // namespace mcpwatch
