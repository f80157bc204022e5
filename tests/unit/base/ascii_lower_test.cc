#include "base/ascii_lower.h"

#include <catch2/catch.hpp>

namespace mcpwatch {
namespace {

TEST_CASE("AsciiLower lowers A-Z and leaves every other byte alone", "[base]") {
  CHECK(AsciiLower("Content-Type") == "content-type");
  CHECK(AsciiLower("HTTPS") == "https");
  CHECK(AsciiLower("already lower 123 @[`{") == "already lower 123 @[`{");
  CHECK(AsciiLower("") == "");
  CHECK(AsciiLower("\xC3\x89T\xC3\x89") == "\xC3\x89t\xC3\x89");  // UTF-8 bytes untouched
}

}  // namespace
}  // namespace mcpwatch
