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
import promql  # noqa: E402
import query_exprs  # noqa: E402
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


class PromqlSelectorTest(unittest.TestCase):
    def test_selectors_with_matchers_and_recorded_names(self):
        expr = (
            'sum by (target, location) (rate(probe_mcp_runs_total{class=~"ok|latency_spike", '
            'target=~".*"}[5m])) / on (target) group_left (team) target:probe_mcp_runs:rate5m'
        )
        self.assertEqual(
            promql.selectors(expr),
            [
                'probe_mcp_runs_total{class=~"ok|latency_spike", target=~".*"}',
                "target:probe_mcp_runs:rate5m",
            ],
        )

    def test_skips_functions_keywords_label_lists_strings_and_durations(self):
        expr = (
            'label_replace(topk(3, max without (phase) (probe_x offset 5m)), "to", "$1", '
            '"from", "(.*)") > bool on () group_right scalar(vector(1)) '
            "and changes((probe_mcp_tools_hash > 0)[30m:1m]) "
            "unless histogram_quantile(0.99, sum(rate(lag_bucket[1h])) by (le)) - 1e3 * inf"
        )
        self.assertEqual(
            promql.selectors(expr), ["probe_x", "probe_mcp_tools_hash", "lag_bucket"]
        )

    def test_selector_without_name_and_normalised_spacing(self):
        self.assertEqual(
            promql.selectors('count( {__name__=~"probe_.+" ,job = "a"} )'),
            ['{__name__=~"probe_.+", job="a"}'],
        )

    def test_each_selector_once(self):
        self.assertEqual(promql.selectors("up + up * up{job='x'}"), ["up", "up{job='x'}"])

    def test_unreadable_text_is_an_error(self):
        for expr in ("sum(rate(x[5m])", "x{a=\"b\"", "x ? y"):
            with self.subTest(expr=expr), self.assertRaises(promql.PromqlError):
                promql.selectors(expr)

    def test_filters(self):
        filters = (
            "probe_success == 0",
            "sum by (kind) (increase(e[1h])) > 0",
            "a > 1 and on (t) b",
            "x >= bool 1 < 3",
        )
        not_filters = (
            "count(max by (t) (s == 1)) or vector(0)",
            "time() - max(t > 0)",
            "a == bool 0",
            'probe_mcp_runs_total{class!="ok"}',
            "(a > 0) * 2",
        )
        for expr in filters:
            with self.subTest(expr=expr):
                self.assertTrue(promql.is_filter(expr))
        for expr in not_filters:
            with self.subTest(expr=expr):
                self.assertFalse(promql.is_filter(expr))

    def test_grouping_labels(self):
        expr = (
            "sum by (target, location) (a) / on (target) group_left (team) b "
            "> on () count without (phase) (c) unless ignoring(x) d"
        )
        self.assertEqual(
            promql.grouping_labels(expr), ["target", "location", "team", "phase", "x"]
        )

    def test_label_values_query(self):
        self.assertEqual(
            promql.label_values_query('label_values(probe_success{target=~".*"}, location)'),
            ('probe_success{target=~".*"}', "location"),
        )
        self.assertEqual(promql.label_values_query("label_values(job)"), (None, "job"))
        self.assertIsNone(promql.label_values_query("query_result(up)"))


class FakePrometheus:
    """Answers like query_exprs.Prometheus from fixed tables."""

    def __init__(self, results=None, errors=None, series=None, groups=None):
        self.results, self.errors, self.known = results or {}, errors or {}, series or {}
        self.groups = groups or []

    def rules(self):
        return True, self.groups

    def query(self, expr):
        if expr in self.errors:
            return False, self.errors[expr]
        return True, self.results.get(expr, 0)

    def series(self, selector):
        return True, self.known.get(selector, [])

    def label_values(self, label):
        values = {s.get(label) for labels in self.known.values() for s in labels}
        return True, sorted(v for v in values if v)


class QueryExprsTest(unittest.TestCase):
    def run_checks(self, prom, exprs, require_data=True):
        import contextlib
        import io

        report, out = query_exprs.Report(), io.StringIO()
        with contextlib.redirect_stdout(out):
            reads = query_exprs.check_exprs(prom, exprs, require_data, report)
            found = query_exprs.check_selectors(prom, reads, report)
            query_exprs.check_grouping(reads, found, report)
        return report.problems, out.getvalue()

    def test_clean_run(self):
        exprs = [vd.Expr("d/1/A", "panel", "sum(up)"), vd.Expr("r", "alert", "up == 0")]
        prom = FakePrometheus(results={"sum(up)": 1}, series={"up": [{"job": "a"}]})
        self.assertEqual(self.run_checks(prom, exprs), (0, ""))

    def test_evaluation_error(self):
        exprs = [vd.Expr("d/1/A", "panel", "a * b")]
        prom = FakePrometheus(errors={"a * b": "many-to-many matching not allowed"},
                              series={"a": [{}], "b": [{}]})
        problems, out = self.run_checks(prom, exprs)
        self.assertEqual(problems, 1)
        self.assertIn("ERROR d/1/A: many-to-many matching not allowed", out)

    def test_selector_without_series_even_when_the_expression_has_data(self):
        exprs = [vd.Expr("d/1/A", "panel", 'sum(probe_success{locaton="x"}) or vector(0)')]
        prom = FakePrometheus(results={exprs[0].text: 1})
        problems, out = self.run_checks(prom, exprs)
        self.assertEqual(problems, 1)
        self.assertIn('NO SERIES probe_success{locaton="x"} (read by d/1/A)', out)

    def test_allow_listed_selector(self):
        exprs = [vd.Expr("r", "alert", "absent_metric > 0")]
        original = dict(query_exprs.ALLOWED_WITHOUT_SERIES)
        query_exprs.ALLOWED_WITHOUT_SERIES["absent_metric"] = "test"
        try:
            self.assertEqual(self.run_checks(FakePrometheus(), exprs), (0, ""))
        finally:
            query_exprs.ALLOWED_WITHOUT_SERIES.clear()
            query_exprs.ALLOWED_WITHOUT_SERIES.update(original)

    def test_grouping_by_a_label_no_series_has(self):
        exprs = [
            vd.Expr("d/1/A", "panel", "max by (locaton) (probe_success)"),
            vd.Expr("d/2/A", "panel", "a / on (target, location) b"),
        ]
        prom = FakePrometheus(
            results={exprs[0].text: 1, exprs[1].text: 1},
            series={
                "probe_success": [{"target": "t", "location": "l"}],
                "a": [{"target": "t"}],
                "b": [{"target": "t", "location": "l"}],
            },
        )
        problems, out = self.run_checks(prom, exprs)
        self.assertEqual(problems, 1, out)
        self.assertIn("NO LABEL locaton in a label list of d/1/A", out)

    def test_empty_results_only_count_where_data_is_due(self):
        exprs = [
            vd.Expr("d/1/A", "panel", "sum(x)"),
            vd.Expr("d/2/A", "panel", "sum(x) > 0"),
            vd.Expr("d/annotation0", "annotation", "increase(x[1m]) > 0"),
            vd.Expr("r1", "record", "sum by (t) (x)"),
            vd.Expr("r2", "alert", "x unless y"),
        ]
        prom = FakePrometheus(series={"x": [{"t": "a"}], "y": [{}]})
        problems, out = self.run_checks(prom, exprs)
        self.assertEqual(problems, 2, out)
        self.assertIn("EMPTY d/1/A: sum(x)", out)
        self.assertIn("EMPTY r1: sum by (t) (x)", out)
        self.assertEqual(self.run_checks(prom, exprs, require_data=False), (0, ""))

    def test_variable_queries(self):
        import contextlib
        import io

        prom = FakePrometheus(series={"probe_success": [{"target": "a"}]})
        variables = [
            vd.Expr("d/variable target", "variable", "label_values(probe_success, target)"),
            vd.Expr("d/variable location", "variable", "label_values(probe_success, location)"),
            vd.Expr("d/variable job", "variable", "label_values(job)"),
        ]
        report, out = query_exprs.Report(), io.StringIO()
        with contextlib.redirect_stdout(out):
            checked = query_exprs.check_variables(prom, variables, report)
        self.assertEqual(checked, 2)
        self.assertEqual(report.problems, 2, out.getvalue())
        self.assertIn("NO LABEL location on probe_success (d/variable location)", out.getvalue())
        self.assertIn("NO LABEL job on any series (d/variable job)", out.getvalue())

    def test_rules_failing_in_prometheus(self):
        import contextlib
        import io

        groups = [
            {
                "name": "g",
                "rules": [
                    {"name": "a:b:c", "health": "ok"},
                    {"name": "McpX", "health": "err", "lastError": "vector contains metrics "
                     "with the same labelset after applying alert labels"},
                ],
            }
        ]
        report, out = query_exprs.Report(), io.StringIO()
        with contextlib.redirect_stdout(out):
            loaded = query_exprs.check_rule_health(FakePrometheus(groups=groups), report)
        self.assertEqual((loaded, report.problems), (2, 1))
        self.assertIn("RULE g McpX: vector contains metrics with the same labelset", out.getvalue())

    def test_only_loopback(self):
        self.assertTrue(query_exprs.is_loopback("http://127.0.0.1:9090"))
        self.assertTrue(query_exprs.is_loopback("http://[::1]:9090"))
        self.assertFalse(query_exprs.is_loopback("http://prometheus.example.com:9090"))


if __name__ == "__main__":
    unittest.main()
