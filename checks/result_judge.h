// Judges the results a probe run gets back: the handshake (initialize, or server/discover in
// the modern era), each tools/list page, and the operator's tools/call. The probe run only
// sequences: it sends a request, hands a successful JSON-RPC result here, and records the step
// with the problem found, if any. Pure functions of data; none of them throws.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <tl/expected.hpp>

#include "checks/probe_spec.h"
#include "checks/transcript.h"

namespace mcpwatch {

// What is wrong with a result: the step record's finding and message.
struct Problem {
  Finding finding = Finding::kNone;
  std::string message;
};

// What a usable initialize or server/discover result says about the server.
struct Handshake {
  ServerInfo server;
  std::string protocol_version;
  bool tools_capability = false;  // capabilities names tools
};

// An initialize result: protocolVersion one of kSupportedProtocolVersions, serverInfo.name, and
// capabilities (when present) an object.
tl::expected<Handshake, Problem> JudgeInitializeResult(const nlohmann::json& result);

// A server/discover result: complete, supportedVersions listing 2026-07-28, and capabilities
// (when present) an object. The server is named in _meta (DiscoveredServer).
tl::expected<Handshake, Problem> JudgeDiscoverResult(const nlohmann::json& result);

// result._meta["io.modelcontextprotocol/serverInfo"], else result.serverInfo (empty fields when
// the server names itself in neither).
ServerInfo DiscoveredServer(const nlohmann::json& result);

// The result's resultType: "complete" when absent (results of servers that omit it are
// complete), "" when it is not a string.
std::string ResultTypeOf(const nlohmann::json& result);

// The verdict on one tools/list page.
struct ToolsPageVerdict {
  enum class Kind { kNextPage, kComplete, kInvalid };
  Kind kind = Kind::kInvalid;
  std::string next_cursor;  // kNextPage: the cursor to ask for
  Problem problem;          // kInvalid (finding kInvalidTools)
  // kComplete: the whole list's size, canonical JSON and its SHA-256 (schema drift).
  int tool_count = 0;
  std::string canonical;
  std::string hash;
};

// The pages of one tools/list, judged as they arrive. One per probe run; not thread-safe.
class ToolsListing {
 public:
  explicit ToolsListing(int max_pages) : max_pages_(max_pages) {}

  // Judges the next page's result (a JSON-RPC success): a modern result must be complete, every
  // page has a tools array, a nextCursor never repeats and at most max_pages pages come; after
  // the last page the whole list must be valid (ValidateTools).
  ToolsPageVerdict AddPage(nlohmann::json result, ProtocolEra era);

  int pages() const { return pages_; }
  const nlohmann::json& tools() const { return tools_; }  // every page's tools, in order

 private:
  int max_pages_;
  int pages_ = 0;
  nlohmann::json tools_ = nlohmann::json::array();
  std::set<std::string> cursors_;
};

// The kToolMissing problem when the listed tools do not include the operator's tool.
std::optional<Problem> JudgeToolOffered(const ToolCallSpec& call, const nlohmann::json& tools);
// The kToolMissing problem of a tool call to a server that declares no tools capability.
Problem ToolsNotDeclared(const ToolCallSpec& call);

// How much of a tools/call result's text expect_text is matched against and quoted from.
inline constexpr std::size_t kMaxAssertionText = 16 * 1024;

// The tools/call params that answer an input_required result (MRTR): the original name and
// arguments, inputResponses with the configured answer to every input request, and the
// server's requestState echoed exactly (omitted when it sent none). A Problem (kToolIsError)
// names the first input request nobody configured an answer for, or what is malformed.
tl::expected<nlohmann::json, Problem> InputRetryParams(const nlohmann::json& result,
                                                       const ToolCallSpec& call);

// A tools/call result (a JSON-RPC success): in the modern era complete (input_required is a
// kToolIsError, another resultType kMalformedResult), not isError (kToolIsError), and its text
// matching expect_text when set (kAssertionFailed; a regex that is invalid or too costly for
// the text counts as no match).
std::optional<Problem> JudgeToolCallResult(const nlohmann::json& result, const ToolCallSpec& call,
                                           ProtocolEra era);

// Why the operator's configured arguments no longer fit the called tool's current inputSchema
// ("" when they fit, or when the tool or its schema is not there to compare): required
// properties missing, arguments the schema does not name, and values of the wrong JSON type. A
// deploy that changes a tool's input breaks the synthetic call this way; the run then says so
// instead of only quoting the server's validation error. Reads the subset of JSON Schema that
// tool definitions use: properties, required, and each property's "type".
std::string ArgumentsMisfit(const ToolCallSpec& call, const nlohmann::json& tools);

}  // namespace mcpwatch
