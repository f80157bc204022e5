// Scrubbing configured secrets out of text that came from someone else (a target's answer, a
// notifier receiver's reply) before mcpwatch stores, logs, serves or sends it. Servers and
// proxies echo request headers in error pages; redacting only where we write secrets ourselves
// is not enough (issue 10). Pure functions of data.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "checks/probe_spec.h"
#include "checks/transcript.h"

namespace mcpwatch {

// What every scrubbed secret becomes.
inline constexpr std::string_view kRedactedMarker = "[redacted]";

// Secrets (and encoded forms) shorter than this are not scrubbed: a 1-3 byte value occurs by
// chance in ordinary text, and replacing every "abc" would mangle messages without protecting
// anything worth the name. Such a value is simply not treated as a secret.
inline constexpr std::size_t kMinSecretBytes = 4;

// A set of secrets, expanded once into every form in which a server may reflect them:
//   - as sent;
//   - base64, standard and URL-safe alphabet, each with and without '=' padding;
//   - percent-encoded (upper- and lower-case hex; only bytes outside RFC 3986 "unreserved");
//   - JSON-escaped (as nlohmann::json writes it, with and without \uXXXX for non-ASCII, and
//     with '/' written as "\/" as some encoders do);
//   - for a "Bearer X" value: X, with the forms above;
//   - for a "Basic X" value: X, the decoded "user:pass" and the password alone, with the forms.
// Forms shorter than kMinSecretBytes are dropped. Thread-safe to share once built (const).
class Redactor {
 public:
  Redactor() = default;
  explicit Redactor(const std::vector<std::string>& secrets);

  // `text` with every occurrence of every form replaced by kRedactedMarker. Occurrences that
  // overlap or touch become one marker. A form cut short where the text was truncated (at its
  // end, or just before a "..." cut mark) is redacted too when at least kMinSecretBytes of it
  // remain (for a "Bearer X" or "Basic X" value, a cut X only: a text ending in "Bearer" keeps
  // it). Text without any form comes back unchanged.
  std::string Scrub(std::string_view text) const;
  void ScrubInPlace(std::string& text) const;

  bool empty() const { return forms_.empty(); }

 private:
  std::vector<std::string> forms_;      // matched whole; longest first
  std::vector<std::string> cut_forms_;  // also recognised cut short (not "Bearer "/"Basic ")
};

// Scrubs every text field of the transcript (step messages, transport details, headers we
// kept, server info, the canonical tool list). tools_hash keeps the digest of what the server
// sent: a digest reveals nothing, and drift detection compares it run to run.
void Redact(Transcript& transcript, const Redactor& redactor);

// The values a probe of `spec` must never hand back: its bearer token, and the values of its
// headers that always carry credentials (Authorization, Proxy-Authorization, Cookie, and each
// cookie's value) or whose names are in `secret_header_names` (case-insensitive).
std::vector<std::string> SpecSecrets(const ProbeSpec& spec,
                                     const std::vector<std::string>& secret_header_names);

}  // namespace mcpwatch
