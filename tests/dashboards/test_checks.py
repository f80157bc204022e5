"""Unit tests for the rule and dashboard checkers: each check must catch the mistake it is for.

Run: python3 -m unittest discover -s tests/dashboards -p 'test_*.py'
"""

import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import lint_rules  # noqa: E402
import metrics_contract  # noqa: E402
import mini_yaml  # noqa: E402
import validate_dashboards as vd  # noqa: E402

DS = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}


def minimal_dashboard():
    return {
        "uid": "t-1",
        "title": "T",
        "schemaVersion": 39,
        "time": {"from": "now-6h", "to": "now"},
        "templating": {
            "list": [
                {"name": "DS_PROMETHEUS", "type": "datasource", "query": "prometheus"},
                {
                    "name": "target",
                    "type": "query",
                    "datasource": DS,
                    "query": "label_values(probe_success, target)",
                },
            ]
        },
        "annotations": {"list": []},
        "panels": [
            {
                "id": 1,
                "type": "timeseries",
                "title": "Success",
                "datasource": DS,
                "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
                "targets": [{"refId": "A", "expr": 'probe_success{target=~"$target"}'}],
            },
            {
                "id": 2,
                "type": "timeseries",
                "title": "Runs",
                "datasource": DS,
                "gridPos": {"x": 12, "y": 0, "w": 12, "h": 8},
                "targets": [
                    {
                        "refId": "A",
                        "expr": 'sum by (class) (rate(probe_mcp_runs_total{class!="ok", '
                        'target=~"$target"}[$__rate_interval]))',
                    }
                ],
            },
        ],
    }


def dashboard_errors(dash):
    findings = vd.Findings()
    vd.check_dashboard(dash, "d.json", findings)
    return findings.errors


class MiniYamlTest(unittest.TestCase):
    def test_reads_the_constructs_the_rule_files_use(self):
        doc = mini_yaml.load(
            "groups:\n"
            "  - name: g  # comment\n"
            "    rules:\n"
            "      - alert: A\n"
            "        expr: |\n"
            "          up\n"
            "          == 0\n"
            "        labels: {severity: critical}\n"
            "        annotations:\n"
            "          description: >-\n"
            "            two\n"
            "            lines\n"
            "          summary: 'It''s down.'\n"
            "      - record: a:b:c\n"
            '        expr: "vector(1)"\n'
            "    empty: []\n"
        )
        rules = doc["groups"][0]["rules"]
        self.assertEqual(rules[0]["expr"], "up\n== 0\n")
        self.assertEqual(rules[0]["labels"], {"severity": "critical"})
        self.assertEqual(rules[0]["annotations"]["description"], "two lines")
        self.assertEqual(rules[0]["annotations"]["summary"], "It's down.")
        self.assertEqual(rules[1], {"record": "a:b:c", "expr": "vector(1)"})
        self.assertEqual(doc["groups"][0]["empty"], [])

    def test_rejects_what_it_does_not_understand(self):
        for text in ("a: 1\na: 2\n", "a:\n\tb: 1\n", "a: &anchor 1\n", "a: 1\n   b: 2\n"):
            with self.subTest(text=text), self.assertRaises(mini_yaml.YamlError):
                mini_yaml.load(text)

    def test_duration(self):
        self.assertTrue(mini_yaml.is_duration("1h30m"))
        self.assertFalse(mini_yaml.is_duration("5 minutes"))


class DashboardCheckTest(unittest.TestCase):
    def test_minimal_dashboard_is_valid(self):
        self.assertEqual(dashboard_errors(minimal_dashboard()), [])

    def assert_error(self, dash, fragment):
        errors = dashboard_errors(dash)
        self.assertTrue(any(fragment in e for e in errors), f"{fragment!r} not in {errors}")

    def test_duplicate_panel_id(self):
        dash = minimal_dashboard()
        dash["panels"][1]["id"] = 1
        self.assert_error(dash, "panel id 1 used twice")

    def test_overlapping_panels(self):
        dash = minimal_dashboard()
        dash["panels"][1]["gridPos"]["x"] = 6
        self.assert_error(dash, "overlaps")

    def test_panel_wider_than_grid(self):
        dash = minimal_dashboard()
        dash["panels"][1]["gridPos"]["w"] = 13
        self.assert_error(dash, "outside the 24-column grid")

    def test_datasource_must_be_a_variable(self):
        dash = minimal_dashboard()
        dash["panels"][0]["datasource"] = {"type": "prometheus", "uid": "P1809F7CD0C75ACF3"}
        self.assert_error(dash, "is not a datasource variable")

    def test_undefined_variable(self):
        dash = minimal_dashboard()
        dash["panels"][0]["targets"][0]["expr"] = 'probe_success{target=~"$tgt"}'
        self.assert_error(dash, "undefined variable $tgt")

    def test_equality_matcher_on_variable(self):
        dash = minimal_dashboard()
        dash["panels"][0]["targets"][0]["expr"] = 'probe_success{target="$target"}'
        self.assert_error(dash, "must use =~")

    def test_unknown_metric_and_label_value(self):
        dash = minimal_dashboard()
        dash["panels"][1]["targets"][0]["expr"] = 'probe_mcp_run_total{class="tool_errors"}'
        self.assert_error(dash, "unknown metric 'probe_mcp_run_total'")
        self.assert_error(dash, "'tool_errors' is not a class value")

    def test_recording_rules_are_not_for_dashboards(self):
        dash = minimal_dashboard()
        dash["panels"][0]["targets"][0]["expr"] = "target:probe_mcp_errors:burnrate1h"
        self.assert_error(dash, "dashboards use exported metrics only")

    def test_target_variable_and_schema_version_required(self):
        dash = minimal_dashboard()
        dash["templating"]["list"].pop()
        dash["schemaVersion"] = 30
        self.assert_error(dash, "templating variable 'target'")
        self.assert_error(dash, "schemaVersion")

    def test_panel_without_expr(self):
        dash = minimal_dashboard()
        dash["panels"][0]["targets"][0]["expr"] = ""
        self.assert_error(dash, "target without expr")

    def test_uid_unique_across_dashboards(self):
        with tempfile.TemporaryDirectory() as tmp:
            paths = []
            for name in ("a.json", "b.json"):
                dash = minimal_dashboard()
                dash["title"] = name
                paths.append(os.path.join(tmp, name))
                with open(paths[-1], "w", encoding="utf-8") as f:
                    json.dump(dash, f)
            findings = vd.Findings()
            vd.check_dashboards(paths, findings)
            self.assertTrue(any("uid 't-1' also used" in e for e in findings.errors))


class ExpressionExtractionTest(unittest.TestCase):
    def test_substitution_forms(self):
        values = dict(vd.DEFAULT_SUBSTITUTIONS, target="shop")
        expr = (
            'rate(x{a=~"$target", b=~"${target:regex}", c=~"[[target]]", d=~"$other"}'
            "[$__rate_interval])"
        )
        self.assertEqual(
            vd.substitute(expr, values),
            'rate(x{a=~"shop", b=~"shop", c=~"shop", d=~".*"}[1m])',
        )

    def test_one_line_drops_comments_but_not_hashes_in_strings(self):
        expr = 'sum(x{a="#1"})  # total\n/\ncount(x)'
        self.assertEqual(vd.one_line(expr), 'sum(x{a="#1"}) / count(x)')

    def test_record_names_are_valid_metric_names(self):
        name = vd.record_name("mcpwatch-target/3/B", 7)
        self.assertRegex(name, r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")

    def test_metric_refs_ignore_label_values_and_durations(self):
        refs = metrics_contract.metric_refs(
            'changes((probe_mcp_tools_hash{target="probe_x"} > 0)[30m:1m]) + a:b:c'
        )
        self.assertEqual(refs, {"probe_mcp_tools_hash", "a:b:c"})


class RuleLintTest(unittest.TestCase):
    def alert(self, **overrides):
        rule = {
            "alert": "McpThing",
            "expr": "probe_success == 0",
            "labels": {"severity": "critical"},
            "annotations": {
                "summary": "Thing is broken.",
                "description": "{{ $labels.target }} is broken.",
                "runbook_url": lint_rules.RUNBOOK_BASE + "mcpthing",
            },
        }
        rule.update(overrides)
        return {"groups": [{"name": "g", "rules": [rule]}]}

    def lint(self, doc):
        return lint_rules.lint_rules(doc, "r.yml", {"mcpthing"})[0]

    def test_clean_alert(self):
        self.assertEqual(self.lint(self.alert()), [])

    def test_static_label_in_template(self):
        doc = self.alert()
        doc["groups"][0]["rules"][0]["labels"]["window"] = "1h"
        doc["groups"][0]["rules"][0]["annotations"]["description"] = "{{ $labels.window }}"
        self.assertTrue(any("static rule label" in f for f in self.lint(doc)))

    def test_summary_runbook_severity_and_docs(self):
        doc = self.alert(alert="McpOther", labels={"severity": "page"})
        doc["groups"][0]["rules"][0]["annotations"]["summary"] = "{{ $labels.target }} down"
        findings = " | ".join(self.lint(doc))
        for fragment in ("summary must", "runbook_url must", "severity must", "no heading"):
            self.assertIn(fragment, findings)

    def test_unknown_metric_in_rule(self):
        findings = self.lint(self.alert(expr="probe_sucess == 0"))
        self.assertTrue(any("unknown metric 'probe_sucess'" in f for f in findings))

    def test_tests_must_cover_firing_and_quiet(self):
        tests = {
            "tests": [
                {
                    "alert_rule_test": [
                        {
                            "alertname": "McpThing",
                            "exp_alerts": [{"exp_labels": {"severity": "warning"}}],
                        }
                    ]
                }
            ]
        }
        findings = lint_rules.lint_tests(tests, "t.yml", {"McpThing": {"critical", "warning"}})
        self.assertIn("t.yml: no firing test for McpThing with severity critical", findings)
        self.assertIn("t.yml: no non-firing test (exp_alerts: []) for McpThing", findings)

    def test_github_anchor(self):
        self.assertEqual(lint_rules.github_anchor("Adapting the rules"), "adapting-the-rules")
        self.assertEqual(lint_rules.github_anchor("McpTargetDown"), "mcptargetdown")


if __name__ == "__main__":
    unittest.main()
