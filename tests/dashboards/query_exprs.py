#!/usr/bin/env python3
"""Runs every dashboard and rule expression against a running Prometheus and reports what does
not hold. Python standard library only.

  query_exprs.py --prometheus http://127.0.0.1:9090 [--source dashboards] [--require-data]
                 [--var location=eu-1] [--var __rate_interval=30s] ...
                 [--dashboards DIR] [--rules FILE...]

Checks, one line per problem:
  ERROR     an expression does not evaluate (instant query): parse errors, many-to-many
            matching, duplicate label sets after aggregation;
  NO SERIES a vector selector inside an expression (metric name and matchers, recording-rule
            names included) matches no series: a metric or label the daemon does not export, a
            label value it never uses, a rule that records nothing;
  NO LABEL  a label named in a by/without/on/ignoring/group_left/group_right list is on none
            of the series the expression's selectors match (a grouping by a label that is not
            exported silently yields one empty-labelled group), or a Grafana
            `label_values(selector, label)` variable finds no series with the label;
  RULE      a rule the Prometheus has loaded failed its last evaluation (duplicate label sets
            after applying rule labels, for one, surface only there);
  EMPTY     (with --require-data) a dashboard expression or recording rule that is not a filter
            returns no data. Filters (a comparison without `bool` at the top level) and alert
            expressions may rightly be empty, so they only need to evaluate and match series.
Ends with "N expressions, M selectors checked, K problems". Only loopback Prometheus URLs are
accepted. Exit status 0 when there is no problem, 1 otherwise, 2 on usage errors.
"""

import argparse
import ipaddress
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import promql  # noqa: E402
import validate_dashboards  # noqa: E402

# Selectors that may match no series, as promql.selectors() prints them (after the --var
# substitutions), each with the reason a short run cannot produce its series. Nearly empty:
# the integration scenario (tests/integration/serve/dashboards_test.cc) creates every series
# the dashboards and rules read — a TLS target for probe_ssl_earliest_cert_expiry, a receiver
# and a closed port for delivered and failed notifications, a `location`, a baselined target —
# and the daemon pre-initialises its per-class, per-state and per-kind counters at 0. Add an
# entry only for a series that this scenario cannot create, and say why.
ALLOWED_WITHOUT_SERIES = {
    # Only an OAuth target whose authorization server states refresh_token_expires_in has it;
    # the scenario's fixtures have no authorization server (integ_serve "[oauth]" checks it
    # against the TypeScript SDK's auth router instead).
    "probe_mcp_auth_refresh_expiry_timestamp_seconds": "needs a signed-in OAuth target",
    # Set only once a rate_limit_check burst has concluded, an `every` (minutes) after start;
    # integ_serve "[rate_limit]" checks the gauge and McpRateLimiterNotEnforcing end to end.
    "probe_mcp_rate_limit_enforced": "needs a concluded rate_limit_check burst",
}

# Expression kinds whose result must not be empty with --require-data (unless a filter).
DATA_KINDS = ("panel", "annotation", "record")


def is_loopback(url):
    host = urllib.parse.urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Prometheus:
    """The HTTP API of one Prometheus. Each call returns (ok, data or error message)."""

    def __init__(self, base, timeout):
        self.base = base.rstrip("/")
        self.timeout = timeout

    def _call(self, path, fields, method="POST"):
        encoded = urllib.parse.urlencode(fields)
        if method == "GET":
            request = urllib.request.Request(f"{self.base}{path}?{encoded}")
        else:
            request = urllib.request.Request(self.base + path, data=encoded.encode())
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = json.load(response)
        except urllib.error.HTTPError as e:
            try:
                body = json.load(e)
            except ValueError:
                return False, f"HTTP {e.code} from {path}"
        except (urllib.error.URLError, OSError, ValueError) as e:
            return False, f"{path}: {e}"
        if body.get("status") != "success":
            return False, body.get("error", "unknown error")
        return True, body["data"]

    def query(self, expr):
        """(ok, number of results or error) of an instant query."""
        ok, data = self._call("/api/v1/query", {"query": expr})
        if not ok:
            return ok, data
        result = data["result"]
        return True, len(result) if isinstance(result, list) else 1

    def series(self, selector):
        """(ok, list of label sets or error) of the series matching `selector`."""
        return self._call("/api/v1/series", {"match[]": selector})

    def rules(self):
        """(ok, list of rule groups or error) of the rules this Prometheus evaluates."""
        ok, data = self._call("/api/v1/rules", {}, "GET")
        return (ok, data.get("groups", [])) if ok else (ok, data)

    def label_values(self, label):
        """(ok, list of values or error) of one label over all series."""
        return self._call(f"/api/v1/label/{urllib.parse.quote(label)}/values", {}, "GET")


class Report:
    def __init__(self):
        self.problems = 0

    def problem(self, line):
        self.problems += 1
        print(line)


def check_exprs(prom, exprs, require_data, report):
    """Evaluates each Expr; returns [(Expr, selectors, grouping labels)] of those it could
    tokenize."""
    reads = []
    for e in exprs:
        try:
            reads.append((e, promql.selectors(e.text), promql.grouping_labels(e.text)))
        except promql.PromqlError as error:
            report.problem(f"ERROR {e.where}: cannot tokenize: {error}")
        ok, detail = prom.query(e.text)
        if not ok:
            report.problem(f"ERROR {e.where}: {detail}: {e.text}")
        elif require_data and detail == 0 and e.kind in DATA_KINDS and not promql.is_filter(e.text):
            report.problem(f"EMPTY {e.where}: {e.text}")
    return reads


def check_selectors(prom, reads, report):
    """Looks up the series of every selector once; returns {selector: [label sets]}."""
    readers, found = {}, {}
    for e, selectors, _ in reads:
        for selector in selectors:
            readers.setdefault(selector, []).append(e.where)
    for selector, wheres in readers.items():
        ok, series = prom.series(selector)
        if not ok:
            report.problem(f"ERROR selector {selector}: {series}")
            continue
        found[selector] = series
        if not series and selector not in ALLOWED_WITHOUT_SERIES:
            report.problem(f"NO SERIES {selector} (read by {', '.join(sorted(set(wheres)))})")
    return found


def check_grouping(reads, found, report):
    """Every label an expression groups or matches on is on some series it reads. Selectors
    whose lookup failed, or that are allow-listed without series, make the check moot."""
    for e, selectors, labels in reads:
        if any(not found.get(s) for s in selectors):
            continue
        present = {name for s in selectors for labelset in found[s] for name in labelset}
        for name in labels:
            if name not in present:
                report.problem(f"NO LABEL {name} in a label list of {e.where}: no series it "
                               f"reads has it: {e.text}")


def check_rule_health(prom, report):
    """Reports every loaded rule whose last evaluation failed; returns how many are loaded."""
    ok, groups = prom.rules()
    if not ok:
        report.problem(f"ERROR /api/v1/rules: {groups}")
        return 0
    loaded = 0
    for group in groups:
        for rule in group.get("rules", []):
            loaded += 1
            if rule.get("health") == "err":
                report.problem(
                    f"RULE {group.get('name')} {rule.get('name')}: {rule.get('lastError')}"
                )
    return loaded


def check_variables(prom, variables, report):
    """Checks label_values() variable queries; returns how many selectors that checked."""
    checked = 0
    for v in variables:
        parsed = promql.label_values_query(v.text)
        if parsed is None:
            report.problem(f"ERROR {v.where}: unsupported variable query {v.text!r}")
            continue
        selector, label = parsed
        if selector is None:
            ok, found = prom.label_values(label)
        else:
            checked += 1
            ok, found = prom.series(selector)
            if ok:
                found = [labels for labels in found if labels.get(label)]
        if not ok:
            report.problem(f"ERROR {v.where}: {found}")
        elif not found:
            report.problem(f"NO LABEL {label} on {selector or 'any series'} ({v.where})")
    return checked


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--prometheus", required=True)
    parser.add_argument("--source", choices=("all", "dashboards", "rules"), default="all")
    parser.add_argument("--var", action="append", default=[])
    parser.add_argument("--require-data", action="store_true")
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--dashboards", help="dashboard directory (default: dashboards/)")
    parser.add_argument("--rules", nargs="*", help="rule files (default: alerts/prometheus/)")
    args = parser.parse_args(argv)
    if not is_loopback(args.prometheus):
        parser.error("only a loopback Prometheus (127.0.0.1, ::1, localhost) is allowed")

    list_args = ["--source", args.source]
    for item in args.var:
        list_args += ["--var", item]
    if args.dashboards:
        list_args += ["--dashboards", args.dashboards]
    if args.rules is not None:
        list_args += ["--rules", *args.rules]
    loaded = validate_dashboards.load(validate_dashboards.parse_args(list_args))
    if loaded.findings.errors:
        for error in loaded.findings.errors:
            print(f"INVALID {error}")
        print(f"{len(loaded.findings.errors)} problem(s) in the dashboards or rules; not queried")
        return 1

    prom = Prometheus(args.prometheus, args.timeout)
    report = Report()
    reads = check_exprs(prom, loaded.exprs, args.require_data, report)
    found = check_selectors(prom, reads, report)
    check_grouping(reads, found, report)
    check_rule_health(prom, report)
    checked = len({selector for _, read, _ in reads for selector in read})
    if args.source in ("all", "dashboards"):
        checked += check_variables(prom, loaded.variables, report)
    print(f"{len(loaded.exprs)} expressions, {checked} selectors checked, "
          f"{report.problems} problems")
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
