"""Write a village as a village file (SPEC section 3), YAML or JSON, readable and lossless.

Reading what this writes gives an equal `Village`. Keys come in the order of SPEC
section 3; collections of plain values are written inline (`{from: a, to: b, hours: 14}`),
which is how the SPEC example reads; times are `2026-11-22T16:00`, with seconds only when
they are not zero; dates are `2026-11-23`.
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
    "promotion",
)


def format_time(value: dt.datetime) -> str:
    """`2026-11-22T16:00`; seconds (and fractions, and a time zone) only when present."""
    if value.second or value.microsecond or value.tzinfo is not None:
        return value.isoformat()
    return value.strftime("%Y-%m-%dT%H:%M")


class _VillageDumper(_BaseDumper):
    """Writes enums as their plain names and times as `format_time` does."""

    def represent_time(self, data: dt.datetime) -> yaml.ScalarNode:
        text = format_time(data)
        if data.second or data.microsecond or data.tzinfo is not None:
            # With seconds it is a YAML 1.1 timestamp and reads back as one, unquoted.
            return self.represent_scalar("tag:yaml.org,2002:timestamp", text)
        # Without seconds YAML 1.1 sees a plain string, which the village model parses.
        return self.represent_scalar("tag:yaml.org,2002:str", text)

    def represent_enum(self, data: Enum) -> yaml.ScalarNode:
        return self.represent_str(str(data.value))

    def ignore_aliases(self, data: Any) -> bool:
        # A village file never needs anchors: an equal date in two places is written twice.
        return True


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
    if not village.promotion:
        del doc["promotion"]
    for road in doc["roads"]:
        if math.isfinite(road["hours"]) and road["hours"].is_integer():
            road["hours"] = int(road["hours"])  # `hours: 14` reads better than 14.0
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
        if not mission["objective"]["tags"]:
            del mission["objective"]
        for optional in ("objective_taken_by", "notes"):
            if report[optional] is None:
                del report[optional]
    return doc


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
