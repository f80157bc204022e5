#!/usr/bin/env bash
# kill -9 at random moments of heavy writing, ITERATIONS times, against one database.
#
#   bench/kill9_loop.sh BUILD_DIR [ITERATIONS=100] [TARGETS=200] [INTERVAL_MS=250]
#
# Each iteration starts `mcpwatch serve` on the same database with TARGETS targets of one
# mcp_fixture probed every INTERVAL_MS (about TARGETS * 1000 / INTERVAL_MS runs committed per
# second), waits for /readyz, lets it write for a random 0.5-4 s, reads what the daemon reports
# committed (mcpwatch_store_rows_written_total, which lags its commits by up to a second, so it
# is a lower bound) and SIGKILLs it at once. Then, with the daemon dead:
#   - PRAGMA integrity_check must answer ok;
#   - count(runs) must be at least the count before the iteration plus what was reported;
#   - count(runs) must equal sum(run_counts.total) (they commit in the same transactions);
# and the next iteration's start must accept the file (quick_check after an unclean stop).
# Prints one line per iteration and a summary; exit status 0 only when every check passed.
# Needs curl and the sqlite3 shell. Not part of scripts/test: results go in docs/durability.md.
set -uo pipefail

build="${1:?usage: bench/kill9_loop.sh BUILD_DIR [ITERATIONS] [TARGETS] [INTERVAL_MS]}"
iterations="${2:-100}"
targets="${3:-200}"
interval_ms="${4:-250}"
mcpwatch="${build}/app/mcpwatch"
fixture="${build}/tests/fixtures/mcp_fixture"
for tool in curl sqlite3 "${mcpwatch}" "${fixture}"; do
  command -v "${tool}" >/dev/null 2>&1 || { echo "missing: ${tool}" >&2; exit 2; }
done

work="$(mktemp -d)"
fixture_pid=""
daemon_pid=""
cleanup() {
  [[ -n "${daemon_pid}" ]] && kill -9 "${daemon_pid}" 2>/dev/null
  [[ -n "${fixture_pid}" ]] && kill "${fixture_pid}" 2>/dev/null
  wait 2>/dev/null
  rm -rf "${work}"
}
trap cleanup EXIT

"${fixture}" --port 0 >"${work}/fixture.out" 2>"${work}/fixture.err" &
fixture_pid=$!
for _ in $(seq 100); do
  fixture_port="$(sed -n 's/^LISTENING \([0-9]*\).*/\1/p' "${work}/fixture.out")"
  [[ -n "${fixture_port}" ]] && break
  sleep 0.1
done
[[ -n "${fixture_port}" ]] || { echo "mcp_fixture did not listen" >&2; exit 2; }

# A free loopback port for the daemon: bind to 0, read it back, release it.
daemon_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
db="${work}/history.db"
config="${work}/mcpwatch.yaml"
timeout_ms=$((interval_ms * 4 / 5))
{
  echo "listen: 127.0.0.1:${daemon_port}"
  echo "database: ${db}"
  echo "defaults: {interval: ${interval_ms}ms, timeout: ${timeout_ms}ms}"
  echo "targets:"
  for i in $(seq -w 1 "${targets}"); do
    echo "  - name: t${i}"
    echo "    url: http://127.0.0.1:${fixture_port}/mcp"
  done
} >"${config}"

count_runs() { sqlite3 -cmd '.timeout 5000' "${db}" 'SELECT count(*) FROM runs' 2>/dev/null || echo 0; }
sum_counts() { sqlite3 -cmd '.timeout 5000' "${db}" 'SELECT coalesce(sum(total),0) FROM run_counts'; }

failures=0
total_reported=0
total_unreported=0
before=0
started_at=$(date +%s)
echo "kill -9 loop: ${iterations} iterations, ${targets} targets every ${interval_ms} ms, database ${db}"
for it in $(seq 1 "${iterations}"); do
  "${mcpwatch}" serve --config "${config}" >"${work}/daemon.out" 2>&1 &
  daemon_pid=$!
  ready=""
  for _ in $(seq 300); do
    if curl -fs -o /dev/null "http://127.0.0.1:${daemon_port}/readyz"; then ready=1; break; fi
    kill -0 "${daemon_pid}" 2>/dev/null || break
    sleep 0.05
  done
  if [[ -z "${ready}" ]]; then
    echo "iteration ${it}: the daemon did not become ready:" >&2
    tail -5 "${work}/daemon.out" >&2
    failures=$((failures + 1))
    break
  fi
  delay_ms=$(shuf -i 500-4000 -n 1)
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  reported="$(curl -fs "http://127.0.0.1:${daemon_port}/metrics" |
    awk '$1 == "mcpwatch_store_rows_written_total" { printf "%d", $2 }')"
  kill -9 "${daemon_pid}"
  wait "${daemon_pid}" 2>/dev/null
  daemon_pid=""
  reported="${reported:-0}"

  integrity="$(sqlite3 "${db}" 'PRAGMA integrity_check' 2>&1 | tr '\n' ' ' | sed 's/ $//')"
  after="$(count_runs)"
  counts="$(sum_counts)"
  unreported=$((after - before - reported))
  status="ok"
  if [[ "${integrity}" != "ok" ]]; then status="INTEGRITY: ${integrity}"; fi
  if ((unreported < 0)); then status="LOST $((-unreported)) reported runs"; fi
  if ((counts != after)); then status="run_counts ${counts} != runs ${after}"; fi
  if [[ "${status}" != "ok" ]]; then
    failures=$((failures + 1))
    tail -5 "${work}/daemon.out" >&2
  fi
  printf 'iteration %3d: killed after %4d ms, reported %5d, stored %6d (+%d not yet reported), runs %7d: %s\n' \
    "${it}" "${delay_ms}" "${reported}" $((after - before)) "${unreported}" "${after}" "${status}"
  total_reported=$((total_reported + reported))
  total_unreported=$((total_unreported + (unreported > 0 ? unreported : 0)))
  before="${after}"
done

elapsed=$(($(date +%s) - started_at))
echo "summary: ${iterations} iterations in ${elapsed} s, ${before} runs stored, ${total_reported}" \
  "reported committed before a kill, ${total_unreported} stored but not yet reported," \
  "${failures} failed iterations, database $(du -h "${db}" | cut -f1)"
((failures == 0))
