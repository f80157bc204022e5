// The rules a target's settings must meet, in one place for the YAML loader (config/) and the
// `mcpwatch probe` flags (app/probe_command.cc), so a value accepted by one is accepted by the
// other. The URL rule itself is base/url.h's CheckHttpUrl (notifier URLs follow it too).
// Messages never echo a value that may be secret (header values, URLs).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>

namespace mcpwatch {

bool IsEnvVarName(std::string_view name);  // [A-Za-z_][A-Za-z0-9_]*
bool IsLabelName(std::string_view name);   // [a-zA-Z_][a-zA-Z0-9_]*
bool IsHeaderName(std::string_view name);  // an RFC 9110 token
bool IsTargetName(std::string_view name);  // [A-Za-z0-9_.-]{1,64}

// A header value may not break the request: "" when acceptable, else the reason.
std::string CheckHeaderValue(std::string_view value);

// "Name: value" as given on a command line, split and checked by the rules above.
tl::expected<std::pair<std::string, std::string>, std::string> ParseHeaderLine(
    std::string_view line);

// "" when `pattern` compiles as the ECMAScript regular expression expect_text is matched with,
// else the compiler's complaint.
std::string CheckExpectText(const std::string& pattern);

// "" when `arguments` can be a tools/call's arguments (a JSON object), else the reason.
std::string CheckToolArguments(const nlohmann::json& arguments);

// "" when `answers` can be a tool call's input_responses (an object of objects: input request
// key → the answer sent back for it), else the reason.
std::string CheckInputResponses(const nlohmann::json& answers);

}  // namespace mcpwatch
