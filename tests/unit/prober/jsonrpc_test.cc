#include "prober/jsonrpc.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace mcpwatch::jsonrpc {
namespace {

using nlohmann::json;

TEST_CASE("jsonrpc: builders", "[jsonrpc]") {
  CHECK(
      Request(1, "initialize", json{{"protocolVersion", "2025-11-25"}}) ==
      R"({"id":1,"jsonrpc":"2.0","method":"initialize","params":{"protocolVersion":"2025-11-25"}})");
  CHECK(Request(7, "ping", nullptr) == R"({"id":7,"jsonrpc":"2.0","method":"ping"})");
  CHECK(Request(2, "tools/list", json::object()) ==
        R"({"id":2,"jsonrpc":"2.0","method":"tools/list","params":{}})");
  CHECK(Notification("notifications/initialized") ==
        R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  CHECK(Notification("notifications/cancelled", json{{"requestId", 3}}) ==
        R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":3}})");
  CHECK(Result("123", json::object()) == R"({"id":"123","jsonrpc":"2.0","result":{}})");
  CHECK(Result(9, json::object()) == R"({"id":9,"jsonrpc":"2.0","result":{}})");
  CHECK(Error("s-1", kMethodNotFound, "Method not found") ==
        R"({"error":{"code":-32601,"message":"Method not found"},"id":"s-1","jsonrpc":"2.0"})");
  // Hostile method names and ids do not break the builders.
  CHECK(Error(json("\xFF"), -1, "\xFE") ==
        "{\"error\":{\"code\":-1,\"message\":\"\xEF\xBF\xBD\"},\"id\":\"\xEF\xBF\xBD\","
        "\"jsonrpc\":\"2.0\"}");
}

TEST_CASE("jsonrpc: builders round-trip through Classify", "[jsonrpc]") {
  const Message request = Classify(json::parse(Request(5, "tools/call", json{{"name", "echo"}})));
  CHECK(request.kind == Kind::kRequest);
  CHECK(request.method == "tools/call");
  CHECK(IdMatches(request.id, 5));
  CHECK(Classify(json::parse(Notification("n"))).kind == Kind::kNotification);
  CHECK(Classify(json::parse(Result("a", json::object()))).kind == Kind::kResult);
  const Message error = Classify(json::parse(Error(nullptr, -32600, "bad")));
  CHECK(error.kind == Kind::kError);
  CHECK(error.error_code == -32600);
}

TEST_CASE("jsonrpc: classification table", "[jsonrpc]") {
  struct Case {
    const char* text;
    Kind kind;
    const char* reason;  // kInvalid only
  };
  const std::vector<Case> cases = {
      {R"({"jsonrpc":"2.0","id":1,"result":{}})", Kind::kResult, ""},
      {R"({"jsonrpc":"2.0","id":"abc","result":null})", Kind::kResult, ""},
      {R"({"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"nope"}})", Kind::kError, ""},
      {R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}})",
       Kind::kError, ""},
      {R"({"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"m","data":{"x":1}}})",
       Kind::kError, ""},
      {R"({"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":1}})",
       Kind::kNotification, ""},
      {R"({"jsonrpc":"2.0","method":"notifications/initialized"})", Kind::kNotification, ""},
      {R"({"jsonrpc":"2.0","id":"srv-1","method":"ping"})", Kind::kRequest, ""},
      {R"({"jsonrpc":"2.0","id":4,"method":"roots/list","params":[]})", Kind::kRequest, ""},
      {R"([1])", Kind::kInvalid, "message is not a JSON object"},
      {R"("hello")", Kind::kInvalid, "message is not a JSON object"},
      {R"({"id":1,"result":{}})", Kind::kInvalid, "jsonrpc member is not \"2.0\""},
      {R"({"jsonrpc":"1.0","id":1,"result":{}})", Kind::kInvalid, "jsonrpc member is not \"2.0\""},
      {R"({"jsonrpc":2.0,"id":1,"result":{}})", Kind::kInvalid, "jsonrpc member is not \"2.0\""},
      {R"({"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1,"message":"m"}})", Kind::kInvalid,
       "response has both result and error"},
      {R"({"jsonrpc":"2.0","id":1})", Kind::kInvalid, "message has no method, result or error"},
      {R"({"jsonrpc":"2.0","result":{}})", Kind::kInvalid, "response has no id member"},
      {R"({"jsonrpc":"2.0","error":{"code":1,"message":"m"}})", Kind::kInvalid,
       "response has no id member"},
      {R"({"jsonrpc":"2.0","id":null,"result":{}})", Kind::kInvalid,
       "result id is not a string or integer"},
      {R"({"jsonrpc":"2.0","id":1.5,"result":{}})", Kind::kInvalid,
       "result id is not a string or integer"},
      {R"({"jsonrpc":"2.0","id":{"a":1},"error":{"code":1,"message":"m"}})", Kind::kInvalid,
       "response id is not a string, integer or null"},
      {R"({"jsonrpc":"2.0","id":1,"error":"boom"})", Kind::kInvalid, "error is not an object"},
      {R"({"jsonrpc":"2.0","id":1,"error":{"code":"-32601","message":"m"}})", Kind::kInvalid,
       "error.code is not an integer"},
      {R"({"jsonrpc":"2.0","id":1,"error":{"code":-32601.5,"message":"m"}})", Kind::kInvalid,
       "error.code is not an integer"},
      {R"({"jsonrpc":"2.0","id":1,"error":{"message":"m"}})", Kind::kInvalid,
       "error.code is not an integer"},
      {R"({"jsonrpc":"2.0","id":1,"error":{"code":18446744073709551615,"message":"m"}})",
       Kind::kInvalid, "error.code is out of range"},
      {R"({"jsonrpc":"2.0","id":1,"error":{"code":-1}})", Kind::kInvalid,
       "error.message is not a string"},
      {R"({"jsonrpc":"2.0","id":1,"error":{"code":-1,"message":null}})", Kind::kInvalid,
       "error.message is not a string"},
      {R"({"jsonrpc":"2.0","method":5})", Kind::kInvalid, "method is not a string"},
      {R"({"jsonrpc":"2.0","method":"x","params":"p"})", Kind::kInvalid,
       "params is not an object or array"},
      {R"({"jsonrpc":"2.0","id":null,"method":"ping"})", Kind::kInvalid,
       "request id is not a string or integer"},
      {R"({"jsonrpc":"2.0","id":true,"method":"ping"})", Kind::kInvalid,
       "request id is not a string or integer"},
      {R"({"jsonrpc":"2.0","id":1,"method":"x","result":{}})", Kind::kInvalid,
       "message has both a method and a result or error"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    const Message m = Classify(json::parse(c.text));
    CHECK(ToString(m.kind) == ToString(c.kind));
    CHECK(m.invalid_reason == c.reason);
  }
}

TEST_CASE("jsonrpc: fields of classified messages", "[jsonrpc]") {
  const Message error = Classify(json::parse(
      R"({"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"Unknown tool","data":[1]}})"));
  CHECK(error.kind == Kind::kError);
  CHECK(error.id == json(3));
  CHECK(error.error_code == -32602);
  CHECK(error.error_message == "Unknown tool");
  CHECK(error.error_data == json::array({1}));

  const Message null_id =
      Classify(json::parse(R"({"jsonrpc":"2.0","id":null,"error":{"code":-1,"message":""}})"));
  CHECK(null_id.kind == Kind::kError);
  CHECK(null_id.id.is_null());
  CHECK(null_id.error_data.is_null());

  const Message result =
      Classify(json::parse(R"({"jsonrpc":"2.0","id":"r","result":{"tools":[]}})"));
  CHECK(result.result == json{{"tools", json::array()}});
  CHECK(result.id == json("r"));

  const Message notification = Classify(json::parse(R"({"jsonrpc":"2.0","method":"n/m"})"));
  CHECK(notification.method == "n/m");
  CHECK(notification.id.is_null());
}

TEST_CASE("jsonrpc: error message is bounded on a UTF-8 boundary", "[jsonrpc]") {
  std::string long_message;
  for (int i = 0; i < 400; ++i) long_message += "\xC3\xA9";  // 800 bytes of 'é'
  long_message = "x" + long_message;                         // odd offset: 500 cuts mid-char
  const json j = {
      {"jsonrpc", "2.0"}, {"id", 1}, {"error", {{"code", -1}, {"message", long_message}}}};
  const Message m = Classify(j);
  REQUIRE(m.kind == Kind::kError);
  CHECK(m.error_message.size() == 499);
  CHECK(m.error_message == long_message.substr(0, 499));
}

TEST_CASE("jsonrpc: IdMatches compares JSON type and value", "[jsonrpc]") {
  struct Case {
    json id;
    int64_t request;
    bool matches;
  };
  const std::vector<Case> cases = {
      {json(1), 1, true},
      {json(1u), 1, true},
      {json(-1), -1, true},
      {json(2), 1, false},
      {json("1"), 1, false},
      {json(1.0), 1, false},
      {json(nullptr), 1, false},
      {json(true), 1, false},
      {json::array({1}), 1, false},
      {json(18446744073709551615ull), -1, false},
      {json(9223372036854775807ll), 9223372036854775807ll, true},
      {json::parse("3"), 3, true},
  };
  for (const auto& c : cases) {
    CAPTURE(c.id.dump(), c.request);
    CHECK(IdMatches(c.id, c.request) == c.matches);
  }
}

TEST_CASE("jsonrpc: ClassifyBody flattens batches", "[jsonrpc]") {
  const auto batch = ClassifyBody(json::parse(R"([
      {"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info"}},
      {"jsonrpc":"2.0","id":2,"result":{}},
      [1],
      {"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"m"}}])"));
  REQUIRE(batch.size() == 4);
  CHECK(batch[0].kind == Kind::kNotification);
  CHECK(batch[1].kind == Kind::kResult);
  CHECK(batch[2].kind == Kind::kInvalid);
  CHECK(batch[3].kind == Kind::kError);

  const auto single = ClassifyBody(json::parse(R"({"jsonrpc":"2.0","id":1,"result":{}})"));
  REQUIRE(single.size() == 1);
  CHECK(single[0].kind == Kind::kResult);

  const auto empty = ClassifyBody(json::array());
  REQUIRE(empty.size() == 1);
  CHECK(empty[0].kind == Kind::kInvalid);
  CHECK(empty[0].invalid_reason == "empty JSON-RPC batch");

  const auto scalar = ClassifyBody(json(42));
  REQUIRE(scalar.size() == 1);
  CHECK(scalar[0].invalid_reason == "message is not a JSON object");
}

TEST_CASE("jsonrpc: kind names", "[jsonrpc]") {
  CHECK(ToString(Kind::kResult) == "result");
  CHECK(ToString(Kind::kError) == "error");
  CHECK(ToString(Kind::kNotification) == "notification");
  CHECK(ToString(Kind::kRequest) == "request");
  CHECK(ToString(Kind::kInvalid) == "invalid");
}

}  // namespace
}  // namespace mcpwatch::jsonrpc
