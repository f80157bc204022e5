#!/usr/bin/env bash
# Runs one client scenario of the official MCP conformance suite with `mcpwatch probe` as the
# client under test, and judges it strictly: the suite exits 0 even when checks fail and prints
# "Passed: 0/0" when the client did nothing, so we require at least one check, all passed,
# 0 failed and 0 warnings.
#   run_scenario.sh MCPWATCH_BINARY SCENARIO [EXTRA PROBE FLAGS...]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tools="$here/../tools/node_modules"
mcpwatch=$1
scenario=$2
shift 2
node="$tools/.bin/node"
suite="$tools/@modelcontextprotocol/conformance/dist/index.js"
[ -x "$node" ] || { echo "missing $node: run scripts/setup"; exit 1; }
[ -f "$suite" ] || { echo "missing $suite: run scripts/setup"; exit 1; }

command="$mcpwatch probe"
for arg in "$@"; do command="$command $arg"; done

out=$(cd "$here" && timeout 120 "$node" "$suite" client --command "$command" --scenario "$scenario" 2>&1)
status=$?
echo "$out"
summary=$(printf '%s\n' "$out" | sed -n 's/.*Passed: \([0-9]*\)\/\([0-9]*\), \([0-9]*\) failed, \([0-9]*\) warnings.*/\1 \2 \3 \4/p' | tail -n 1)
if [ "$status" -ne 0 ] || [ -z "$summary" ]; then
  echo "conformance $scenario: suite exited $status without a result line"
  exit 1
fi
read -r passed total failed warnings <<<"$summary"
if [ "$total" -lt 1 ] || [ "$passed" -ne "$total" ] || [ "$failed" -ne 0 ] || [ "$warnings" -ne 0 ]; then
  echo "conformance $scenario: passed=$passed total=$total failed=$failed warnings=$warnings"
  exit 1
fi
echo "conformance $scenario: $passed/$total checks passed"
