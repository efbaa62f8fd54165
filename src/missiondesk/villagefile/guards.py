"""The hostile-input guards a village file (or any YAML or JSON document) passes before a
parser sees it: binary data, files nested thousands of levels deep (which would otherwise
exhaust the stack of a recursive parser), and aliases that multiply the document.

Each guard raises `Refused` with the message and, where known, the line; the parser turns
that into a problem of the file like any other.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import yaml

# PyYAML built without libyaml falls back to the pure-Python loader: slower, same results.
BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Refused(Exception):
    """A document refused before parsing: why, and the line (None when it has none)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


MAX_NESTING = 200
"""Deepest bracket nesting accepted; a village file needs fewer than ten levels."""


def check_text(raw: bytes) -> None:
    """Refuse what is not a text file before a parser sees it."""
    if b"\x00" in raw:
        line = raw.count(b"\n", 0, raw.index(b"\x00")) + 1
        raise Refused("this is a binary file, not YAML or JSON (it holds NUL bytes)", line=line)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise Refused(
            f"this is not UTF-8 text (byte 0x{raw[error.start]:02x})", line=line
        ) from None
    if _nesting_depth(raw.translate(None, _NOT_A_BRACKET)) > MAX_NESTING:
        line = raw.count(b"\n", 0, _deeper_than_allowed_at(raw)) + 1
        raise Refused(f"nesting deeper than {MAX_NESTING} levels", line=line)


# Every byte but `[`, `]`, `{`, `}`, to delete with bytes.translate (about a gigabyte a second).
_NOT_A_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_BRACKET_STEP = np.zeros(256, dtype=np.int32)
_BRACKET_STEP[list(b"[{")] = 1
_BRACKET_STEP[list(b"]}")] = -1


def _depths(data: bytes, chunk: int = 1 << 22) -> Iterator[np.ndarray]:
    """The `[`/`{` nesting depth after each byte, a chunk at a time to bound memory."""
    carry = 0
    for start in range(0, len(data), chunk):
        part = np.frombuffer(
            data, dtype=np.uint8, count=min(chunk, len(data) - start), offset=start
        )
        depth = np.cumsum(_BRACKET_STEP[part], dtype=np.int32)
        depth += carry
        carry = int(depth[-1])
        yield depth


def _nesting_depth(brackets: bytes) -> int:
    """The deepest nesting of a text's brackets (given only its brackets, for speed).

    A recursive parser given "[[[[..." 50 MB deep exhausts its stack; counting first lets
    such a file be refused in a moment. Brackets inside strings count too, which can only
    overestimate the depth, and real files stay far below the limit.
    """
    if brackets.count(b"[") + brackets.count(b"{") <= MAX_NESTING:
        return 0
    return max(int(depth.max()) for depth in _depths(brackets))


def _deeper_than_allowed_at(raw: bytes, chunk: int = 1 << 22) -> int:
    """The offset of the first bracket past `MAX_NESTING` (only called for a file refused)."""
    for index, depth in enumerate(_depths(raw, chunk)):
        past = np.flatnonzero(depth > MAX_NESTING)
        if past.size:
            return index * chunk + int(past[0])
    return 0


# An anchor (`&name`) where YAML allows one: at the start of a line or after a space,
# a bracket, a comma or a colon. Without anchors there can be no aliases to expand.
_ANCHOR = re.compile(rb"(?:^|[\s\[{,:])&[^\s\[\]{},]", re.MULTILINE)

MAX_EXPANSION = 10
"""How many times more values aliases may make than the file writes out (past a floor)."""
_EXPANSION_FLOOR = 100_000


def check_aliases(raw: bytes) -> None:
    """Refuse aliases that multiply the document ("billion laughs").

    PyYAML shares an aliased value instead of copying it, so loading is cheap, but
    validation visits every use: a few kilobytes of nested aliases would keep it busy for
    hours. Files without anchors (nearly all) skip this with one regular-expression scan.
    """
    if _ANCHOR.search(raw) is None:
        return
    root = compose(raw)
    if root is None:
        return  # the loader reports the syntax error with its line
    # Post-order over the node graph, counting every use of a shared node.
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        children = _children(node)
        if children_done:
            in_progress.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in children)
            continue
        if key in sizes:
            continue
        if key in in_progress:
            line = node.start_mark.line + 1
            raise Refused("an alias refers to the value that contains it", line=line)
        in_progress.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
    written = len(sizes)
    if sizes[id(root)] > max(_EXPANSION_FLOOR, MAX_EXPANSION * written):
        raise Refused(
            f"aliases expand {written} written values to {sizes[id(root)]}; "
            f"at most {MAX_EXPANSION} times as many are accepted"
        )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def compose(raw: bytes) -> yaml.Node | None:
    """The document as a node tree with line numbers; JSON reads as YAML for this purpose."""
    try:
        node: yaml.Node | None = yaml.compose(raw, Loader=BaseLoader)
    except (yaml.YAMLError, RecursionError, MemoryError):
        return None  # minified or exotic JSON: the problems are reported without a line
    return node
