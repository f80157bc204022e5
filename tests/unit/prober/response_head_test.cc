#include "prober/response_head.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace mcpwatch {
namespace {

using namespace std::string_literals;

// Feeds the lines in order, as curl's header callback does, and returns the head and the kinds.
struct Read {
  HttpResponseHead head;
  std::vector<HeadLine> kinds;
};

Read ReadLines(const std::vector<std::string>& lines) {
  Read r;
  for (const auto& line : lines) r.kinds.push_back(ReadHeadLine(line, r.head));
  return r;
}

}  // namespace

TEST_CASE("response_head: a head's status and the fields the prober keeps", "[response_head]") {
  const Read r =
      ReadLines({"HTTP/1.1 200 OK\r\n", "Content-Type: Text/Event-Stream; charset=utf-8\r\n",
                 "mcp-session-id:  abc-123 \r\n", "WWW-Authenticate: Bearer realm=\"x\"\r\n",
                 "Retry-After: 5\r\n", "X-Other: ignored\r\n", "\r\n"});
  CHECK(r.kinds == std::vector<HeadLine>{HeadLine::kStatus, HeadLine::kField, HeadLine::kField,
                                         HeadLine::kField, HeadLine::kField, HeadLine::kField,
                                         HeadLine::kEnd});
  CHECK(r.head.status == 200);
  CHECK(r.head.content_type == "text/event-stream");
  CHECK(r.head.session_id == "abc-123");
  CHECK(r.head.www_authenticate == "Bearer realm=\"x\"");
  CHECK(r.head.retry_after == "5");
}

TEST_CASE("response_head: a status line starts a new head", "[response_head]") {
  // A 1xx or a redirect comes first; only the last response's fields remain.
  const Read r =
      ReadLines({"HTTP/1.1 302 Found\r\n", "Mcp-Session-Id: old\r\n", "Retry-After: 9\r\n", "\r\n",
                 "HTTP/2 404\r\n", "content-type: application/json\r\n", "\r\n"});
  CHECK(r.head.status == 404);
  CHECK(r.head.session_id.empty());
  CHECK(r.head.retry_after.empty());
  CHECK(r.head.content_type == "application/json");
}

TEST_CASE("response_head: odd lines", "[response_head]") {
  struct Case {
    const char* name;
    std::string line;
    HeadLine kind;
    long status;
    std::string content_type;
    std::string session_id;
  };
  const std::vector<Case> cases = {
      {"status without a reason", "HTTP/1.1 503\r\n", HeadLine::kStatus, 503, "", ""},
      {"status line without a space", "HTTP/1.1\r\n", HeadLine::kStatus, 0, "", ""},
      {"status not digits", "HTTP/1.1 OK\r\n", HeadLine::kStatus, 0, "", ""},
      {"status of two digits", "HTTP/1.1 20 OK\r\n", HeadLine::kStatus, 0, "", ""},
      {"status of four digits", "HTTP/1.1 2000 OK\r\n", HeadLine::kStatus, 0, "", ""},
      {"status glued to its reason", "HTTP/1.1 200OK\r\n", HeadLine::kStatus, 200, "", ""},
      {"bare LF ends the head", "\n", HeadLine::kEnd, 0, "", ""},
      {"blank with spaces ends the head", " \t\r\n", HeadLine::kEnd, 0, "", ""},
      {"no colon", "garbage\r\n", HeadLine::kIgnored, 0, "", ""},
      {"empty value", "Mcp-Session-Id:\r\n", HeadLine::kField, 0, "", ""},
      {"name with spaces around it", " CONTENT-TYPE :TEXT/HTML\r\n", HeadLine::kField, 0,
       "text/html", ""},
      {"value keeps inner colons", "Mcp-Session-Id: a:b:c\r\n", HeadLine::kField, 0, "", "a:b:c"},
      {"content type without parameters", "Content-Type: ;x=y\r\n", HeadLine::kField, 0, "", ""},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    HttpResponseHead head;
    CHECK(ReadHeadLine(c.line, head) == c.kind);
    CHECK(head.status == c.status);
    CHECK(head.content_type == c.content_type);
    CHECK(head.session_id == c.session_id);
  }
}

TEST_CASE("response_head: a status of many digits is no status (fuzz_http_head)",
          "[response_head]") {
  // The fuzzer's line: the digits once overflowed a long (UBSan: signed integer overflow).
  const std::string line = "HTTP//\x1e\r* 000000000100000000000000000000010\0\x1e\n"s;
  HttpResponseHead head;
  head.session_id = "before";
  CHECK(ReadHeadLine(line, head) == HeadLine::kStatus);
  CHECK(head.status == 0);
  CHECK(head.session_id.empty());
  CHECK(ReadHeadLine("HTTP/1.1 99999999999999999999999 OK\r\n", head) == HeadLine::kStatus);
  CHECK(head.status == 0);
}

TEST_CASE("response_head: values are bounded", "[response_head]") {
  HttpResponseHead head;
  ReadHeadLine("Mcp-Session-Id: " + std::string(kMaxHeaderValue + 100, 's') + "\r\n", head);
  CHECK(head.session_id == std::string(kMaxHeaderValue, 's'));
}

TEST_CASE("response_head: TrimHeaderSpace", "[response_head]") {
  CHECK(TrimHeaderSpace(" \tvalue \t\r\n") == "value");
  CHECK(TrimHeaderSpace("\r\nvalue") == "\r\nvalue");  // CR/LF only at the end
  CHECK(TrimHeaderSpace("a b") == "a b");
  CHECK(TrimHeaderSpace(" \r\n").empty());
}

}  // namespace mcpwatch
