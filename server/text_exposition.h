// The Prometheus text exposition format (version 0.0.4), written straight into a string: the
// per-target families (10,000 targets × ~100 samples) are rendered from plain values without an
// intermediate object per sample. Label order follows prometheus-cpp (sorted by name, a
// histogram's `le` last), so both halves of /metrics read alike.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mcpwatch {

// Receives exposition text piece by piece.
using ExpositionSink = std::function<void(std::string_view)>;

struct LabelRef {
  std::string_view name;
  std::string_view value;
};

// A series' own labels, sorted by name; values as they are (escaped when written).
using LabelList = std::vector<std::pair<std::string, std::string>>;

// "# HELP name help\n# TYPE name type\n" (help escaped as the format asks).
void AppendFamilyHeader(std::string& out, std::string_view name, std::string_view help,
                        std::string_view type);

// name{labels} value\n — `base` and `extra` are each sorted by name and merged; `le`, when not
// empty, is appended last as le="...". No braces when there is no label at all.
void AppendSample(std::string& out, std::string_view name, const LabelList& base,
                  std::span<const LabelRef> extra, double value, std::string_view le = {});

// A sample value: integers without a fraction, others in the shortest form that reads back
// exactly, "+Inf", "-Inf" and "NaN" as the format spells them.
void AppendValue(std::string& out, double value);

// Label value escaping: backslash, double quote and newline.
void AppendEscaped(std::string& out, std::string_view value);

}  // namespace mcpwatch
