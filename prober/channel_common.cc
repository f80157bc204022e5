#include "prober/channel_common.h"

#include "prober/bounded_json.h"

namespace mcpwatch {

std::vector<std::string> BaseHeaders(const ProbeSpec& spec) {
  std::vector<std::string> h = spec.headers;
  if (!spec.bearer_token.empty()) h.push_back("Authorization: Bearer " + spec.bearer_token);
  return h;
}

void RecordTransport(StepRecord& rec, const HttpOutcome& out) {
  rec.transport = out.transport;
  rec.transport_detail = Excerpt(out.error, 300);
  if (rec.http_status == 0) rec.http_status = static_cast<int>(out.status);
  if (out.starttransfer > out.pretransfer) rec.ttfb = out.starttransfer - out.pretransfer;
}

void RecordHttp(StepRecord& rec, const HttpResponseHead& head, std::string_view body) {
  rec.http_status = static_cast<int>(head.status);
  rec.content_type = head.content_type;
  // Whole enough to act on: OAuth reads resource_metadata and scope from the challenge.
  rec.www_authenticate = Excerpt(head.www_authenticate, 1024);
  rec.retry_after = Excerpt(head.retry_after, 40);
  // A nonce cut short is useless: kept whole or not at all.
  if (head.dpop_nonce.size() <= 512) rec.dpop_nonce = head.dpop_nonce;
  if (rec.HttpOk()) return;
  std::string message;
  if (!body.empty()) {
    auto parsed = ParseJson(body, JsonLimits{64 * 1024, 32});
    if (parsed) {
      for (const auto& m : jsonrpc::ClassifyBody(*parsed)) {
        if (m.kind == jsonrpc::Kind::kError) {
          rec.jsonrpc_code = m.error_code;
          message = m.error_message;
          break;
        }
      }
      if (message.empty() && parsed->is_object()) {
        // OAuth-style error bodies: {"error":"invalid_token","error_description":"..."}
        auto it = parsed->find("error_description");
        if (it != parsed->end() && it->is_string()) message = it->get<std::string>();
      }
    }
    if (message.empty()) message = Excerpt(body, 160);
  }
  rec.message = Excerpt(message, 300);
}

void ScanMessages(const nlohmann::json& body, int64_t id, Scan& scan) {
  for (auto& m : jsonrpc::ClassifyBody(body)) {
    switch (m.kind) {
      case jsonrpc::Kind::kResult:
      case jsonrpc::Kind::kError:
        if (jsonrpc::IdMatches(m.id, id)) {
          if (!scan.response) scan.response = std::move(m);
        } else if (!scan.foreign) {
          scan.foreign = std::move(m);
        }
        break;
      case jsonrpc::Kind::kRequest: scan.server_requests.push_back(std::move(m)); break;
      case jsonrpc::Kind::kNotification: break;
      case jsonrpc::Kind::kInvalid:
        if (!scan.invalid) scan.invalid = m.invalid_reason;
        break;
    }
  }
}

void RecordResponse(StepRecord& rec, const jsonrpc::Message& msg, nlohmann::json& result) {
  if (msg.kind == jsonrpc::Kind::kError) {
    rec.finding = Finding::kJsonRpcError;
    rec.jsonrpc_code = msg.error_code;
    rec.message = Excerpt(msg.error_message, 300);
    return;
  }
  if (!msg.result.is_object()) {
    rec.finding = Finding::kInvalidJsonRpc;
    rec.message = "result is not an object";
    return;
  }
  result = msg.result;
}

void RecordMissingResponse(StepRecord& rec, const Scan& scan, std::string_view what) {
  if (scan.foreign) {
    rec.finding = Finding::kIdMismatch;
    rec.message = "response carries id " + DumpJson(scan.foreign->id).substr(0, 40) +
                  ", not the request's";
  } else if (scan.invalid) {
    rec.finding = Finding::kInvalidJsonRpc;
    rec.message = Excerpt(*scan.invalid, 200);
  } else {
    rec.finding = Finding::kNoResponse;
    rec.message = std::string(what);
  }
}

}  // namespace mcpwatch
