#include "server/text_exposition.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

namespace mcpwatch {
namespace {

std::string Value(double v) {
  std::string out;
  AppendValue(out, v);
  return out;
}

TEST_CASE("sample values are written as the text format spells them") {
  struct Row {
    double value;
    const char* text;
  };
  const Row rows[] = {
      {0, "0"},
      {1, "1"},
      {-3, "-3"},
      {41, "41"},
      {1'732'431'000, "1732431000"},
      {0.25, "0.25"},
      {0.003, "0.003"},
      {1732431000.125, "1732431000.125"},
      {1e20, "1e+20"},
      {std::numeric_limits<double>::infinity(), "+Inf"},
      {-std::numeric_limits<double>::infinity(), "-Inf"},
      {std::numeric_limits<double>::quiet_NaN(), "NaN"},
  };
  for (const Row& row : rows) {
    INFO(row.text);
    CHECK(Value(row.value) == row.text);
  }
  // Every finite value reads back exactly.
  for (double v : {0.1, 1.0 / 3, 123456.789, 5e-324, 1.7976931348623157e308}) {
    CHECK(std::strtod(Value(v).c_str(), nullptr) == v);
  }
}

TEST_CASE("labels are merged in name order with le last, and values are escaped") {
  const LabelList base = {{"location", "eu"}, {"target", "shop"}, {"team", "a\"b\\c\nd"}};
  std::string out;
  const LabelRef phase[] = {{"phase", "total"}};
  AppendSample(out, "h_bucket", base, phase, 3, "0.5");
  CHECK(out ==
        "h_bucket{location=\"eu\",phase=\"total\",target=\"shop\",team=\"a\\\"b\\\\c\\nd\","
        "le=\"0.5\"} 3\n");

  out.clear();
  const LabelRef first[] = {{"class", "ok"}};
  AppendSample(out, "runs_total", {{"target", "x"}}, first, 2);
  CHECK(out == "runs_total{class=\"ok\",target=\"x\"} 2\n");

  out.clear();
  const LabelRef last[] = {{"version", "1"}};
  AppendSample(out, "info", {{"target", "x"}}, last, 1);
  CHECK(out == "info{target=\"x\",version=\"1\"} 1\n");

  out.clear();
  AppendSample(out, "up", {}, {}, 1);
  CHECK(out == "up 1\n");
}

TEST_CASE("family headers escape help text") {
  std::string out;
  AppendFamilyHeader(out, "m", "line one\nback\\slash", "counter");
  CHECK(out == "# HELP m line one\\nback\\\\slash\n# TYPE m counter\n");
}

}  // namespace
}  // namespace mcpwatch
