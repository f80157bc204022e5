#include "auth/oauth_messages.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/ascii_lower.h"
#include "base/encoding.h"

namespace mcpwatch {
namespace {

constexpr std::size_t kMaxServerText = 300;

// A probe signs in only where the authorization server approves without a person; where it
// wants one, the operator needs an identity that needs nobody.
constexpr std::string_view kUnattendedHint =
    ", which an unattended probe cannot do: give the target a client_credentials identity "
    "(auth: {type: client_credentials}) or a bearer token";

std::string Bounded(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, kMaxServerText)) {
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
  }
  if (text.size() > kMaxServerText) out += "...";
  return out;
}

void AddScope(std::vector<std::string>& scopes, const std::string& s) {
  if (!s.empty() && std::find(scopes.begin(), scopes.end(), s) == scopes.end()) {
    scopes.push_back(s);
  }
}

AuthError Error(AuthFailure f, std::string message) {
  return AuthError{f, std::move(message)};
}

}  // namespace

std::string FormEncode(const FormFields& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += PercentEncode(name);
    out += '=';
    out += PercentEncode(value);
  }
  return out;
}

FormFields FormDecode(std::string_view text) {
  FormFields out;
  while (!text.empty()) {
    std::size_t amp = text.find('&');
    std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    out.emplace_back(PercentDecode(pair.substr(0, eq), true),
                     PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true));
  }
  return out;
}

std::vector<std::string> SplitScope(std::string_view scope) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < scope.size()) {
    std::size_t j = scope.find(' ', i);
    if (j == std::string_view::npos) j = scope.size();
    AddScope(out, std::string(scope.substr(i, j - i)));
    i = j + 1;
  }
  return out;
}

std::optional<std::string> SelectScope(const std::vector<std::string>& configured,
                                       const std::optional<std::string>& challenge_scope,
                                       const std::optional<std::vector<std::string>>& prm_scopes,
                                       const std::optional<std::vector<std::string>>& as_scopes,
                                       bool want_refresh,
                                       const std::vector<std::string>& previous) {
  std::vector<std::string> scopes;
  for (const auto& s : previous) AddScope(scopes, s);
  if (!configured.empty()) {
    for (const auto& s : configured) AddScope(scopes, s);
  } else if (challenge_scope && !SplitScope(*challenge_scope).empty()) {
    for (const auto& s : SplitScope(*challenge_scope)) AddScope(scopes, s);
  } else if (prm_scopes) {
    for (const auto& s : *prm_scopes) AddScope(scopes, s);
  }
  if (want_refresh && as_scopes &&
      std::find(as_scopes->begin(), as_scopes->end(), "offline_access") != as_scopes->end()) {
    AddScope(scopes, "offline_access");
  }
  if (scopes.empty()) return std::nullopt;
  std::string out;
  for (const auto& s : scopes) out += (out.empty() ? "" : " ") + s;
  return out;
}

tl::expected<AuthorizationResponse, AuthError> ReadAuthorizationRedirect(
    long status, std::string_view location, std::string_view redirect_uri) {
  const std::string kLogin = std::string("the authorization server wants a person to sign in") +
                             std::string(kUnattendedHint);
  if (status < 300 || status > 399 || location.empty()) {
    return tl::unexpected(Error(AuthFailure::kNeedsPerson,
                                kLogin + ": the authorization endpoint answered HTTP " +
                                    std::to_string(status) + " instead of redirecting back"));
  }
  std::string_view base = location.substr(0, location.find_first_of("?#"));
  if (base != redirect_uri) {
    return tl::unexpected(Error(AuthFailure::kNeedsPerson,
                                kLogin + ": it redirected elsewhere than our redirect_uri"));
  }
  std::size_t q = location.find('?');
  std::string_view query =
      q == std::string_view::npos ? std::string_view() : location.substr(q + 1);
  query = query.substr(0, query.find('#'));
  AuthorizationResponse out;
  for (auto& [name, value] : FormDecode(query)) {
    if (name == "code") out.code = value;
    if (name == "state") out.state = value;
    if (name == "iss") out.iss = value;
    if (name == "error") out.error = value;
    if (name == "error_description") out.error_description = value;
  }
  return out;
}

tl::expected<std::string, AuthError> CheckAuthorizationResponse(const AuthorizationResponse& r,
                                                                std::string_view expected_state,
                                                                const AuthServerMetadata& as) {
  // The iss check comes first: a response from the wrong server says nothing trustworthy.
  if (r.iss && *r.iss != as.issuer) {
    return tl::unexpected(
        Error(AuthFailure::kAuthorization, "the authorization response's iss \"" + Bounded(*r.iss) +
                                               "\" is not the authorization server \"" + as.issuer +
                                               "\" (RFC 9207: possible mix-up attack)"));
  }
  if (!r.iss && as.authorization_response_iss_parameter_supported) {
    return tl::unexpected(Error(AuthFailure::kAuthorization,
                                "the authorization response lacks the iss parameter its server "
                                "advertises (RFC 9207)"));
  }
  if (r.state != expected_state) {
    return tl::unexpected(
        Error(AuthFailure::kAuthorization, "the authorization response's state does not match"));
  }
  if (!r.error.empty()) {
    const bool person = r.error == "login_required" || r.error == "interaction_required" ||
                        r.error == "consent_required" || r.error == "account_selection_required";
    std::string message = "the authorization server refused: " + Bounded(r.error);
    if (!r.error_description.empty()) message += ": " + Bounded(r.error_description);
    if (person) message += kUnattendedHint;
    return tl::unexpected(
        Error(person ? AuthFailure::kNeedsPerson : AuthFailure::kAuthorization, message));
  }
  if (r.code.empty()) {
    return tl::unexpected(
        Error(AuthFailure::kAuthorization, "the authorization response carries no code"));
  }
  return r.code;
}

bool TokenSet::IsDpop() const {
  return AsciiLower(token_type) == "dpop";
}

OAuthErrorBody ReadOAuthError(long status, std::string_view body) {
  OAuthErrorBody out;
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_discarded() && doc.is_object()) {
    if (auto it = doc.find("error"); it != doc.end() && it->is_string()) {
      out.error = it->get<std::string>();
    }
    if (auto it = doc.find("error_description"); it != doc.end() && it->is_string()) {
      out.message = Bounded(it->get<std::string>());
    }
  }
  std::string head = "HTTP " + std::to_string(status);
  if (!out.error.empty()) head += " " + Bounded(out.error);
  out.message = out.message.empty() ? head : head + ": " + out.message;
  return out;
}

tl::expected<TokenSet, AuthError> ReadTokenResponse(long status, std::string_view body) {
  if (status != 200) {
    OAuthErrorBody err = ReadOAuthError(status, body);
    AuthFailure f = AuthFailure::kTokenEndpoint;
    if (status >= 500) f = AuthFailure::kUnreachable;
    if (err.error == "invalid_client" || err.error == "invalid_grant" ||
        err.error == "unauthorized_client" || err.error == "access_denied") {
      f = AuthFailure::kCredentialsRejected;
    }
    return tl::unexpected(Error(f, "the token endpoint refused: " + err.message));
  }
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return tl::unexpected(
        Error(AuthFailure::kTokenEndpoint, "the token endpoint's answer is not a JSON object"));
  }
  TokenSet out;
  auto str = [&](const char* name) {
    auto it = doc.find(name);
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  out.access_token = str("access_token");
  out.token_type = str("token_type");
  out.refresh_token = str("refresh_token");
  out.scope = str("scope");
  if (out.access_token.empty()) {
    return tl::unexpected(
        Error(AuthFailure::kTokenEndpoint, "the token endpoint's answer has no access_token"));
  }
  const std::string type = AsciiLower(out.token_type);
  if (type != "bearer" && type != "dpop") {
    return tl::unexpected(Error(AuthFailure::kTokenEndpoint,
                                "the token endpoint issued token_type \"" +
                                    Bounded(out.token_type) + "\" (Bearer or DPoP expected)"));
  }
  auto seconds = [&](const char* name) -> std::optional<std::chrono::seconds> {
    auto it = doc.find(name);
    if (it == doc.end() || !it->is_number()) return std::nullopt;
    const double value = it->get<double>();
    if (value <= 0 || value >= 1e9) return std::nullopt;
    return std::chrono::seconds(static_cast<int64_t>(value));
  };
  out.expires_in = seconds("expires_in");
  // Not in RFC 6749, but sent by several authorization servers (GitHub, Entra ID, Okta's
  // refresh_token_expires_in): the refresh token expiry watchdog reads it when present.
  if (!out.refresh_token.empty()) out.refresh_expires_in = seconds("refresh_token_expires_in");
  return out;
}

}  // namespace mcpwatch
