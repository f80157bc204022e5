#!/usr/bin/env bash
# The client command the official MCP conformance suite runs: `client.sh SERVER_URL`, with the
# scenario in MCP_CONFORMANCE_SCENARIO (and MCP_CONFORMANCE_PROTOCOL_VERSION,
# MCP_CONFORMANCE_CONTEXT). It only maps a scenario to `mcpwatch probe` flags — which tool to
# call with which arguments — and holds no protocol logic of its own. A scenario that checks
# several calls gets one probe per call, the way a monitor configured with those tools would.
# Runs $MCPWATCH when set, else the build/ binary.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mcpwatch=${MCPWATCH:-$here/../../build/app/mcpwatch}
url=${1:?usage: client.sh SERVER_URL}
scenario=${MCP_CONFORMANCE_SCENARIO:-}

# auth/* scenarios: credentials from MCP_CONFORMANCE_CONTEXT as probe flags (auth_flags).
source "$here/auth_flags.sh"

probe() { "$mcpwatch" probe --timeout 20s "${auth_flags[@]}" "$@" "$url"; }

case "$scenario" in
  tools_call)
    probe --tool add_numbers --args '{"a": 2, "b": 3}' ;;
  sse-retry)
    probe --tool test_reconnection ;;
  http-standard-headers)
    probe --tool test_headers && probe --tool my-hyphenated-tool ;;
  http-custom-headers)
    probe --tool test_custom_headers --args '{
      "region": "us-west1", "priority": 42, "verbose": true, "debug": false, "empty_val": "",
      "method_val": "POST", "float_val": 3.5, "non_ascii_val": "Hello, 世界",
      "whitespace_val": " padded ", "leading_space_val": " lead", "trailing_space_val": "trail ",
      "internal_space_val": "a b c", "control_char_val": "bell\u0007", "crlf_val": "a\r\nb",
      "tab_val": "\tindented", "query": "SELECT 1"}' &&
      probe --tool test_custom_headers_null \
        --args '{"region": "eu-west1", "priority": 7, "verbose": null, "query": "q"}' ;;
  sep-2322-client-request-state)
    answers='{"confirm": {"action": "accept", "content": {"confirmed": true}}}'
    probe --tool test_mrtr_echo_state --input-responses "$answers" &&
      probe --tool test_mrtr_unrelated &&
      probe --tool test_mrtr_no_state --input-responses "$answers" &&
      probe --tool test_mrtr_no_result_type --input-responses "$answers" ;;
  http-invalid-tool-headers)
    probe --tool valid_tool --args '{"region": "us-west1"}' ;;
  *)
    probe ;;
esac
