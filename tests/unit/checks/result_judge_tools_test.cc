// Judging tools/list pages and the operator's tools/call.
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/digest.h"
#include "checks/result_judge.h"
#include "checks/tool_list.h"

namespace mcpwatch {
namespace {

using nlohmann::json;
using Kind = ToolsPageVerdict::Kind;

json Tool(const std::string& name) {
  return {{"name", name}, {"inputSchema", json::object()}};
}

json Page(json tools, std::optional<json> next_cursor = std::nullopt) {
  json page = {{"tools", std::move(tools)}};
  if (next_cursor) page["nextCursor"] = *next_cursor;
  return page;
}

ToolCallSpec Call(const std::string& name, const std::string& expect_text = "") {
  ToolCallSpec call;
  call.name = name;
  call.expect_text = expect_text;
  return call;
}

json TextResult(const std::string& text) {
  return {{"content", {{{"type", "text"}, {"text", text}}}}};
}

TEST_CASE("input_required: the retry answers every request and echoes the state exactly",
          "[judge][tools]") {
  ToolCallSpec call;
  call.name = "deploy";
  call.arguments = {{"env", "prod"}};
  call.input_responses = {{"confirm", {{"action", "accept"}}}, {"unused", json::object()}};
  const json asked = {{"resultType", "input_required"},
                      {"requestState", "opaque-\u00e9-state"},
                      {"inputRequests", {{"confirm", {{"method", "elicitation/create"}}}}}};
  auto params = InputRetryParams(asked, call);
  REQUIRE(params);
  CHECK((*params)["name"] == "deploy");
  CHECK((*params)["arguments"] == call.arguments);
  CHECK((*params)["inputResponses"] == json{{"confirm", {{"action", "accept"}}}});
  CHECK((*params)["requestState"] == "opaque-\u00e9-state");

  json stateless = asked;
  stateless.erase("requestState");
  auto no_state = InputRetryParams(stateless, call);
  REQUIRE(no_state);
  CHECK_FALSE(no_state->contains("requestState"));

  json other = asked;
  other["inputRequests"] = {{"pick_model", {{"method", "sampling/createMessage"}}}};
  auto missing = InputRetryParams(other, call);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().finding == Finding::kToolIsError);
  CHECK_THAT(missing.error().message, Catch::Contains("\"pick_model\" (sampling/createMessage)"));

  json empty = asked;
  empty.erase("inputRequests");
  CHECK(InputRetryParams(empty, call).error().finding == Finding::kMalformedResult);
}

}  // namespace

TEST_CASE("result_judge: a tools/list page's problems", "[result_judge]") {
  struct Case {
    const char* name;
    json page;
    ProtocolEra era;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"no tools array", json::object(), ProtocolEra::kLegacy,
       "tools/list result has no tools array"},
      {"tools not an array", json{{"tools", {{"name", "x"}}}}, ProtocolEra::kLegacy,
       "tools/list result has no tools array"},
      {"result not an object", json::array(), ProtocolEra::kLegacy,
       "tools/list result has no tools array"},
      {"modern resultType not complete",
       json{{"resultType", "input_required"}, {"tools", json::array()}}, ProtocolEra::kModern,
       "tools/list answered resultType \"input_required\" instead of a complete result"},
      {"modern resultType is an excerpt",
       json{{"resultType", "x\n" + std::string(50, 'y')}, {"tools", json::array()}},
       ProtocolEra::kModern,
       "tools/list answered resultType \"x " + std::string(38, 'y') +
           "...\" instead of a complete result"},
      {"modern resultType not a string", json{{"resultType", 2}, {"tools", json::array()}},
       ProtocolEra::kModern, "tools/list resultType is not a string"},
      {"one invalid definition", Page({{{"name", "x"}}}), ProtocolEra::kLegacy,
       "invalid tool definitions: tool \"x\" has no inputSchema"},
      {"three invalid definitions", Page({{{"name", "a"}}, {{"name", "b"}}, {{"name", "c"}}}),
       ProtocolEra::kLegacy,
       "invalid tool definitions: tool \"a\" has no inputSchema; tool \"b\" has no inputSchema; "
       "tool \"c\" has no inputSchema"},
      {"five invalid definitions",
       Page({{{"name", "a"}}, {{"name", "b"}}, {{"name", "c"}}, {{"name", "d"}}, {{"name", "e"}}}),
       ProtocolEra::kLegacy,
       "invalid tool definitions: tool \"a\" has no inputSchema; tool \"b\" has no inputSchema; "
       "tool \"c\" has no inputSchema; and 2 more"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    ToolsListing listing(50);
    ToolsPageVerdict v = listing.AddPage(c.page, c.era);
    CHECK(v.kind == Kind::kInvalid);
    CHECK(v.problem.finding == Finding::kInvalidTools);
    CHECK(v.problem.message == c.message);
  }
}

TEST_CASE("result_judge: a legacy page's resultType is not read", "[result_judge]") {
  ToolsListing listing(50);
  json page = Page({Tool("echo")});
  page["resultType"] = "input_required";
  CHECK(listing.AddPage(page, ProtocolEra::kLegacy).kind == Kind::kComplete);

  // A modern page without resultType is complete.
  ToolsListing modern(50);
  CHECK(modern.AddPage(Page({Tool("echo")}), ProtocolEra::kModern).kind == Kind::kComplete);
}

TEST_CASE("result_judge: invalid definitions make a bounded message", "[result_judge]") {
  json tools = json::array();
  // Names are quoted cut to 100 bytes: three problems of 126 bytes each pass 400.
  for (char c : {'a', 'b', 'c'}) tools.push_back({{"name", std::string(120, c)}});
  ToolsListing listing(50);
  ToolsPageVerdict v = listing.AddPage(Page(tools), ProtocolEra::kLegacy);
  REQUIRE(v.kind == Kind::kInvalid);
  CHECK(v.problem.message.size() == 403);
  CHECK_THAT(v.problem.message, Catch::StartsWith("invalid tool definitions: tool \"aaaa"));
  CHECK_THAT(v.problem.message, Catch::EndsWith("..."));
}

TEST_CASE("result_judge: pages are followed until the last, then hashed", "[result_judge]") {
  ToolsListing listing(3);
  ToolsPageVerdict first =
      listing.AddPage(Page({Tool("b"), Tool("a")}, "c1"), ProtocolEra::kLegacy);
  REQUIRE(first.kind == Kind::kNextPage);
  CHECK(first.next_cursor == "c1");
  ToolsPageVerdict second = listing.AddPage(Page(json::array(), "c2"), ProtocolEra::kLegacy);
  REQUIRE(second.kind == Kind::kNextPage);
  CHECK(second.next_cursor == "c2");
  // The third page is the last: an empty nextCursor ends the list too.
  ToolsPageVerdict last = listing.AddPage(Page({Tool("c")}, ""), ProtocolEra::kLegacy);
  REQUIRE(last.kind == Kind::kComplete);
  CHECK(listing.pages() == 3);

  const json all = {Tool("b"), Tool("a"), Tool("c")};
  CHECK(listing.tools() == all);
  CHECK(last.tool_count == 3);
  CHECK(last.canonical == CanonicalToolsJson(all));
  CHECK(last.hash == Sha256Hex(last.canonical));
  CHECK(last.hash.size() == 64);

  // A nextCursor that is not a string ends the list as well; an empty list is valid.
  ToolsListing single(3);
  ToolsPageVerdict only = single.AddPage(Page(json::array(), 7), ProtocolEra::kLegacy);
  REQUIRE(only.kind == Kind::kComplete);
  CHECK(only.tool_count == 0);
  CHECK(only.canonical == "[]");
}

TEST_CASE("result_judge: a repeated cursor and too many pages fail", "[result_judge]") {
  ToolsListing repeated(50);
  REQUIRE(repeated.AddPage(Page({Tool("a")}, "c1"), ProtocolEra::kLegacy).kind == Kind::kNextPage);
  REQUIRE(repeated.AddPage(Page({Tool("b")}, "c2"), ProtocolEra::kLegacy).kind == Kind::kNextPage);
  ToolsPageVerdict loop = repeated.AddPage(Page({Tool("c")}, "c1"), ProtocolEra::kLegacy);
  CHECK(loop.kind == Kind::kInvalid);
  CHECK(loop.problem.finding == Finding::kInvalidTools);
  CHECK(loop.problem.message == "tools/list nextCursor repeats a cursor");

  ToolsListing capped(2);
  REQUIRE(capped.AddPage(Page({Tool("a")}, "c1"), ProtocolEra::kLegacy).kind == Kind::kNextPage);
  ToolsPageVerdict more = capped.AddPage(Page({Tool("b")}, "c2"), ProtocolEra::kLegacy);
  CHECK(more.kind == Kind::kInvalid);
  CHECK(more.problem.finding == Finding::kInvalidTools);
  CHECK(more.problem.message == "tools/list has more than 2 pages");

  // The cap counts pages that ask for more: a last page at the cap completes.
  ToolsListing at_cap(2);
  REQUIRE(at_cap.AddPage(Page({Tool("a")}, "c1"), ProtocolEra::kLegacy).kind == Kind::kNextPage);
  CHECK(at_cap.AddPage(Page({Tool("b")}), ProtocolEra::kLegacy).kind == Kind::kComplete);
}

TEST_CASE("result_judge: the operator's tool must be listed", "[result_judge]") {
  const json tools = {Tool("echo"), json{{"name", 5}}, json("add"), Tool("add")};
  CHECK_FALSE(JudgeToolOffered(Call("echo"), tools));
  CHECK_FALSE(JudgeToolOffered(Call("add"), tools));

  auto missing = JudgeToolOffered(Call("get_item"), tools);
  REQUIRE(missing);
  CHECK(missing->finding == Finding::kToolMissing);
  CHECK(missing->message == "tool \"get_item\" is not offered (the server lists 4 tools)");

  auto hostile = JudgeToolOffered(Call("a\n" + std::string(100, 'b')), json::array());
  REQUIRE(hostile);
  CHECK(hostile->message ==
        "tool \"a " + std::string(78, 'b') + "...\" is not offered (the server lists 0 tools)");

  Problem undeclared = ToolsNotDeclared(Call("echo"));
  CHECK(undeclared.finding == Finding::kToolMissing);
  CHECK(undeclared.message ==
        "tool \"echo\" cannot be called: the server declares no tools capability");
}

TEST_CASE("result_judge: tools/call results", "[result_judge]") {
  struct Case {
    const char* name;
    json result;
    std::string expect_text;
    ProtocolEra era;
    Finding finding;  // kNone: the call passes
    std::string message;
  };
  json is_error = TextResult("boom\nno such item");
  is_error["isError"] = true;
  json is_error_false = TextResult("fine");
  is_error_false["isError"] = false;
  json is_error_string = TextResult("fine");
  is_error_string["isError"] = "true";
  const std::vector<Case> cases = {
      {"ok without assertion", TextResult("hello"), "", ProtocolEra::kLegacy, Finding::kNone, ""},
      {"empty result", json::object(), "", ProtocolEra::kLegacy, Finding::kNone, ""},
      {"expect_text matches", TextResult("count: 42 items"), "count: \\d+", ProtocolEra::kLegacy,
       Finding::kNone, ""},
      {"expect_text matches structuredContent", json{{"structuredContent", {{"status", "ok"}}}},
       "\"status\":\"ok\"", ProtocolEra::kLegacy, Finding::kNone, ""},
      {"expect_text mismatch", TextResult("count: none"), "count: \\d+", ProtocolEra::kLegacy,
       Finding::kAssertionFailed, "result text does not match /count: \\d+/: count: none"},
      {"invalid regex is no match", TextResult("(("), "((", ProtocolEra::kLegacy,
       Finding::kAssertionFailed, "result text does not match /((/: (("},
      {"too costly regex is no match", TextResult("aaa"), "(a{1000}){1000}", ProtocolEra::kLegacy,
       Finding::kAssertionFailed, "result text does not match /(a{1000}){1000}/: aaa"},
      {"mismatch message is bounded", TextResult(std::string(300, 't')), std::string(100, 'p'),
       ProtocolEra::kLegacy, Finding::kAssertionFailed,
       "result text does not match /" + std::string(80, 'p') + ".../: " + std::string(160, 't') +
           "..."},
      {"isError with excerpt", is_error, "", ProtocolEra::kLegacy, Finding::kToolIsError,
       "tool returned isError: boom no such item"},
      {"isError before expect_text", is_error, "boom", ProtocolEra::kLegacy, Finding::kToolIsError,
       "tool returned isError: boom no such item"},
      {"isError false", is_error_false, "", ProtocolEra::kLegacy, Finding::kNone, ""},
      {"isError not a boolean", is_error_string, "", ProtocolEra::kLegacy, Finding::kNone, ""},
      {"legacy ignores resultType", json{{"resultType", "input_required"}}, "",
       ProtocolEra::kLegacy, Finding::kNone, ""},
      {"modern complete", json{{"resultType", "complete"}}, "", ProtocolEra::kModern,
       Finding::kNone, ""},
      {"modern without resultType", TextResult("hi"), "hi", ProtocolEra::kModern, Finding::kNone,
       ""},
      {"modern input_required", json{{"resultType", "input_required"}}, "", ProtocolEra::kModern,
       Finding::kToolIsError,
       "tool kept asking for input (input_required) after every configured answer"},
      {"modern unknown resultType", json{{"resultType", "partial"}}, "", ProtocolEra::kModern,
       Finding::kMalformedResult,
       "tools/call answered resultType \"partial\", which mcpwatch does not know"},
      {"modern resultType not a string", json{{"resultType", false}}, "", ProtocolEra::kModern,
       Finding::kMalformedResult, "tools/call resultType is not a string"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    auto problem = JudgeToolCallResult(c.result, Call("t", c.expect_text), c.era);
    if (c.finding == Finding::kNone) {
      CHECK_FALSE(problem);
      continue;
    }
    REQUIRE(problem);
    CHECK(problem->finding == c.finding);
    CHECK(problem->message == c.message);
  }
}

TEST_CASE("result_judge: expect_text sees at most kMaxAssertionText bytes", "[result_judge]") {
  std::string text(kMaxAssertionText, 'a');
  text.append("TAIL");
  CHECK(JudgeToolCallResult(TextResult(text), Call("t", "a{100}"), ProtocolEra::kLegacy) ==
        std::nullopt);
  auto cut = JudgeToolCallResult(TextResult(text), Call("t", "TAIL"), ProtocolEra::kLegacy);
  REQUIRE(cut);
  CHECK(cut->finding == Finding::kAssertionFailed);
}

}  // namespace mcpwatch

namespace mcpwatch {

// The Python SDK's FastMCP answers a tool returning a string with the text block and
// structuredContent {"result": text}. An operator's ^...$ means one of them, not both joined
// (issue 13: this gave tool_error on every healthy Python SDK server).
TEST_CASE("result_judge: expect_text matches each text block and structuredContent on its own",
          "[result_judge][issue13]") {
  const json fastmcp = {{"content", json::array({{{"type", "text"}, {"text", "echo: hi"}}})},
                        {"structuredContent", {{"result", "echo: hi"}}},
                        {"isError", false}};
  CHECK_FALSE(JudgeToolCallResult(fastmcp, Call("echo", "^echo: hi$"), ProtocolEra::kLegacy));
  CHECK_FALSE(JudgeToolCallResult(fastmcp, Call("echo", "^\\{\"result\":\"echo: hi\"\\}$"),
                                  ProtocolEra::kLegacy));
  const json two_blocks = {{"content", json::array({{{"type", "text"}, {"text", "first"}},
                                                    {{"type", "image"}, {"data", "xx"}},
                                                    {{"type", "text"}, {"text", "second"}}})}};
  CHECK_FALSE(JudgeToolCallResult(two_blocks, Call("t", "^second$"), ProtocolEra::kLegacy));
  CHECK(JudgeToolCallResult(two_blocks, Call("t", "first\nsecond"), ProtocolEra::kLegacy));
}

TEST_CASE("result_judge: a failed expect_text shows exactly what was matched",
          "[result_judge][issue13]") {
  const json fastmcp = {{"content", json::array({{{"type", "text"}, {"text", "echo: bye"}}})},
                        {"structuredContent", {{"result", "echo: bye"}}}};
  auto problem = JudgeToolCallResult(fastmcp, Call("echo", "^echo: hi$"), ProtocolEra::kLegacy);
  REQUIRE(problem);
  CHECK(problem->finding == Finding::kAssertionFailed);
  CHECK(problem->message ==
        "result text does not match /^echo: hi$/: text block 1 \"echo: bye\"; structuredContent "
        "\"{\\\"result\\\":\\\"echo: bye\\\"}\"");
  auto multiline = JudgeToolCallResult(TextResult("line one\nline two"), Call("t", "^line two$"),
                                       ProtocolEra::kLegacy);
  REQUIRE(multiline);
  CHECK(multiline->message ==
        "result text does not match /^line two$/: text block 1 \"line one\\nline two\"");
  auto nothing = JudgeToolCallResult(json::object(), Call("t", "x"), ProtocolEra::kLegacy);
  REQUIRE(nothing);
  CHECK(nothing->message ==
        "result text does not match /x/: (no text content and no structuredContent)");
}

TEST_CASE("ToolResultParts keeps parts within the byte budget", "[result_judge][issue13]") {
  const json result = {
      {"content", json::array({{{"type", "text"}, {"text", std::string(10, 'a')}},
                               {{"type", "text"}, {"text", std::string(10, 'b')}}})},
      {"structuredContent", {{"k", 1}}}};
  auto parts = ToolResultParts(result, 15);
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].label == "text block 1");
  CHECK(parts[0].text == std::string(10, 'a'));
  CHECK(parts[1].text == std::string(5, 'b'));
  CHECK(ToolResultParts(result).size() == 3);
  CHECK(ToolResultParts(result)[2].text == "{\"k\":1}");
}

}  // namespace mcpwatch

namespace mcpwatch {

// Issue 11: when a deploy changed the tool's input, the run names how the configured arguments
// no longer fit, besides the server's own validation error.
TEST_CASE("ArgumentsMisfit names required, unknown and mistyped arguments", "[result_judge]") {
  const json tools = json::array(
      {{{"name", "get_item"},
        {"inputSchema",
         {{"type", "object"},
          {"properties", {{"sku", {{"type", "string"}}}, {"verbose", {{"type", "boolean"}}}}},
          {"required", {"sku"}}}}},
       {{"name", "loose"}, {"inputSchema", {{"type", "object"}}}},
       {{"name", "count"},
        {"inputSchema",
         {{"type", "object"},
          {"properties", {{"n", {{"type", "integer"}}}, {"x", {{"type", "number"}}}}}}}}});
  auto call = [](const std::string& name, json args) {
    ToolCallSpec c;
    c.name = name;
    c.arguments = std::move(args);
    return c;
  };
  CHECK(ArgumentsMisfit(call("get_item", {{"id", 1}}), tools) ==
        "the configured arguments no longer fit get_item's input schema: sku (string) is "
        "required; id is not in the schema");
  CHECK(ArgumentsMisfit(call("get_item", {{"sku", "A1"}, {"verbose", "yes"}}), tools) ==
        "the configured arguments no longer fit get_item's input schema: verbose must be "
        "boolean, the configured value is string");
  CHECK(ArgumentsMisfit(call("get_item", {{"sku", "A1"}, {"verbose", true}}), tools).empty());
  CHECK(ArgumentsMisfit(call("count", {{"n", 3}, {"x", 2.5}}), tools).empty());
  CHECK(ArgumentsMisfit(call("count", {{"n", 2.5}}), tools) ==
        "the configured arguments no longer fit count's input schema: n must be integer, the "
        "configured value is number");
  CHECK(ArgumentsMisfit(call("loose", {{"anything", 1}}), tools).empty());
  CHECK(ArgumentsMisfit(call("missing_tool", {{"a", 1}}), tools).empty());
  CHECK(ArgumentsMisfit(call("get_item", {{"sku", "A1"}}), json::object()).empty());
}

}  // namespace mcpwatch
