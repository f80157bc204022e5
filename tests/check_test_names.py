#!/usr/bin/env python3
"""Fails when a Catch2 test name would make ctest run nothing while reporting a pass.

catch_discover_tests hands each name to Catch2 as a filter on the command line: a name that
starts with '-' is read as a flag, and CMake splits a name at ';' into several filters that
match nothing. Both kinds of test "pass" without running. Names may also span lines
(adjacent string literals), so literals are joined before checking.
"""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent
call = re.compile(r'(?:TEST_CASE|SCENARIO)\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)', re.S)
literal = re.compile(r'"((?:[^"\\]|\\.)*)"')
bad = []
for path in sorted(root.rglob("*.cc")):
    if "node_modules" in path.parts:
        continue
    text = path.read_text(encoding="utf-8", errors="replace")
    for m in call.finditer(text):
        name = "".join(literal.findall(m.group(1)))
        line = text.count("\n", 0, m.start()) + 1
        if ";" in name:
            bad.append(f"{path.relative_to(root)}:{line}: ';' in test name: {name}")
        if name.startswith("-"):
            bad.append(f"{path.relative_to(root)}:{line}: test name starts with '-': {name}")
for b in bad:
    print(b)
print(f"{len(bad)} test names that ctest cannot run")
sys.exit(1 if bad else 0)
