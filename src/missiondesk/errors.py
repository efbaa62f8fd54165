"""Errors a person can act on. Every `BadInput` becomes exit status 2 and changes nothing.

Services name fields, not options: a message says "time_limit", marked with `named`, and
each front end spells it its own way (the command line `--time-limit`, the API its JSON
key) with `BadInput.spelled`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_MARK = "\x1f"  # the unit separator: no id, name or number a message quotes holds one
_NAMED = re.compile(f"{_MARK}([A-Za-z_][A-Za-z0-9_.]*){_MARK}")


def named(field: str) -> str:
    """`field` inside an error message, for each front end to spell as it calls it."""
    return f"{_MARK}{field}{_MARK}"


def spell(text: str, names: Mapping[str, str]) -> str:
    """`text` with each field marked by `named` spelled as `names` says (else as itself)."""
    return _NAMED.sub(lambda m: names.get(m.group(1), m.group(1)), text)


class BadInput(Exception):
    """The request cannot be carried out as given: wrong id, illegal step, bad file.

    `field` names what was at fault when there is one (an API answers it as JSON).
    `message` is the text with fields under their own names; `spelled(names)` is the
    text a front end with other names for them shows.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.template = message
        self.message = spell(message, {})
        self.field = field

    def spelled(self, names: Mapping[str, str]) -> str:
        """The message with the fields it names spelled as a front end calls them."""
        return spell(self.template, names)

    def __str__(self) -> str:
        return self.message


class NotFound(BadInput):
    """An id that names nothing in this village."""


class Conflict(BadInput):
    """A step that the current state forbids (approving a squad whose member was sent elsewhere)."""
