// A response head as a server sends it, one line at a time as libcurl hands it over
// (prober/response_head.h): the input is cut after every '\n'. Properties: the kept values are
// bounded, the content type is trimmed and lower case, and the status is never negative.
#include <cstdint>
#include <string_view>

#include "fuzz/check.h"
#include "prober/response_head.h"

namespace {

using namespace mcpwatch;

bool Trimmed(std::string_view s) {
  return TrimHeaderSpace(s) == s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  HttpResponseHead head;
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    const std::string_view line = rest.substr(0, end == std::string_view::npos ? end : end + 1);
    rest.remove_prefix(line.size());
    const HeadLine kind = ReadHeadLine(line, head);
    FUZZ_CHECK(kind != HeadLine::kEnd || TrimHeaderSpace(line).empty());
    FUZZ_CHECK(head.status >= 0);
    for (const std::string* value :
         {&head.content_type, &head.session_id, &head.www_authenticate, &head.retry_after}) {
      FUZZ_CHECK(value->size() <= kMaxHeaderValue);
    }
    FUZZ_CHECK(Trimmed(head.content_type));
    for (char c : head.content_type) FUZZ_CHECK(c < 'A' || c > 'Z');
  }
  return 0;
}
