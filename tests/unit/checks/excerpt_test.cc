#include "checks/excerpt.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace mcpwatch {

TEST_CASE("excerpt: one printable line, bounded", "[excerpt]") {
  struct Case {
    const char* name;
    std::string body;
    std::size_t max_chars;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"short text as it is", "hello", 200, "hello"},
      {"empty", "", 200, ""},
      {"control bytes become spaces",
       "a\r\nb\tc\x7f"
       "d",
       200, "a  b c d"},
      {"cut with an ellipsis", "abcdef", 3, "abc..."},
      {"exactly the bound is not cut", "abc", 3, "abc"},
      {"trailing spaces dropped", "abc \n ", 200, "abc"},
      {"spaces before the cut stay", "ab  cdef", 4, "ab  ..."},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    CHECK(Excerpt(c.body, c.max_chars) == c.expected);
  }
}

}  // namespace mcpwatch
