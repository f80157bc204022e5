// The URL rule and parser (base/url.h) over any text, as a config file or `probe URL` may hold
// it, and the redaction of URLs for logs. Property: a URL the rule accepts parses as http(s)
// with a host and no credentials (the rule and the parser agree).
#include <cstdint>
#include <string>

#include "base/url.h"
#include "fuzz/check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mcpwatch;
  const std::string url(reinterpret_cast<const char*>(data), size);
  const std::string why = CheckHttpUrl(url);
  const auto parsed = ParseProbeUrl(url);
  if (why.empty()) {
    FUZZ_CHECK(parsed.has_value());
    FUZZ_CHECK(parsed->scheme == "http" || parsed->scheme == "https");
    FUZZ_CHECK(!parsed->host.empty() && !parsed->has_credentials);
  }
  if (!parsed) FUZZ_CHECK(!parsed.error().empty());
  (void)RedactUrl(url);
  return 0;
}
