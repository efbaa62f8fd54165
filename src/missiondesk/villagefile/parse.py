"""Read a village file (YAML or JSON) into a `Village`, or say exactly what is wrong with it.

The common case, a good file, takes the fast path: libyaml builds plain Python data
(`yaml.CSafeLoader`), pydantic validates it, and `check_references` checks the
cross-references; nothing keeps track of lines. Only when something is wrong is the
document composed a second time, as a node tree with positions, to turn each problem's
path (pydantic's `loc`, e.g. `('shinobi', 3, 'rank')`) into a line number. A bad file
costs one more pass; a good one costs nothing extra.

Hostile input gets a clean error too: binary data, deep nesting and multiplying aliases
are refused by the guards in `villagefile/guards.py` before a parser runs; repeated keys,
which PyYAML and the json module would otherwise drop silently, keeping the last value,
are found here.

`parse_document` and `load_document` give any other YAML or JSON input (an after-action
report file, say) the same treatment against its own pydantic model.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from types import NoneType, UnionType
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from missiondesk.domain.orders import RULES
from missiondesk.domain.village import FORMAT, Village
from missiondesk.villagefile.bulk import collector_paused
from missiondesk.villagefile.errors import Loc, Problem, VillageFileError, field_path
from missiondesk.villagefile.guards import BaseLoader, Refused, check_aliases, check_text, compose
from missiondesk.villagefile.plain import plain_words
from missiondesk.villagefile.references import check_references

M = TypeVar("M", bound=BaseModel)

_MERGE_TAG = "tag:yaml.org,2002:merge"
_SCALAR_TYPES = (str, int, float, bool, NoneType)


class _VillageLoader(BaseLoader):
    """The fast safe loader, noticing repeated keys and bad dates instead of losing them.

    Telling whether a mapping lost a key costs one length comparison per mapping (a few
    percent of the parse); finding which key it was is left to the error path.
    """

    def __init__(self, stream: bytes) -> None:
        super().__init__(stream)
        self.repeated_keys = False

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        pairs = node.value
        count = len(pairs)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        # A `<<` merge rewrites node.value and may legitimately shadow keys: no verdict then.
        merged = node.value is not pairs or len(pairs) != count
        if not merged and len(mapping) != count:
            self.repeated_keys = True
        return mapping

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        # `2026-13-45` looks like a date to YAML 1.1 and fails in datetime() with a bare
        # ValueError; give it the position every other YAML error has.
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as error:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a valid date or time ({error})", node.start_mark
            ) from None


_VillageLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", _VillageLoader.construct_yaml_timestamp
)


@dataclass(frozen=True)
class _Finding:
    """A problem before it has a line: a path into the document, or a line already known."""

    message: str
    loc: Loc | None = None
    line: int | None = None


class _Invalid(Exception):
    """Raised inside this module when the file cannot be read any further."""

    def __init__(self, *findings: _Finding) -> None:
        super().__init__(findings)
        self.findings = list(findings)


def load_village(path: Path | str) -> Village:
    """Read the village file at `path` (JSON if it ends in .json, YAML otherwise)."""
    return parse_village(_read_bytes(Path(path)), str(path))


def parse_village(data: str | bytes, filename: str = "village.yaml") -> Village:
    """Parse a village file's content; `filename` picks the format and names the file in errors.

    Raises `VillageFileError` listing every problem found, each with its line and field.
    """
    return _parse(data, filename, Village, check_references)


def parse_checked(
    data: str | bytes,
    filename: str,
    model: type[M],
    check: Callable[[M], list[tuple[Loc, str]]],
) -> M:
    """`parse_document` with a check of the whole document (a partial village file against
    the stored village, say): its findings, paths into the document, get lines like any
    other problem, and all of them are reported together."""
    return _parse(data, filename, model, check)


def load_document(path: Path | str, model: type[M]) -> M:
    """Read any YAML or JSON file shaped as `model` (an after-action report, say), with the
    same line-numbered errors as a village file; cross-references are the caller's."""
    return parse_document(_read_bytes(Path(path)), str(path), model)


def parse_document(data: str | bytes, filename: str, model: type[M]) -> M:
    """`load_document` for content already read."""
    return _parse(data, filename, model, None)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        message = f"cannot be read ({error.strerror or error})"
        raise VillageFileError([Problem(str(path), None, "", message)]) from None


def _parse(
    data: str | bytes,
    filename: str,
    model: type[M],
    check: Callable[[M], list[tuple[Loc, str]]] | None,
) -> M:
    is_json = filename.lower().endswith(".json")
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    doc: Any = None
    result: M | None = None
    findings: list[_Finding] = []
    try:
        check_text(raw)
        if not is_json:
            check_aliases(raw)
        with collector_paused():
            doc, repeated_keys = _load_json(raw) if is_json else _load_yaml(raw)
            if repeated_keys:
                findings.extend(_repeated_keys(raw))
            _check_top_level(doc, model)
            result = _validate(doc, model, check)
            if check is not None:
                findings.extend(
                    _naming_the_order(_Finding(message, loc), doc) for loc, message in check(result)
                )
    except Refused as refused:
        findings.append(_Finding(refused.message, line=refused.line))
    except _Invalid as invalid:
        findings.extend(invalid.findings)
    except (RecursionError, MemoryError):
        findings.append(_Finding("the file is nested too deeply or is too large to read"))
    if findings or result is None:
        raise VillageFileError(_problems(findings, raw, doc, filename))
    return result


def _load_yaml(raw: bytes) -> tuple[Any, bool]:
    loader = _VillageLoader(raw)
    try:
        return loader.get_single_data(), loader.repeated_keys
    except yaml.MarkedYAMLError as error:
        raise _Invalid(_yaml_syntax_finding(error)) from None
    except yaml.reader.ReaderError as error:
        line = raw.count(b"\n", 0, error.position) + 1
        raise _Invalid(
            _Finding(f"{error.reason} (character {error.character!r})", line=line)
        ) from None
    except yaml.YAMLError as error:
        raise _Invalid(_Finding(f"not valid YAML ({error})")) from None
    finally:
        loader.dispose()


def _yaml_syntax_finding(error: yaml.MarkedYAMLError) -> _Finding:
    mark = error.problem_mark or error.context_mark
    message = error.problem or error.context or "not valid YAML"
    if error.context and error.problem:
        context_line = f" on line {error.context_mark.line + 1}" if error.context_mark else ""
        message = f"{message} ({error.context}{context_line})"
    return _Finding(message, line=mark.line + 1 if mark else None)


def _load_json(raw: bytes) -> tuple[Any, bool]:
    repeated = False

    def mapping(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal repeated
        result = dict(pairs)
        if len(result) != len(pairs):
            repeated = True
        return result

    text = raw.decode("utf-8-sig")
    if not text.strip():
        return None, False
    try:
        return json.loads(text, object_pairs_hook=mapping), repeated
    except json.JSONDecodeError as error:
        raise _Invalid(
            _Finding(f"not valid JSON: {error.msg} (column {error.colno})", line=error.lineno)
        ) from None


def _check_top_level(doc: Any, model: type[BaseModel]) -> None:
    expected = f" with format: {FORMAT}" if model is Village else ""
    if doc is None:
        raise _Invalid(_Finding(f"the file is empty (expected a mapping{expected})"))
    if not isinstance(doc, dict):
        found = _kind_of(doc)
        raise _Invalid(_Finding(f"the top level must be a mapping{expected}, not {found}", loc=()))


def _kind_of(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return f"a {type(value).__name__}"


def _validate(
    doc: dict[str, Any], model: type[M], check: Callable[[M], list[tuple[Loc, str]]] | None
) -> M:
    try:
        return model.model_validate(doc)
    except ValidationError as error:
        findings = [_naming_the_order(f, doc) for f in _validation_findings(error, model)]
        if check is not None:
            # Every error at once: a misspelt rank must not hide a misspelt skill.
            findings.extend(
                _naming_the_order(f, doc) for f in _checks_despite(error, doc, model, check)
            )
        raise _Invalid(*findings) from None


def _naming_the_order(finding: _Finding, doc: dict[str, Any]) -> _Finding:
    """A problem inside a standing order also names the order by its id, as people do."""
    loc = finding.loc or ()
    if len(loc) < 2 or loc[0] != "standing_orders" or not isinstance(loc[1], int):
        return finding
    orders = doc.get("standing_orders")
    order = orders[loc[1]] if isinstance(orders, list) and loc[1] < len(orders) else None
    name = order.get("id") if isinstance(order, dict) else None
    if not isinstance(name, str):
        return finding
    return _Finding(f"{finding.message} (order {name!r})", finding.loc, finding.line)


def _validation_findings(error: ValidationError, model: type[BaseModel]) -> Iterator[_Finding]:
    for detail in error.errors(include_url=False, include_context=True):
        loc: Loc = tuple(detail["loc"])
        kind = detail["type"]
        if kind == "union_tag_invalid":
            tag = detail.get("ctx", {}).get("tag")
            yield _Finding(f"{tag!r} is not a rule ({', '.join(RULES)})", (*loc, "rule"))
        elif kind == "union_tag_not_found":
            yield _Finding(f"required field is missing (one of {', '.join(RULES)})", (*loc, "rule"))
        else:
            yield _Finding(_describe(detail, model), loc)


def _describe(detail: ErrorDetails, model: type[BaseModel]) -> str:
    """Pydantic's message, said the way a person fixing the file wants to read it."""
    kind, loc = detail["type"], tuple(detail["loc"])
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        accepted = _accepted_fields(model, loc[:-1])
        return f"unknown field (expected {', '.join(accepted)})" if accepted else "unknown field"
    return plain_words(detail)  # "must be at most 5, not 9", not pydantic's own words


def _accepted_fields(model: type[BaseModel], loc: Loc) -> list[str]:
    """The field names a mapping at `loc` accepts (following pydantic's loc, tags included)."""
    annotation: Any = model
    for part in loc:
        annotation = _step_into(annotation, part)
        if annotation is None:
            return []
    model = _unwrap(annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [info.alias or name for name, info in model.model_fields.items()]
    return []


def _step_into(annotation: Any, part: str | int) -> Any:
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, info in annotation.model_fields.items():
            if part in (name, info.alias):
                return info.annotation
        return None
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list and isinstance(part, int):
        return args[0]
    if origin is dict:
        return args[1]
    if origin in (typing.Union, UnionType):
        # A tagged union: pydantic's loc names the member by its `rule` tag.
        for member in args:
            member = _unwrap(member)
            rule = getattr(member, "model_fields", {}).get("rule")
            if rule is not None and typing.get_args(rule.annotation) == (part,):
                return member
    return None


def _unwrap(annotation: Any) -> Any:
    """`X` from `Annotated[X, ...]` and from `X | None`."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, UnionType):
            members = [a for a in typing.get_args(annotation) if a is not NoneType]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


# --- the error path: every error at once ---------------------------------------------------

MAX_STAND_INS = 10_000
"""Past this many invalid values, the cross-references of a file are not checked too."""

_STAND_IN_CANDIDATES: tuple[Any, ...] = (
    None, "-", ["-"], 0, 1, 0.0, 1.0, False, [], {},
    dt.date(2000, 1, 1), dt.datetime(2000, 1, 1),
)  # fmt: skip


def _checks_despite(
    error: ValidationError,
    doc: dict[str, Any],
    model: type[M],
    check: Callable[[M], list[tuple[Loc, str]]],
) -> Iterator[_Finding]:
    """The cross-reference findings of a file that failed validation, so that they are
    reported with the validation errors rather than after those are fixed.

    Each invalid value is replaced by a stand-in its field accepts (None where it may be
    absent, `-` for a name, ...), unknown fields are dropped, and the document is checked
    as a good one is; findings at a stood-in place are left out, being about the stand-in.
    When no stand-in makes the document valid (a rule across fields, say), the
    cross-references wait until the file validates.
    """
    details = error.errors(include_url=False)
    if len(details) > MAX_STAND_INS:
        return
    repaired = copy.deepcopy(doc)
    stood_in: list[Loc] = []
    for detail in details:
        loc = tuple(detail["loc"])
        path = _clean_loc(repaired, loc)
        if not path or not _stand_in(repaired, model, loc, path, detail["type"]):
            return
        stood_in.append(path)
    try:
        village = model.model_validate(repaired)
    except ValidationError:
        return
    for loc, message in check(village):
        if not any(loc[: len(place)] == place for place in stood_in):
            yield _Finding(message, loc)


def _stand_in(doc: Any, model: type[BaseModel], loc: Loc, path: Loc, kind: str) -> bool:
    """Put a valid stand-in at `path` (pydantic's `loc` names its type); False if none fits."""
    *parents, last = path
    holder = doc
    for part in parents:
        try:
            holder = holder[part]
        except (KeyError, IndexError, TypeError):
            return False
    if not isinstance(holder, dict | list):
        return False
    if kind == "extra_forbidden" or loc[-1] == "[key]":
        if isinstance(holder, dict):
            holder.pop(last, None)
            return True
        return False
    annotation = _annotation_at(model, loc)
    if annotation is None:
        return False
    value = _stand_in_for(annotation)
    if value is _NONE_FITS:
        return False
    if isinstance(holder, dict):
        holder[last] = value
        return True
    if isinstance(last, int) and 0 <= last < len(holder):
        holder[last] = value
        return True
    return False


_NONE_FITS = object()


def _annotation_at(model: type[BaseModel], loc: Loc) -> Any:
    annotation: Any = model
    for part in loc:
        annotation = _step_into(annotation, part)
        if annotation is None:
            return None
    return annotation


@functools.cache
def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)


def _stand_in_for(annotation: Any) -> Any:
    """The first of a few plain values (or the first member of an enum) that validates."""
    try:
        adapter = _adapter(annotation)
    except TypeError:  # not hashable, or not a type pydantic can adapt alone
        return _NONE_FITS
    inner = _unwrap(annotation)
    extra: tuple[Any, ...] = ()
    if isinstance(inner, type) and issubclass(inner, Enum):
        extra = (next(iter(inner)).value,)
    elif typing.get_origin(inner) is typing.Literal:
        extra = typing.get_args(inner)[:1]
    for candidate in (*_STAND_IN_CANDIDATES, *extra):
        try:
            adapter.validate_python(candidate)
        except ValidationError:
            continue
        return copy.deepcopy(candidate)
    return _NONE_FITS


# --- the error path: positions ------------------------------------------------------------


def _repeated_keys(raw: bytes) -> Iterator[_Finding]:
    """Every key given twice in one mapping, at its second appearance."""
    root = compose(raw)
    if root is None:
        yield _Finding("a key is given twice in one mapping")
        return
    stack: list[tuple[yaml.Node, Loc]] = [(root, ())]
    visited: set[int] = set()
    while stack:
        node, loc = stack.pop()
        if id(node) in visited:  # an alias: seen already
            continue
        visited.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[tuple[str, str], int] = {}
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode) or key.tag == _MERGE_TAG:
                    continue
                line = key.start_mark.line + 1
                if (key.tag, key.value) in first:
                    seen = first[key.tag, key.value]
                    yield _Finding(
                        f"key given twice (first on line {seen}); only one can count",
                        loc=(*loc, key.value),
                        line=line,
                    )
                else:
                    first[key.tag, key.value] = line
                stack.append((value, (*loc, key.value)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, (*loc, i)) for i, child in enumerate(node.value))


def _problems(findings: list[_Finding], raw: bytes, doc: Any, filename: str) -> list[Problem]:
    """Findings as problems with a line and a field path, in the order of the file."""
    needs_lines = any(f.loc is not None and f.line is None for f in findings)
    root = compose(raw) if needs_lines else None
    problems: list[Problem] = []
    for finding in findings:
        if finding.loc is None:
            problems.append(Problem(filename, finding.line, "", finding.message))
            continue
        loc = _clean_loc(doc, finding.loc)
        line = finding.line
        if line is None and root is not None:
            line = _line_of(root, loc)
        problems.append(Problem(filename, line, field_path(loc), finding.message))
    problems.sort(key=lambda p: p.line or 0)
    return problems


def _clean_loc(doc: Any, loc: Loc) -> Loc:
    """Pydantic's loc as the file's path: without union tags and `[key]` markers.

    `('standing_orders', 0, 'require_role', 'count')` becomes `('standing_orders', 0, 'count')`,
    because the file has no `require_role` level: that is the order's `rule`.
    """
    out: list[str | int] = []
    node = doc
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(node, dict):
            if part in node:
                node = node[part]
                out.append(part)
                continue
            if node.get("rule") == part:
                continue
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            out.append(part)
            continue
        out.append(part)
        node = None
    return tuple(out)


def _line_of(root: yaml.Node, loc: Loc) -> int:
    """The line of the deepest node on `loc`'s path that exists in the file.

    A field points at its key's line; a missing field at the mapping that lacks it.
    """
    node, line = root, root.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key, value in reversed(node.value):  # the last of repeated keys is the one kept
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    node, line = value, key.start_mark.line + 1
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                return line
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line
