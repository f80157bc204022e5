// Redactor: every configured secret, in every form a server may echo it, leaves text we keep.
#include "checks/redaction.h"

#include <catch2/catch.hpp>
#include <string>
#include <type_traits>
#include <vector>

namespace mcpwatch {
namespace {

using Strings = std::vector<std::string>;

std::string Scrub(const Strings& secrets, std::string_view text) {
  return Redactor(secrets).Scrub(text);
}

TEST_CASE("redaction: each form of a secret becomes the marker", "[redaction]") {
  struct Case {
    const char* what;
    std::string secret;
    std::string echoed;  // the secret as it appears in the server's text
  };
  // "?>?>?>?>>?" encodes with both '+' and '/' in standard base64, so every variant differs.
  const std::vector<Case> cases = {
      {"as sent", "tok-3f9a2c", "tok-3f9a2c"},
      {"base64 std padded", "?>?>?>?>>?", "Pz4/Pj8+Pz4+Pw=="},
      {"base64 std unpadded", "?>?>?>?>>?", "Pz4/Pj8+Pz4+Pw"},
      {"base64 url padded", "?>?>?>?>>?", "Pz4_Pj8-Pz4-Pw=="},
      {"base64 url unpadded", "?>?>?>?>>?", "Pz4_Pj8-Pz4-Pw"},
      {"percent upper", "p@ss/w0rd+x", "p%40ss%2Fw0rd%2Bx"},
      {"percent lower", "p@ss/w0rd+x", "p%40ss%2fw0rd%2bx"},
      {"json quote and backslash", "a\"b\\c-d", "a\\\"b\\\\c-d"},
      {"json slash escaped", "https://hooks.example/T0/B0", "https:\\/\\/hooks.example\\/T0\\/B0"},
      {"json unicode escaped", "p\xC3\xA4sswort", "p\\u00e4sswort"},
      {"json unicode raw", "p\xC3\xA4sswort", "p\xC3\xA4sswort"},
      {"bearer token alone", "Bearer tok-3f9a2c", "tok-3f9a2c"},
      {"bearer token base64", "Bearer tok-3f9a2c", "dG9rLTNmOWEyYw=="},
      {"bearer header value", "Bearer tok-3f9a2c", "Bearer tok-3f9a2c"},
      // base64("alice:s3cr3t-pw") = YWxpY2U6czNjcjN0LXB3
      {"basic credentials", "Basic YWxpY2U6czNjcjN0LXB3", "YWxpY2U6czNjcjN0LXB3"},
      {"basic decoded", "Basic YWxpY2U6czNjcjN0LXB3", "alice:s3cr3t-pw"},
      {"basic password alone", "Basic YWxpY2U6czNjcjN0LXB3", "s3cr3t-pw"},
      {"basic decoded percent", "Basic YWxpY2U6czNjcjN0LXB3", "alice%3As3cr3t-pw"},
      {"scheme case-insensitive", "bearer tok-3f9a2c", "tok-3f9a2c"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    CHECK(Scrub({c.secret}, "before " + c.echoed + " after") == "before [redacted] after");
    CHECK(Scrub({c.secret}, c.echoed) == "[redacted]");
  }
}

TEST_CASE("redaction: text without a secret is unchanged", "[redaction]") {
  const std::string text = "HTTP 500: upstream said no; retry later...";
  CHECK(Scrub({}, text) == text);
  CHECK(Scrub({"tok-3f9a2c", "Basic YWxpY2U6czNjcjN0LXB3"}, text) == text);
  CHECK(Scrub({"tok-3f9a2c"}, "") == "");
  CHECK(Redactor().empty());
  CHECK(Redactor({""}).empty());
}

TEST_CASE("redaction: secrets shorter than the minimum are not scrubbed", "[redaction]") {
  static_assert(kMinSecretBytes == 4);
  CHECK(Scrub({"abc"}, "abc def abc") == "abc def abc");
  CHECK(Redactor({"abc"}).empty());
  // ... but a short token is still caught inside the header value that carries it.
  CHECK(Scrub({"Bearer abc"}, "got Bearer abc here") == "got [redacted] here");
  CHECK(Scrub({"abcd"}, "abcd") == "[redacted]");
}

TEST_CASE("redaction: every occurrence, overlapping and adjacent secrets", "[redaction]") {
  CHECK(Scrub({"k3y-value"}, "k3y-value, again k3y-value") == "[redacted], again [redacted]");
  // Overlapping secrets: neither may leave a piece of the other behind.
  CHECK(Scrub({"abcdef", "defghi"}, "xx abcdefghi yy") == "xx [redacted] yy");
  CHECK(Scrub({"defghi", "abcdef"}, "xx abcdefghi yy") == "xx [redacted] yy");
  // One secret inside another.
  CHECK(Scrub({"secret-token", "token"}, "a secret-token and a token") ==
        "a [redacted] and a [redacted]");
  // Back to back, nothing between them: one marker.
  CHECK(Scrub({"first-secret", "second-secret"}, "[first-secretsecond-secret]") == "[[redacted]]");
  // Self-overlapping occurrences of one secret.
  CHECK(Scrub({"aaaa"}, "xaaaaaay") == "x[redacted]y");
  // The marker never creates a new occurrence.
  CHECK(Scrub({"redacted"}, "[redacted]") == "[[redacted]]");
}

TEST_CASE("redaction: a secret cut where the text was truncated is still scrubbed", "[redaction]") {
  // prober excerpts end with "..." where they cut; a message may go on after the cut.
  CHECK(Scrub({"supersecret-token"}, "authorization: Bearer supers...") ==
        "authorization: Bearer [redacted]...");
  CHECK(Scrub({"supersecret-token"}, "headers: supers...; legacy SSE fallback also failed") ==
        "headers: [redacted]...; legacy SSE fallback also failed");
  // A cut without a mark (a byte bound) at the end of the field.
  CHECK(Scrub({"supersecret-token"}, "x-api-key: supersecr") == "x-api-key: [redacted]");
  // Fewer than kMinSecretBytes left of it: nothing to recognise.
  CHECK(Scrub({"supersecret-token"}, "key: sup...") == "key: sup...");
  // Of a "Bearer X" value only X counts when cut: the scheme alone is no secret.
  CHECK(Scrub({"Bearer tok-3f9a2c"}, "authorization: Bearer tok-3f...") ==
        "authorization: Bearer [redacted]...");
  CHECK(Scrub({"Bearer tok-3f9a2c"}, "WWW-Authenticate: Bearer") == "WWW-Authenticate: Bearer");
  CHECK(Scrub({"Basic YWxpY2U6czNjcjN0LXB3"}, "try Basic") == "try Basic");
  // A prefix in the middle of the text is not a cut.
  CHECK(Scrub({"supersecret-token"}, "supersecret is a word") == "supersecret is a word");
}

// Fills or checks every std::string member of the transcript types. The structured bindings
// name every data member, so a member added to StepRecord, ServerInfo or Transcript stops this
// test compiling until it is listed here, and then a text member that Redact misses fails it.
template <typename F>
void EachText(StepRecord& r, F&& f) {
  auto& [step, transport, transport_detail, http_status, content_type, www_authenticate,
         retry_after, dpop_nonce, had_session, finding, jsonrpc_code, message, ttfb, duration,
         attempts] = r;
  auto each = [&](auto&... m) { (f(m), ...); };
  each(step, transport, transport_detail, http_status, content_type, www_authenticate, retry_after,
       dpop_nonce, had_session, finding, jsonrpc_code, message, ttfb, duration, attempts);
}

template <typename F>
void EachText(Transcript& t, F&& f) {
  auto& [transport, era, protocol_version, era_reason, era_detection, server, tool_count,
         tools_hash, tools_canonical, timings, cert_not_after, deadline_exceeded, auth_problem,
         steps, health] = t;
  auto& [name, version, title] = server;
  auto& [dns, connect, tls, total] = timings;
  auto each = [&](auto&... m) { (f(m), ...); };
  // tools_hash is left alone on purpose (a digest of what the server sent; see redaction.h).
  each(transport, era, protocol_version, era_reason, era_detection, name, version, title,
       tool_count, tools_canonical, dns, connect, tls, total, cert_not_after, deadline_exceeded);
  (void)tools_hash;
  if (auth_problem) {
    auto& [cls, message] = *auth_problem;
    each(cls, message);
  }
  for (StepRecord& r : steps) EachText(r, f);
  if (health) {
    auto& [http_status, h_transport, detail, h_retry_after, h_duration] = *health;
    each(http_status, h_transport, detail, h_retry_after, h_duration);
  }
}

TEST_CASE("redaction: Redact covers every text field of a transcript", "[redaction]") {
  const std::string secret = "canary-7d1e";
  Transcript t;
  t.steps.resize(2);
  t.health = HealthRecord{};  // the health endpoint's detail and Retry-After (issue 11)
  t.auth_problem = AuthProblem{};
  t.tools_hash = "hash canary-7d1e kept";
  int fields = 0;
  EachText(t, [&](auto& m) {
    if constexpr (std::is_same_v<std::decay_t<decltype(m)>, std::string>) {
      m = "echo " + secret + " end";
      ++fields;
    }
  });
  // protocol_version, era_reason, server x3, tools_canonical, auth_problem's message; health
  // detail and Retry-After; 6 per step
  CHECK(fields == 7 + 2 + 2 * 6);
  Redact(t, Redactor({secret}));
  int scrubbed = 0;
  EachText(t, [&](auto& m) {
    if constexpr (std::is_same_v<std::decay_t<decltype(m)>, std::string>) {
      CHECK(m == "echo [redacted] end");
      ++scrubbed;
    }
  });
  CHECK(scrubbed == fields);
  CHECK(t.tools_hash == "hash canary-7d1e kept");
}

TEST_CASE("redaction: SpecSecrets lists the token and credential headers", "[redaction]") {
  ProbeSpec spec;
  spec.bearer_token = "tok-env-1";
  spec.headers = {"X-Api-Key: key-123",
                  "x-tenant: acme",
                  "Authorization: Basic QQ==",
                  "proxy-authorization:  Bearer p-tok ",
                  "Cookie: sid=c00kie; theme=dark",
                  "X-Empty: "};
  CHECK(SpecSecrets(spec, {}) == Strings{"tok-env-1", "Basic QQ==", "Bearer p-tok",
                                         "sid=c00kie; theme=dark", "c00kie", "dark"});
  CHECK(SpecSecrets(spec, {"x-API-key", "X-Empty"}) ==
        Strings{"tok-env-1", "key-123", "Basic QQ==", "Bearer p-tok", "sid=c00kie; theme=dark",
                "c00kie", "dark"});
  CHECK(SpecSecrets(ProbeSpec{}, {"X-Api-Key"}).empty());
}

}  // namespace
}  // namespace mcpwatch
