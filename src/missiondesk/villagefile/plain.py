"""Pydantic's complaints said in plain words, for the fields of a command or a form.

"Input should be a valid integer, unable to parse string as an integer" becomes
"must be a whole number, not 'three'": what is wanted, then what was given.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from missiondesk.domain.words import plural
from missiondesk.errors import BadInput
from missiondesk.villagefile.errors import Loc, field_path

_WANTED = {
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "date_parsing": "must be a date like 2026-11-24",
    "date_from_datetime_parsing": "must be a date like 2026-11-24",
    "date_from_datetime_inexact": "must be a date like 2026-11-24, without a time",
    "date_type": "must be a date like 2026-11-24",
    "datetime_parsing": "must be a date and time like 2026-11-24T06:00",
    "datetime_from_date_parsing": "must be a date and time like 2026-11-24T06:00",
    "datetime_type": "must be a date and time like 2026-11-24T06:00",
    "string_type": "must be text",
    "list_type": "must be a list",
    "dict_type": "must be a mapping",
    "model_type": "must be a mapping",
    "missing": "is required",
    "extra_forbidden": "is not a field here",
    "string_pattern_mismatch": "must not be blank or start or end with a space",
}


def _number(value: Any) -> Any:
    """A bound as a person writes it: 0, not 0.0."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def plain_words(detail: Any) -> str:
    """One pydantic error detail as a sentence about its field (without the field's name)."""
    kind = detail["type"]
    ctx = detail.get("ctx") or {}
    given = detail.get("input")
    if kind in ("vocabulary", "value_error", "assertion_error"):
        return str(detail["msg"]).removeprefix("Value error, ")
    if kind == "greater_than_equal":
        words = f"must be at least {_number(ctx.get('ge'))}"
    elif kind == "greater_than":
        words = f"must be more than {_number(ctx.get('gt'))}"
    elif kind == "less_than_equal":
        words = f"must be at most {_number(ctx.get('le'))}"
    elif kind == "less_than":
        words = f"must be less than {_number(ctx.get('lt'))}"
    elif kind == "string_too_short":
        words = "must not be empty"
    elif kind == "string_too_long":
        words = f"is too long (at most {ctx.get('max_length')} characters)"
    elif kind == "too_short":
        words = f"needs at least {plural(int(ctx.get('min_length', 1)), 'item')}"
    elif kind == "too_long":
        words = f"may have at most {ctx.get('max_length')} items"
    elif kind == "literal_error":
        words = f"must be {ctx.get('expected')}"
    else:
        words = _WANTED.get(kind, "is not valid")
    if kind not in ("missing", "extra_forbidden") and isinstance(given, str | int | float):
        shown = repr(given)
        words += f", not {shown if len(shown) <= 60 else shown[:57] + '...'}"
    return words


def problems(error: ValidationError, prefix: Loc = ()) -> list[tuple[str, str]]:
    """Every (field, plain message) of a validation error; `prefix` is dropped from paths."""
    out = []
    for detail in error.errors(include_url=False):
        loc = tuple(detail["loc"])
        if loc[: len(prefix)] == prefix:
            loc = loc[len(prefix) :]
        out.append((field_path(loc), plain_words(detail)))
    return out


def bad_input(found: list[tuple[str, str]]) -> BadInput:
    """One BadInput naming every field at fault, the first as its `field`."""
    text = "; ".join(f"{field}: {message}" if field else message for field, message in found)
    return BadInput(text, field=found[0][0] or None if found else None)
