#include "prober/sse_parser.h"

#include <catch2/catch.hpp>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <vector>

namespace mcpwatch::sse {

// For Catch2's failure messages (found by argument-dependent lookup).
std::ostream& operator<<(std::ostream& os, const StreamEvent& e) {
  return os << "{type=" << e.type << " data=" << e.data << " id=" << e.id << "}";
}

namespace {

using namespace std::string_literals;

struct Run {
  std::vector<StreamEvent> events;
  Status status = Status::kOk;
};

// Feeds the chunks in order into one parser and collects what it dispatches.
Run FeedChunks(const std::vector<std::string_view>& chunks, Limits limits = {}) {
  Parser parser(limits);
  Run run;
  for (auto chunk : chunks) {
    run.status = parser.Feed(chunk, [&](const StreamEvent& e) { run.events.push_back(e); });
  }
  return run;
}

Run FeedAll(std::string_view bytes, Limits limits = {}) {
  return FeedChunks({bytes}, limits);
}

Run FeedBytewise(std::string_view bytes, Limits limits = {}) {
  std::vector<std::string_view> chunks;
  for (std::size_t i = 0; i < bytes.size(); ++i) chunks.push_back(bytes.substr(i, 1));
  return FeedChunks(chunks, limits);
}

std::string ReplaceAll(std::string s, std::string_view from, std::string_view to) {
  for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

// What server-everything sends on a POST response stream (2025-11-25 client, event store on).
const std::string kEverythingStream =
    ": keepalive\n"
    "\n"
    "id: 1b7f0c2e-prime\n"
    "data: \n"
    "\n"
    "event: message\n"
    "id: 93aa-1\n"
    "data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":"
    "\"info\",\"data\":\"h\xC3\xA9llo \xE2\x9C\x93\"}}\n"
    "\n"
    "event: message\n"
    "id: 93aa-2\n"
    "data: {\"result\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{\"tools\":"
    "{\"listChanged\":true}},\"serverInfo\":{\"name\":\"mcp-servers/everything\",\"version\":"
    "\"2.0.0\"}},\"jsonrpc\":\"2.0\",\"id\":1}\n"
    "\n"
    "retry: 1000\n"
    "\n";

const std::vector<StreamEvent> kEverythingEvents = {
    {"", "", "1b7f0c2e-prime"},
    {"message",
     "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"info\","
     "\"data\":\"h\xC3\xA9llo \xE2\x9C\x93\"}}",
     "93aa-1"},
    {"message",
     "{\"result\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{\"tools\":{"
     "\"listChanged\":true}},\"serverInfo\":{\"name\":\"mcp-servers/everything\",\"version\":"
     "\"2.0.0\"}},\"jsonrpc\":\"2.0\",\"id\":1}",
     "93aa-2"},
};

TEST_CASE("sse: WHATWG field rules", "[sse]") {
  struct Case {
    const char* name;
    std::string input;
    std::vector<StreamEvent> expected;
  };
  const std::vector<Case> cases = {
      {"single event", "data: hello\n\n", {{"", "hello", ""}}},
      {"event type", "event: message\ndata: x\n\n", {{"message", "x", ""}}},
      {"one leading space stripped", "data:  two\n\n", {{"", " two", ""}}},
      {"no space after colon", "data:x\n\n", {{"", "x", ""}}},
      {"colon inside value kept", "data: a:b: c\n\n", {{"", "a:b: c", ""}}},
      {"multi-line data joined", "data: {\"a\":\ndata: 1}\n\n", {{"", "{\"a\":\n1}", ""}}},
      {"empty data lines kept", "data\ndata\n\n", {{"", "\n", ""}}},
      {"priming event dispatched with empty data", "id: p1\ndata: \n\n", {{"", "", "p1"}}},
      {"no colon means empty value", "data\n\n", {{"", "", ""}}},
      {"comment ignored", ": keepalive\n\n: more\ndata: x\n\n", {{"", "x", ""}}},
      {"unknown field ignored", "foo: bar\ndata: x\nDATA: y\n\n", {{"", "x", ""}}},
      {"field names are case-sensitive", "Data: x\n\n", {}},
      {"blank line without data dispatches nothing", "\n\n\n", {}},
      {"event type without data is reset", "event: endpoint\n\ndata: x\n\n", {{"", "x", ""}}},
      {"type resets after dispatch",
       "event: a\ndata: 1\n\ndata: 2\n\n",
       {{"a", "1", ""}, {"", "2", ""}}},
      {"id persists across events",
       "id: 7\ndata: a\n\ndata: b\n\n",
       {{"", "a", "7"}, {"", "b", "7"}}},
      {"empty id resets", "id: 7\ndata: a\n\nid\ndata: b\n\n", {{"", "a", "7"}, {"", "b", ""}}},
      {"id with NUL ignored",
       "id: 5\ndata: a\n\nid: x\0y\ndata: b\n\n"s,
       {{"", "a", "5"}, {"", "b", "5"}}},
      {"id set after data still applies", "data: a\nid: 9\n\n", {{"", "a", "9"}}},
      {"EOF mid-event discards it", "data: done\n\ndata: partial\n", {{"", "done", ""}}},
      {"EOF mid-line discards it", "data: partial", {}},
      {"CR line endings", "data: a\rdata: b\r\r", {{"", "a\nb", ""}}},
      {"CRLF line endings", "data: a\r\ndata: b\r\n\r\n", {{"", "a\nb", ""}}},
      {"mixed endings",
       "data: a\r\n\ndata: b\r\rdata: c\n\r\n",
       {{"", "a", ""}, {"", "b", ""}, {"", "c", ""}}},
      {"LF CR is two line ends", "data: a\n\rdata: b\n\n", {{"", "a", ""}, {"", "b", ""}}},
      {"BOM stripped at start",
       "\xEF\xBB\xBF"
       "data: x\n\n",
       {{"", "x", ""}}},
      {"second BOM is part of a field name",
       "\xEF\xBB\xBF\xEF\xBB\xBF"
       "data: x\n\n",
       {}},
      {"BOM later is not stripped",
       "data: a\n\n\xEF\xBB\xBF"
       "data: b\n\n",
       {{"", "a", ""}}},
      {"partial BOM is data",
       "\xEF\xBB"
       "data: x\n\n",
       {}},
      {"UTF-8 passes through", "data: \xE2\x9C\x93\n\n", {{"", "\xE2\x9C\x93", ""}}},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      CHECK(FeedAll(c.input).events == c.expected);
      CHECK(FeedBytewise(c.input).events == c.expected);
    }
  }
}

TEST_CASE("sse: retry field", "[sse]") {
  struct Case {
    std::string input;
    std::optional<int> expected;
  };
  const std::vector<Case> cases = {
      {"retry: 3000\n", 3000},
      {"retry:0\n", 0},
      {"retry: 3600000\n", 3600000},
      {"retry: 3600001\n", std::nullopt},
      {"retry: 99999999999999999999999\n", std::nullopt},
      {"retry: 30a0\n", std::nullopt},
      {"retry: -1\n", std::nullopt},
      {"retry: 1.5\n", std::nullopt},
      {"retry:\n", std::nullopt},
      {"retry\n", std::nullopt},
      {"retry:  100\n", std::nullopt},  // only one space is stripped; " 100" is not all digits
      {"retry: 100\nretry: x\n", 100},  // an invalid value keeps the last valid one
      {"retry: 100\nretry: 250\n", 250},
  };
  for (const auto& c : cases) {
    CAPTURE(c.input);
    Parser parser;
    parser.Feed(c.input, nullptr);
    CHECK(parser.retry_ms() == c.expected);
    CHECK(parser.events() == 0);
  }
}

TEST_CASE("sse: realistic stream, every two-chunk split and byte by byte", "[sse]") {
  const auto [name, stream] = GENERATE(table<const char*, std::string>({
      {"LF", kEverythingStream},
      {"CRLF", ReplaceAll(kEverythingStream, "\n", "\r\n")},
      {"CR", ReplaceAll(kEverythingStream, "\n", "\r")},
      {"BOM+CRLF", "\xEF\xBB\xBF" + ReplaceAll(kEverythingStream, "\n", "\r\n")},
  }));
  CAPTURE(name);
  const Run whole = FeedAll(stream);
  REQUIRE(whole.events == kEverythingEvents);
  for (std::size_t split = 0; split <= stream.size(); ++split) {
    const std::string_view bytes = stream;
    const Run run = FeedChunks({bytes.substr(0, split), bytes.substr(split)});
    CAPTURE(split);
    REQUIRE(run.events == kEverythingEvents);
  }
  CHECK(FeedBytewise(stream).events == kEverythingEvents);

  Parser parser;
  parser.Feed(stream, nullptr);
  CHECK(parser.last_event_id() == "93aa-2");
  CHECK(parser.retry_ms() == 1000);
  CHECK(parser.events() == 3);
  CHECK(parser.status() == Status::kOk);
}

TEST_CASE("sse: CR at a chunk end waits for the next byte", "[sse]") {
  // "\r" then "\n" is one line end; "\r" then "data" is a line end followed by a new line.
  CHECK(FeedChunks({"data: a\r", "\ndata: b\r\n\r\n"}).events ==
        std::vector<StreamEvent>{{"", "a\nb", ""}});
  CHECK(FeedChunks({"data: a\r", "\r"}).events == std::vector<StreamEvent>{{"", "a", ""}});
  CHECK(FeedChunks({"data: a\r", "", "\n", "\n"}).events == std::vector<StreamEvent>{{"", "a", ""}});
  CHECK(FeedChunks({"\xEF", "\xBB", "\xBF", "data: a\n\n"}).events ==
        std::vector<StreamEvent>{{"", "a", ""}});
}

TEST_CASE("sse: an unterminated 100 MB line fails with bounded memory", "[sse][hostile]") {
  Parser parser;
  const std::string chunk(64 * 1024, 'x');
  std::size_t max_buffered = 0;
  int dispatched = 0;
  parser.Feed("data: ", [&](const StreamEvent&) { ++dispatched; });
  for (std::size_t fed = 0; fed < 100u * 1024 * 1024; fed += chunk.size()) {
    parser.Feed(chunk, [&](const StreamEvent&) { ++dispatched; });
    max_buffered = std::max(max_buffered, parser.buffered_bytes());
  }
  CHECK(parser.status() == Status::kEventTooLarge);
  CHECK(max_buffered <= Limits{}.max_event_bytes);
  CHECK(max_buffered > Limits{}.max_event_bytes - chunk.size() - 16);  // it did fill up
  CHECK(parser.buffered_bytes() == 0);
  // Failed for good: valid input afterwards is ignored.
  CHECK(parser.Feed("\n\ndata: ok\n\n", [&](const StreamEvent&) { ++dispatched; }) ==
        Status::kEventTooLarge);
  CHECK(dispatched == 0);
}

TEST_CASE("sse: one huge chunk is rejected without being buffered", "[sse][hostile]") {
  const std::string huge = "data: " + std::string(20 * 1024 * 1024, 'y');
  Parser parser;
  CHECK(parser.Feed(huge, nullptr) == Status::kEventTooLarge);
  CHECK(parser.buffered_bytes() == 0);
  Parser terminated;
  CHECK(terminated.Feed(huge + "\n\n", nullptr) == Status::kEventTooLarge);
}

TEST_CASE("sse: the event bound covers data lines, partial lines and type", "[sse][hostile]") {
  struct Case {
    const char* name;
    std::string input;
    std::size_t max_event_bytes;
    Status expected;
  };
  const std::vector<Case> cases = {
      {"line exactly at the bound", "data: 0123456789\n\n", 16, Status::kOk},
      {"line one over the bound", "data: 0123456789X\n\n", 16, Status::kEventTooLarge},
      {"data lines add up", "data: 01234\ndata: 01234\ndata: 01234\n\n", 16,
       Status::kEventTooLarge},
      {"bound resets per event", "data: 0123456\n\ndata: 0123456\n\ndata: 0123456\n\n", 16,
       Status::kOk},
      {"type counts", "event: 0123456789\ndata: 0123456789\n\n", 16, Status::kEventTooLarge},
      {"comments are bounded as lines", ": 012345678901234567890\n", 16, Status::kEventTooLarge},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      const Limits limits{c.max_event_bytes, 100};
      CHECK(FeedAll(c.input, limits).status == c.expected);
      CHECK(FeedBytewise(c.input, limits).status == c.expected);
    }
  }
}

TEST_CASE("sse: 200,000 tiny events stop at max_events", "[sse][hostile]") {
  std::string stream;
  for (int i = 0; i < 200000; ++i) stream += "data: x\n\n";
  Parser parser;
  std::size_t seen = 0;
  CHECK(parser.Feed(stream, [&](const StreamEvent&) { ++seen; }) == Status::kTooManyEvents);
  CHECK(seen == Limits{}.max_events);
  CHECK(parser.events() == Limits{}.max_events);
  CHECK(parser.status() == Status::kTooManyEvents);

  // Exactly max_events is still fine; blank lines without data do not count.
  Parser exact(Limits{1024, 3});
  CHECK(exact.Feed("data: 1\n\ndata: 2\n\n\n\n\ndata: 3\n\n", nullptr) == Status::kOk);
  CHECK(exact.Feed("data: 4\n\n", nullptr) == Status::kTooManyEvents);
  CHECK(exact.events() == 3);
}

TEST_CASE("sse: random bytes never crash and parse the same under any split", "[sse][fuzz]") {
  std::mt19937 rng(20260728);
  const std::vector<std::string> pieces = {
      "\n",   "\r",    "\r\n",         ":",    " ",
      "data", "data:", "event:",       "id:",  "retry:",
      "1",    "x",     "\xEF\xBB\xBF", "\xFF", std::string(1, '\0'),
      "\xC3", "\xA9"};
  const Limits limits{64, 50};
  for (int iteration = 0; iteration < 10000; ++iteration) {
    std::string input;
    const int length = std::uniform_int_distribution<int>(0, 60)(rng);
    for (int i = 0; i < length; ++i) {
      if (rng() % 4 == 0) {
        input.push_back(static_cast<char>(rng() % 256));
      } else {
        input += pieces[rng() % pieces.size()];
      }
    }
    CAPTURE(iteration, input);
    // Random split points, in order.
    std::vector<std::string_view> chunks;
    std::size_t pos = 0;
    while (pos < input.size()) {
      const std::size_t n = 1 + rng() % 12;
      chunks.push_back(std::string_view(input).substr(pos, n));
      pos += n;
    }
    const Run whole = FeedAll(input, limits);
    Parser split(limits);
    std::vector<StreamEvent> split_events;
    Status status = Status::kOk;
    for (auto chunk : chunks) {
      status = split.Feed(chunk, [&](const StreamEvent& e) { split_events.push_back(e); });
      REQUIRE(split.buffered_bytes() <= limits.max_event_bytes);
    }
    REQUIRE(status == whole.status);
    REQUIRE(split_events == whole.events);
    REQUIRE(split.events() == split_events.size());
  }
}

TEST_CASE("sse: status names", "[sse]") {
  CHECK(ToString(Status::kOk) == "ok");
  CHECK(ToString(Status::kEventTooLarge) == "event_too_large");
  CHECK(ToString(Status::kTooManyEvents) == "too_many_events");
}

}  // namespace
}  // namespace mcpwatch::sse
