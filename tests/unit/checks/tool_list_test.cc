#include "base/digest.h"
#include "checks/tool_list.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace mcpwatch {
namespace {

using nlohmann::json;
using Strings = std::vector<std::string>;

const char* const kTools = R"([
  {"name":"echo","description":"Echoes","inputSchema":{"type":"object","properties":{"message":{"type":"string"}},"required":["message"]}},
  {"name":"add","inputSchema":{"type":"object","properties":{"a":{"type":"number"},"b":{"type":"number"}}}},
  {"name":"longRunningOperation","inputSchema":{"type":"object"},"annotations":{"readOnlyHint":true}}
])";

// The same tools with tool order and key order changed and whitespace added.
const char* const kToolsReordered = R"([
  { "inputSchema": {"properties": {"b": {"type": "number"}, "a": {"type": "number"}}, "type": "object"}, "name": "add" },
  {"annotations":{"readOnlyHint":true},"inputSchema":{"type":"object"},"name":"longRunningOperation"},
  {"inputSchema":{"required":["message"],"type":"object","properties":{"message":{"type":"string"}}},"description":"Echoes","name":"echo"}
])";

TEST_CASE("tool_list: canonical JSON sorts tools by name and keys", "[tool_list]") {
  const json tools = json::parse(R"([{"name":"b","z":1,"a":2},{"name":"a"},{"name":"B"}])");
  CHECK(CanonicalToolsJson(tools) == R"([{"name":"B"},{"name":"a"},{"a":2,"name":"b","z":1}])");
  CHECK(CanonicalToolsJson(json::array()) == "[]");
  CHECK(CanonicalToolsJson(json{{"tools", 1}}) == R"({"tools":1})");
  // Tools without a usable name sort first, ordered by their text.
  CHECK(CanonicalToolsJson(json::parse(R"([{"name":"a"},{"x":2},{"name":5},{"x":1}])")) ==
        R"([{"name":5},{"x":1},{"x":2},{"name":"a"}])");
  // Invalid UTF-8 is replaced rather than throwing.
  CHECK(CanonicalToolsJson(json::array({json{{"name", "a\xFF"}}})) ==
        "[{\"name\":\"a\xEF\xBF\xBD\"}]");
}

TEST_CASE("tool_list: hash is stable under tool order and key order", "[tool_list]") {
  const std::string a = CanonicalToolsJson(json::parse(kTools));
  const std::string b = CanonicalToolsJson(json::parse(kToolsReordered));
  CHECK(a == b);
  CHECK(Sha256Hex(a) == Sha256Hex(b));

  // Duplicate names with different bodies: input order must not matter either.
  const json d1 = json::parse(R"([{"name":"x","v":1},{"name":"x","v":2}])");
  const json d2 = json::parse(R"([{"name":"x","v":2},{"name":"x","v":1}])");
  CHECK(Sha256Hex(CanonicalToolsJson(d1)) == Sha256Hex(CanonicalToolsJson(d2)));

  // Any real change moves the hash.
  json changed = json::parse(kTools);
  changed[0]["description"] = "Echoes back";
  CHECK(Sha256Hex(CanonicalToolsJson(changed)) != Sha256Hex(a));
  json removed = json::parse(kTools);
  removed.erase(1);
  CHECK(Sha256Hex(CanonicalToolsJson(removed)) != Sha256Hex(a));
}

TEST_CASE("tool_list: SHA-256 known answers", "[tool_list]") {
  CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Sha256Hex(std::string("a\0b", 3)) != Sha256Hex("a"));
}

TEST_CASE("tool_list: validation messages", "[tool_list]") {
  struct Case {
    const char* name;
    std::string tools;
    Strings expected;
  };
  const std::vector<Case> cases = {
      {"valid", kTools, {}},
      {"empty list", "[]", {}},
      {"not an array", R"({"name":"x"})", {"tools is not an array"}},
      {"null", "null", {"tools is not an array"}},
      {"element not an object",
       R"([{"name":"a","inputSchema":{}}, 5])",
       {"tool #2 is not an object"}},
      {"no name", R"([{"inputSchema":{}}])", {"tool #1 has no name"}},
      {"empty name", R"([{"name":"","inputSchema":{}}])", {"tool #1 has no name"}},
      {"name not a string", R"([{"name":7,"inputSchema":{}}])", {"tool #1 name is not a string"}},
      {"no input schema", R"([{"name":"x"}])", {"tool \"x\" has no inputSchema"}},
      {"input schema null",
       R"([{"name":"x","inputSchema":null}])",
       {"tool \"x\" inputSchema is not an object"}},
      {"input schema wrong type",
       R"([{"name":"x","inputSchema":{"type":"string"}}])",
       {"tool \"x\" inputSchema type is not \"object\""}},
      {"input schema without type is accepted", R"([{"name":"x","inputSchema":{}}])", {}},
      {"output schema not an object",
       R"([{"name":"x","inputSchema":{},"outputSchema":[]}])",
       {"tool \"x\" outputSchema is not an object"}},
      {"duplicate reported once",
       R"([{"name":"echo","inputSchema":{}},{"name":"echo","inputSchema":{}},{"name":"echo","inputSchema":{}}])",
       {"duplicate tool name \"echo\""}},
      {"several problems in order",
       R"([{"name":"a"},{"inputSchema":3},{"name":"a","inputSchema":{}}])",
       {"tool \"a\" has no inputSchema", "tool #2 has no name",
        "tool #2 inputSchema is not an object", "duplicate tool name \"a\""}},
      {"hostile name is escaped",
       R"([{"name":"a\"b\n"}])",
       {R"(tool "a\"b\n" has no inputSchema)"}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    CHECK(ValidateTools(json::parse(c.tools)) == c.expected);
  }
}

TEST_CASE("tool_list: problems are bounded", "[tool_list]") {
  json tools = json::array();
  for (int i = 0; i < 1000; ++i) tools.push_back(json{{"name", "t" + std::to_string(i)}});
  const Strings problems = ValidateTools(tools);
  REQUIRE(problems.size() == kMaxToolProblems + 1);
  CHECK(problems.front() == "tool \"t0\" has no inputSchema");
  CHECK(problems.back() == "... and 950 more");

  const std::string long_name(5000, 'n');
  const Strings one = ValidateTools(json::array({json{{"name", long_name}}}));
  REQUIRE(one.size() == 1);
  CHECK(one[0].size() < 200);
}

TEST_CASE("tool_list: name warnings do not fail validation", "[tool_list]") {
  const json tools = json::parse(R"([
    {"name":"ok_name-1.2","inputSchema":{}},
    {"name":"has space","inputSchema":{}},
    {"name":"slash/name","inputSchema":{}},
    {"name":"caf\u00e9","inputSchema":{}},
    {"inputSchema":{}}
  ])");
  json with_long = tools;
  with_long.push_back(json{{"name", std::string(129, 'a')}, {"inputSchema", json::object()}});
  with_long.push_back(json{{"name", std::string(128, 'b')}, {"inputSchema", json::object()}});
  const Strings warnings = ToolNameWarnings(with_long);
  const Strings expected = {
      "tool name \"has space\" has characters outside A-Z a-z 0-9 _ - .",
      "tool name \"slash/name\" has characters outside A-Z a-z 0-9 _ - .",
      "tool name \"caf\xC3\xA9\" has characters outside A-Z a-z 0-9 _ - .",
      "tool name \"" + std::string(100, 'a') + "\" is longer than 128 characters",
  };
  CHECK(warnings == expected);
  CHECK(ValidateTools(with_long) == Strings{"tool #5 has no name"});
  CHECK(ToolNameWarnings(json(1)).empty());
}

TEST_CASE("tool_list: tool result text", "[tool_list]") {
  struct Case {
    const char* name;
    std::string result;
    std::size_t max_bytes;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"one text block", R"({"content":[{"type":"text","text":"Echo: probe"}]})", 100,
       "Echo: probe"},
      {"text blocks joined",
       R"({"content":[{"type":"text","text":"a"},{"type":"image","data":"xx"},{"type":"text","text":"b"}]})",
       100, "a\nb"},
      {"structured content appended",
       R"({"content":[{"type":"text","text":"sum"}],"structuredContent":{"z":1,"a":2}})", 100,
       "sum\n{\"a\":2,\"z\":1}"},
      {"structured content alone", R"({"content":[],"structuredContent":{"a":1}})", 100,
       "{\"a\":1}"},
      {"malformed blocks skipped",
       R"({"content":[5,{"type":"text"},{"type":"text","text":7},{"text":"no type"},{"type":"text","text":"ok"}]})",
       100, "ok"},
      {"content not an array", R"({"content":"text"})", 100, ""},
      {"not an object", R"("text")", 100, ""},
      {"bounded",
       R"({"content":[{"type":"text","text":"0123456789"},{"type":"text","text":"abc"}]})", 12,
       "0123456789\na"},
      {"cut on a UTF-8 boundary", R"({"content":[{"type":"text","text":"ab\u00e9"}]})", 3, "ab"},
      {"zero bound", R"({"content":[{"type":"text","text":"abc"}]})", 0, ""},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    CHECK(ToolResultText(json::parse(c.result), c.max_bytes) == c.expected);
  }
  // Default bound is 64 KiB.
  const json big = {
      {"content", json::array({json{{"type", "text"}, {"text", std::string(100000, 'x')}}})}};
  CHECK(ToolResultText(big).size() == 64 * 1024);
}

}  // namespace
}  // namespace mcpwatch
