#include "base/encoding.h"

#include <catch2/catch.hpp>

namespace mcpwatch {
namespace {

TEST_CASE("Base64 gives the RFC 4648 test vectors, padded and not", "[base]") {
  struct Row {
    const char* in;
    const char* padded;
  };
  const Row rows[] = {{"", ""},
                      {"f", "Zg=="},
                      {"fo", "Zm8="},
                      {"foo", "Zm9v"},
                      {"foob", "Zm9vYg=="},
                      {"fooba", "Zm9vYmE="},
                      {"foobar", "Zm9vYmFy"}};
  for (const Row& r : rows) {
    CHECK(Base64(r.in) == r.padded);
    std::string unpadded = r.padded;
    while (!unpadded.empty() && unpadded.back() == '=') unpadded.pop_back();
    CHECK(Base64(r.in, false, false) == unpadded);
    CHECK(DecodeBase64(r.padded) == std::string(r.in));
  }
}

TEST_CASE("Base64 URL-safe uses - and _ and both alphabets decode", "[base]") {
  const std::string bytes = "\xfb\xff\xbf";
  CHECK(Base64(bytes) == "+/+/");
  CHECK(Base64(bytes, true, false) == "-_-_");
  CHECK(DecodeBase64("-_-_") == bytes);
  CHECK(DecodeBase64("+/+/") == bytes);
}

TEST_CASE("DecodeBase64 refuses what is not base64", "[base]") {
  CHECK_FALSE(DecodeBase64("a b").has_value());
  CHECK_FALSE(DecodeBase64("Zm9v!").has_value());
  CHECK_FALSE(DecodeBase64("Z").has_value());  // one leftover character carries no byte
}

TEST_CASE("PercentEncode keeps the unreserved set and escapes the rest", "[base]") {
  CHECK(PercentEncode("a-b.c_d~e") == "a-b.c_d~e");
  CHECK(PercentEncode("a b/c?") == "a%20b%2Fc%3F");
  CHECK(PercentEncode("\xe4", true) == "%e4");
}

TEST_CASE("PercentDecode keeps malformed escapes literally", "[base]") {
  CHECK(PercentDecode("%41%4a%zz%4", false) == "AJ%zz%4");
  CHECK(PercentDecode("a+b", false) == "a+b");
  CHECK(PercentDecode("a+b", true) == "a b");
}

}  // namespace
}  // namespace mcpwatch
