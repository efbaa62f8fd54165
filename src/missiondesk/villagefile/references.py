"""Cross-references of a village file: every id is unique and every name points at something.

Pydantic checks each record on its own; what needs the whole document is checked here, in
one pass over sets, so a 20,000-shinobi, 50,000-mission history costs a fraction of a second.

Who refers to what (read: "roads[].from names a place"):

    ==============================================  ==================================
    field                                           names a
    ==============================================  ==================================
    roads[].from, roads[].to                        place
    missions[].route[], history[].mission.route[]   place
    sightings[].place, ...encounters[].place        place
    sightings[].threat, ...encounters[].threat      threat
    history[].report.objective_taken_by             threat
    threats[].organization                          organization
    countermeasures[].role, standing_orders[].role  role (a key of roles:)
    shinobi[].skills keys, roles.<role> keys        skill (SKILLS or the file's skills:)
    history[].squad.leader, .squad.members[]        shinobi
    missions[].squad.leader, .squad.members[]       shinobi
    missions[].checkins[].place                     place
    missions[].rescue_of                            mission
    wellbeing_clearances[].shinobi                  shinobi
    history[].report.injuries[].shinobi             shinobi on that squad
    missions[].volunteers[]                         shinobi
    ==============================================  ==================================

A mission in progress (approved, dispatched or overdue) needs its squad, and one in the
field its `departs`; nobody is on two squads in progress at once.

Ids are unique within places, shinobi, missions, organizations, threats, standing_orders
and history[].mission; a duplicate is reported where it appears the second time.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from missiondesk.domain.orders import RequireRole
from missiondesk.domain.ranks import COMMITTED, IN_THE_FIELD, SKILLS
from missiondesk.domain.village import Village
from missiondesk.villagefile.errors import Loc, field_path

Finding = tuple[Loc, str]
"""Where (a pydantic-style path) and what, e.g. (('roads', 2, 'to'), "'x' is not a known place")."""

# Above this many candidates a "did you mean" costs more than it helps; and only the first
# few unknown names get one, so a file with 50,000 bad references still fails fast.
_SUGGEST_MAX_CANDIDATES = 2000
_SUGGEST_MAX_TIMES = 50
_LIST_ALLOWED_MAX = 12


def check_references(village: Village) -> list[Finding]:
    """Every duplicate id and every reference to something that does not exist.

    The caller (`parse`) orders them by line; here they come grouped by kind.
    """
    findings: list[Finding] = []
    findings.extend(_duplicate_ids(village))
    names = _Names.of(village)
    for noun, loc, value in _references(village):
        if value not in names.known[noun]:
            findings.append((loc, names.unknown(noun, value)))
    findings.extend(_injuries_off_squad(village, names.known["shinobi"]))
    findings.extend(_missions_in_progress(village))
    return findings


def _missions_in_progress(village: Village) -> Iterator[Finding]:
    """What the office needs to carry on with a mission in progress: its squad, when it
    left (once in the field), and people who are on no other squad in progress."""
    on_squad: dict[str, str] = {}
    for i, mission in enumerate(village.missions):
        if mission.status not in COMMITTED:
            continue
        status = mission.status.value
        if mission.squad is None:
            yield (
                ("missions", i, "squad"),
                f"mission {mission.id!r} is {status} but has no squad "
                "(write squad: {leader, members}, as `village export` does)",
            )
            continue
        if mission.status in IN_THE_FIELD and mission.departs is None:
            yield (
                ("missions", i, "departs"),
                f"mission {mission.id!r} is {status} but has no departs (when its squad left)",
            )
        if mission.status not in IN_THE_FIELD:
            continue  # approved squads may share people whose spans do not overlap (SPEC 9)
        for j, shinobi_id in enumerate(mission.squad.everyone):
            loc: Loc = ("missions", i, "squad", *(("leader",) if j == 0 else ("members", j - 1)))
            other = on_squad.setdefault(shinobi_id, mission.id)
            if other != mission.id:
                yield loc, f"{shinobi_id!r} is already on the squad of mission {other!r}"


def check_references_within(village: Village, known: Mapping[str, Iterable[str]]) -> list[Finding]:
    """`check_references` for part of a village (a partial file given to `village apply`):
    names in `known` (noun -> ids defined elsewhere, e.g. in the stored village) count as
    defined, besides those of the part itself."""
    findings: list[Finding] = []
    findings.extend(_duplicate_ids(village))
    names = _Names.of(village)
    for noun, extra in known.items():
        names.known[noun] = names.known[noun] | set(extra)
    for noun, loc, value in _references(village):
        if value not in names.known[noun]:
            findings.append((loc, names.unknown(noun, value)))
    findings.extend(_injuries_off_squad(village, names.known["shinobi"]))
    return findings


def _duplicate_ids(village: Village) -> Iterator[Finding]:
    collections: list[tuple[str, Iterable[str], Loc]] = [
        ("places", (p.id for p in village.places), ("id",)),
        ("shinobi", (s.id for s in village.shinobi), ("id",)),
        ("missions", (m.id for m in village.missions), ("id",)),
        ("organizations", (o.id for o in village.organizations), ("id",)),
        ("threats", (t.id for t in village.threats), ("id",)),
        ("standing_orders", (o.id for o in village.standing_orders), ("id",)),
        ("history", (h.mission.id for h in village.history), ("mission", "id")),
    ]
    for name, ids, tail in collections:
        first: dict[str, int] = {}
        for index, ident in enumerate(ids):
            seen = first.setdefault(ident, index)
            if seen != index:
                where = field_path((name, seen, *tail[:-1]))
                yield (name, index, *tail), f"duplicate id {ident!r} (first used by {where})"


def _references(village: Village) -> Iterator[tuple[str, Loc, str]]:
    """Every (noun, where, name) in the file that must name an existing thing (see the table)."""
    for i, road in enumerate(village.roads):
        yield "place", ("roads", i, "from"), road.from_
        yield "place", ("roads", i, "to"), road.to
    for i, mission in enumerate(village.missions):
        for j, place in enumerate(mission.route):
            yield "place", ("missions", i, "route", j), place
        if mission.squad is not None:
            yield "shinobi", ("missions", i, "squad", "leader"), mission.squad.leader
            for j, member in enumerate(mission.squad.members):
                yield "shinobi", ("missions", i, "squad", "members", j), member
        for j, checkin in enumerate(mission.checkins):
            if checkin.place is not None:
                yield "place", ("missions", i, "checkins", j, "place"), checkin.place
        if mission.rescue_of is not None:
            yield "mission", ("missions", i, "rescue_of"), mission.rescue_of
        for j, sid in enumerate(mission.volunteers):
            yield "shinobi", ("missions", i, "volunteers", j), sid
    for i, clearance in enumerate(village.wellbeing_clearances):
        yield "shinobi", ("wellbeing_clearances", i, "shinobi"), clearance.shinobi
    for i, sighting in enumerate(village.sightings):
        yield "threat", ("sightings", i, "threat"), sighting.threat
        yield "place", ("sightings", i, "place"), sighting.place
    for i, threat in enumerate(village.threats):
        if threat.organization is not None:
            yield "organization", ("threats", i, "organization"), threat.organization
    for i, measure in enumerate(village.countermeasures):
        if measure.role is not None:
            yield "role", ("countermeasures", i, "role"), measure.role
    for i, order in enumerate(village.standing_orders):
        if isinstance(order, RequireRole):
            yield "role", ("standing_orders", i, "role"), order.role
    for i, shinobi in enumerate(village.shinobi):
        for skill in shinobi.skills:
            yield "skill", ("shinobi", i, "skills", skill), skill
    for role, minimums in village.roles.items():
        for skill in minimums:
            yield "skill", ("roles", role, skill), skill
    for i, entry in enumerate(village.history):
        for j, place in enumerate(entry.mission.route):
            yield "place", ("history", i, "mission", "route", j), place
        yield "shinobi", ("history", i, "squad", "leader"), entry.squad.leader
        for j, member in enumerate(entry.squad.members):
            yield "shinobi", ("history", i, "squad", "members", j), member
        report = entry.report
        for j, injury in enumerate(report.injuries):
            yield "shinobi", ("history", i, "report", "injuries", j, "shinobi"), injury.shinobi
        for j, met in enumerate(report.encounters):
            yield "threat", ("history", i, "report", "encounters", j, "threat"), met.threat
            yield "place", ("history", i, "report", "encounters", j, "place"), met.place
        if report.objective_taken_by is not None:
            taken = report.objective_taken_by
            yield "threat", ("history", i, "report", "objective_taken_by"), taken


def _injuries_off_squad(village: Village, roster: set[str]) -> Iterator[Finding]:
    # Someone not on the roster at all is already reported as unknown; once is enough.
    for i, entry in enumerate(village.history):
        if not entry.report.injuries:
            continue
        squad = entry.squad.everyone
        for j, injury in enumerate(entry.report.injuries):
            if injury.shinobi not in squad and injury.shinobi in roster:
                yield (
                    ("history", i, "report", "injuries", j, "shinobi"),
                    f"{injury.shinobi!r} was not on this squad ({', '.join(squad)})",
                )


@dataclass
class _Names:
    """The names a village defines, per noun, and how to say that a name is not among them."""

    known: dict[str, set[str]]
    suggestions_left: int = field(default=_SUGGEST_MAX_TIMES)

    @classmethod
    def of(cls, village: Village) -> _Names:
        return cls(
            known={
                "place": {p.id for p in village.places},
                "mission": {m.id for m in village.missions},
                "shinobi": {s.id for s in village.shinobi},
                "threat": {t.id for t in village.threats},
                "organization": {o.id for o in village.organizations},
                "role": set(village.roles),
                "skill": set(SKILLS) | set(village.skills),
            }
        )

    def unknown(self, noun: str, value: str) -> str:
        known = self.known[noun]
        message = f"{value!r} is not a known {noun}"
        if noun == "skill":
            extra = sorted(known - set(SKILLS))
            listed = ", ".join([*SKILLS, *extra])
            return f"{message} ({listed}; a file may add skills under skills:)"
        if not known:
            return f"{message} (the file defines no {_PLURAL[noun]})"
        if len(known) <= _LIST_ALLOWED_MAX:
            return f"{message} ({', '.join(sorted(known))})"
        if self.suggestions_left > 0 and len(known) <= _SUGGEST_MAX_CANDIDATES:
            self.suggestions_left -= 1
            close = difflib.get_close_matches(value, known, n=1, cutoff=0.8)
            if close:
                return f"{message} (did you mean {close[0]!r}?)"
        return message


_PLURAL = {
    "place": "places",
    "mission": "missions",
    "shinobi": "shinobi",
    "threat": "threats",
    "organization": "organizations",
    "role": "roles",
}
