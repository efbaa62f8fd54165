"""Printing: Rich for people, one JSON value on stdout for programs, errors on stderr.

Village data is text, never Rich markup: a mission titled `[link=...]x[/link]` prints as
written. The consoles read no markup unless a caller asks (`markup=True` on a line of its
own words only), and every string they render loses its control characters, so a title
holding an escape sequence cannot clear the operator's screen. `styled` builds a line
with colours from parts, none of them read as markup.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

# C0 controls but tab and newline, DEL, and the C1 controls (an 8-bit CSI starts sequences).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """`text` without control characters (a tab or a newline stays)."""
    return _CONTROL.sub("", text)


def _literal_console(**options: Any) -> Console:
    """A console that strips control characters from every string it renders."""
    from rich.console import Console

    class LiteralConsole(Console):
        def render_str(self, text: str, **more: Any) -> Text:
            return super().render_str(clean(text), **more)

    return LiteralConsole(highlight=False, markup=False, emoji=False, **options)


class _OnFirstUse:
    """A console made when first used: Rich's console costs a tenth of a second to import,
    and a command that prints JSON never needs it."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            self._console = _literal_console(**self._options)
        return getattr(self._console, name)


console = cast("Console", _OnFirstUse())
errors = cast("Console", _OnFirstUse(stderr=True))


def say(line: str) -> None:
    """Print one line of village data as it is (no markup, no control characters)."""
    console.print(line, markup=False, emoji=False)


def styled(*parts: str | tuple[str, str]) -> Text:
    """A line from parts, each plain text or (text, style); no part is read as markup."""
    from rich.text import Text

    return Text.assemble(
        *((clean(p[0]), p[1]) if isinstance(p, tuple) else clean(p) for p in parts)
    )


def id_column(table: Table, header: str, ids: Iterable[str]) -> None:
    """A column of ids: never cut or wrapped, since people type them next; at 80 columns
    (a pipe's width) the other columns, the titles and names, wrap instead."""
    widest = max((len(i) for i in ids), default=0)
    table.add_column(header, no_wrap=True, min_width=max(widest, len(header)))


def json_text(value: Any) -> str:
    """`value` as indented JSON text: models, dates and plain values alike.

    pydantic's serializer writes what `json.dumps` of the models' JSON dump would, several
    times quicker (a 2,000-shinobi roster in 20 ms, not 140)."""
    from pydantic_core import to_json

    return to_json(value, indent=2, fallback=str).decode()


def emit_json(value: Any) -> None:
    """Write `value` as the single JSON value on stdout (sorted lists stay as given)."""
    sys.stdout.write(json_text(value))
    sys.stdout.write("\n")
    sys.stdout.flush()


def actor() -> str:
    """Who is acting, for the event log: MISSIONDESK_ACTOR, else the login name."""
    name = os.environ.get("MISSIONDESK_ACTOR")
    if name:
        return name
    try:
        return os.getlogin()
    except OSError:
        return os.environ.get("USER", "cli")
