#include "checks/tool_headers.h"

#include <cstdint>
#include <set>

#include "base/ascii_lower.h"
#include "base/encoding.h"
#include "checks/excerpt.h"

namespace mcpwatch {
namespace {

using nlohmann::json;

constexpr std::string_view kAnnotation = "x-mcp-header";
constexpr int64_t kMaxSafeInteger = (int64_t{1} << 53) - 1;  // JavaScript's safe range
constexpr int kMaxDepth = 32;

// RFC 9110 tchar.
bool IsTchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string PathText(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& p : path) out += (out.empty() ? "" : ".") + p;
  return out.empty() ? "(root)" : out;
}

std::optional<std::string> CheckName(const json& annotation) {
  if (!annotation.is_string()) return "x-mcp-header is not a string";
  const std::string name = annotation.get<std::string>();
  if (name.empty()) return "x-mcp-header is empty";
  for (char c : name) {
    if (!IsTchar(c)) {
      return "x-mcp-header " + Excerpt(json(name).dump(-1, ' ', true), 60) +
             " is not an HTTP field-name token";
    }
  }
  return std::nullopt;
}

std::optional<std::string> CheckType(const json& schema) {
  auto type = schema.find("type");
  if (type == schema.end() || !type->is_string()) {
    return "x-mcp-header on a parameter without a single primitive type";
  }
  const std::string t = type->get<std::string>();
  if (t == "string" || t == "integer" || t == "boolean") return std::nullopt;
  return "x-mcp-header on a parameter of type " + Excerpt(t, 40) +
         " (only string, integer and boolean may be mirrored)";
}

// Any x-mcp-header below `node` outside a pure `properties` chain makes the tool invalid.
std::optional<std::string> FindUnreachable(const json& node, int depth) {
  if (depth > kMaxDepth) return "inputSchema nests deeper than " + std::to_string(kMaxDepth);
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it.key() == kAnnotation) {
        return "x-mcp-header where it is not statically reachable through properties";
      }
      if (auto bad = FindUnreachable(it.value(), depth + 1)) return bad;
    }
  } else if (node.is_array()) {
    for (const auto& v : node) {
      if (auto bad = FindUnreachable(v, depth + 1)) return bad;
    }
  }
  return std::nullopt;
}

// Walks the `properties` chains from `schema`, collecting annotations; every other keyword's
// subtree must carry none.
std::optional<std::string> Collect(const json& schema, std::vector<std::string>& path,
                                   std::vector<ParamHeader>& out, int depth) {
  if (depth > kMaxDepth) return "inputSchema nests deeper than " + std::to_string(kMaxDepth);
  if (!schema.is_object()) return std::nullopt;
  for (auto it = schema.begin(); it != schema.end(); ++it) {
    if (it.key() == kAnnotation) {
      if (path.empty()) return "x-mcp-header on the schema root";
      if (auto bad = CheckName(it.value())) return *bad + " (at " + PathText(path) + ")";
      if (auto bad = CheckType(schema)) return *bad + " (at " + PathText(path) + ")";
      out.push_back({path, it.value().get<std::string>()});
    } else if (it.key() == "properties" && it.value().is_object()) {
      for (auto p = it.value().begin(); p != it.value().end(); ++p) {
        path.push_back(p.key());
        auto bad = Collect(p.value(), path, out, depth + 1);
        path.pop_back();
        if (bad) return bad;
      }
    } else if (auto bad = FindUnreachable(it.value(), depth + 1)) {
      return *bad + " (under " + Excerpt(it.key(), 40) + " at " + PathText(path) + ")";
    }
  }
  return std::nullopt;
}

const json* ValueAt(const json& arguments, const std::vector<std::string>& path) {
  const json* node = &arguments;
  for (const auto& key : path) {
    if (!node->is_object()) return nullptr;
    auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
  }
  return node;
}

bool PlainSafe(std::string_view v) {
  if (v.empty()) return true;
  if (v.front() == ' ' || v.back() == ' ') return false;
  for (char c : v) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e) return false;
  }
  const bool sentinel =
      v.size() >= 11 && v.substr(0, 9) == "=?base64?" && v.substr(v.size() - 2) == "?=";
  return !sentinel;
}

}  // namespace

tl::expected<std::vector<ParamHeader>, std::string> ToolHeaderRules(const json& input_schema) {
  std::vector<ParamHeader> out;
  std::vector<std::string> path;
  if (auto bad = Collect(input_schema, path, out, 0)) return tl::make_unexpected(*bad);
  std::set<std::string> seen;
  for (const auto& rule : out) {
    if (!seen.insert(AsciiLower(rule.name)).second) {
      return tl::make_unexpected("x-mcp-header " + Excerpt(rule.name, 60) +
                                 " is used twice (names are case-insensitive)");
    }
  }
  return out;
}

std::vector<std::string> ParamHeaders(const std::vector<ParamHeader>& rules,
                                      const json& arguments) {
  std::vector<std::string> out;
  for (const auto& rule : rules) {
    const json* v = ValueAt(arguments, rule.path);
    if (v == nullptr || v->is_null()) continue;
    std::string text;
    if (v->is_string()) {
      text = EncodeHeaderValue(v->get<std::string>());
    } else if (v->is_boolean()) {
      text = v->get<bool>() ? "true" : "false";
    } else if (v->is_number_integer()) {
      text = v->dump();
    } else if (v->is_number_float()) {
      // An integer parameter given as 42.0 still mirrors as the integer when it is one.
      const double d = v->get<double>();
      if (d != static_cast<double>(static_cast<int64_t>(d)) || d > kMaxSafeInteger ||
          d < -kMaxSafeInteger) {
        continue;
      }
      text = std::to_string(static_cast<int64_t>(d));
    } else {
      continue;  // objects and arrays never mirror; the schema said primitive
    }
    out.push_back("Mcp-Param-" + rule.name + ": " + text);
  }
  return out;
}

std::string EncodeHeaderValue(std::string_view value) {
  if (PlainSafe(value)) return std::string(value);
  return "=?base64?" + Base64(value) + "?=";
}

}  // namespace mcpwatch
