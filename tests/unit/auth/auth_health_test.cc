// Auth health decisions as tables with an injected clock: the class each OAuth failure explains,
// when a token is renewed, and the back-off after failures.
#include "auth/auth_health.h"

#include <catch2/catch.hpp>

namespace mcpwatch {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const SystemTime kT0 = SystemTime(seconds(1'800'000'000));

}  // namespace

TEST_CASE("auth health: every OAuth failure explains one auth class", "[auth_health]") {
  struct Row {
    AuthFailure failure;
    FailureClass cls;
  };
  const Row rows[] = {
      {AuthFailure::kDiscovery, FailureClass::kAuthDiscoveryError},
      {AuthFailure::kRegistration, FailureClass::kAuthDiscoveryError},
      {AuthFailure::kUnreachable, FailureClass::kAuthServerUnavailable},
      {AuthFailure::kTokenEndpoint, FailureClass::kAuthServerUnavailable},
      {AuthFailure::kCredentialsRejected, FailureClass::kAuthCredentialsRejected},
      {AuthFailure::kNeedsPerson, FailureClass::kAuthCredentialsRejected},
      {AuthFailure::kAuthorization, FailureClass::kAuthCredentialsRejected},
      {AuthFailure::kInsufficientScope, FailureClass::kAuthCredentialsRejected},
      {AuthFailure::kConfig, FailureClass::kAuthCredentialsRejected},
  };
  REQUIRE(std::size(rows) == kAllAuthFailures.size());
  for (const Row& r : rows) {
    INFO(ToString(r.failure));
    CHECK(AuthHealthClass(r.failure) == r.cls);
    CHECK(IsAuthHealth(AuthHealthClass(r.failure)));
  }
}

TEST_CASE("auth health: a token is renewed at 80 % of its lifetime, a minute ahead at least",
          "[auth_health]") {
  const RenewalPolicy p;
  struct Row {
    const char* name;
    SystemTime now;
    SystemTime obtained;
    std::optional<SystemTime> expires;
    std::optional<milliseconds> renew_in;
  };
  const Row rows[] = {
      {"fresh 1 h token: 80 %", kT0, kT0, kT0 + seconds(3600), milliseconds(2880'000)},
      {"5 min token: 80 % is a minute ahead", kT0, kT0, kT0 + seconds(300), milliseconds(240'000)},
      {"2 min token: a minute ahead", kT0, kT0, kT0 + seconds(120), milliseconds(60'000)},
      {"3 s token: never before half", kT0, kT0, kT0 + seconds(3), milliseconds(1500)},
      {"3 s token, 1 s old", kT0 + seconds(1), kT0, kT0 + seconds(3), milliseconds(500)},
      {"past the renewal point", kT0 + milliseconds(2500), kT0, kT0 + seconds(3), milliseconds(0)},
      {"already expired", kT0 + seconds(10), kT0, kT0 + seconds(3), milliseconds(0)},
      {"restored from the file", kT0, kT0 - seconds(1800), kT0 + seconds(1800),
       milliseconds(1080'000)},
      {"lifetime unknown", kT0, kT0, std::nullopt, std::nullopt},
      {"expiry before issue (a skewed clock)", kT0, kT0, kT0 - seconds(5), milliseconds(0)},
  };
  for (const Row& r : rows) {
    INFO(r.name);
    CHECK(RenewIn(r.now, r.obtained, r.expires, p) == r.renew_in);
  }
}

TEST_CASE("auth health: failed renewals back off, doubling up to a cap", "[auth_health]") {
  RenewalPolicy p;
  p.first_retry = milliseconds(1000);
  p.max_retry = milliseconds(60000);
  CHECK(RetryDelay(1, p) == milliseconds(1000));
  CHECK(RetryDelay(2, p) == milliseconds(2000));
  CHECK(RetryDelay(3, p) == milliseconds(4000));
  CHECK(RetryDelay(6, p) == milliseconds(32000));
  CHECK(RetryDelay(7, p) == milliseconds(60000));
  CHECK(RetryDelay(500, p) == milliseconds(60000));
}

}  // namespace mcpwatch
