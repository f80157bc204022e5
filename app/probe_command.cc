#include "app/probe_command.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <optional>

#include "app/oauth_probe.h"
#include "app/report.h"
#include "auth/auth_config.h"
#include "auth/auth_health.h"
#include "auth/oauth_client.h"
#include "base/duration.h"
#include "base/url.h"
#include "checks/classifier.h"
#include "checks/health_check.h"
#include "checks/probe_json.h"
#include "checks/redaction.h"
#include "config/target_rules.h"
#include "prober/bounded_json.h"
#include "prober/prober.h"

namespace mcpwatch {
namespace {

constexpr int kUsageError = 2;

struct ProbeFlags {
  std::string url;
  std::string transport = "auto";
  std::vector<std::string> headers;
  std::string bearer_token_env;
  std::string timeout = "10s";
  std::string tool;
  std::string args;
  std::string expect_text;
  std::string input_responses;
  std::string max_latency;
  std::string max_initialize_latency;
  std::string max_tools_list_latency;
  std::string max_tool_call_latency;
  std::string ca_file;
  std::string health_url;
  bool json = false;
  // OAuth (the config's auth: keys)
  std::string auth;
  std::string client_id;
  std::string client_secret_env;
  std::string client_secret_file;
  std::string private_key_file;
  std::string client_metadata_url;
  std::vector<std::string> scopes;
  bool dpop = false;
};

// The auth flags as an AuthConfig; nullopt without --auth. Errors name the flag.
tl::expected<std::optional<AuthConfig>, std::string> BuildAuth(const ProbeFlags& f) {
  const bool any = !f.client_id.empty() || !f.client_secret_env.empty() ||
                   !f.client_secret_file.empty() || !f.private_key_file.empty() ||
                   !f.client_metadata_url.empty() || !f.scopes.empty() || f.dpop;
  if (f.auth.empty()) {
    if (any) return tl::unexpected(std::string("OAuth flags need --auth oauth|client_credentials"));
    return std::optional<AuthConfig>();
  }
  auto type = ParseAuthType(f.auth);
  if (!type) {
    return tl::unexpected("--auth: \"" + f.auth + "\" is not oauth or client_credentials");
  }
  if (!f.client_secret_env.empty() && !IsEnvVarName(f.client_secret_env)) {
    return tl::unexpected("--client-secret-env: \"" + f.client_secret_env +
                          "\" is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
  }
  AuthConfig c;
  c.type = *type;
  c.client_id = f.client_id;
  c.client_secret_env = f.client_secret_env;
  c.client_secret_file = f.client_secret_file;
  c.private_key_file = f.private_key_file;
  c.client_metadata_url = f.client_metadata_url;
  c.scopes = f.scopes;
  c.dpop = f.dpop;
  if (std::string why = CheckAuthConfig(c); !why.empty()) return tl::unexpected("--auth: " + why);
  return std::optional<AuthConfig>(std::move(c));
}

// Builds the spec and latency policy from the flags; errors name the flag.
tl::expected<std::pair<ProbeSpec, LatencyPolicy>, std::string> BuildSpec(const ProbeFlags& f) {
  ProbeSpec spec;
  if (std::string why = CheckHttpUrl(f.url); !why.empty()) return tl::unexpected("URL: " + why);
  spec.url = f.url;
  auto transport = ParseTransportChoice(f.transport);
  if (!transport) {
    return tl::unexpected("--transport: \"" + f.transport +
                          "\" is not auto, streamable-http or sse");
  }
  spec.transport = *transport;
  for (const auto& h : f.headers) {
    auto header = ParseHeaderLine(h);
    if (!header) return tl::unexpected("--header: " + header.error());
    spec.headers.push_back(header->first + ": " + header->second);
  }
  if (!f.bearer_token_env.empty()) {
    if (!IsEnvVarName(f.bearer_token_env)) {
      return tl::unexpected("--bearer-token-env: \"" + f.bearer_token_env +
                            "\" is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
    }
    const char* token = std::getenv(f.bearer_token_env.c_str());
    if (token == nullptr || *token == '\0') {
      return tl::unexpected("--bearer-token-env: environment variable " + f.bearer_token_env +
                            " is not set or empty");
    }
    spec.bearer_token = token;
  }
  auto timeout = ParseDuration(f.timeout);
  if (!timeout) return tl::unexpected("--timeout: " + timeout.error());
  if (timeout->count() <= 0) return tl::unexpected(std::string("--timeout: must be above 0"));
  spec.timeout = *timeout;
  if (!f.tool.empty()) {
    ToolCallSpec call;
    call.name = f.tool;
    if (!f.args.empty()) {
      auto args = ParseJson(f.args, JsonLimits{1024 * 1024, 64});
      if (!args) return tl::unexpected("--args: " + args.error());
      if (std::string why = CheckToolArguments(*args); !why.empty()) {
        return tl::unexpected("--args: " + why);
      }
      call.arguments = *args;
    }
    if (!f.input_responses.empty()) {
      auto answers = ParseJson(f.input_responses, JsonLimits{1024 * 1024, 64});
      if (!answers) return tl::unexpected("--input-responses: " + answers.error());
      if (std::string why = CheckInputResponses(*answers); !why.empty()) {
        return tl::unexpected("--input-responses: " + why);
      }
      call.input_responses = *answers;
    }
    if (!f.expect_text.empty()) {
      if (std::string why = CheckExpectText(f.expect_text); !why.empty()) {
        return tl::unexpected("--expect-text: not a valid regular expression: " + why);
      }
      call.expect_text = f.expect_text;
    }
    spec.tool_call = call;
  } else if (!f.args.empty() || !f.expect_text.empty() || !f.input_responses.empty()) {
    return tl::unexpected(
        std::string("--args, --expect-text and --input-responses need --tool NAME"));
  }
  if (!f.ca_file.empty() && access(f.ca_file.c_str(), R_OK) != 0) {
    return tl::unexpected("--ca-file: cannot read " + f.ca_file);
  }
  spec.ca_file = f.ca_file;
  if (!f.health_url.empty()) {
    if (std::string why = CheckHttpUrl(f.health_url); !why.empty()) {
      return tl::unexpected("--health-url: " + why);
    }
    spec.health_url = f.health_url;
  }
  spec.secrets = SpecSecrets(spec, {});

  LatencyPolicy policy;
  const std::pair<const std::string*, BaselinePhase> limits[] = {
      {&f.max_latency, BaselinePhase::kTotal},
      {&f.max_initialize_latency, BaselinePhase::kInitialize},
      {&f.max_tools_list_latency, BaselinePhase::kToolsList},
      {&f.max_tool_call_latency, BaselinePhase::kToolCall}};
  for (const auto& [text, phase] : limits) {
    if (text->empty()) continue;
    auto d = ParseDuration(*text);
    if (!d)
      return tl::unexpected("--max-" + std::string(ToString(phase)) + "-latency: " + d.error());
    policy.max_latency[static_cast<std::size_t>(phase)] = *d;
  }
  return std::make_pair(std::move(spec), policy);
}

int RunProbe(const ProbeFlags& flags) {
  auto built = BuildSpec(flags);
  if (!built) {
    std::cerr << "mcpwatch probe: " << built.error() << "\n";
    return kUsageError;
  }
  auto& [spec, policy] = *built;
  auto auth = BuildAuth(flags);
  if (!auth) {
    std::cerr << "mcpwatch probe: " << auth.error() << "\n";
    return kUsageError;
  }
  std::unique_ptr<OAuthClient> oauth;
  if (*auth) {
    auto settings = ResolveAuthConfig(**auth);
    auto http = CurlTransport::Create({spec.timeout, 256 * 1024, spec.ca_file});
    if (!settings || !http) {
      std::cerr << "mcpwatch probe: auth: " << (settings ? http.error() : settings.error().message)
                << "\n";
      return kUsageError;
    }
    auto client = OAuthClient::Create(spec.url, std::move(*settings), std::move(*http));
    if (!client) {
      std::cerr << "mcpwatch probe: auth: " << client.error().message << "\n";
      return kUsageError;
    }
    oauth = std::move(*client);
  }
  auto loop = EventLoop::Create(16);
  if (!loop) {
    std::cerr << "mcpwatch probe: " << loop.error() << "\n";
    return 1;
  }
  Prober prober(**loop);
  ProbeResult result;
  result.url = RedactUrl(spec.url);
  result.started_at = std::chrono::system_clock::now();
  AuthorizedRun run = RunAuthorizedProbe(**loop, prober, spec, oauth.get());
  result.transcript = std::move(run.transcript);
  if (run.auth) {
    // The server refused us and no token could be had: the verdict says why (issue 13 item 5).
    result.transcript.auth_problem =
        AuthProblem{AuthHealthClass(run.auth->failure), run.auth->message};
  }
  result.verdict = Classify(result.transcript, policy);
  AddHealthDiagnosis(result.verdict, result.transcript);
  if (flags.json) {
    std::cout << ToJson(result).dump(2) << "\n";
  } else {
    PrintReport(std::cout, result, spec);
  }
  return ExitCodeFor(result.verdict.cls);
}

}  // namespace

std::function<int()> AddProbeCommand(CLI::App& app) {
  auto flags = std::make_shared<ProbeFlags>();
  CLI::App* cmd =
      app.add_subcommand("probe", "Run one MCP probe against URL and print the verdict");
  cmd->add_option("url", flags->url, "MCP endpoint, e.g. https://mcp.example.com/mcp")->required();
  cmd->add_option("--transport", flags->transport, "auto | streamable-http | sse")
      ->capture_default_str();
  cmd->add_option("--header", flags->headers, "Extra request header 'Name: value' (repeatable)");
  cmd->add_option("--bearer-token-env", flags->bearer_token_env,
                  "Environment variable holding a bearer token (never printed)");
  cmd->add_option("--timeout", flags->timeout, "Deadline for the whole run")->capture_default_str();
  cmd->add_option("--tool", flags->tool, "Tool to call with tools/call (none by default)");
  cmd->add_option("--args", flags->args, "Tool arguments as a JSON object");
  cmd->add_option("--input-responses", flags->input_responses,
                  "Answers to the tool's input requests (2026-07-28 input_required), a JSON "
                  "object: input request key -> answer object");
  cmd->add_option("--expect-text", flags->expect_text,
                  "Regular expression the tool result text must match");
  cmd->add_option("--max-latency", flags->max_latency, "Degraded (exit 7) above this total time");
  cmd->add_option("--max-initialize-latency", flags->max_initialize_latency,
                  "Limit for initialize");
  cmd->add_option("--max-tools-list-latency", flags->max_tools_list_latency,
                  "Limit for tools/list");
  cmd->add_option("--max-tool-call-latency", flags->max_tool_call_latency, "Limit for tools/call");
  cmd->add_option("--ca-file", flags->ca_file, "Extra trusted CA certificates (PEM)");
  cmd->add_option("--health-url", flags->health_url,
                  "The server's own health endpoint, fetched alongside (no credentials sent)");
  cmd->add_flag("--json", flags->json, "Print the result as one JSON object");
  cmd->add_option("--auth", flags->auth,
                  "Log in with OAuth when the server asks: oauth | client_credentials");
  cmd->add_option("--client-id", flags->client_id, "Pre-registered OAuth client_id");
  cmd->add_option("--client-secret-env", flags->client_secret_env,
                  "Environment variable holding the client secret (never printed)");
  cmd->add_option("--client-secret-file", flags->client_secret_file,
                  "File holding the client secret");
  cmd->add_option("--private-key-file", flags->private_key_file,
                  "PEM private key for private_key_jwt client authentication (ES256 or RS256)");
  cmd->add_option("--client-metadata-url", flags->client_metadata_url,
                  "Client ID Metadata Document URL to use as client_id where supported");
  cmd->add_option("--scope", flags->scopes, "OAuth scope to request (repeatable)");
  cmd->add_flag("--dpop", flags->dpop, "Bind tokens to a key with DPoP (RFC 9449)");
  return [flags] { return RunProbe(*flags); };
}

}  // namespace mcpwatch
