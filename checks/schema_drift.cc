#include "checks/schema_drift.h"

#include <algorithm>
#include <map>
#include <set>

namespace mcpwatch {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 8;  // nested properties/items followed at most this deep
constexpr size_t kMaxSummaryItems = 5, kMaxSummaryBytes = 600;  // what Summary() shows

enum class Side { kInput, kOutput };

// Cuts s to at most max bytes without splitting a UTF-8 sequence.
std::string Truncated(std::string s, size_t max) {
  if (s.size() <= max) return s;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  return s + "...";
}

std::string Bounded(const json* v) {
  if (v == nullptr) return "";
  return Truncated(v->dump(-1, ' ', false, json::error_handler_t::replace), kMaxDriftValueBytes);
}

const json* Member(const json* obj, const char* key) {
  if (obj == nullptr || !obj->is_object()) return nullptr;
  const auto it = obj->find(key);
  return it == obj->end() ? nullptr : &*it;
}

bool Same(const json* a, const json* b) {
  return a != nullptr && b != nullptr ? *a == *b : a == b;
}

// "type" as a set of names ({} = unconstrained), so ["string","null"] equals ["null","string"].
std::set<std::string> TypeSet(const json* node) {
  std::set<std::string> out;
  const json* t = Member(node, "type");
  if (t == nullptr) return out;
  if (t->is_string()) out.insert(t->get<std::string>());
  if (t->is_array()) {
    for (const json& e : *t) out.insert(e.is_string() ? e.get<std::string>() : e.dump());
  }
  return out;
}

std::set<std::string> RequiredSet(const json* node) {
  std::set<std::string> out;
  const json* r = Member(node, "required");
  if (r == nullptr || !r->is_array()) return out;
  for (const json& e : *r) {
    if (e.is_string()) out.insert(e.get<std::string>());
  }
  return out;
}

std::optional<std::set<std::string>> EnumSet(const json* node) {
  const json* e = Member(node, "enum");
  if (e == nullptr || !e->is_array()) return std::nullopt;
  std::set<std::string> out;
  for (const json& v : *e) out.insert(v.dump(-1, ' ', false, json::error_handler_t::replace));
  return out;
}

std::map<std::string, const json*> IndexTools(const json& tools) {
  std::map<std::string, const json*> out;
  if (!tools.is_array()) return out;
  for (const json& t : tools) {
    const json* name = Member(&t, "name");
    if (name != nullptr && name->is_string()) out[name->get<std::string>()] = &t;
  }
  return out;
}

class Differ {
 public:
  explicit Differ(DriftReport& report) : report_(report) {}

  void Add(const std::string& tool, DriftKind kind, std::string path, DriftGrade grade,
           const json* before, const json* after) {
    ++tool_changes_;
    report_.grade = std::max(report_.grade, grade);
    if (report_.changes.size() >= kMaxDriftChanges) {
      ++report_.omitted;
      return;
    }
    report_.changes.push_back(DriftChange{Truncated(tool, kMaxDriftValueBytes), kind,
                                          Truncated(std::move(path), kMaxDriftValueBytes), grade,
                                          Bounded(before), Bounded(after)});
  }

  void Tool(const std::string& name, const json& old_tool, const json& new_tool) {
    tool_changes_ = 0;
    Node(Side::kInput, name, "", Member(&old_tool, "inputSchema"), Member(&new_tool, "inputSchema"),
         0);
    const json* old_out = Member(&old_tool, "outputSchema");
    const json* new_out = Member(&new_tool, "outputSchema");
    if (old_out != nullptr && new_out == nullptr) {
      Add(name, DriftKind::kOutputSchemaRemoved, "", DriftGrade::kBreaking, old_out, nullptr);
    } else if (old_out == nullptr && new_out != nullptr) {
      Add(name, DriftKind::kOutputSchemaAdded, "", DriftGrade::kCompatible, nullptr, new_out);
    } else if (old_out != nullptr) {
      Node(Side::kOutput, name, "", old_out, new_out, 0);
    }
    const int schema_changes = tool_changes_;
    Annotations(name, Member(&old_tool, "annotations"), Member(&new_tool, "annotations"));
    Plain(name, DriftKind::kTitleChanged, "title", old_tool, new_tool);
    OtherMembers(name, old_tool, new_tool);
    const json* old_desc = Member(&old_tool, "description");
    const json* new_desc = Member(&new_tool, "description");
    if (!Same(old_desc, new_desc)) {
      // A new description with the same schema is how a tool gets poisoned: the text the model
      // reads changed while nothing a schema-aware client checks did.
      const DriftGrade g = schema_changes == 0 ? DriftGrade::kSecurity : DriftGrade::kInformational;
      Add(name, DriftKind::kDescriptionChanged, "description", g, old_desc, new_desc);
    }
  }

 private:
  void Node(Side side, const std::string& tool, const std::string& path, const json* old_n,
            const json* new_n, int depth) {
    if (depth > kMaxDepth) return;
    if (TypeSet(old_n) != TypeSet(new_n)) {
      Add(tool, side == Side::kInput ? DriftKind::kInputTypeChanged : DriftKind::kOutputTypeChanged,
          path, DriftGrade::kBreaking, Member(old_n, "type"), Member(new_n, "type"));
      return;  // the rest of a retyped node is a different schema; one change says it
    }
    if (side == Side::kInput) Enum(tool, path, old_n, new_n);
    Properties(side, tool, path, old_n, new_n, depth);
    const json* old_items = Member(old_n, "items");
    const json* new_items = Member(new_n, "items");
    if (old_items != nullptr && new_items != nullptr && old_items->is_object() &&
        new_items->is_object()) {
      Node(side, tool, path + "[]", old_items, new_items, depth + 1);
    }
  }

  void Enum(const std::string& tool, const std::string& path, const json* old_n,
            const json* new_n) {
    const auto old_e = EnumSet(old_n);
    const auto new_e = EnumSet(new_n);
    if (!old_e && !new_e) return;
    bool removed = !old_e.has_value();  // a new enum constrains what was free
    bool added = !new_e.has_value();    // a dropped enum frees what was constrained
    if (old_e && new_e) {
      for (const auto& v : *old_e) removed = removed || new_e->count(v) == 0;
      for (const auto& v : *new_e) added = added || old_e->count(v) == 0;
    }
    if (!removed && !added) return;
    Add(tool, removed ? DriftKind::kInputEnumNarrowed : DriftKind::kInputEnumWidened, path,
        removed ? DriftGrade::kBreaking : DriftGrade::kCompatible, Member(old_n, "enum"),
        Member(new_n, "enum"));
  }

  void Properties(Side side, const std::string& tool, const std::string& path, const json* old_n,
                  const json* new_n, int depth) {
    const json* old_p = Member(old_n, "properties");
    const json* new_p = Member(new_n, "properties");
    const std::set<std::string> old_req = RequiredSet(old_n), new_req = RequiredSet(new_n);
    std::set<std::string> names = old_req;
    names.insert(new_req.begin(), new_req.end());
    for (const json* p : {old_p, new_p}) {
      if (p == nullptr || !p->is_object()) continue;
      for (const auto& item : p->items()) names.insert(item.key());
    }
    const bool input = side == Side::kInput;
    for (const std::string& name : names) {
      const json* before = Member(old_p, name.c_str());
      const json* after = Member(new_p, name.c_str());
      const bool in_old = before != nullptr || old_req.count(name) > 0;
      const bool in_new = after != nullptr || new_req.count(name) > 0;
      const std::string field = path.empty() ? name : path + "." + name;
      if (in_old && !in_new) {
        Add(tool, input ? DriftKind::kInputPropertyRemoved : DriftKind::kOutputPropertyRemoved,
            field, DriftGrade::kBreaking, before, nullptr);
        continue;
      }
      if (!in_old && in_new) {
        if (!input) {
          Add(tool, DriftKind::kOutputPropertyAdded, field, DriftGrade::kCompatible, nullptr,
              after);
        } else if (new_req.count(name) > 0) {
          Add(tool, DriftKind::kInputRequiredAdded, field, DriftGrade::kBreaking, nullptr, after);
        } else {
          Add(tool, DriftKind::kInputPropertyAdded, field, DriftGrade::kCompatible, nullptr, after);
        }
        continue;
      }
      if (input && old_req.count(name) == 0 && new_req.count(name) > 0) {
        Add(tool, DriftKind::kInputRequiredAdded, field, DriftGrade::kBreaking, before, after);
      } else if (input && old_req.count(name) > 0 && new_req.count(name) == 0) {
        Add(tool, DriftKind::kInputRequiredRemoved, field, DriftGrade::kCompatible, before, after);
      }
      if (before != nullptr && after != nullptr) Node(side, tool, field, before, after, depth + 1);
    }
  }

  void Annotations(const std::string& tool, const json* old_a, const json* new_a) {
    struct Hint {
      const char* key;
      bool fallback;  // the spec's default when absent
    };
    static constexpr Hint kHints[] = {{"readOnlyHint", false},
                                      {"destructiveHint", true},
                                      {"idempotentHint", false},
                                      {"openWorldHint", true}};
    const auto effective = [](const json* a, const Hint& h) {
      const json* v = Member(a, h.key);
      return v != nullptr && v->is_boolean() ? v->get<bool>() : h.fallback;
    };
    std::set<std::string> others;
    for (const json* a : {old_a, new_a}) {
      if (a == nullptr || !a->is_object()) continue;
      for (const auto& item : a->items()) others.insert(item.key());
    }
    for (const Hint& h : kHints) {
      others.erase(h.key);
      const bool was = effective(old_a, h);
      const bool now = effective(new_a, h);
      if (was == now) continue;
      const std::string key = h.key;
      const bool riskier =
          (key == "readOnlyHint" && was && !now) || (key == "destructiveHint" && !was && now);
      const json before = was;
      const json after = now;
      Add(tool, DriftKind::kAnnotationChanged, "annotations." + key,
          riskier ? DriftGrade::kSecurity : DriftGrade::kInformational, &before, &after);
    }
    for (const std::string& key : others) {
      const json* before = Member(old_a, key.c_str());
      const json* after = Member(new_a, key.c_str());
      if (Same(before, after)) continue;
      Add(tool, DriftKind::kAnnotationChanged, "annotations." + key, DriftGrade::kInformational,
          before, after);
    }
  }

  void Plain(const std::string& tool, DriftKind kind, const char* key, const json& old_tool,
             const json& new_tool) {
    const json* before = Member(&old_tool, key);
    const json* after = Member(&new_tool, key);
    if (!Same(before, after)) Add(tool, kind, key, DriftGrade::kInformational, before, after);
  }

  void OtherMembers(const std::string& tool, const json& old_tool, const json& new_tool) {
    static const std::set<std::string> kCompared = {"name",        "title",        "description",
                                                    "inputSchema", "outputSchema", "annotations"};
    std::set<std::string> keys;
    for (const json* t : {&old_tool, &new_tool}) {
      if (!t->is_object()) continue;
      for (const auto& item : t->items()) {
        if (kCompared.count(item.key()) == 0) keys.insert(item.key());
      }
    }
    for (const std::string& key : keys)
      Plain(tool, DriftKind::kOtherChanged, key.c_str(), old_tool, new_tool);
  }

  DriftReport& report_;
  int tool_changes_ = 0;
};

std::string AnnotationKey(const std::string& path) {
  constexpr std::string_view kPrefix = "annotations.";
  return path.starts_with(kPrefix) ? path.substr(kPrefix.size()) : path;
}

std::string Phrase(const DriftChange& c) {
  const std::string tool = Truncated(c.tool, 64);
  const std::string field = "'" + Truncated(c.path, 64) + "'";
  const std::string in = "input field " + field;
  const std::string out = "output field " + field;
  switch (c.kind) {
    case DriftKind::kToolAdded: return "tool " + tool + " added";
    case DriftKind::kToolRemoved: return "tool " + tool + " removed";
    case DriftKind::kInputRequiredAdded: return in + " became required on " + tool;
    case DriftKind::kInputPropertyRemoved: return in + " removed from " + tool;
    case DriftKind::kInputTypeChanged:
      return (c.path.empty() ? "input schema" : in) + " changed type on " + tool;
    case DriftKind::kInputPropertyAdded: return "optional " + in + " added to " + tool;
    case DriftKind::kInputRequiredRemoved: return in + " became optional on " + tool;
    case DriftKind::kInputEnumNarrowed: return in + " accepts fewer values on " + tool;
    case DriftKind::kInputEnumWidened: return in + " accepts more values on " + tool;
    case DriftKind::kOutputSchemaAdded: return "output schema added to " + tool;
    case DriftKind::kOutputSchemaRemoved: return "output schema removed from " + tool;
    case DriftKind::kOutputPropertyRemoved: return out + " removed from " + tool;
    case DriftKind::kOutputTypeChanged:
      return (c.path.empty() ? "output schema" : out) + " changed type on " + tool;
    case DriftKind::kOutputPropertyAdded: return out + " added to " + tool;
    case DriftKind::kAnnotationChanged:
      return "annotation " + Truncated(AnnotationKey(c.path), 64) + " " + Truncated(c.before, 32) +
             " -> " + Truncated(c.after, 32) + " on " + tool;
    case DriftKind::kDescriptionChanged:
      return "description changed on " + tool +
             (c.grade == DriftGrade::kSecurity ? " (possible tool poisoning)" : "");
    case DriftKind::kTitleChanged: return "title changed on " + tool;
    case DriftKind::kOtherChanged: return field + " changed on " + tool;
  }
  return "tool " + tool + " changed";  // unreachable: every enumerator is handled above
}

}  // namespace

std::string_view ToString(DriftGrade g) {
  switch (g) {
    case DriftGrade::kNone: return "none";
    case DriftGrade::kInformational: return "informational";
    case DriftGrade::kCompatible: return "compatible";
    case DriftGrade::kSecurity: return "security";
    case DriftGrade::kBreaking: return "breaking";
  }
  return "none";  // unreachable: every enumerator is handled above
}

std::string_view ToString(DriftKind k) {
  switch (k) {
    case DriftKind::kToolAdded: return "tool_added";
    case DriftKind::kToolRemoved: return "tool_removed";
    case DriftKind::kInputRequiredAdded: return "input_required_added";
    case DriftKind::kInputPropertyRemoved: return "input_property_removed";
    case DriftKind::kInputTypeChanged: return "input_type_changed";
    case DriftKind::kInputPropertyAdded: return "input_property_added";
    case DriftKind::kInputRequiredRemoved: return "input_required_removed";
    case DriftKind::kInputEnumNarrowed: return "input_enum_narrowed";
    case DriftKind::kInputEnumWidened: return "input_enum_widened";
    case DriftKind::kOutputSchemaAdded: return "output_schema_added";
    case DriftKind::kOutputSchemaRemoved: return "output_schema_removed";
    case DriftKind::kOutputPropertyRemoved: return "output_property_removed";
    case DriftKind::kOutputTypeChanged: return "output_type_changed";
    case DriftKind::kOutputPropertyAdded: return "output_property_added";
    case DriftKind::kAnnotationChanged: return "annotation_changed";
    case DriftKind::kDescriptionChanged: return "description_changed";
    case DriftKind::kTitleChanged: return "title_changed";
    case DriftKind::kOtherChanged: return "other_changed";
  }
  return "other_changed";  // unreachable: every enumerator is handled above
}

DriftReport DiffToolLists(const nlohmann::json& old_tools, const nlohmann::json& new_tools) {
  DriftReport report;
  Differ differ(report);
  const auto old_index = IndexTools(old_tools);
  const auto new_index = IndexTools(new_tools);
  for (const auto& [name, tool] : old_index) {
    const auto it = new_index.find(name);
    if (it == new_index.end()) {
      differ.Add(name, DriftKind::kToolRemoved, "", DriftGrade::kBreaking, nullptr, nullptr);
    } else {
      differ.Tool(name, *tool, *it->second);
    }
  }
  for (const auto& [name, tool] : new_index) {
    if (old_index.count(name) == 0) {
      differ.Add(name, DriftKind::kToolAdded, "", DriftGrade::kCompatible, nullptr, nullptr);
    }
  }
  return report;
}

nlohmann::json ToJson(const DriftReport& r) {
  json changes = json::array();
  for (const DriftChange& c : r.changes) {
    changes.push_back(json{{"tool", c.tool},
                           {"kind", ToString(c.kind)},
                           {"path", c.path},
                           {"grade", ToString(c.grade)},
                           {"before", c.before},
                           {"after", c.after}});
  }
  return json{{"grade", ToString(r.grade)},
              {"summary", Summary(r)},
              {"changes", std::move(changes)},
              {"omitted", r.omitted}};
}

std::string Summary(const DriftReport& r) {
  if (r.changes.empty() && r.omitted == 0) return "";
  std::vector<const DriftChange*> order;
  for (const DriftChange& c : r.changes) order.push_back(&c);
  std::stable_sort(order.begin(), order.end(),
                   [](const DriftChange* a, const DriftChange* b) { return a->grade > b->grade; });
  std::string out = std::string(ToString(r.grade)) + ": ";
  const size_t shown = std::min(order.size(), kMaxSummaryItems);
  for (size_t i = 0; i < shown; ++i) {
    if (i > 0) out += "; ";
    out += Phrase(*order[i]);
  }
  const size_t more = order.size() - shown + r.omitted;
  if (more > 0) out += (shown > 0 ? "; and " : "") + std::to_string(more) + " more changes";
  return Truncated(std::move(out), kMaxSummaryBytes);
}

}  // namespace mcpwatch
