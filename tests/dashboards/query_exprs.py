#!/usr/bin/env python3
"""Runs every dashboard and rule expression against a running Prometheus and reports the ones
that fail to evaluate (or, with --require-data, return nothing). Python standard library only.

  query_exprs.py --prometheus http://127.0.0.1:9090 [--source dashboards] [--require-data]
                 [--var __rate_interval=30s] ...

Catches what parsing cannot: many-to-many matching errors, duplicate label sets after
aggregation, selectors matching nothing because a label differs from what the daemon exports.
Only loopback Prometheus URLs are accepted. Exit status 0 when every expression evaluated.
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

import validate_dashboards  # noqa: E402


def is_loopback(url):
    host = urllib.parse.urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def query(base, expr, timeout):
    """(ok, result count or error message) for an instant query."""
    data = urllib.parse.urlencode({"query": expr}).encode()
    request = urllib.request.Request(base.rstrip("/") + "/api/v1/query", data=data)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = json.load(response)
    except urllib.error.HTTPError as e:
        try:
            body = json.load(e)
        except ValueError:
            return False, f"HTTP {e.code}"
    except (urllib.error.URLError, OSError, ValueError) as e:
        return False, str(e)
    if body.get("status") != "success":
        return False, body.get("error", "unknown error")
    result = body["data"]["result"]
    return True, len(result) if isinstance(result, list) else 1


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--prometheus", required=True)
    parser.add_argument("--source", choices=("all", "dashboards", "rules"), default="all")
    parser.add_argument("--var", action="append", default=[])
    parser.add_argument("--require-data", action="store_true")
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args(argv)
    if not is_loopback(args.prometheus):
        parser.error("only a loopback Prometheus (127.0.0.1, ::1, localhost) is allowed")

    list_args = ["--list-exprs", "--source", args.source]
    for item in args.var:
        list_args += ["--var", item]
    exprs = _list_exprs(list_args)
    if exprs is None:
        return 1
    failures = 0
    for expr in exprs:
        ok, detail = query(args.prometheus, expr, args.timeout)
        if not ok:
            failures += 1
            print(f"ERROR {detail}: {expr}")
        elif args.require_data and detail == 0:
            failures += 1
            print(f"EMPTY {expr}")
    print(f"{len(exprs) - failures} of {len(exprs)} expressions ok")
    return 1 if failures else 0


def _list_exprs(list_args):
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = validate_dashboards.main(list_args)
    if status != 0:
        return None
    return [line for line in out.getvalue().splitlines() if line.strip()]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
