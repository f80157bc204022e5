#include "base/parse_by_name.h"

#include <catch2/catch.hpp>

namespace mcpwatch {
namespace parse_by_name_test {

enum class Colour { kRed, kLightBlue };
inline constexpr std::array kAllColours = {Colour::kRed, Colour::kLightBlue};

std::string_view ToString(Colour c) {
  switch (c) {
    case Colour::kRed: return "red";
    case Colour::kLightBlue: return "light_blue";
  }
  return "red";
}

TEST_CASE("ParseByName reads back every ToString spelling and nothing else", "[base]") {
  for (Colour c : kAllColours) CHECK(ParseByName(kAllColours, ToString(c)) == c);
  CHECK(ParseByName(kAllColours, "light_blue") == Colour::kLightBlue);
  CHECK_FALSE(ParseByName(kAllColours, "Red").has_value());
  CHECK_FALSE(ParseByName(kAllColours, "").has_value());
  CHECK_FALSE(ParseByName(kAllColours, "red ").has_value());
}

}  // namespace parse_by_name_test
}  // namespace mcpwatch
