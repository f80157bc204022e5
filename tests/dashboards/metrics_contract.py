"""The metric names and closed label values the daemon exports (DESIGN.md section 8), and checks
of PromQL text against them.

Only text-level checks: promtool parses the expressions; this catches what a parser cannot, a
misspelt metric (`probe_mcp_run_total`) or a label value outside a closed set
(`class="tool_errors"`), both of which would silently match nothing.
"""

import re

# Metric families. Histograms are listed by family name; _bucket/_sum/_count are accepted.
GAUGES_AND_COUNTERS = {
    "probe_success",
    "probe_duration_seconds",
    "probe_mcp_duration_seconds",
    "probe_mcp_runs_total",
    "probe_mcp_state",
    "probe_mcp_server_info",
    "probe_mcp_tools",
    "probe_mcp_tools_hash",
    "probe_mcp_latency_baseline_seconds",
    "probe_ssl_earliest_cert_expiry",
    "probe_mcp_auth_refresh_expiry_timestamp_seconds",
    "probe_mcp_last_run_timestamp_seconds",
    "probe_mcp_interval_seconds",
    "probe_mcp_maintenance",
    "probe_mcp_events_total",
    "probe_mcp_health_status_code",
    "probe_mcp_rate_limit_enforced",
    "probe_mcp_rollout_draining",
    "probe_mcp_last_deploy_downtime_seconds",
    "mcpwatch_build_info",
    "mcpwatch_inflight_probes",
    "mcpwatch_runs_skipped_total",
    "mcpwatch_store_rows_written_total",
    "mcpwatch_store_rows_dropped_total",
    "mcpwatch_store_write_errors_total",
    "mcpwatch_store_queue_depth",
    "mcpwatch_store_degraded",
    "mcpwatch_store_writes_dropped_total",
    "mcpwatch_config_last_reload_successful",
    "mcpwatch_alerts_firing",
    "mcpwatch_alerts_notifications_total",
    "mcpwatch_alerts_outbox_pending",
}
HISTOGRAMS = {"probe_mcp_phase_duration_seconds", "mcpwatch_scheduler_lag_seconds"}

FAILURE_CLASSES = (
    "ok dns_error connection_refused connect_timeout tls_error timeout connection_reset "
    "unavailable auth_failure rate_limited http_error protocol_error initialize_failure "
    "session_error tools_list_failure tool_missing tool_error latency_spike "
    "auth_discovery_error auth_server_unavailable auth_credentials_rejected"
).split()

# Closed label values. `phase` is the union of the last-run gauge phases and the histogram ones.
CLOSED_LABELS = {
    "class": set(FAILURE_CLASSES),
    "phase": set(
        "resolve connect tls initialize initialized tools_list tool_call ping close total".split()
    ),
    "state": set("unknown up degraded down maintenance".split()),
    "kind": set(
        "state_change schema_drift deploy deploy_regression crash_loop cert_expiring "
        "rate_limit_not_enforced".split()
    ),
    "result": {"delivered", "failed"},
}

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_METRIC_REF = re.compile(
    r"(?<![\w:])((?:probe|mcpwatch)_[A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_]*:[A-Za-z0-9_:]*)(?![\w:])"
)
_MATCHER = re.compile(r'\b(class|phase|state|kind|result)\s*(=~|!~|!=|=)\s*"([^"]*)"')


def known_metric(name):
    if name in GAUGES_AND_COUNTERS or name in HISTOGRAMS:
        return True
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix) and name[: -len(suffix)] in HISTOGRAMS:
            return True
    return False


def metric_refs(expr):
    """Names in `expr` that are ours: probe_*, mcpwatch_* and recording-rule names (a:b:c)."""
    return set(_METRIC_REF.findall(_STRING.sub('""', expr)))


def closed_label_errors(expr):
    """Messages for matchers on closed labels whose values are outside the set."""
    errors = []
    for label, op, value in _MATCHER.findall(expr):
        allowed = CLOSED_LABELS[label]
        if op in ("=", "!="):
            values = [value]
        elif re.fullmatch(r"[a-z_]+(\|[a-z_]+)*", value):
            values = value.split("|")
        else:
            continue  # a real regex (.*, variables): nothing to check
        for v in values:
            if v not in allowed:
                errors.append(f"{label}{op}\"{value}\": {v!r} is not a {label} value")
    return errors


def unknown_metric_errors(expr, recorded=frozenset()):
    """Messages for metric names that neither the daemon exports nor a rule records."""
    return [
        f"unknown metric {name!r}"
        for name in sorted(metric_refs(expr))
        if not known_metric(name) and name not in recorded
    ]
