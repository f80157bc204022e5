#!/usr/bin/env python3
"""Validates the Grafana dashboards and extracts every PromQL expression they and the rule files
hold. Python standard library only.

  validate_dashboards.py                 check dashboards/*.json and dashboards/provisioning/*.yml
  validate_dashboards.py --emit-rules F  also write F: one recording rule per expression, with
                                         Grafana variables replaced, for `promtool check rules F`
  validate_dashboards.py --list-exprs    print every expression on one line, substituted
      [--source all|dashboards|rules]    which expressions (default all)
      [--var NAME=VALUE]...              override a substitution, e.g. --var target=shop
                                         --var __rate_interval=30s

Exit status: 0 when everything is valid, 1 on findings (each printed with its file), 2 on usage.
"""

import argparse
import collections
import json
import os
import re
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import metrics_contract  # noqa: E402
import mini_yaml  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MIN_SCHEMA_VERSION = 36
GRID_COLUMNS = 24
PANELS_WITHOUT_QUERIES = {"row", "text", "news", "dashlist", "alertlist"}
GRAFANA_BUILTIN_DS_UIDS = {"-- Grafana --", "grafana"}

# Values for Grafana's built-in variables and for our multi-value label variables. Regex values,
# because every label matcher on a variable must be =~ (multi-value and "All" produce regexes).
DEFAULT_SUBSTITUTIONS = {
    "__rate_interval": "1m",
    "__interval": "1m",
    "__interval_ms": "60000",
    "__range": "1h",
    "__range_s": "3600",
    "__range_ms": "3600000",
}
DEFAULT_VARIABLE_VALUE = ".*"

_VAR_REF = re.compile(r"\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)(?::[^\]]*)?\]\]")
_EQ_MATCHER_ON_VAR = re.compile(r'\b\w+\s*(?:=|!=)\s*"[^"]*\$')
_DS_VAR = re.compile(r"^\$\{?(\w+)\}?$")


# One expression: where it comes from, what holds it (panel, annotation, record, alert) and its
# text. For Grafana variables the kind is "variable" and the text the variable's query.
Expr = collections.namedtuple("Expr", "where kind text")


class Findings:
    def __init__(self):
        self.errors = []

    def add(self, where, message):
        self.errors.append(f"{where}: {message}")


# ---------------------------------------------------------------------------------------------
# Dashboards


def iter_panels(panels):
    """Panels in document order, descending into collapsed rows."""
    for panel in panels:
        yield panel
        yield from iter_panels(panel.get("panels", []) if panel.get("type") == "row" else [])


def _check_datasource(ref, datasource_vars, where, findings, allow_builtin=False):
    if not isinstance(ref, dict) or not isinstance(ref.get("uid"), str):
        findings.add(where, "datasource must be an object with a uid")
        return
    uid = ref["uid"]
    if allow_builtin and uid in GRAFANA_BUILTIN_DS_UIDS:
        return
    match = _DS_VAR.match(uid)
    if not match or match.group(1) not in datasource_vars:
        findings.add(where, f"datasource uid {uid!r} is not a datasource variable")


def _check_variables_used(text, variables, where, findings):
    for groups in _VAR_REF.findall(text):
        name = next(g for g in groups if g)
        if name not in variables and name not in DEFAULT_SUBSTITUTIONS:
            findings.add(where, f"undefined variable ${name}")
    if _EQ_MATCHER_ON_VAR.search(text):
        findings.add(where, "label matcher on a variable must use =~ (multi-value safe)")


def _check_expr(expr, where, findings, variables):
    _check_variables_used(expr, variables, where, findings)
    for error in metrics_contract.unknown_metric_errors(expr):
        findings.add(where, error + " (dashboards use exported metrics only)")
    for error in metrics_contract.closed_label_errors(expr):
        findings.add(where, error)


def _check_templating(dash, name, findings):
    """Returns (all variable names, datasource variable names)."""
    variables = dash.get("templating", {}).get("list")
    if not isinstance(variables, list):
        findings.add(name, "templating.list missing")
        return set(), set()
    names = [v.get("name") for v in variables]
    for dup in {n for n in names if names.count(n) > 1}:
        findings.add(name, f"templating variable {dup!r} defined twice")
    datasource_vars = {
        v["name"] for v in variables if v.get("type") == "datasource" and v.get("name")
    }
    if not any(
        v.get("query") == "prometheus" for v in variables if v.get("type") == "datasource"
    ):
        findings.add(name, "no datasource variable of type prometheus")
    by_name = {v.get("name"): v for v in variables}
    target = by_name.get("target")
    if not target or "label_values(probe_success, target)" not in _query_text(target):
        findings.add(name, "templating variable 'target' from label_values(probe_success, target)")
    for v in variables:
        where = f"{name}: variable {v.get('name')!r}"
        if v.get("type") == "query":
            _check_datasource(v.get("datasource"), datasource_vars, where, findings)
            _check_variables_used(_query_text(v), set(names), where, findings)
    return set(names), datasource_vars


def _query_text(variable):
    query = variable.get("query", "")
    return query.get("query", "") if isinstance(query, dict) else str(query)


def _check_grid(panels, name, findings):
    placed = []
    for panel in panels:
        where = f"{name}: panel {panel.get('id')} {panel.get('title')!r}"
        grid = panel.get("gridPos")
        keys = ("x", "y", "w", "h")
        if not isinstance(grid, dict) or not all(isinstance(grid.get(k), int) for k in keys):
            findings.add(where, "gridPos needs integer x, y, w, h")
            continue
        x, y, w, h = (grid[k] for k in keys)
        if x < 0 or y < 0 or w < 1 or h < 1 or x + w > GRID_COLUMNS:
            findings.add(where, f"gridPos {grid} outside the {GRID_COLUMNS}-column grid")
            continue
        for other_where, (ox, oy, ow, oh) in placed:
            if x < ox + ow and ox < x + w and y < oy + oh and oy < y + h:
                findings.add(where, f"overlaps {other_where.split(': ', 1)[1]}")
        placed.append((where, (x, y, w, h)))


def check_dashboard(dash, name, findings):
    """Structural checks of one dashboard; returns the Exprs of its panels and annotations."""
    exprs = []
    if not isinstance(dash, dict):
        findings.add(name, "top level must be an object")
        return exprs
    for key, kind in (("uid", str), ("title", str), ("panels", list), ("time", dict)):
        if not isinstance(dash.get(key), kind) or not dash.get(key):
            findings.add(name, f"missing or empty {key!r}")
    if isinstance(dash.get("uid"), str) and len(dash["uid"]) > 40:
        findings.add(name, "uid longer than 40 characters")
    schema = dash.get("schemaVersion")
    if not isinstance(schema, int) or schema < MIN_SCHEMA_VERSION:
        findings.add(name, f"schemaVersion must be an integer >= {MIN_SCHEMA_VERSION}")
    if "id" in dash and dash["id"] is not None:
        findings.add(name, "dashboard id must be null or absent (Grafana assigns it)")
    variables, datasource_vars = _check_templating(dash, name, findings)

    panels = list(iter_panels(dash.get("panels") or []))
    ids = [p.get("id") for p in panels]
    for dup in {i for i in ids if ids.count(i) > 1}:
        findings.add(name, f"panel id {dup} used twice")
    # Overlap is checked among top-level panels; a collapsed row's panels keep expanded positions.
    _check_grid(dash.get("panels") or [], name, findings)
    for panel in panels:
        where = f"{name}: panel {panel.get('id')} {panel.get('title')!r}"
        if not isinstance(panel.get("id"), int):
            findings.add(where, "panel id must be an integer")
        if not panel.get("type") or not panel.get("title"):
            findings.add(where, "panel needs a type and a title")
        if panel.get("type") in PANELS_WITHOUT_QUERIES:
            continue
        _check_datasource(panel.get("datasource"), datasource_vars, where, findings)
        targets = panel.get("targets")
        if not isinstance(targets, list) or not targets:
            findings.add(where, "no targets")
            continue
        ref_ids = [t.get("refId") for t in targets]
        if len(set(ref_ids)) != len(ref_ids) or not all(ref_ids):
            findings.add(where, "targets need unique, non-empty refIds")
        for target in targets:
            twhere = f"{where} refId {target.get('refId')}"
            expr = target.get("expr")
            if not isinstance(expr, str) or not expr.strip():
                findings.add(twhere, "target without expr")
                continue
            if "datasource" in target:
                _check_datasource(target["datasource"], datasource_vars, twhere, findings)
            _check_expr(expr, twhere, findings, variables)
            where_id = f"{dash.get('uid')}/{panel.get('id')}/{target.get('refId')}"
            exprs.append(Expr(where_id, "panel", expr))

    for index, annotation in enumerate(dash.get("annotations", {}).get("list", [])):
        where = f"{name}: annotation {annotation.get('name')!r}"
        builtin = annotation.get("builtIn") == 1
        _check_datasource(
            annotation.get("datasource"), datasource_vars, where, findings, allow_builtin=builtin
        )
        if builtin:
            continue
        expr = annotation.get("expr")
        if not isinstance(expr, str) or not expr.strip():
            findings.add(where, "annotation without expr")
            continue
        _check_expr(expr, where, findings, variables)
        exprs.append(Expr(f"{dash.get('uid')}/annotation{index}", "annotation", expr))
    return exprs


def variable_queries(dash):
    """Exprs of the dashboard's query variables (e.g. `label_values(probe_success, target)`)."""
    out = []
    for v in (dash.get("templating") or {}).get("list") or []:
        if v.get("type") == "query" and _query_text(v).strip():
            where = f"{dash.get('uid')}/variable {v.get('name')}"
            out.append(Expr(where, "variable", _query_text(v)))
    return out


def check_dashboards(paths, findings, variables=None):
    """Exprs of every dashboard; with a `variables` list, also appends their variable queries."""
    exprs, seen_uids, seen_titles = [], {}, {}
    for path in paths:
        name = os.path.relpath(path, REPO)
        try:
            with open(path, encoding="utf-8") as f:
                dash = json.load(f)
        except (OSError, ValueError) as e:
            findings.add(name, f"not valid JSON: {e}")
            continue
        exprs.extend(check_dashboard(dash, name, findings))
        if isinstance(dash, dict):
            if variables is not None:
                variables.extend(variable_queries(dash))
            for key, seen in (("uid", seen_uids), ("title", seen_titles)):
                value = dash.get(key)
                if value in seen:
                    findings.add(name, f"{key} {value!r} also used by {seen[value]}")
                seen[value] = name
    return exprs


# ---------------------------------------------------------------------------------------------
# Provisioning


def check_provisioning(directory, findings):
    dash_file = os.path.join(directory, "dashboards.yml")
    ds_file = os.path.join(directory, "datasources.yml")
    for path, list_key, required in (
        (dash_file, "providers", ("name", "type", "options")),
        (ds_file, "datasources", ("name", "type", "url", "uid")),
    ):
        name = os.path.relpath(path, REPO)
        try:
            doc = mini_yaml.load_file(path)
        except (OSError, mini_yaml.YamlError) as e:
            findings.add(name, str(e))
            continue
        if not isinstance(doc, dict) or doc.get("apiVersion") != "1":
            findings.add(name, "apiVersion: 1 required")
            continue
        items = doc.get(list_key)
        if not isinstance(items, list) or not items:
            findings.add(name, f"{list_key} list missing")
            continue
        for item in items:
            missing = [k for k in required if not item.get(k)]
            if missing:
                findings.add(name, f"{list_key} entry {item.get('name')!r} lacks {missing}")
            if list_key == "providers" and not (item.get("options") or {}).get("path"):
                findings.add(name, f"provider {item.get('name')!r} lacks options.path")
            if list_key == "datasources" and item.get("type") != "prometheus":
                findings.add(name, f"datasource {item.get('name')!r} is not prometheus")


# ---------------------------------------------------------------------------------------------
# Rules and expression extraction


def rule_exprs(paths):
    """Exprs (kind "record" or "alert") of every rule in the rule files; raises YamlError."""
    out = []
    for path in paths:
        doc = mini_yaml.load_file(path)
        name = os.path.relpath(path, REPO)
        for group in (doc or {}).get("groups") or []:
            for index, rule in enumerate(group.get("rules") or []):
                label = rule.get("record") or rule.get("alert")
                where = f"{name}: {group.get('name')}[{index}] {label}"
                kind = "record" if rule.get("record") else "alert"
                out.append(Expr(where, kind, rule.get("expr") or ""))
    return out


def substitute(expr, values):
    """Replaces Grafana variables; unknown ones get DEFAULT_VARIABLE_VALUE."""

    def repl(match):
        name = next(g for g in match.groups() if g)
        return values.get(name, DEFAULT_VARIABLE_VALUE)

    return _VAR_REF.sub(repl, expr)


def one_line(expr):
    """The expression on one line: PromQL `#` comments dropped, whitespace collapsed."""
    lines = []
    for line in expr.split("\n"):
        stripped = re.sub(r'"(?:[^"\\]|\\.)*"', lambda m: "x" * len(m.group(0)), line)
        cut = stripped.find("#")
        lines.append(line[:cut] if cut >= 0 else line)
    return re.sub(r"\s+", " ", " ".join(lines)).strip()


def record_name(where, index):
    source = re.sub(r"[^A-Za-z0-9_]", "_", where.split(": ")[0])[:80]
    return f"mcpwatch_check:{source}_{index}"


def emit_rules(exprs, path):
    """Writes one recording rule per expression. JSON is valid YAML, so promtool reads it."""
    rules = [{"record": record_name(e.where, i), "expr": e.text} for i, e in enumerate(exprs)]
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"groups": [{"name": "mcpwatch_check_exprs", "rules": rules}]}, f, indent=1)
        f.write("\n")


# ---------------------------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dashboards", default=os.path.join(REPO, "dashboards"))
    parser.add_argument(
        "--rules",
        nargs="*",
        default=None,
        help="rule files (default: alerts/prometheus/*.rules.yml)",
    )
    parser.add_argument("--emit-rules", metavar="FILE")
    parser.add_argument("--list-exprs", action="store_true")
    parser.add_argument("--source", choices=("all", "dashboards", "rules"), default="all")
    parser.add_argument("--var", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    if args.rules is None:
        prom = os.path.join(REPO, "alerts", "prometheus")
        args.rules = sorted(
            os.path.join(prom, f) for f in os.listdir(prom) if f.endswith(".rules.yml")
        )
    values = dict(DEFAULT_SUBSTITUTIONS)
    for item in args.var:
        if "=" not in item:
            parser.error(f"--var expects NAME=VALUE, got {item!r}")
        key, value = item.split("=", 1)
        values[key.lstrip("$")] = value
    args.values = values
    return args


Loaded = collections.namedtuple("Loaded", "findings dashboards dash_exprs rules exprs variables")


def load(args):
    """Validates everything and returns a Loaded: the findings, the dashboard paths, the
    dashboard and rule Exprs as written, the ones --source selects (Grafana variables
    substituted, one line each) and the dashboards' variable queries (substituted too)."""
    findings = Findings()
    paths = sorted(
        os.path.join(args.dashboards, f)
        for f in os.listdir(args.dashboards)
        if f.endswith(".json")
    )
    if not paths:
        findings.add(os.path.relpath(args.dashboards, REPO), "no dashboards found")
    variables = []
    dash_exprs = check_dashboards(paths, findings, variables)
    check_provisioning(os.path.join(args.dashboards, "provisioning"), findings)
    try:
        rules = rule_exprs(args.rules)
    except (OSError, mini_yaml.YamlError) as e:
        findings.add("rules", str(e))
        rules = []

    selected = []
    if args.source in ("all", "dashboards"):
        selected += dash_exprs
    if args.source in ("all", "rules"):
        selected += rules
    substituted = [e._replace(text=one_line(substitute(e.text, args.values))) for e in selected]
    for e in substituted:
        if "$" in e.text:
            findings.add(e.where, f"unsubstituted variable left in {e.text!r}")
    variables = [e._replace(text=one_line(substitute(e.text, args.values))) for e in variables]
    return Loaded(findings, paths, dash_exprs, rules, substituted, variables)


def main(argv):
    args = parse_args(argv)
    loaded = load(args)
    errors = loaded.findings.errors
    if errors:
        for error in errors:
            print(error, file=sys.stderr)
        print(f"{len(errors)} problem(s) found", file=sys.stderr)
        return 1
    if args.list_exprs:
        for e in loaded.exprs:
            print(e.text)
        return 0
    if args.emit_rules:
        emit_rules(loaded.exprs, args.emit_rules)
    print(
        f"{len(loaded.dashboards)} dashboards valid; {len(loaded.dash_exprs)} dashboard and "
        f"{len(loaded.rules)} rule expressions extracted"
        + (f" to {args.emit_rules}" if args.emit_rules else "")
    )
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `--list-exprs | head` ends quietly
    sys.exit(main(sys.argv[1:]))
