#!/usr/bin/env bash
# Runs one client scenario of the official MCP conformance suite with client.sh (so
# `mcpwatch probe`) as the client under test, and judges it strictly: the suite exits 0 even when
# checks fail and prints "Passed: 0/0" when the client did nothing, so we require at least one
# check, and every FAILURE or WARNING to be listed in expected-failures.yaml (the suite's own
# format: a whole scenario, or scenario:check-id). A listed failure that no longer happens fails
# the test too, so the list only ever shrinks.
#   run_scenario.sh MCPWATCH_BINARY SPEC_VERSION|extensions SCENARIO
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tools="$here/../tools/node_modules"
export MCPWATCH=$(realpath "$1")
spec=$2
scenario=$3
node="$tools/.bin/node"
suite="$tools/@modelcontextprotocol/conformance/dist/index.js"
expected="$here/expected-failures.yaml"
[ -x "$node" ] || { echo "missing $node: run scripts/setup"; exit 1; }
[ -f "$suite" ] || { echo "missing $suite: run scripts/setup"; exit 1; }

# Extensions belong to no requirement set: run them at today's wire, which the suite only
# does when forced.
version_flags=(--spec-version "$spec")
[ "$spec" = extensions ] && version_flags=(--spec-version 2026-07-28 --force)
out=$(cd "$here" && timeout 170 "$node" "$suite" client --command "$here/client.sh" \
        --scenario "$scenario" "${version_flags[@]}" 2>&1)
status=$?
echo "$out"
summary=$(printf '%s\n' "$out" | sed -n 's/.*Passed: \([0-9]*\)\/\([0-9]*\), \([0-9]*\) failed, \([0-9]*\) warnings.*/\1 \2 \3 \4/p' | tail -n 1)
# The suite's exit status says only whether some check failed; the checks themselves decide.
if [ -z "$summary" ]; then
  echo "conformance $spec $scenario: suite exited $status without a result line"
  exit 1
fi
read -r passed total failed warnings <<<"$summary"
[ "$total" -ge 1 ] || { echo "conformance $spec $scenario: no check ran"; exit 1; }

# Entries of the client list: "  - scenario" or "  - scenario:check-id".
allowed=$(sed -n 's/^ *- *\([^ #]*\).*/\1/p' "$expected" 2>/dev/null | grep -E "^${scenario}(:|$)" || true)
bad=$(printf '%s\n' "$out" | sed 's/\x1b\[[0-9;]*m//g' |
        sed -n 's/.*\[\([A-Za-z0-9_.:-]*\) *\] *\(FAILURE\|WARNING\).*/\1/p' | sort -u)
unexpected=""
for id in $bad; do
  grep -qxF -e "$scenario" -e "$scenario:$id" <<<"$allowed" || unexpected+=" $id"
done
if [ -n "$unexpected" ]; then
  echo "conformance $spec $scenario: unexpected failures or warnings:$unexpected"
  exit 1
fi
for entry in $allowed; do
  id=${entry#"$scenario"}; id=${id#:}
  if [ -z "$id" ] && [ -z "$bad" ]; then
    echo "conformance $spec $scenario: passes now; remove it from expected-failures.yaml"
    exit 1
  fi
  if [ -n "$id" ] && ! grep -qxF "$id" <<<"$bad"; then
    echo "conformance $spec $scenario: $id passes now; remove it from expected-failures.yaml"
    exit 1
  fi
done
echo "conformance $spec $scenario: $passed/$total checks passed, $failed failed, $warnings warnings" \
     "${bad:+(all listed in expected-failures.yaml)}"
