#include "app/oauth_probe.h"

namespace mcpwatch {
namespace {

Transcript RunOnce(EventLoop& loop, Prober& prober, const ProbeSpec& spec) {
  Transcript out;
  bool finished = false;
  prober.Start(spec, [&](Transcript t) {
    out = std::move(t);
    finished = true;
  });
  loop.RunUntil([&] { return finished; });
  return out;
}

// The spec with the client's current token: Bearer through the prober's own header, DPoP
// through the per-request hook; every secret the client holds scrubbed from the run.
ProbeSpec WithToken(const ProbeSpec& base, const OAuthClient& oauth) {
  ProbeSpec spec = base;
  if (!oauth.has_token()) return spec;
  for (auto& s : oauth.Secrets()) spec.secrets.push_back(std::move(s));
  if (oauth.uses_dpop()) {
    spec.request_headers = [&oauth](std::string_view method, std::string_view url) {
      return oauth.ResourceHeaders(method, url);
    };
  } else {
    spec.bearer_token = oauth.bearer_token();
  }
  return spec;
}

}  // namespace

const StepRecord* ChallengedStep(const Transcript& t) {
  for (const auto& rec : t.steps) {
    if (rec.http_status == 401) return &rec;
    if (rec.http_status == 403 && !rec.www_authenticate.empty()) return &rec;
  }
  return nullptr;
}

AuthorizedRun RunAuthorizedProbe(EventLoop& loop, Prober& prober, ProbeSpec spec,
                                 OAuthClient* oauth) {
  AuthorizedRun out;
  while (true) {
    ++out.runs;
    out.transcript = RunOnce(loop, prober, oauth ? WithToken(spec, *oauth) : spec);
    if (oauth == nullptr || out.runs == kMaxAuthorizedRuns) return out;
    const StepRecord* challenged = ChallengedStep(out.transcript);
    if (challenged == nullptr) return out;
    auto got =
        oauth->OnChallenge(challenged->http_status, challenged->www_authenticate,
                           challenged->dpop_nonce, std::chrono::steady_clock::now() + spec.timeout);
    if (!got) {
      out.auth = got.error();
      return out;
    }
  }
}

}  // namespace mcpwatch
