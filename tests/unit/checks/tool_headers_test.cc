#include "checks/tool_headers.h"

#include <catch2/catch.hpp>

namespace mcpwatch {
namespace {

using nlohmann::json;

json Prop(const char* type, const char* header) {
  return {{"type", type}, {"x-mcp-header", header}};
}

TEST_CASE("x-mcp-header: annotated parameters mirror with the spec's encoding", "[headers]") {
  const json schema = {
      {"type", "object"},
      {"properties",
       {{"region", Prop("string", "Region")},
        {"priority", Prop("integer", "Priority")},
        {"verbose", Prop("boolean", "Verbose")},
        {"query", {{"type", "string"}}},
        {"nested", {{"type", "object"}, {"properties", {{"zone", Prop("string", "Zone")}}}}}}}};
  auto rules = ToolHeaderRules(schema);
  REQUIRE(rules);
  CHECK(rules->size() == 4);
  const json args = {{"region", "us-west1"},
                     {"priority", 42},
                     {"verbose", false},
                     {"query", "SELECT 1"},
                     {"nested", {{"zone", "b"}}}};
  auto headers = ParamHeaders(*rules, args);
  std::sort(headers.begin(), headers.end());
  CHECK(headers == std::vector<std::string>{"Mcp-Param-Priority: 42", "Mcp-Param-Region: us-west1",
                                            "Mcp-Param-Verbose: false", "Mcp-Param-Zone: b"});
  // Absent and null values send no header.
  CHECK(ParamHeaders(*rules, json{{"region", nullptr}}).empty());
}

TEST_CASE("x-mcp-header: values that cannot travel plain go base64", "[headers]") {
  CHECK(EncodeHeaderValue("us-west1") == "us-west1");
  CHECK(EncodeHeaderValue("a b c") == "a b c");
  CHECK(EncodeHeaderValue("") == "");
  CHECK(EncodeHeaderValue("Hello, 世界") == "=?base64?SGVsbG8sIOS4lueVjA==?=");
  CHECK(EncodeHeaderValue(" padded ") == "=?base64?IHBhZGRlZCA=?=");
  CHECK(EncodeHeaderValue("line1\nline2") == "=?base64?bGluZTEKbGluZTI=?=");
  CHECK(EncodeHeaderValue("\tindented") == "=?base64?CWluZGVudGVk?=");
  CHECK(EncodeHeaderValue("=?base64?literal?=") == "=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=");
}

TEST_CASE("x-mcp-header: invalid annotations make the tool invalid, with the reason", "[headers]") {
  struct Row {
    const char* what;
    json schema;
    const char* says;
  };
  auto props = [](json p) { return json{{"type", "object"}, {"properties", std::move(p)}}; };
  const std::vector<Row> rows = {
      {"empty", props({{"v", Prop("string", "")}}), "empty"},
      {"space", props({{"v", Prop("string", "My Region")}}), "token"},
      {"colon", props({{"v", Prop("string", "Region:Primary")}}), "token"},
      {"non-ASCII", props({{"v", Prop("string", "R\xc3\xa9gion")}}), "token"},
      {"control", props({{"v", Prop("string", "Region\t1")}}), "token"},
      {"object", props({{"v", Prop("object", "Data")}}), "type object"},
      {"array", props({{"v", Prop("array", "Items")}}), "type array"},
      {"null", props({{"v", Prop("null", "Nil")}}), "type null"},
      {"number", props({{"v", Prop("number", "Score")}}), "type number"},
      {"duplicate", props({{"a", Prop("string", "Region")}, {"b", Prop("string", "Region")}}),
       "used twice"},
      {"duplicate in another case",
       props({{"a", Prop("string", "MyField")}, {"b", Prop("string", "myfield")}}), "used twice"},
      {"under items", props({{"list", {{"type", "array"}, {"items", Prop("string", "Item")}}}}),
       "not statically reachable"},
      {"under anyOf", props({{"v", {{"anyOf", json::array({Prop("string", "V")})}}}}),
       "not statically reachable"},
  };
  for (const Row& row : rows) {
    INFO(row.what);
    auto got = ToolHeaderRules(row.schema);
    REQUIRE_FALSE(got);
    CHECK_THAT(got.error(), Catch::Contains(row.says));
  }
}

TEST_CASE("x-mcp-header: a $ref is never followed", "[headers]") {
  const json schema = {{"type", "object"},
                       {"properties",
                        {{"id", {{"$ref", "#/$defs/userId"}}},
                         {"profile", {{"$ref", "http://127.0.0.1:1/canary.json"}}}}}};
  auto rules = ToolHeaderRules(schema);
  REQUIRE(rules);
  CHECK(rules->empty());
}

}  // namespace
}  // namespace mcpwatch
