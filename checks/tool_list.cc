#include "checks/tool_list.h"

#include <algorithm>
#include <array>
#include <exception>
#include <set>
#include <utility>

namespace mcpwatch {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxNameChars = 128;
constexpr std::size_t kMaxQuotedNameBytes = 100;  // names quoted in messages are cut to this

std::string Dump(const json& j) {
  try {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
  } catch (const std::exception&) {
    return "null";  // only allocation failure remains possible with the replace handler
  }
}

std::size_t Utf8Boundary(std::string_view s, std::size_t max) {
  if (s.size() <= max) return s.size();
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return cut;
}

// A hostile name is quoted escaped and bounded: "\"echo\"".
std::string Quoted(const std::string& name) {
  return Dump(json(name.substr(0, Utf8Boundary(name, kMaxQuotedNameBytes))));
}

const std::string* NameOf(const json& tool) {
  if (!tool.is_object()) return nullptr;
  const auto it = tool.find("name");
  if (it == tool.end() || !it->is_string()) return nullptr;
  return it->get_ptr<const std::string*>();
}

// Collects problems up to a bound so a 100,000-tool list cannot flood a message.
class Problems {
 public:
  void Add(std::string p) {
    if (list_.size() < kMaxToolProblems) {
      list_.push_back(std::move(p));
    } else {
      ++dropped_;
    }
  }
  std::vector<std::string> Take() && {
    if (dropped_ > 0) list_.push_back("... and " + std::to_string(dropped_) + " more");
    return std::move(list_);
  }

 private:
  std::vector<std::string> list_;
  std::size_t dropped_ = 0;
};

// label names the tool in messages: "tool \"echo\"" or, without a usable name, "tool #3".
void CheckSchema(const json& tool, const std::string& label, Problems& problems) {
  const auto input = tool.find("inputSchema");
  if (input == tool.end()) {
    problems.Add(label + " has no inputSchema");
  } else if (!input->is_object()) {
    problems.Add(label + " inputSchema is not an object");
  } else if (const auto type = input->find("type");
             type != input->end() && *type != json("object")) {
    problems.Add(label + " inputSchema type is not \"object\"");
  }
  const auto output = tool.find("outputSchema");
  if (output != tool.end() && !output->is_object()) {
    problems.Add(label + " outputSchema is not an object");
  }
}

bool NameCharAllowed(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

}  // namespace

std::string CanonicalToolsJson(const json& tools) {
  if (!tools.is_array()) return Dump(tools);
  std::vector<std::pair<std::string, std::string>> keyed;  // (name, canonical text)
  keyed.reserve(tools.size());
  for (const auto& tool : tools) {
    const std::string* name = NameOf(tool);
    keyed.emplace_back(name ? *name : std::string(), Dump(tool));
  }
  std::sort(keyed.begin(), keyed.end());
  std::string out = "[";
  for (std::size_t i = 0; i < keyed.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += keyed[i].second;
  }
  out.push_back(']');
  return out;
}

std::vector<std::string> ValidateTools(const json& tools) {
  if (!tools.is_array()) return {"tools is not an array"};
  Problems problems;
  std::set<std::string> seen;
  std::set<std::string> reported;
  std::size_t position = 0;
  for (const auto& tool : tools) {
    const std::string where = "tool #" + std::to_string(++position);
    if (!tool.is_object()) {
      problems.Add(where + " is not an object");
      continue;
    }
    const std::string* name = NameOf(tool);
    const bool named = name != nullptr && !name->empty();
    if (!named) {
      const bool wrong_type = tool.contains("name") && !tool["name"].is_string();
      problems.Add(where + (wrong_type ? " name is not a string" : " has no name"));
    } else if (!seen.insert(*name).second && reported.insert(*name).second) {
      problems.Add("duplicate tool name " + Quoted(*name));
    }
    CheckSchema(tool, named ? "tool " + Quoted(*name) : where, problems);
  }
  return std::move(problems).Take();
}

std::vector<std::string> ToolNameWarnings(const json& tools) {
  if (!tools.is_array()) return {};
  Problems warnings;
  for (const auto& tool : tools) {
    const std::string* name = NameOf(tool);
    if (!name || name->empty()) continue;  // ValidateTools reports these as errors
    if (name->size() > kMaxNameChars) {
      warnings.Add("tool name " + Quoted(*name) + " is longer than 128 characters");
    }
    if (!std::all_of(name->begin(), name->end(), NameCharAllowed)) {
      warnings.Add("tool name " + Quoted(*name) + " has characters outside A-Z a-z 0-9 _ - .");
    }
  }
  return std::move(warnings).Take();
}

std::string ToolResultText(const json& result, std::size_t max_bytes) {
  if (!result.is_object()) return {};
  std::string out;
  bool first = true;
  auto append = [&](std::string_view part) {
    if (!first) out.push_back('\n');
    first = false;
    out.append(part.substr(0, max_bytes + 1 - std::min(out.size(), max_bytes + 1)));
  };
  if (const auto content = result.find("content"); content != result.end() && content->is_array()) {
    for (const auto& block : *content) {
      if (out.size() > max_bytes) break;
      if (!block.is_object() || block.value("type", json()) != json("text")) continue;
      const auto text = block.find("text");
      if (text == block.end() || !text->is_string()) continue;
      append(text->get_ref<const std::string&>());
    }
  }
  if (const auto structured = result.find("structuredContent");
      structured != result.end() && !structured->is_null() && out.size() <= max_bytes) {
    append(Dump(*structured));
  }
  out.resize(Utf8Boundary(out, max_bytes));
  return out;
}

std::vector<ToolResultPart> ToolResultParts(const json& result, std::size_t max_bytes) {
  std::vector<ToolResultPart> parts;
  if (!result.is_object()) return parts;
  std::size_t budget = max_bytes;
  auto add = [&](std::string label, std::string_view text) {
    if (budget == 0) return;
    std::string kept(text.substr(0, budget + 1));
    kept.resize(Utf8Boundary(kept, budget));
    budget -= kept.size();
    parts.push_back({std::move(label), std::move(kept)});
  };
  if (const auto content = result.find("content"); content != result.end() && content->is_array()) {
    int block = 0;
    for (const auto& b : *content) {
      if (!b.is_object() || b.value("type", json()) != json("text")) continue;
      const auto text = b.find("text");
      if (text == b.end() || !text->is_string()) continue;
      add("text block " + std::to_string(++block), text->get_ref<const std::string&>());
    }
  }
  if (const auto structured = result.find("structuredContent");
      structured != result.end() && !structured->is_null()) {
    add("structuredContent", Dump(*structured));
  }
  return parts;
}

}  // namespace mcpwatch
