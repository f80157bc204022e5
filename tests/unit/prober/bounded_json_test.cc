#include "prober/bounded_json.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

namespace mcpwatch {
namespace {

std::string Nested(int depth, const std::string& open, const std::string& close) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += open;
  s += "1";
  for (int i = 0; i < depth; ++i) s += close;
  return s;
}

TEST_CASE("json: 100,000-deep input is rejected quickly by the pre-scan", "[json][hostile]") {
  const auto [name, text] = GENERATE(table<const char*, std::string>({
      {"arrays", Nested(100000, "[", "]")},
      {"objects", Nested(100000, "{\"a\":", "}")},
      {"unclosed", std::string(100000, '[')},
  }));
  CAPTURE(name);
  const auto start = std::chrono::steady_clock::now();
  const auto parsed = ParseJson(text);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error() == "JSON nested deeper than 128 levels");
  CHECK(elapsed < std::chrono::milliseconds(500));
}

TEST_CASE("json: depth limit is exact and counts only brackets outside strings", "[json]") {
  struct Case {
    const char* name;
    std::string text;
    int max_depth;
    bool ok;
  };
  const std::vector<Case> cases = {
      {"128 arrays", Nested(128, "[", "]"), 128, true},
      {"129 arrays", Nested(129, "[", "]"), 128, false},
      {"mixed 4 at limit 4", "{\"a\":[{\"b\":[1]}]}", 4, true},
      {"mixed 4 at limit 3", "{\"a\":[{\"b\":[1]}]}", 3, false},
      {"brackets in a string", "[\"" + std::string(1000, '[') + "\"]", 2, true},
      {"escaped quote keeps the string open", "[\"\\\"[[[[[\"]", 1, true},
      {"escaped backslash closes the string", "[\"\\\\\",[[1]]]", 2, false},
      {"siblings do not add up", "[[1],[2],[3],{\"a\":1}]", 2, true},
      {"object in object is 3", "[[1],{\"a\":{}}]", 2, false},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    const auto parsed = ParseJson(c.text, JsonLimits{1024 * 1024, c.max_depth});
    CHECK(parsed.has_value() == c.ok);
    if (!c.ok) {
      CHECK(parsed.error() == "JSON nested deeper than " + std::to_string(c.max_depth) + " levels");
    }
  }
}

TEST_CASE("json: size bound", "[json]") {
  CHECK(ParseJson("[1,2,3,4]", JsonLimits{9, 128}).has_value());
  const auto parsed = ParseJson("[1,2,3,40]", JsonLimits{9, 128});
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error() == "JSON larger than 9 bytes");
  const std::string big = "\"" + std::string(17 * 1024 * 1024, 'a') + "\"";
  CHECK(ParseJson(big).error() == "JSON larger than 16777216 bytes");
}

TEST_CASE("json: invalid input yields one bounded printable line", "[json]") {
  const auto [name, text] = GENERATE(table<const char*, std::string>({
      {"empty", ""},
      {"truncated", "{\"a\":"},
      {"trailing garbage", "{} x"},
      {"bare word", "hello"},
      {"invalid UTF-8 in a string", "{\"a\":\"\xFF\xFE\"}"},
      {"overlong UTF-8", "\"\xC0\xAF\""},
      {"truncated UTF-8", "\"\xE2\x9C\""},
      {"lone surrogate escape", "\"\\ud800\""},
      {"control character in a string", "\"a\nb\""},
      {"long garbage", "[" + std::string(5000, '\x01') + "]"},
  }));
  CAPTURE(name);
  const auto parsed = ParseJson(text);
  REQUIRE_FALSE(parsed);
  const std::string& error = parsed.error();
  CHECK(error.rfind("not valid JSON: ", 0) == 0);
  CHECK(error.size() <= 400);
  for (char c : error) {
    CHECK((c >= 0x20 && c < 0x7F));
  }
}

TEST_CASE("json: valid input parses", "[json]") {
  const auto parsed = ParseJson(R"({"jsonrpc":"2.0","id":1,"result":{"s":"h\u00e9 ✓"}})");
  REQUIRE(parsed);
  CHECK((*parsed)["result"]["s"] == "h\xC3\xA9 \xE2\x9C\x93");
  CHECK(ParseJson("  [1, 2.5, null, true]  \n").has_value());
}

TEST_CASE("json: DumpJson never throws on invalid UTF-8", "[json]") {
  const nlohmann::json j = {{"bad", std::string("a\xFF"
                                                "b")},
                            {"ok", 1}};
  CHECK_THROWS(j.dump());  // what DumpJson protects callers from
  std::string dumped;
  CHECK_NOTHROW(dumped = DumpJson(j));
  CHECK(dumped ==
        "{\"bad\":\"a\xEF\xBF\xBD"
        "b\",\"ok\":1}");
  CHECK(DumpJson(nlohmann::json::array({1, "x", nullptr})) == "[1,\"x\",null]");
}

}  // namespace
}  // namespace mcpwatch
