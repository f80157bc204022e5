#include "app/token_manager.h"

#include <pthread.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "auth/http_transport.h"
#include "auth/token_file.h"
#include "auth/www_authenticate.h"
#include "base/log.h"

namespace mcpwatch {
namespace {

using Steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Token requests are small; a target's run timeout may be tighter than an authorization server
// needs, so a request gets at least this long.
constexpr milliseconds kMinRequestTime{2000};
// A renewal is never due sooner than this after the last one (a token that lives a few
// milliseconds must not spin the thread).
constexpr milliseconds kMinRenewGap{200};

std::shared_ptr<spdlog::logger> Log() {
  return AreaLog("auth");
}

bool SameAuthTarget(const TargetConfig& a, const TargetConfig& b) {
  return a.spec.url == b.spec.url && a.spec.ca_file == b.spec.ca_file && a.auth == b.auth;
}

struct Refusal {
  int status = 0;
  std::string www_authenticate;
  std::string dpop_nonce;
};

}  // namespace

struct TokenEntry {
  TargetConfig target;  // set at creation; never changes (a changed target is a new TokenEntry)
  // The worker's alone (only the worker thread touches these, one attempt at a time).
  std::unique_ptr<OAuthClient> client;
  std::string restored_access;  // the access token last read from the token file
  // Guarded by Impl::mu.
  TokenManager::View view;
  std::optional<Steady::time_point> due;
  std::optional<Refusal> refusal;
  std::optional<Steady::time_point> last_attempt;
  int failures = 0;
  bool attempted = false;
  bool busy = false;
  bool removed = false;
};

struct TokenManager::Impl {
  Options options;
  mutable std::mutex mu;
  std::condition_variable wake;       // the worker: something is due or stop
  std::condition_variable attempted;  // WaitForFirstAttempts
  std::map<std::string, std::shared_ptr<TokenEntry>> entries;
  bool stop = false;
  std::thread thread;

  void Run();
  // One attempt for `e`, on the worker thread without the lock.
  tl::expected<void, AuthError> Attempt(const std::string& name, TokenEntry& e,
                                        const std::optional<Refusal>& refusal, bool first);
  tl::expected<void, AuthError> EnsureClient(TokenEntry& e);
  tl::expected<void, AuthError> RestoreFromFile(const std::string& name, TokenEntry& e);
  void Publish(TokenEntry& e, const tl::expected<void, AuthError>& result);
};

tl::expected<void, AuthError> TokenManager::Impl::EnsureClient(TokenEntry& e) {
  if (e.client) return {};
  auto settings = ResolveAuthConfig(*e.target.auth);
  if (!settings) return tl::unexpected(settings.error());
  settings->code_grant = false;  // the daemon never asks for a person; auth login does
  auto http = CurlTransport::Create(
      {std::max(e.target.spec.timeout, kMinRequestTime), 256 * 1024, e.target.spec.ca_file});
  if (!http) return tl::unexpected(AuthError{AuthFailure::kConfig, http.error()});
  auto client = OAuthClient::Create(e.target.spec.url, std::move(*settings), std::move(*http));
  if (!client) return tl::unexpected(client.error());
  e.client = std::move(*client);
  return {};
}

tl::expected<void, AuthError> TokenManager::Impl::RestoreFromFile(const std::string& name,
                                                                  TokenEntry& e) {
  auto file = LoadTokenFile(options.token_file);
  if (!file) return tl::unexpected(AuthError{AuthFailure::kConfig, file.error()});
  auto it = file->find(name);
  if (it == file->end() || it->second.url != e.target.spec.url) return {};
  const StoredToken& stored = it->second;
  const bool ours = e.client->has_token() && stored.access_token == e.client->bearer_token();
  if (ours || stored.access_token == e.restored_access) return {};  // nothing new in the file
  auto restored = e.client->Restore(stored);
  if (!restored) return restored;
  e.restored_access = stored.access_token;
  Log()->info("auth token loaded target={} file={}", name, options.token_file);
  return {};
}

tl::expected<void, AuthError> TokenManager::Impl::Attempt(const std::string& name, TokenEntry& e,
                                                          const std::optional<Refusal>& refusal,
                                                          bool first) {
  if (auto made = EnsureClient(e); !made) return made;
  const bool stored_tokens = e.target.auth->type == AuthType::kOAuth;
  if (stored_tokens) {
    if (auto restored = RestoreFromFile(name, e); !restored) return restored;
  }
  const auto deadline = Steady::now() + std::max(e.target.spec.timeout, kMinRequestTime);
  if (refusal && e.client->uses_dpop()) {
    auto challenge = ReadResourceChallenge(refusal->www_authenticate);
    if (challenge && challenge->error == "use_dpop_nonce") {
      return e.client->OnChallenge(refusal->status, refusal->www_authenticate, refusal->dpop_nonce,
                                   deadline);
    }
  }
  if (first && !refusal && e.client->has_token()) {
    // A token restored from the file that is still good: use it until its renewal point.
    const HeldToken& held = *e.client->token();
    auto in = RenewIn(std::chrono::system_clock::now(), held.obtained_at, held.expires_at(),
                      options.policy);
    if (!in || *in > milliseconds(0)) return {};
  }
  auto renewed = e.client->Renew(deadline);
  if (!renewed && renewed.error().failure == AuthFailure::kNeedsPerson) {
    AuthError with_target = renewed.error();
    with_target.message += " (mcpwatch auth login " + name + " --config FILE)";
    return tl::unexpected(std::move(with_target));
  }
  if (renewed && stored_tokens) {
    // Refresh tokens rotate: the new one must survive a restart.
    if (auto exported = e.client->Export()) {
      auto saved = UpdateTokenFile(options.token_file,
                                   [&](TokenFile& f) { f[name] = std::move(*exported); });
      if (!saved) Log()->warn("auth token not saved target={} error=\"{}\"", name, saved.error());
      e.restored_access = e.client->bearer_token();
    }
  }
  return renewed;
}

void TokenManager::Impl::Publish(TokenEntry& e, const tl::expected<void, AuthError>& result) {
  // Read the client before taking the lock (it is the worker's own).
  std::shared_ptr<const ResourceCredential> credential;
  std::vector<std::string> secrets;
  std::optional<SystemTime> obtained, expires, refresh_expires;
  if (e.client) {
    credential = e.client->Credential();
    for (auto& s : e.client->Secrets()) {
      if (!s.empty()) secrets.push_back(std::move(s));
    }
    if (const auto& held = e.client->token()) {
      obtained = held->obtained_at;
      expires = held->expires_at();
      refresh_expires = held->refresh_expires_at;
    }
  }
  const auto now = Steady::now();
  std::lock_guard lock(mu);
  View& v = e.view;
  const bool changed =
      credential && (!v.credential || v.credential->access_token != credential->access_token ||
                     v.credential->dpop_nonce != credential->dpop_nonce);
  v.credential = std::move(credential);
  if (changed) ++v.generation;
  v.secrets = std::move(secrets);
  v.refresh_expires_at = refresh_expires;
  if (result) {
    v.problem.reset();
    e.failures = 0;
    std::optional<milliseconds> in;
    if (obtained)
      in = RenewIn(std::chrono::system_clock::now(), *obtained, expires, options.policy);
    e.due = in ? std::optional(now + std::max(*in, kMinRenewGap)) : std::nullopt;
  } else {
    v.problem = AuthProblem{AuthHealthClass(result.error().failure), result.error().message};
    ++e.failures;
    e.due = now + RetryDelay(e.failures, options.policy);
  }
  e.attempted = true;
  e.busy = false;
  e.last_attempt = now;
  attempted.notify_all();
  wake.notify_all();
}

void TokenManager::Impl::Run() {
  pthread_setname_np(pthread_self(), "mcpw-auth");
  std::unique_lock lock(mu);
  while (!stop) {
    std::shared_ptr<TokenEntry> next;
    std::string name;
    std::optional<Steady::time_point> earliest;
    for (const auto& [n, e] : entries) {
      if (e->busy || !e->due) continue;
      if (!earliest || *e->due < *earliest) {
        earliest = e->due;
        next = e;
        name = n;
      }
    }
    if (!next || *earliest > Steady::now()) {
      if (earliest) {
        wake.wait_until(lock, *earliest);
      } else {
        wake.wait(lock);
      }
      continue;
    }
    next->busy = true;
    next->due.reset();
    std::optional<Refusal> refusal = std::move(next->refusal);
    next->refusal.reset();
    const bool first = !next->attempted;
    lock.unlock();
    auto result = Attempt(name, *next, refusal, first);
    if (!result) {
      Log()->warn("auth token renewal failed target={} failure={} error=\"{}\"", name,
                  ToString(result.error().failure), result.error().message);
    } else if (!first || refusal) {
      Log()->debug("auth token renewed target={}", name);
    }
    Publish(*next, result);
    lock.lock();
  }
}

TokenManager::TokenManager(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

std::unique_ptr<TokenManager> TokenManager::Start(Options options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->Run(); });
  return std::unique_ptr<TokenManager>(new TokenManager(std::move(impl)));
}

TokenManager::~TokenManager() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stop = true;
  }
  impl_->wake.notify_all();
  impl_->attempted.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void TokenManager::SetTargets(const std::vector<TargetConfig>& targets) {
  std::lock_guard lock(impl_->mu);
  std::map<std::string, std::shared_ptr<TokenEntry>> next;
  for (const auto& t : targets) {
    if (!t.auth) continue;
    auto old = impl_->entries.find(t.name);
    if (old != impl_->entries.end() && SameAuthTarget(old->second->target, t)) {
      next.emplace(t.name, old->second);
      continue;
    }
    auto e = std::make_shared<TokenEntry>();
    e->target = t;
    e->due = Steady::now();
    next.emplace(t.name, std::move(e));
  }
  // An entry dropped here may still be in an attempt: the worker holds its shared_ptr.
  impl_->entries = std::move(next);
  impl_->wake.notify_all();
}

void TokenManager::WaitForFirstAttempts(Steady::time_point deadline) {
  std::unique_lock lock(impl_->mu);
  impl_->attempted.wait_until(lock, deadline, [&] {
    return impl_->stop || std::all_of(impl_->entries.begin(), impl_->entries.end(),
                                      [](const auto& kv) { return kv.second->attempted; });
  });
}

std::optional<TokenManager::View> TokenManager::Current(const std::string& target) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->entries.find(target);
  if (it == impl_->entries.end()) return std::nullopt;
  return it->second->view;
}

void TokenManager::OnRefused(const std::string& target, uint64_t generation, int status,
                             std::string www_authenticate, std::string dpop_nonce) {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->entries.find(target);
  if (it == impl_->entries.end()) return;
  TokenEntry& e = *it->second;
  if (e.view.generation != generation || e.busy || e.refusal) return;  // already renewed / queued
  auto when = Steady::now();
  if (e.last_attempt) when = std::max(when, *e.last_attempt + impl_->options.challenge_gap);
  // A DPoP nonce is not a renewal: the next run should carry it at once.
  if (www_authenticate.find("use_dpop_nonce") != std::string::npos) when = Steady::now();
  e.refusal = Refusal{status, std::move(www_authenticate), std::move(dpop_nonce)};
  if (!e.due || when < *e.due) e.due = when;
  impl_->wake.notify_all();
}

}  // namespace mcpwatch
