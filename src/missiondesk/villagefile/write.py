"""Write a village as a village file (SPEC section 3), YAML or JSON, readable and lossless.

Reading what this writes gives an equal `Village`. Keys come in the order of SPEC
section 3; collections of plain values are written inline (`{from: a, to: b, hours: 14}`),
which is how the SPEC example reads; optional fields left at their default are left out,
as a person writing the file would; times are `2026-11-22T16:00`, with seconds only when
they are not zero, and never with a YAML tag; dates are `2026-11-23`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from enum import Enum
from pathlib import Path
from typing import Any, Literal

import yaml

from missiondesk.domain.settings import Settings
from missiondesk.domain.village import Village
from missiondesk.villagefile.bulk import collector_paused

Format = Literal["yaml", "json"]

# PyYAML built without libyaml falls back to the pure-Python dumper: slower, same output.
_BaseDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# The top-level keys in SPEC order; `settings` and `skills` (optional, and absent from the
# SPEC example) come right after the village they tune.
_TOP_LEVEL = (
    "format",
    "village",
    "settings",
    "skills",
    "places",
    "roads",
    "roles",
    "shinobi",
    "missions",
    "organizations",
    "threats",
    "sightings",
    "countermeasures",
    "standing_orders",
    "history",
    "wellbeing_clearances",
    "promotion",
    "ledger",
)

# Optional fields written only when they say something (None, or an empty list).
_SHINOBI_OPTIONAL = ("skills", "techniques", "team", "available_from")
_MISSION_OPTIONAL = (
    "kind", "client", "window", "reward_ryo", "effective_rank", "squad", "departs", "checkins",
    "rescue_of", "override", "rescue_proposal",
)  # fmt: skip


def format_time(value: dt.datetime) -> str:
    """`2026-11-22T16:00`; seconds (and fractions, and a time zone) only when present."""
    if value.second or value.microsecond or value.tzinfo is not None:
        return value.isoformat()
    return value.strftime("%Y-%m-%dT%H:%M")


class _VillageDumper(_BaseDumper):
    """Writes enums as their plain names and times as `format_time` does."""

    def represent_time(self, data: dt.datetime) -> yaml.ScalarNode:
        # Always a plain string, which the village model parses: a YAML timestamp inside a
        # flow mapping must be quoted, and a quoted timestamp is written `!!timestamp`.
        return self.represent_scalar("tag:yaml.org,2002:str", format_time(data))

    def represent_enum(self, data: Enum) -> yaml.ScalarNode:
        return self.represent_str(str(data.value))

    def ignore_aliases(self, data: Any) -> bool:
        # A village file never needs anchors: an equal date in two places is written twice.
        return True


class _Inline(dict[str, Any]):
    """A small record written on one line, `{leader: a, members: [b, c]}`, as people do."""


def _represent_inline(dumper: Any, data: _Inline) -> yaml.MappingNode:
    node: yaml.MappingNode = dumper.represent_mapping(
        "tag:yaml.org,2002:map", dict(data), flow_style=True
    )
    return node


_VillageDumper.add_representer(_Inline, _represent_inline)
_VillageDumper.add_representer(dt.datetime, _VillageDumper.represent_time)
_VillageDumper.add_multi_representer(Enum, _VillageDumper.represent_enum)


def village_document(village: Village) -> dict[str, Any]:
    """The village as the plain document a file holds (dates and times still as objects)."""
    raw = village.model_dump(mode="python", by_alias=True)
    doc: dict[str, Any] = {}
    for key in _TOP_LEVEL:
        doc[key] = raw[key]
    if village.settings == Settings():
        del doc["settings"]
    if not village.skills:
        del doc["skills"]
    if not village.wellbeing_clearances:
        del doc["wellbeing_clearances"]
    for shinobi in doc["shinobi"]:
        _drop_empty(shinobi, _SHINOBI_OPTIONAL)
    for mission in doc["missions"]:
        _drop_empty(mission, _MISSION_OPTIONAL)
        if mission.get("window"):
            _drop_empty(mission["window"], ("latest", "due"))
        if not mission["objective"]["on_site_hours"]:
            del mission["objective"]["on_site_hours"]
        else:
            mission["objective"]["on_site_hours"] = _number(mission["objective"]["on_site_hours"])
        for checkin in mission.get("checkins", ()):
            _drop_empty(checkin, ("place",))
    for threat in doc["threats"]:
        _drop_empty(threat, ("organization",))
    if not village.promotion:
        del doc["promotion"]
    if village.ledger:
        # One line per share: {at, mission, outcome, shinobi, share, ryo}; the village's
        # cut names no shinobi.
        doc["ledger"] = [
            _Inline({k: v for k, v in entry.items() if not (k == "shinobi" and v is None)})
            for entry in doc["ledger"]
        ]
    else:
        del doc["ledger"]
    for road in doc["roads"]:
        road["hours"] = _number(road["hours"])
    # An order reads as `{id, rule, <parameters>, when}`, as SPEC section 4 writes it.
    doc["standing_orders"] = [
        {
            "id": order.pop("id"),
            "rule": order.pop("rule"),
            **{k: v for k, v in order.items() if k != "when"},
            **({"when": order["when"]} if order["when"] is not None else {}),
        }
        for order in doc["standing_orders"]
    ]
    for mission in doc["missions"]:
        if not mission.get("volunteers"):
            mission.pop("volunteers", None)  # written only when someone volunteered
    for entry in doc["history"]:
        # Past missions are written as briefly as the SPEC example writes them.
        mission, report = entry["mission"], entry["report"]
        if mission["kind"] is None:
            del mission["kind"]
        if not mission["objective"]["on_site_hours"]:
            del mission["objective"]["on_site_hours"]
        if not mission["objective"]["tags"] and not mission["objective"].get("on_site_hours"):
            del mission["objective"]
        for optional in ("objective_taken_by", "notes"):
            if report[optional] is None:
                del report[optional]
        entry["mission"], entry["squad"] = _Inline(mission), _Inline(entry["squad"])
        if not report["injuries"] and not report["encounters"]:
            entry["report"] = _Inline(
                {k: v for k, v in report.items() if k not in ("injuries", "encounters")}
            )
    for mission in doc["missions"]:
        mission["objective"] = _Inline(mission["objective"])
        if "squad" in mission:
            mission["squad"] = _Inline(mission["squad"])
    return doc


def _number(value: float) -> float | int:
    """`hours: 14` reads better than 14.0."""
    return int(value) if math.isfinite(value) and value.is_integer() else value


def _drop_empty(record: dict[str, Any], keys: tuple[str, ...]) -> None:
    for key in keys:
        if record.get(key) in (None, [], {}):
            record.pop(key, None)


def dump_village(village: Village, fmt: Format = "yaml") -> str:
    """The village file's text, in YAML or JSON."""
    if fmt not in ("yaml", "json"):
        raise ValueError(f"{fmt!r} is not a village file format (yaml, json)")
    with collector_paused():
        doc = village_document(village)
        if fmt == "json":
            return json.dumps(doc, ensure_ascii=False, indent=2, default=_json_value) + "\n"
        text: str = yaml.dump(
            doc,
            Dumper=_VillageDumper,
            sort_keys=False,
            default_flow_style=None,  # inline for collections of plain values, as in the SPEC
            allow_unicode=True,
            width=100,
        )
        return text


def write_village(village: Village, path: Path | str) -> None:
    """Write the village to `path`: JSON when it ends in .json, YAML otherwise."""
    path = Path(path)
    fmt: Format = "json" if path.suffix.lower() == ".json" else "yaml"
    path.write_text(dump_village(village, fmt), encoding="utf-8")


def _json_value(value: object) -> str:
    if isinstance(value, dt.datetime):
        return format_time(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to a village file")
