"""A partial village file, for `village apply`: any sections of a village file, or a CSV roster.

A patch has the village file's shape with every section optional (`format` required,
`village` optional). Each record either adds to the stored village or replaces the
stored record with the same identity (`KINDS` says what identifies each kind: an id for
most, both ends for a road, threat, place and time for a sighting, the ability for a
countermeasure, the mission id for a history entry).

A CSV roster (`id,name,rank,team,status,available_from` and one column per skill) reads
into the same shape; its errors name the row's line and the column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from missiondesk.domain.village import FORMAT, VillageSections
from missiondesk.villagefile.errors import Loc, Problem, VillageFileError, field_path
from missiondesk.villagefile.parse import parse_checked
from missiondesk.villagefile.plain import plain_words


class VillagePatch(VillageSections):
    """Records to add or replace; an absent section changes nothing. Its sections are the
    village file's own (`VillageSections`); the ledger is not among them: rewards are
    paid by reports, and the ledger is append-only."""


def road_key(a: str, b: str) -> str:
    """A road is undirected: `konoha/tanigakure` names it whichever way it is written."""
    first, second = sorted((a, b))
    return f"{first}/{second}"


def sighting_key(threat: str, place: str, at: dt.datetime) -> str:
    return f"{threat}@{place}@{at:%Y-%m-%dT%H:%M}"


def promotion_key(from_rank: str, to_rank: str) -> str:
    """A promotion rule is the one from `from_rank` to `to_rank`: `genin->chunin`."""
    return f"{from_rank}->{to_rank}"


def clearance_key(shinobi: str, kind: str, on: dt.date) -> str:
    """A clearance is known by whom, which flag and the day: `rock-lee/shield/2026-11-20`."""
    return f"{shinobi}/{kind}/{on.isoformat()}"


Check = Callable[[VillagePatch], list[tuple[Loc, str]]]


def parse_patch(data: bytes, filename: str, check: Check) -> VillagePatch:
    """Read a patch (YAML, JSON, or a CSV roster by its .csv ending); `check` judges it
    against the stored village. Every problem, of either kind, is raised together."""
    if filename.lower().endswith(".csv"):
        return _parse_csv(data, filename, check)
    return parse_checked(data, filename, VillagePatch, check)


# --- CSV -----------------------------------------------------------------------------------

CSV_COLUMNS = ("id", "name", "rank", "team", "status", "available_from")
CSV_REQUIRED = ("id", "name", "rank", "status")


class _Rows:
    """The CSV's shinobi as plain records, with each record's line and the header."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.records: list[dict[str, Any]] = []
        self.lines: list[int] = []
        self.skill_columns: list[str] = []
        self.problems: list[Problem] = []
        self.header_ok = False

    def problem(self, line: int | None, column: str, message: str) -> None:
        self.problems.append(Problem(self.filename, line, column, message))


def read_csv_roster(data: bytes, filename: str) -> _Rows:
    """The CSV's rows as shinobi records (skills from the skill columns; an empty cell is
    no value), or the problems found, each with its line and column."""
    rows = _Rows(filename)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        rows.problem(line, "", "this is not UTF-8 text")
        return rows
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        rows.problem(None, "", f"the file is empty (expected a header: {','.join(CSV_COLUMNS)})")
        return rows
    except csv.Error as error:
        rows.problem(1, "", f"not valid CSV ({error})")
        return rows
    for column in CSV_REQUIRED:
        if column not in header:
            rows.problem(1, column, f"required column is missing (header: {','.join(CSV_COLUMNS)})")
    seen: set[str] = set()
    for column in header:
        if not column:
            rows.problem(1, "", "a column has no name")
        elif column in seen:
            rows.problem(1, column, "column given twice")
        seen.add(column)
    rows.skill_columns = [c for c in header if c and c not in CSV_COLUMNS]
    if rows.problems:
        return rows
    rows.header_ok = True
    start = 2
    try:
        for cells in reader:
            line = start
            start = reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                rows.problem(line, "", f"{len(cells)} cells where the header has {len(header)}")
                continue
            record = _record(rows, line, dict(zip(header, (c.strip() for c in cells), strict=True)))
            rows.records.append(record)
            rows.lines.append(line)
    except csv.Error as error:
        rows.problem(reader.line_num, "", f"not valid CSV ({error})")
    return rows


def _record(rows: _Rows, line: int, cells: dict[str, str]) -> dict[str, Any]:
    record: dict[str, Any] = {c: cells[c] for c in ("id", "name", "rank", "status") if c in cells}
    for optional in ("team", "available_from"):
        if optional in cells:
            record[optional] = cells[optional] or None
    skills: dict[str, Any] = {}
    for column in rows.skill_columns:
        value = cells[column]
        if not value:
            continue
        try:
            skills[column] = int(value)
        except ValueError:
            rows.problem(
                line, column, f"a skill level is a whole number from 0 to 5, not {value!r}"
            )
    record["skills"] = skills
    return record


def _parse_csv(data: bytes, filename: str, check: Check) -> VillagePatch:
    rows = read_csv_roster(data, filename)
    if not rows.header_ok:
        raise VillageFileError(rows.problems)
    return csv_patch(rows, check)


def csv_patch(rows: _Rows, check: Check) -> VillagePatch:
    """The patch the rows describe, checked; problems name each row's line and column."""
    try:
        patch = VillagePatch.model_validate({"format": FORMAT, "shinobi": rows.records})
    except ValidationError as invalid:
        for detail in invalid.errors(include_url=False):
            _csv_problem(rows, tuple(detail["loc"]), _csv_words(detail))
        raise VillageFileError(sorted(rows.problems, key=lambda p: p.line or 0)) from None
    if not rows.problems:
        for loc, message in check(patch):
            _csv_problem(rows, loc, message)
    if rows.problems:
        raise VillageFileError(sorted(rows.problems, key=lambda p: p.line or 0))
    return patch


def _csv_problem(rows: _Rows, loc: Loc, message: str) -> None:
    if len(loc) >= 2 and loc[0] == "shinobi" and isinstance(loc[1], int):
        line = rows.lines[loc[1]] if loc[1] < len(rows.lines) else None
        column = loc[3] if len(loc) > 3 and loc[2] == "skills" else (loc[2] if len(loc) > 2 else "")
        if column in ("skills", "techniques"):
            column = ""
        rows.problem(line, str(column), message)
    else:
        rows.problem(None, field_path(loc), message)


def _csv_words(detail: Any) -> str:
    return plain_words(detail)
