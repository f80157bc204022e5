// tls_error over real loopback TLS: certificates made in the test with the openssl CLI (a test
// CA, then leaves signed by it with `openssl ca -startdate/-enddate`, which Debian 12's
// OpenSSL 3.0 supports) served by mcp_fixture --tls-cert/--tls-key.
#include <fstream>
#include <memory>

#include "tests/integration/probe/faults_support.h"

using namespace mcpwatch::test;

namespace {

// The valid leaf's notAfter, and the same instant as probe JSON prints it.
constexpr const char* kValidEnd = "20400101000000Z";
constexpr const char* kValidEndJson = "2040-01-01T00:00:00.000Z";

void Run(const std::vector<std::string>& argv) {
  auto r = RunProcess(argv, std::chrono::seconds(60));
  INFO(nlohmann::json(argv).dump() << "\n" << r.err);
  REQUIRE(r.exit_code == 0);
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

// A test CA and leaves: valid (127.0.0.1), expired (127.0.0.1), wrong-host (another name),
// and a self-signed certificate for 127.0.0.1.
class Certs {
 public:
  Certs() {
    const std::vector<std::string> ec = {"-newkey", "ec", "-pkeyopt",
                                         "ec_paramgen_curve:prime256v1", "-nodes"};
    std::vector<std::string> ca = {
        "openssl", "req",          "-x509", "-days",       "3650", "-subj", "/CN=mcpwatch test CA",
        "-keyout", File("ca.key"), "-out",  File("ca.pem")};
    ca.insert(ca.end(), ec.begin(), ec.end());
    Run(ca);
    WriteFile(File("index.txt"), "");
    WriteFile(File("serial"), "1000\n");
    WriteFile(File("ca.cnf"),
              "[ca]\ndefault_ca = test_ca\n[test_ca]\ndatabase = " + File("index.txt") +
                  "\nnew_certs_dir = " + dir_.path() + "\nserial = " + File("serial") +
                  "\ncertificate = " + File("ca.pem") + "\nprivate_key = " + File("ca.key") +
                  "\ndefault_md = sha256\npolicy = any\nunique_subject = no\n"
                  "[any]\ncommonName = supplied\n");
    Leaf("valid", "127.0.0.1", "IP:127.0.0.1", "20200101000000Z", kValidEnd);
    Leaf("expired", "127.0.0.1", "IP:127.0.0.1", "20200101000000Z", "20200201000000Z");
    Leaf("wronghost", "wrong.example.test", "DNS:wrong.example.test", "20200101000000Z", kValidEnd);
    std::vector<std::string> self = {"openssl",
                                     "req",
                                     "-x509",
                                     "-days",
                                     "30",
                                     "-subj",
                                     "/CN=127.0.0.1",
                                     "-addext",
                                     "subjectAltName=IP:127.0.0.1",
                                     "-keyout",
                                     File("self.key"),
                                     "-out",
                                     File("self.pem")};
    self.insert(self.end(), ec.begin(), ec.end());
    Run(self);
  }

  std::string File(const std::string& name) const { return dir_.File(name); }
  std::vector<std::string> Serve(const std::string& name) const {
    return {"--tls-cert", File(name + ".pem"), "--tls-key", File(name + ".key")};
  }

 private:
  void Leaf(const std::string& name, const std::string& cn, const std::string& san,
            const std::string& start, const std::string& end) {
    Run({"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-subj", "/CN=" + cn, "-keyout", File(name + ".key"), "-out",
         File(name + ".csr")});
    WriteFile(File(name + ".ext"), "subjectAltName=" + san + "\n");
    Run({"openssl", "ca", "-batch", "-notext", "-config", File("ca.cnf"), "-startdate", start,
         "-enddate", end, "-extfile", File(name + ".ext"), "-in", File(name + ".csr"), "-out",
         File(name + ".pem")});
  }

  TempDir dir_;
};

const Certs& TestCerts() {
  static const auto certs = std::make_unique<Certs>();
  return *certs;
}

}  // namespace

TEST_CASE("faults tls: a valid certificate via --ca-file is ok and reports not_after",
          "[faults][tls]") {
  const Certs& certs = TestCerts();
  Fixture fx(certs.Serve("valid"));
  REQUIRE(fx.Url().rfind("https://127.0.0.1:", 0) == 0);
  auto o = RunProbe(fx.Url(), {"--ca-file", certs.File("ca.pem")});
  ExpectVerdict(o, "ok", 0, {});
  CHECK(o.j["tls"]["not_after"] == kValidEndJson);
  CHECK(o.j["timings"]["tls_ms"].get<double>() > 0);
}

TEST_CASE("faults tls: an expired certificate is tls_error, exit 4", "[faults][tls]") {
  const Certs& certs = TestCerts();
  Fixture fx(certs.Serve("expired"));
  auto o = RunProbe(fx.Url(), {"--ca-file", certs.File("ca.pem")});
  ExpectVerdict(o, "tls_error", 4, {"server/discover", "TLS", "certificate has expired"});
  CHECK(o.Step("initialize")["error"] == "tls_failure");  // the transport error's name
}

TEST_CASE("faults tls: a certificate for another name is tls_error, exit 4", "[faults][tls]") {
  const Certs& certs = TestCerts();
  Fixture fx(certs.Serve("wronghost"));
  auto o = RunProbe(fx.Url(), {"--ca-file", certs.File("ca.pem")});
  ExpectVerdict(o, "tls_error", 4, {"server/discover", "TLS", "subject name", "127.0.0.1"});
}

TEST_CASE("faults tls: an untrusted issuer is tls_error, exit 4", "[faults][tls]") {
  const Certs& certs = TestCerts();
  SECTION("self-signed, no --ca-file") {
    Fixture fx(certs.Serve("self"));
    auto o = RunProbe(fx.Url());
    ExpectVerdict(o, "tls_error", 4, {"server/discover", "TLS", "self-signed"});
  }
  SECTION("signed by a private CA the prober was not given") {
    Fixture fx(certs.Serve("valid"));
    auto o = RunProbe(fx.Url());
    ExpectVerdict(o, "tls_error", 4, {"server/discover", "TLS", "local issuer"});
  }
}
