#include "auth/jwt_claims.h"

#include "auth/pkce.h"
#include "auth/url_parts.h"

namespace mcpwatch {
namespace {

int64_t Seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

tl::expected<std::string, std::string> MakeDpopProof(const SigningKey& key, std::string_view method,
                                                     std::string_view url,
                                                     std::string_view access_token,
                                                     std::string_view nonce,
                                                     std::chrono::system_clock::time_point now) {
  auto jti = RandomUrlToken(16);
  if (!jti) return tl::unexpected(jti.error());
  nlohmann::json header = {{"typ", "dpop+jwt"}, {"jwk", key.public_jwk()}};
  nlohmann::json claims = {{"jti", *jti},
                           {"htm", std::string(method)},
                           {"htu", WithoutQueryAndFragment(url)},
                           {"iat", Seconds(now)}};
  if (!access_token.empty()) claims["ath"] = S256(access_token);
  if (!nonce.empty()) claims["nonce"] = std::string(nonce);
  return key.SignJwt(std::move(header), claims);
}

tl::expected<std::string, std::string> MakeClientAssertion(
    const SigningKey& key, std::string_view client_id, std::string_view issuer,
    std::chrono::system_clock::time_point now) {
  auto jti = RandomUrlToken(16);
  if (!jti) return tl::unexpected(jti.error());
  const int64_t iat = Seconds(now);
  nlohmann::json claims = {{"iss", std::string(client_id)},
                           {"sub", std::string(client_id)},
                           {"aud", std::string(issuer)},
                           {"iat", iat},
                           {"exp", iat + 300},
                           {"jti", *jti}};
  return key.SignJwt(nlohmann::json{{"typ", "JWT"}}, claims);
}

}  // namespace mcpwatch
