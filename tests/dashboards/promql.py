"""A small PromQL tokenizer: the vector selectors an expression reads, and whether the
expression is a filter. Python standard library only.

Not a parser: promtool and Prometheus parse. This only needs to tell apart, in valid PromQL,
the names that are series (`probe_success`, `a:b:c`, `{job="x"}`) from everything else that
looks like an identifier or sits in brackets: strings, durations and subquery ranges in
`[...]`, label lists after by/without/on/ignoring/group_left/group_right, function and
aggregation names, keywords, numbers and operators.
"""

import re

_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\n]*)
    | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
    | (?P<duration>(?:\d+(?:ms|[smhdwy]))+(?![\w.]))
    | (?P<number>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    | (?P<ident>[A-Za-z_][A-Za-z0-9_:]*)
    | (?P<op>==|!=|>=|<=|=~|!~|[-+*/%^<>=,()\[\]{}@:])
    """,
    re.VERBOSE,
)

# Words that are never series names, whatever follows them (case-insensitive in PromQL).
KEYWORDS = frozenset(
    """and or unless by without on ignoring group_left group_right bool offset atan2 inf nan
    sum min max avg group stddev stdvar count count_values bottomk topk quantile limitk
    limit_ratio""".split()
)
# Keywords followed by a parenthesised list of label names (optional for group_left/right).
_LABEL_LIST_KEYWORDS = frozenset("by without on ignoring group_left group_right".split())
COMPARISONS = frozenset(("==", "!=", ">", "<", ">=", "<="))

_CLOSING = {"(": ")", "[": "]", "{": "}"}


class PromqlError(ValueError):
    """Text the tokenizer cannot read (an unknown character or an unclosed bracket)."""


def tokenize(expr):
    """[(kind, text, offset)] without whitespace and comments; raises PromqlError."""
    tokens, pos = [], 0
    while pos < len(expr):
        match = _TOKEN.match(expr, pos)
        if not match:
            raise PromqlError(f"unexpected {expr[pos]!r} at offset {pos} in {expr!r}")
        if match.lastgroup not in ("ws", "comment"):
            tokens.append((match.lastgroup, match.group(0), pos))
        pos = match.end()
    return tokens


def _matching(tokens, index, expr):
    """Index of the token closing the bracket at tokens[index] (strings are single tokens)."""
    opening, depth = tokens[index][1], 0
    for j in range(index, len(tokens)):
        text = tokens[j][1]
        if tokens[j][0] != "op":
            continue
        if text == opening:
            depth += 1
        elif text == _CLOSING[opening]:
            depth -= 1
            if depth == 0:
                return j
    raise PromqlError(f"unclosed {opening!r} at offset {tokens[index][2]} in {expr!r}")


def _is_op(tokens, index, text):
    return index < len(tokens) and tokens[index][0] == "op" and tokens[index][1] == text


def _normalised(tokens, start, end):
    """Tokens start..end (inclusive) as text: no spaces, one space after each comma."""
    return "".join(t[1] + (" " if t[1] == "," else "") for t in tokens[start : end + 1])


def _walk(expr):
    """Yields (kind, value, depth) over the expression's top structure: "selector" with its
    normalised text, "labels" with the label names of a by/without/on/ignoring/group_left/
    group_right list, or "op" with an operator or keyword outside brackets, at paren depth."""
    tokens = tokenize(expr)
    i, depth = 0, 0
    while i < len(tokens):
        kind, text, _ = tokens[i]
        if kind == "op" and text == "[":
            i = _matching(tokens, i, expr) + 1  # range, subquery: durations only
            continue
        if kind == "op" and text == "{":  # a selector without a metric name
            end = _matching(tokens, i, expr)
            yield "selector", _normalised(tokens, i, end), depth
            i = end + 1
            continue
        if kind == "ident":
            word = text.lower()
            if word in _LABEL_LIST_KEYWORDS:
                yield "op", word, depth
                i += 1
                if _is_op(tokens, i, "("):
                    end = _matching(tokens, i, expr)
                    names = [t[1] for t in tokens[i + 1 : end] if t[0] == "ident"]
                    yield "labels", names, depth
                    i = end + 1
                continue
            if word in KEYWORDS or _is_op(tokens, i + 1, "("):
                yield "op", word, depth  # keyword, aggregation or function name
                i += 1
                continue
            if _is_op(tokens, i + 1, "{"):
                end = _matching(tokens, i + 1, expr)
                yield "selector", _normalised(tokens, i, end), depth
                i = end + 1
            else:
                yield "selector", text, depth
                i += 1
            continue
        if kind == "op" and text == "(":
            depth += 1
        elif kind == "op" and text == ")":
            depth -= 1
            if depth < 0:
                raise PromqlError(f"unopened ')' at offset {tokens[i][2]} in {expr!r}")
        elif kind == "op":
            yield "op", text, depth
        i += 1
    if depth != 0:
        raise PromqlError(f"{depth} unclosed '(' in {expr!r}")


def selectors(expr):
    """The vector selectors of `expr` in order of first appearance, each once, normalised
    (`name{label="v", other=~"w"}`); raises PromqlError."""
    seen = []
    for kind, value, _ in _walk(expr):
        if kind == "selector" and value not in seen:
            seen.append(value)
    return seen


def grouping_labels(expr):
    """Label names in the by/without/on/ignoring/group_left/group_right lists of `expr`, in
    order, each once; raises PromqlError."""
    seen = []
    for kind, value, _ in _walk(expr):
        if kind == "labels":
            seen += [name for name in value if name not in seen]
    return seen


def is_filter(expr):
    """True when a comparison without `bool` sits at the top level (outside any parentheses):
    the result then keeps only the series that pass, and may rightly be empty."""
    walked = list(_walk(expr))
    for index, (kind, value, depth) in enumerate(walked):
        if kind == "op" and depth == 0 and value in COMPARISONS:
            following = walked[index + 1] if index + 1 < len(walked) else None
            if following != ("op", "bool", 0):
                return True
    return False


def label_values_query(query):
    """(selector or None, label) of a Grafana `label_values([selector,] label)` variable query,
    None for any other query."""
    match = re.fullmatch(r"\s*label_values\(\s*(?:(.*\S)\s*,\s*)?(\w+)\s*\)\s*", query, re.DOTALL)
    if not match:
        return None
    return match.group(1), match.group(2)
