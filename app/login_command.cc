#include "app/login_command.h"

#include <filesystem>
#include <iostream>
#include <memory>

#include "app/redirect_listener.h"
#include "app/serve_command.h"
#include "auth/auth_config.h"
#include "auth/http_transport.h"
#include "auth/oauth_client.h"
#include "auth/token_file.h"
#include "base/duration.h"

namespace mcpwatch {
namespace {

constexpr int kUsageError = 2;
constexpr int kAuthError = 3;  // as `mcpwatch probe`'s auth exit code (DESIGN §4)
constexpr int kDefaultPort = 33418;
constexpr std::string_view kCallbackPath = "/callback";

struct LoginFlags {
  std::string target;
  std::string config = "mcpwatch.yaml";
  int port = kDefaultPort;
  std::string timeout = "5m";
};

// The person's side: show the URL, wait for the browser at the redirect.
UserAgent BrowserAt(RedirectListener& listener, std::string redirect_uri) {
  return [&listener, redirect_uri = std::move(redirect_uri)](
             const std::string& url, std::chrono::steady_clock::time_point deadline)
             -> tl::expected<AuthorizationResponse, AuthError> {
    std::cout << "Open this URL in a browser and sign in:\n\n  " << url << "\n\n"
              << "Waiting for the browser at " << redirect_uri << " ..." << std::endl;
    auto query = listener.WaitForRedirect(kCallbackPath, deadline);
    if (!query) {
      return tl::unexpected(AuthError{AuthFailure::kNeedsPerson, query.error()});
    }
    return ReadAuthorizationRedirect(302, redirect_uri + "?" + *query, redirect_uri);
  };
}

int RunLogin(const LoginFlags& f) {
  const auto fail = [](int code, const std::string& message) {
    std::cerr << "mcpwatch auth login: " << message << "\n";
    return code;
  };
  auto timeout = ParseDuration(f.timeout);
  if (!timeout || timeout->count() <= 0) return fail(kUsageError, "--timeout: " + f.timeout);
  auto config = LoadConfigOrReport(f.config, "auth login");
  if (!config) return kUsageError;
  const TargetConfig* target = nullptr;
  for (const auto& t : config->targets) {
    if (t.name == f.target) target = &t;
  }
  if (target == nullptr) return fail(kUsageError, "no target " + f.target + " in " + f.config);
  if (!target->auth) return fail(kUsageError, "target " + f.target + " has no auth: key");
  if (target->auth->type != AuthType::kOAuth) {
    return fail(kUsageError, "target " + f.target + " uses " +
                                 std::string(ToString(target->auth->type)) +
                                 ": the daemon gets its tokens without a person, no login needed");
  }
  auto settings = ResolveAuthConfig(*target->auth);
  if (!settings) return fail(kUsageError, settings.error().message);
  auto listener = RedirectListener::Bind(f.port);
  if (!listener) return fail(1, listener.error());
  const std::string redirect_uri =
      "http://127.0.0.1:" + std::to_string(listener->port()) + std::string(kCallbackPath);
  settings->redirect_uri = redirect_uri;
  settings->user_agent = BrowserAt(*listener, redirect_uri);
  auto http =
      CurlTransport::Create({std::max(target->spec.timeout, std::chrono::milliseconds(10000)),
                             256 * 1024, target->spec.ca_file});
  if (!http) return fail(1, http.error());
  auto client = OAuthClient::Create(target->spec.url, std::move(*settings), std::move(*http));
  if (!client) return fail(kUsageError, client.error().message);

  auto done = (*client)->Authorize(std::chrono::steady_clock::now() + *timeout);
  if (!done) {
    std::string message = done.error().message;
    if (message == "nobody completed the sign-in in time") {
      message += " (--timeout " + f.timeout + "); run mcpwatch auth login again";
    }
    return fail(kAuthError, std::string(ToString(done.error().failure)) + ": " + message);
  }
  auto stored = (*client)->Export();
  if (!stored) return fail(kAuthError, "no token was issued");
  const std::string path = TokenFilePath(config->database);
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  auto saved = UpdateTokenFile(path, [&](TokenFile& file) { file[f.target] = *stored; });
  if (!saved) return fail(1, saved.error());
  std::cout << "Signed in: the tokens of target " << f.target << " are stored in " << path
            << (stored->refresh_token.empty() ? " (no refresh token was issued: the daemon "
                                                "cannot renew them without another login)"
                                              : "")
            << ".\n";
  return 0;
}

}  // namespace

std::function<int()> AddAuthCommand(CLI::App& app) {
  auto flags = std::make_shared<LoginFlags>();
  CLI::App* auth = app.add_subcommand("auth", "OAuth for targets with auth: (issue 13)");
  auth->require_subcommand(1);
  CLI::App* login = auth->add_subcommand(
      "login", "Sign in once for an OAuth target and store its tokens beside the database");
  login->add_option("target", flags->target, "The target's name in the config")->required();
  login->add_option("--config", flags->config, "Config file")->capture_default_str();
  login
      ->add_option("--port", flags->port,
                   "Loopback port of the redirect http://127.0.0.1:PORT/callback (0: any)")
      ->capture_default_str();
  login->add_option("--timeout", flags->timeout, "How long to wait for the sign-in")
      ->capture_default_str();
  return [flags] { return RunLogin(*flags); };
}

}  // namespace mcpwatch
