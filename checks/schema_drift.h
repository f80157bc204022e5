// Schema drift (DESIGN §6): what changed between two tool lists and how much it matters to a
// client that was built against the old one. Pure; never throws, whatever the JSON holds.
#pragma once

#include <array>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace mcpwatch {

// Ordered by severity: a report's grade is the maximum of its changes' grades.
enum class DriftGrade { kNone, kInformational, kCompatible, kSecurity, kBreaking };

// "none", "informational", "compatible", "security", "breaking".
std::string_view ToString(DriftGrade g);

enum class DriftKind {
  kToolAdded,              // compatible
  kToolRemoved,            // breaking
  kInputRequiredAdded,     // breaking: a new required field, or an optional one became required
  kInputPropertyRemoved,   // breaking
  kInputTypeChanged,       // breaking
  kInputPropertyAdded,     // compatible (optional)
  kInputRequiredRemoved,   // compatible: required -> optional
  kInputEnumNarrowed,      // breaking: a value clients may send is no longer accepted
  kInputEnumWidened,       // compatible
  kOutputSchemaAdded,      // compatible
  kOutputSchemaRemoved,    // breaking
  kOutputPropertyRemoved,  // breaking
  kOutputTypeChanged,      // breaking
  kOutputPropertyAdded,    // compatible
  kAnnotationChanged,      // security (readOnlyHint true->false, destructiveHint false->true)
                           // or informational
  kDescriptionChanged,     // security when the tool's schemas did not change (tool poisoning),
                           // else informational
  kTitleChanged,           // informational
  kOtherChanged,           // informational: any other member (icons, execution, _meta, ...)
};

// "tool_added", "tool_removed", "input_required_added", ... (snake_case of the enumerator).
std::string_view ToString(DriftKind k);

struct DriftChange {
  std::string tool;
  DriftKind kind = DriftKind::kOtherChanged;
  std::string path;  // field path inside the schema ("filters.sku", "tags[]"), annotation or
                     // member name; "" for a whole tool
  DriftGrade grade = DriftGrade::kNone;
  std::string before;  // compact JSON of the old value, at most kMaxDriftValueBytes
  std::string after;
};

struct DriftReport {
  DriftGrade grade = DriftGrade::kNone;  // max over all changes, including omitted ones
  std::vector<DriftChange> changes;      // tools by name, at most kMaxDriftChanges
  size_t omitted = 0;                    // changes beyond kMaxDriftChanges
};

inline constexpr size_t kMaxDriftChanges = 256;
inline constexpr size_t kMaxDriftValueBytes = 256;

// Compares two tools/list `tools` arrays (a non-array counts as empty; tools without a string
// name are ignored; for duplicate names the last one wins). Schemas are compared through nested
// `properties` and array `items` down to a bounded depth.
DriftReport DiffToolLists(const nlohmann::json& old_tools, const nlohmann::json& new_tools);

// {"grade":..., "summary":..., "changes":[{"tool","kind","path","grade","before","after"}],
//  "omitted": n}
nlohmann::json ToJson(const DriftReport& r);

// One line, the most severe changes first, e.g.
// "breaking: tool get_item removed; input field 'sku' became required on search"; "" when the
// report is empty.
std::string Summary(const DriftReport& r);

}  // namespace mcpwatch
