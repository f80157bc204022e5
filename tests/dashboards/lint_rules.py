#!/usr/bin/env python3
"""Checks the Prometheus rule files against the conventions promtool does not know about.

  lint_rules.py [--rules FILE...] [--tests FILE...] [--docs docs/alerts.md]

- monitoring-mixins style: alert names CamelCase starting with `Mcp`; recording rules named
  level:metric:operations; `severity` is critical, warning or info; a static `summary` that is a
  sentence ending with a period (it may start with the lower-case product name); a templated
  `description`; `runbook_url` pointing at the docs/alerts.md anchor of the alert, and that
  heading exists;
- templates only use $labels that the expression can produce (a rule's own static labels are not
  in $labels);
- every metric is exported by the daemon or recorded by a rule, closed label values are valid;
- every alert (and every severity of it) has a firing test case, and every alert a non-firing one.

Python standard library only. Exit status 0 when clean, 1 with findings.
"""

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import metrics_contract  # noqa: E402
import mini_yaml  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RUNBOOK_BASE = "https://github.com/mcpwatch/mcpwatch/blob/main/docs/alerts.md#"
SEVERITIES = {"critical", "warning", "info"}
_ALERT_NAME = re.compile(r"Mcp[A-Z][A-Za-z0-9]*")
_RECORD_NAME = re.compile(r"[a-z_]+:[a-z0-9_]+:[a-z0-9_]+")
_LABEL_REF = re.compile(r"\$labels\.(\w+)")


def github_anchor(heading):
    """The anchor GitHub generates for a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def doc_anchors(path):
    anchors = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            match = re.match(r"#{1,6}\s+(.*)", line)
            if match:
                anchors.add(github_anchor(match.group(1)))
    return anchors


def lint_rules(doc, source, anchors):
    """Findings for one parsed rule file; returns (findings, {alert: set(severities)})."""
    findings, alerts = [], {}
    groups = (doc or {}).get("groups")
    if not isinstance(groups, list) or not groups:
        return [f"{source}: no groups"], alerts
    recorded = {
        r.get("record") for g in groups for r in (g.get("rules") or []) if r.get("record")
    }
    group_names = [g.get("name") for g in groups]
    for dup in {n for n in group_names if group_names.count(n) > 1}:
        findings.append(f"{source}: group {dup!r} defined twice")
    for group in groups:
        for index, rule in enumerate(group.get("rules") or []):
            name = rule.get("alert") or rule.get("record")
            where = f"{source}: {group.get('name')}[{index}] {name}"
            if bool(rule.get("alert")) == bool(rule.get("record")):
                findings.append(f"{where}: needs exactly one of alert/record")
                continue
            expr = rule.get("expr") or ""
            if not expr.strip():
                findings.append(f"{where}: empty expr")
            errors = metrics_contract.unknown_metric_errors(expr, recorded)
            errors += metrics_contract.closed_label_errors(expr)
            findings += [f"{where}: {e}" for e in errors]
            if rule.get("record"):
                if not _RECORD_NAME.fullmatch(name):
                    findings.append(f"{where}: record name is not level:metric:operations")
                continue
            findings += [f"{where}: {e}" for e in _lint_alert(rule, anchors)]
            severity = (rule.get("labels") or {}).get("severity")
            alerts.setdefault(name, set()).add(severity)
    return findings, alerts


def _lint_alert(rule, anchors):
    errors = []
    name = rule["alert"]
    if not _ALERT_NAME.fullmatch(name):
        errors.append("alert name must be CamelCase starting with Mcp")
    if rule.get("for") is not None and not mini_yaml.is_duration(rule["for"]):
        errors.append(f"for: {rule['for']!r} is not a duration")
    labels = rule.get("labels") or {}
    if labels.get("severity") not in SEVERITIES:
        errors.append(f"severity must be one of {sorted(SEVERITIES)}")
    annotations = rule.get("annotations") or {}
    summary = annotations.get("summary") or ""
    sentence = summary[:1].isupper() or summary.startswith("mcpwatch ")
    if not sentence or not summary.endswith(".") or "{{" in summary:
        errors.append("summary must be a static sentence ending with a period")
    description = annotations.get("description") or ""
    if "{{" not in description:
        errors.append("description must be templated")
    expected = RUNBOOK_BASE + name.lower()
    if annotations.get("runbook_url") != expected:
        errors.append(f"runbook_url must be {expected}")
    if name.lower() not in anchors:
        errors.append(f"docs/alerts.md has no heading for {name}")
    for template in annotations.values():
        for label in _LABEL_REF.findall(template or ""):
            if label in labels:
                errors.append(
                    f"$labels.{label} is a static rule label, not in $labels when templating"
                )
    return errors


def lint_tests(doc, source, alerts):
    """Findings for missing firing / non-firing test cases."""
    firing, quiet = {}, set()
    for test in (doc or {}).get("tests") or []:
        for case in test.get("alert_rule_test") or []:
            name = case.get("alertname")
            expected = case.get("exp_alerts") or []
            if not expected:
                quiet.add(name)
            for alert in expected:
                severity = (alert.get("exp_labels") or {}).get("severity")
                firing.setdefault(name, set()).add(severity)
    findings = []
    for name, severities in sorted(alerts.items()):
        for severity in sorted(s for s in severities if s not in firing.get(name, set())):
            findings.append(f"{source}: no firing test for {name} with severity {severity}")
        if name not in quiet:
            findings.append(f"{source}: no non-firing test (exp_alerts: []) for {name}")
    for name in sorted(set(firing) | quiet):
        if name not in alerts:
            findings.append(f"{source}: tests alert {name!r} that no rule defines")
    return findings


def main(argv):
    prom = os.path.join(REPO, "alerts", "prometheus")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rules", nargs="*")
    parser.add_argument("--tests", nargs="*")
    parser.add_argument("--docs", default=os.path.join(REPO, "docs", "alerts.md"))
    args = parser.parse_args(argv)
    listing = sorted(os.listdir(prom))
    rules = args.rules or [os.path.join(prom, f) for f in listing if f.endswith(".rules.yml")]
    tests = args.tests or [
        os.path.join(prom, f) for f in listing if "test" in f and f.endswith(".yml")
    ]

    findings, alerts = [], {}
    try:
        anchors = doc_anchors(args.docs)
    except OSError as e:
        findings.append(f"{args.docs}: {e}")
        anchors = set()
    for path in rules:
        try:
            doc = mini_yaml.load_file(path)
        except (OSError, mini_yaml.YamlError) as e:
            findings.append(f"{path}: {e}")
            continue
        file_findings, file_alerts = lint_rules(doc, os.path.relpath(path, REPO), anchors)
        findings += file_findings
        for name, severities in file_alerts.items():
            alerts.setdefault(name, set()).update(severities)
    test_docs = []
    for path in tests:
        try:
            test_docs.append(mini_yaml.load_file(path))
        except (OSError, mini_yaml.YamlError) as e:
            findings.append(f"{path}: {e}")
    merged = {"tests": [t for d in test_docs for t in (d or {}).get("tests") or []]}
    findings += lint_tests(merged, "alert tests", alerts)

    for finding in findings:
        print(finding, file=sys.stderr)
    if findings:
        print(f"{len(findings)} problem(s) found", file=sys.stderr)
        return 1
    print(f"{len(alerts)} alerts in {len(rules)} rule file(s) follow the conventions, are tested")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
