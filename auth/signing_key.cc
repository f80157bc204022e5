#include "auth/signing_key.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "auth/pkce.h"
#include "base/encoding.h"

namespace mcpwatch {
namespace {

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct BnDeleter {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct EcdsaSigDeleter {
  void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};
using Bio = std::unique_ptr<BIO, BioDeleter>;
using Bn = std::unique_ptr<BIGNUM, BnDeleter>;

std::shared_ptr<EVP_PKEY> Own(EVP_PKEY* key) {
  return {key, EVP_PKEY_free};
}

// A big-endian unsigned integer parameter of the key, left-padded to `width` bytes (0: as is).
std::string BnParam(EVP_PKEY* key, const char* name, int width) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) return "";
  Bn bn(raw);
  const int size = width > 0 ? width : BN_num_bytes(bn.get());
  std::string out(static_cast<std::size_t>(size), '\0');
  if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()), size) != size) return "";
  return out;
}

// An ECDSA DER signature as JWS wants it: r || s, each 32 bytes (RFC 7518 §3.4).
std::string DerToRaw(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<ECDSA_SIG, EcdsaSigDeleter> sig(
      d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) return "";
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string out(64, '\0');
  auto* buf = reinterpret_cast<unsigned char*>(out.data());
  if (BN_bn2binpad(r, buf, 32) != 32 || BN_bn2binpad(s, buf + 32, 32) != 32) return "";
  return out;
}

}  // namespace

tl::expected<SigningKey, std::string> SigningKey::FromKey(std::shared_ptr<EVP_PKEY> key) {
  EVP_PKEY* k = key.get();
  switch (EVP_PKEY_get_base_id(k)) {
    case EVP_PKEY_EC: {
      char group[64] = {};
      std::size_t len = 0;
      if (EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                         &len) != 1 ||
          std::string_view(group, len) != "prime256v1") {
        return tl::unexpected(std::string("an EC key must be on curve P-256 (ES256)"));
      }
      std::string x = BnParam(k, OSSL_PKEY_PARAM_EC_PUB_X, 32);
      std::string y = BnParam(k, OSSL_PKEY_PARAM_EC_PUB_Y, 32);
      if (x.empty() || y.empty())
        return tl::unexpected(std::string("cannot read the EC public key"));
      nlohmann::json jwk = {
          {"kty", "EC"}, {"crv", "P-256"}, {"x", Base64Url(x)}, {"y", Base64Url(y)}};
      return SigningKey(std::move(key), "ES256", std::move(jwk));
    }
    case EVP_PKEY_RSA: {
      if (EVP_PKEY_get_bits(k) < 2048) {
        return tl::unexpected(std::string("an RSA key must have at least 2048 bits"));
      }
      std::string n = BnParam(k, OSSL_PKEY_PARAM_RSA_N, 0);
      std::string e = BnParam(k, OSSL_PKEY_PARAM_RSA_E, 0);
      if (n.empty() || e.empty()) return tl::unexpected(std::string("cannot read the RSA key"));
      nlohmann::json jwk = {{"kty", "RSA"}, {"n", Base64Url(n)}, {"e", Base64Url(e)}};
      return SigningKey(std::move(key), "RS256", std::move(jwk));
    }
    default: return tl::unexpected(std::string("the key is neither EC P-256 nor RSA"));
  }
}

tl::expected<SigningKey, std::string> SigningKey::FromPem(std::string_view pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return tl::unexpected(std::string("out of memory"));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) {
    return tl::unexpected(std::string("not a PEM private key (PKCS#8 or traditional)"));
  }
  return FromKey(Own(key));
}

tl::expected<SigningKey, std::string> SigningKey::GenerateEs256() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (key == nullptr) return tl::unexpected(std::string("OpenSSL could not generate a P-256 key"));
  return FromKey(Own(key));
}

std::string SigningKey::Thumbprint() const {
  // RFC 7638 §3.2: the required members only, in lexicographic order, no whitespace.
  nlohmann::json canonical;
  if (jwk_["kty"] == "EC") {
    canonical = {{"crv", jwk_["crv"]}, {"kty", "EC"}, {"x", jwk_["x"]}, {"y", jwk_["y"]}};
  } else {
    canonical = {{"e", jwk_["e"]}, {"kty", "RSA"}, {"n", jwk_["n"]}};
  }
  return Base64Url(Sha256Bytes(canonical.dump()));  // nlohmann sorts object keys
}

std::string SigningKey::PrivatePem() const {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return "";
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

tl::expected<std::string, std::string> SigningKey::SignJwt(nlohmann::json header,
                                                           const nlohmann::json& payload) const {
  header["alg"] = alg_;
  const std::string input = Base64Url(header.dump()) + "." + Base64Url(payload.dump());
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  std::size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                     input.size()) != 1) {
    return tl::unexpected(std::string("OpenSSL could not start signing"));
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    return tl::unexpected(std::string("OpenSSL could not sign"));
  }
  sig.resize(len);
  if (alg_ == "ES256") {
    sig = DerToRaw(sig);
    if (sig.empty()) return tl::unexpected(std::string("OpenSSL produced a malformed signature"));
  }
  return input + "." + Base64Url(sig);
}

}  // namespace mcpwatch
