#include "server/text_exposition.h"

#include <charconv>
#include <cmath>

namespace mcpwatch {

namespace {

void AppendLabel(std::string& out, bool& first, std::string_view name, std::string_view value) {
  out += first ? '{' : ',';
  first = false;
  out += name;
  out += "=\"";
  AppendEscaped(out, value);
  out += '"';
}

}  // namespace

void AppendEscaped(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

void AppendFamilyHeader(std::string& out, std::string_view name, std::string_view help,
                        std::string_view type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void AppendValue(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
    return;
  }
  if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buffer[32];
  std::to_chars_result r{};
  // Counts and timestamps are whole numbers; print them without an exponent.
  if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    r = std::to_chars(buffer, buffer + sizeof buffer, static_cast<long long>(value));
  } else {
    r = std::to_chars(buffer, buffer + sizeof buffer, value);
  }
  out.append(buffer, r.ptr);
}

void AppendSample(std::string& out, std::string_view name, const LabelList& base,
                  std::span<const LabelRef> extra, double value, std::string_view le) {
  out += name;
  bool first = true;
  size_t i = 0;
  size_t j = 0;
  while (i < base.size() || j < extra.size()) {
    if (j == extra.size() || (i < base.size() && base[i].first < extra[j].name)) {
      AppendLabel(out, first, base[i].first, base[i].second);
      ++i;
    } else {
      AppendLabel(out, first, extra[j].name, extra[j].value);
      ++j;
    }
  }
  if (!le.empty()) AppendLabel(out, first, "le", le);
  if (!first) out += '}';
  out += ' ';
  AppendValue(out, value);
  out += '\n';
}

}  // namespace mcpwatch
