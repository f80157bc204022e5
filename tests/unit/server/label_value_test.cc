#include "server/label_value.h"

#include <catch2/catch.hpp>

namespace mcpwatch {
namespace {

TEST_CASE("BoundLabelValue keeps valid UTF-8 and cuts on a character boundary") {
  CHECK(BoundLabelValue("shop-mcp 1.2") == "shop-mcp 1.2");
  CHECK(BoundLabelValue("caf\xc3\xa9") == "caf\xc3\xa9");
  // "é" is two bytes: a bound of 4 cannot hold "caf" plus half of it.
  CHECK(BoundLabelValue("caf\xc3\xa9", 4) == "caf");
  CHECK(BoundLabelValue(std::string(200, 'x')).size() == kMaxLabelValueBytes);
  CHECK(BoundLabelValue("\xf0\x9f\x98\x80!", 4) == "\xf0\x9f\x98\x80");
}

TEST_CASE("BoundLabelValue replaces invalid bytes and control characters") {
  CHECK(BoundLabelValue("a\xff"
                        "b") == "a?b");
  CHECK(BoundLabelValue("a\nb\tc\x7f") == "a?b?c?");
  CHECK(BoundLabelValue("\xc3") == "?");                 // truncated sequence
  CHECK(BoundLabelValue("\xc0\xaf") == "??");            // overlong encoding of '/'
  CHECK(BoundLabelValue("\xed\xa0\x80") == "???");       // UTF-16 surrogate
  CHECK(BoundLabelValue("\xf4\x90\x80\x80") == "????");  // beyond U+10FFFF
}

TEST_CASE("IsUsableLabelName accepts Prometheus label names not starting with __") {
  CHECK(IsUsableLabelName("team"));
  CHECK(IsUsableLabelName("_private"));
  CHECK(IsUsableLabelName("env2"));
  CHECK_FALSE(IsUsableLabelName(""));
  CHECK_FALSE(IsUsableLabelName("__name__"));
  CHECK_FALSE(IsUsableLabelName("2env"));
  CHECK_FALSE(IsUsableLabelName("team-name"));
}

}  // namespace
}  // namespace mcpwatch
