// Every HTTP route of the daemon as a function from WebRequest to WebResponse (no sockets
// here: http_server.cc feeds it from civetweb).
//
//   GET /                               HTML status page
//   GET /metrics                        Prometheus text format
//   GET /healthz, /readyz               liveness, readiness
//   GET /api/v1/targets                 status of every target (JSON array)
//   GET /api/v1/targets/NAME/runs       ?since=24h&limit=100 (limit 1..1000), newest first
//   GET /api/v1/events                  ?target=&since=7d&limit=100
//   GET /probe?target=NAME[&timeout=]   one run now, blackbox style (configured names only;
//                                       400 for what cannot be a target name, e.g. a URL)
//   GET /badge/NAME.svg                 status badge
//
// `since` is a duration back from now ("1h", "7d") or an RFC 3339 time. Bad parameters answer
// 400 naming the parameter; unknown paths and targets 404.
//
// Thread-safety: Handle() may be called from many threads at once.
#pragma once

#include <prometheus/registry.h>

#include <filesystem>
#include <memory>

#include "server/http_hooks.h"
#include "server/http_types.h"
#include "server/reader_pool.h"

namespace mcpwatch {

class Routes {
 public:
  Routes(std::shared_ptr<prometheus::Registry> registry, std::filesystem::path database,
         HttpHooks hooks, size_t readers);

  WebResponse Handle(const WebRequest& request);

 private:
  WebResponse Metrics();
  WebResponse Health();
  WebResponse Ready();
  WebResponse Targets();
  WebResponse Runs(const WebRequest& request, const std::string& target);
  WebResponse Events(const WebRequest& request);
  WebResponse Probe(const WebRequest& request);
  WebResponse Badge(const std::string& target);
  WebResponse StatusPage();

  // 200 with the JSON that `read` (HistoryReader& -> tl::expected<json, std::string>) makes
  // from a pooled reader; 503 when the reader cannot be had or `read` fails.
  template <typename Read>
  WebResponse FromHistory(std::string_view what, Read read);
  // Status rows for the targets to show (configured ones when target_names is set).
  tl::expected<std::vector<storage::TargetStatus>, std::string> Statuses();
  bool IsConfigured(const std::string& target) const;

  std::shared_ptr<prometheus::Registry> registry_;
  HttpHooks hooks_;
  ReaderPool readers_;
};

}  // namespace mcpwatch
