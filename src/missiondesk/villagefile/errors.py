"""Problems found in a village file, each naming the file, the line and the field (SPEC section 3).

A `VillageFileError` carries every problem found, so a person can fix a file in one pass;
its message shows the first `MAX_SHOWN` of them, because a broken 20,000-shinobi file can
produce tens of thousands of identical errors that nobody reads past the first screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Loc = tuple[str | int, ...]
"""A path into the document, as pydantic writes it: ('shinobi', 3, 'rank')."""

MAX_SHOWN = 50


def field_path(loc: Loc) -> str:
    """Render a path the way people write it: `shinobi[3].skills.medical`."""
    out: list[str] = []
    for part in loc:
        if isinstance(part, int):
            out.append(f"[{part}]")
        else:
            out.append(f".{part}" if out else str(part))
    return "".join(out)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a village file: where it is (file, line, field) and what it is."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.field:
            return f"{where}: {self.field}: {self.message}"
        return f"{where}: {self.message}"


class VillageFileError(Exception):
    """A village file that cannot be imported; `problems` lists everything wrong with it."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("a VillageFileError needs at least one problem")
        self.problems: list[Problem] = list(problems)
        super().__init__(self._render())

    def _render(self) -> str:
        lines = [str(p) for p in self.problems[:MAX_SHOWN]]
        hidden = len(self.problems) - MAX_SHOWN
        if hidden > 0:
            lines.append(f"... and {hidden} more problem{'s' if hidden > 1 else ''}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self._render()
