// An asymmetric key that signs JWTs (RFC 7515): a private_key_jwt client assertion (RFC 7523)
// or a DPoP proof (RFC 9449). ES256 (P-256) and RS256 via OpenSSL EVP; nothing hand-rolled.
// Immutable once made; copies share the key; thread-safe.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

typedef struct evp_pkey_st EVP_PKEY;

namespace mcpwatch {

class SigningKey {
 public:
  // A PEM private key (PKCS#8 or traditional): EC P-256 → ES256, RSA (≥ 2048 bits) → RS256.
  // Errors never quote the PEM.
  static tl::expected<SigningKey, std::string> FromPem(std::string_view pem);
  // A fresh P-256 key (a DPoP key).
  static tl::expected<SigningKey, std::string> GenerateEs256();

  std::string_view alg() const { return alg_; }  // "ES256" | "RS256"
  // The public half as a JWK: {"kty":"EC","crv":"P-256","x","y"} or {"kty":"RSA","n","e"}.
  const nlohmann::json& public_jwk() const { return jwk_; }
  // RFC 7638 thumbprint (base64url SHA-256 of the canonical JWK).
  std::string Thumbprint() const;
  // The private key as PKCS#8 PEM, for the token file. A secret.
  std::string PrivatePem() const;

  // header.payload.signature, the header's alg set to ours.
  tl::expected<std::string, std::string> SignJwt(nlohmann::json header,
                                                 const nlohmann::json& payload) const;

 private:
  SigningKey(std::shared_ptr<EVP_PKEY> key, std::string alg, nlohmann::json jwk)
      : key_(std::move(key)), alg_(std::move(alg)), jwk_(std::move(jwk)) {}
  static tl::expected<SigningKey, std::string> FromKey(std::shared_ptr<EVP_PKEY> key);

  std::shared_ptr<EVP_PKEY> key_;
  std::string alg_;
  nlohmann::json jwk_;
};

}  // namespace mcpwatch
