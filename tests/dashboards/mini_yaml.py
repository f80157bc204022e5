"""A strict reader for the YAML subset our rule, test and provisioning files use.

The checks must run on a bare python3 (no PyYAML), so this reads exactly what those files contain
and rejects anything else with a line number instead of guessing:

- block mappings (`key: value`, `key:` + nested block) and block sequences (`- item`,
  `- key: value`), indented with spaces;
- plain, 'single-quoted' and "double-quoted" scalars; block scalars `|`, `|-`, `>`, `>-`;
- flow collections of scalars on one line (`[a, b]`, `{k: v}`, `[]`, `{}`);
- `#` comments.

Scalars are returned as strings (the callers decide what a value means); `~`, `null` and an empty
value are returned as None.
"""

import re


class YamlError(ValueError):
    def __init__(self, line_no, message):
        super().__init__(f"line {line_no}: {message}")
        self.line_no = line_no


_BLOCK_INDICATORS = ("|", "|-", ">", ">-")


def load(text):
    """Parses `text` and returns dicts, lists, strings and None. Raises YamlError."""
    return _Parser(text).parse_document()


def load_file(path):
    with open(path, encoding="utf-8") as f:
        return load(f.read())


def _strip_comment(s):
    """Removes a trailing ` # comment` outside quotes."""
    quote = None
    for i, c in enumerate(s):
        if quote:
            if c == quote:
                quote = None
        elif c in "'\"" and (i == 0 or s[i - 1] in " [{,:"):
            quote = c
        elif c == "#" and (i == 0 or s[i - 1] in " \t"):
            return s[:i].rstrip()
    return s.rstrip()


def _split_flow(body, line_no):
    """Splits the inside of a one-line flow collection at top-level commas."""
    parts, depth, quote, start = [], 0, None, 0
    for i, c in enumerate(body):
        if quote:
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    if quote or depth:
        raise YamlError(line_no, "unbalanced flow collection")
    parts.append(body[start:])
    parts = [p.strip() for p in parts]
    if parts == [""]:
        return []
    if any(p == "" for p in parts):
        raise YamlError(line_no, "empty item in flow collection")
    return parts


def _find_key_colon(s):
    """Index of the `:` that ends a mapping key (followed by space or end), or -1."""
    quote = None
    for i, c in enumerate(s):
        if quote:
            if c == quote:
                quote = None
        elif c in "'\"" and i == 0:
            quote = c
        elif c == ":" and (i + 1 == len(s) or s[i + 1] == " "):
            return i
    return -1


def _scalar(text, line_no):
    text = text.strip()
    if text in ("", "~", "null"):
        return None
    if text[0] == "'":
        if len(text) < 2 or text[-1] != "'":
            raise YamlError(line_no, "unterminated single-quoted scalar")
        return text[1:-1].replace("''", "'")
    if text[0] == '"':
        if len(text) < 2 or text[-1] != '"':
            raise YamlError(line_no, "unterminated double-quoted scalar")
        body = text[1:-1]
        escapes = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "/": "/"}
        out, i = [], 0
        while i < len(body):
            if body[i] == "\\":
                if i + 1 >= len(body) or body[i + 1] not in escapes:
                    raise YamlError(line_no, "unsupported escape in double-quoted scalar")
                out.append(escapes[body[i + 1]])
                i += 2
            else:
                out.append(body[i])
                i += 1
        return "".join(out)
    if text[0] == "[":
        if text[-1] != "]":
            raise YamlError(line_no, "flow sequence must close on the same line")
        return [_scalar(p, line_no) for p in _split_flow(text[1:-1], line_no)]
    if text[0] == "{":
        if text[-1] != "}":
            raise YamlError(line_no, "flow mapping must close on the same line")
        result = {}
        for part in _split_flow(text[1:-1], line_no):
            colon = _find_key_colon(part)
            if colon < 0:
                raise YamlError(line_no, f"flow mapping item without key: {part!r}")
            result[_scalar(part[:colon], line_no)] = _scalar(part[colon + 1 :], line_no)
        return result
    if text[0] in "&*!%@`|>":
        raise YamlError(line_no, f"unsupported YAML construct: {text[:20]!r}")
    return text


class _Parser:
    def __init__(self, text):
        for n, line in enumerate(text.split("\n"), 1):
            if "\t" in line[: len(line) - len(line.lstrip())]:
                raise YamlError(n, "tab in indentation")
        self.lines = text.split("\n")
        self.i = 0

    # Line helpers ---------------------------------------------------------------------------
    def _skip_blank(self):
        while self.i < len(self.lines):
            stripped = self.lines[self.i].strip()
            if stripped and not stripped.startswith("#") and stripped != "---":
                return
            self.i += 1

    def _current(self):
        """(indent, content without comment) of the next meaningful line, or None at the end."""
        self._skip_blank()
        if self.i >= len(self.lines):
            return None
        line = self.lines[self.i]
        indent = len(line) - len(line.lstrip(" "))
        return indent, _strip_comment(line[indent:])

    # Grammar --------------------------------------------------------------------------------
    def parse_document(self):
        cur = self._current()
        if cur is None:
            return None
        node = self._parse_block(cur[0])
        rest = self._current()
        if rest is not None:
            raise YamlError(self.i + 1, "unexpected content (wrong indentation?)")
        return node

    def _parse_block(self, indent):
        cur = self._current()
        if cur[1] == "-" or cur[1].startswith("- "):
            return self._parse_sequence(indent)
        return self._parse_mapping(indent)

    def _parse_sequence(self, indent):
        items = []
        while True:
            cur = self._current()
            if cur is None or cur[0] < indent:
                return items
            if cur[0] > indent:
                raise YamlError(self.i + 1, "unexpected indentation in sequence")
            content = cur[1]
            if not (content == "-" or content.startswith("- ")):
                return items
            rest = content[1:]
            if rest.strip() == "":
                self.i += 1
                items.append(self._parse_nested(indent))
                continue
            sub_indent = indent + 1 + (len(rest) - len(rest.lstrip()))
            rest = rest.lstrip()
            if _find_key_colon(rest) > 0 and rest[0] not in "'\"[{":
                # "- key: value": the mapping continues on the following lines at sub_indent.
                self.lines[self.i] = " " * sub_indent + rest
                items.append(self._parse_mapping(sub_indent))
            else:
                self.i += 1
                items.append(_scalar(rest, self.i))

    def _parse_mapping(self, indent):
        result = {}
        while True:
            cur = self._current()
            if cur is None or cur[0] < indent:
                return result
            if cur[0] > indent:
                raise YamlError(self.i + 1, "unexpected indentation in mapping")
            content = cur[1]
            if content == "-" or content.startswith("- "):
                return result
            colon = _find_key_colon(content)
            if colon <= 0:
                raise YamlError(self.i + 1, f"expected 'key: value', got {content!r}")
            line_no = self.i + 1
            key = _scalar(content[:colon], line_no)
            if key in result:
                raise YamlError(line_no, f"duplicate key {key!r}")
            rest = content[colon + 1 :].strip()
            self.i += 1
            if rest == "":
                result[key] = self._parse_nested(indent, allow_same_indent_sequence=True)
            elif rest in _BLOCK_INDICATORS:
                result[key] = self._parse_block_scalar(indent, rest)
            else:
                result[key] = _scalar(rest, line_no)

    def _parse_nested(self, parent_indent, allow_same_indent_sequence=False):
        cur = self._current()
        if cur is None:
            return None
        indent, content = cur
        is_seq = content == "-" or content.startswith("- ")
        if indent > parent_indent or (
            allow_same_indent_sequence and indent == parent_indent and is_seq
        ):
            return self._parse_block(indent)
        return None

    def _parse_block_scalar(self, parent_indent, indicator):
        raw = []
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if line.strip() and len(line) - len(line.lstrip(" ")) <= parent_indent:
                break
            raw.append(line)
            self.i += 1
        while raw and not raw[-1].strip():
            raw.pop()
        body = [line for line in raw if line.strip()]
        if not body:
            return ""
        block_indent = min(len(line) - len(line.lstrip(" ")) for line in body)
        lines = [line[block_indent:] if line.strip() else "" for line in raw]
        if indicator.startswith("|"):
            text = "\n".join(lines)
        else:
            paragraphs, current = [], []
            for line in lines:
                if line == "":
                    paragraphs.append(" ".join(current))
                    current = []
                else:
                    current.append(line)
            paragraphs.append(" ".join(current))
            text = "\n".join(paragraphs)
        return text if indicator.endswith("-") else text + "\n"


def is_duration(value):
    """True for a Prometheus duration such as 5m, 1h30m, 0s."""
    return bool(re.fullmatch(r"(\d+(ms|s|m|h|d|w|y))+", value or ""))
