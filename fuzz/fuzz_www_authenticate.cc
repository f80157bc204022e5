// The WWW-Authenticate header of a 401/403 as a hostile server may send it (auth/
// www_authenticate.h), and what an MCP client reads from it. Properties: the parser keeps its
// bounds (challenges, parameters), names the scheme in lower case, and explains every refusal;
// the resource challenge read from a header is a Bearer or DPoP one.
#include <cstdint>
#include <string_view>

#include "auth/www_authenticate.h"
#include "fuzz/check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mcpwatch;
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  const auto challenges = ParseWwwAuthenticate(header);
  if (challenges) {
    FUZZ_CHECK(challenges->size() <= kMaxChallenges);
    for (const AuthChallenge& c : *challenges) {
      FUZZ_CHECK(!c.scheme.empty());
      for (char ch : c.scheme) FUZZ_CHECK(!(ch >= 'A' && ch <= 'Z'));
      FUZZ_CHECK(c.params.size() <= kMaxParams);
      FUZZ_CHECK(c.token68.empty() || c.params.empty());
      for (const auto& [name, value] : c.params) {
        FUZZ_CHECK(!name.empty());
        FUZZ_CHECK(c.Param(name) != nullptr);
      }
    }
  } else {
    FUZZ_CHECK(!challenges.error().empty());
  }
  if (const auto rc = ReadResourceChallenge(header)) {
    FUZZ_CHECK(rc->scheme == "bearer" || rc->scheme == "dpop");
    FUZZ_CHECK(challenges.has_value());
  }
  return 0;
}
