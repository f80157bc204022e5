// The daemon's side of OAuth (issue 13): one OAuthClient per target with `auth:`, driven on
// its own thread ("mcpw-auth") so the probe loop never waits on an authorization server. It
// renews each token ahead of expiry (auth/auth_health.h), again when a run is refused, and
// publishes to the loop an immutable credential plus, while it has none usable, why (an
// AuthProblem the classifier turns into an auth health class).
//   client_credentials: a new grant whenever needed, no person.
//   oauth: the tokens `mcpwatch auth login` stored in the token file, refreshed and written
//     back (refresh tokens rotate); without them it reports a person must sign in, and re-reads
//     the file at each retry, so a login is picked up without a restart.
// Thread-safe: every public method may be called from any thread; none blocks on the network.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/auth_health.h"
#include "auth/oauth_client.h"
#include "checks/transcript.h"
#include "config/config.h"

namespace mcpwatch {

class TokenManager {
 public:
  struct Options {
    std::string token_file;  // TokenFilePath(config.database)
    RenewalPolicy policy;
    std::chrono::milliseconds challenge_gap{5000};  // renewals a refused run may cause, at most
  };

  // What a run uses now. `generation` grows with every new credential.
  struct View {
    std::shared_ptr<const ResourceCredential> credential;  // nullptr: none yet
    std::optional<AuthProblem> problem;                    // the last attempt failed: why
    std::vector<std::string> secrets;                      // to scrub from the run
    uint64_t generation = 0;
    std::optional<std::chrono::system_clock::time_point> refresh_expires_at;
  };

  static std::unique_ptr<TokenManager> Start(Options options);
  ~TokenManager();  // stops the thread (an attempt in flight ends by its deadline)
  TokenManager(const TokenManager&) = delete;
  TokenManager& operator=(const TokenManager&) = delete;

  // The configured targets; those without auth are ignored. A target whose URL, CA file or
  // auth settings are unchanged keeps its client and token; a new or changed one gets its
  // first attempt at once.
  void SetTargets(const std::vector<TargetConfig>& targets);
  // Blocks until every target has had a first attempt, or `deadline`.
  void WaitForFirstAttempts(std::chrono::steady_clock::time_point deadline);

  // nullopt for a target without auth.
  std::optional<View> Current(const std::string& target) const;
  // A run that used credential `generation` was refused (401, or 403 with a challenge): renew
  // soon, at most once per challenge_gap, unless a newer credential exists already.
  void OnRefused(const std::string& target, uint64_t generation, int status,
                 std::string www_authenticate, std::string dpop_nonce);

  struct Impl;

 private:
  explicit TokenManager(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mcpwatch
