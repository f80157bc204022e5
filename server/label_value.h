// Label values that come from outside our closed sets (a server's self-reported name and
// version, operator-written config labels) pass through here before reaching a metric: they are
// cut to a bound and made valid UTF-8, so one odd server cannot break a scrape or grow a series
// without limit.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mcpwatch {

inline constexpr size_t kMaxLabelValueBytes = 128;

// Valid UTF-8 of at most `max_bytes` bytes: invalid bytes and control characters become '?', and
// the cut never splits a character.
std::string BoundLabelValue(std::string_view value, size_t max_bytes = kMaxLabelValueBytes);

// True for a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*) not starting with "__".
bool IsUsableLabelName(std::string_view name);

}  // namespace mcpwatch
