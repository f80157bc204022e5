// The secret scrubber (checks/redaction.h) over random text and random secrets: up to four
// secrets (ConsumeRandomLengthString each, "\ " ends one), then the text a server sent back.
// Property: no secret of kMinSecretBytes or more is left in the scrubbed text. (A secret made
// of the marker's own letters or brackets may of course appear inside or beside a marker.)
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <string>
#include <vector>

#include "checks/redaction.h"
#include "fuzz/check.h"

namespace {

using namespace mcpwatch;

// Whether scrubbed text can still contain `secret` without a leak: only as part of a marker.
bool CanOverlapMarker(std::string_view secret) {
  return secret.find_first_of("[]") != std::string_view::npos ||
         kRedactedMarker.find(secret) != std::string_view::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  std::vector<std::string> secrets(in.ConsumeIntegralInRange<std::size_t>(0, 4));
  for (std::string& secret : secrets) secret = in.ConsumeRandomLengthString(64);
  const std::string text = in.ConsumeRemainingBytesAsString();

  const Redactor redactor(secrets);
  const std::string scrubbed = redactor.Scrub(text);
  for (const std::string& secret : secrets) {
    if (secret.size() < kMinSecretBytes || CanOverlapMarker(secret)) continue;
    FUZZ_CHECK(scrubbed.find(secret) == std::string::npos);
  }

  ProbeSpec spec;
  for (const std::string& secret : secrets) spec.headers.push_back("X-Key: " + secret);
  spec.headers.push_back("Cookie: " + text.substr(0, 64));
  (void)SpecSecrets(spec, {"x-key"});
  return 0;
}
