"""A second opinion on any plan: every standing order and always-true rule re-checked on
the concrete squads, from the rules' definitions, without the solver's encoding.

Over time (SPEC section 9) it recomputes, from the plan's departures and the village
alone: each departure inside its mission's window and not before the clock's now; each
return (road hours of the route plus hours on site); that nobody is on two squads whose
spans (departure to return) overlap; and `min_rest` and `max_missions` with the plan's
own earlier squads counted as departures and returns.

Approved squads outside the plan (`commitments`: who, which mission, when it leaves) are
judged the same way: their returns are recomputed here from their routes; nobody on the
plan may be on one whose span overlaps theirs; they count for each plan squad's
`min_rest` and `max_missions`; and at each approved squad's own departure, the plan's
squads before it count for its `min_rest` and `max_missions` orders (at its rank).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from missiondesk.domain.assessment import Assessment
from missiondesk.domain.village import HistoryEntry, Mission, Squad, Village
from missiondesk.domain.words import plural
from missiondesk.operations.schedule import returns_at
from missiondesk.planning.candidates import Commitment
from missiondesk.planning.plan import Plan, Violation
from missiondesk.planning.roster import Departure, Record, fills_role
from missiondesk.planning.rules import ALWAYS, SquadFacts, applies_at, check_squad
from missiondesk.planning.timing import span_hours
from missiondesk.risk.roads import RoadNetwork
from missiondesk.wellbeing.ahead import Flags, as_calendar


@dataclass(frozen=True)
class _Planned:
    mission: str
    squad: Squad
    departs: dt.datetime | None
    returns: dt.datetime | None


def _at(at: dt.datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M}"


def validate_plan(
    village: Village,
    assessments: Mapping[str, Assessment],
    plan: Plan | Mapping[str, Squad],
    flags: Flags = None,
    extra_history: Iterable[HistoryEntry | Departure] = (),
    departs: Mapping[str, dt.datetime] | None = None,
    commitments: Mapping[str, Sequence[Commitment]] | None = None,
) -> list[Violation]:
    """Every violation in `plan` (empty when it obeys everything), in mission order. A
    plain mapping of squads is judged at the departures in `departs` (returns computed
    here), and a mission without one on its earliest day, with no time checks.
    `commitments` are the approved squads outside the plan, per shinobi. `flags` are
    read on each squad's departure day (a `FlagCalendar`; a plain mapping holds on every
    day)."""
    missions = {m.id: m for m in village.missions}
    network = RoadNetwork.from_village(village)
    if isinstance(plan, Plan):
        planned = [_Planned(s.mission, s.squad(), s.departs, s.returns) for s in plan.squads]
        claimed = {s.mission: {m.shinobi: m.roles for m in s.members} for s in plan.squads}
    else:
        planned = []
        for mid, squad in plan.items():
            at = (departs or {}).get(mid)
            back = (
                returns_at(at, span_hours(missions[mid], network))
                if at is not None and mid in missions
                else None
            )
            planned.append(_Planned(mid, squad, at, back))
        claimed = {}
    shinobi = {s.id: s for s in village.shinobi}
    watch = as_calendar(flags)
    threats = {t.id: t for t in village.threats}
    committed = _committed(village, commitments or {}, network)
    record = Record(
        village.history,
        [
            *extra_history,
            *(
                Departure((sid,), c.departs.date(), c.returns.date(), c.mission)
                for sid, spans in committed.items()
                for c in spans
            ),
        ],
    )
    found: list[Violation] = []

    def broken(mission: str, text: str, order: str = ALWAYS, rule: str = "always") -> None:
        found.append(Violation(mission=mission, order=order, rule=rule, message=text))

    # The order squads leave in: each is judged with the plan's earlier squads on record.
    def leaves(p: _Planned) -> tuple[dt.datetime, str]:
        return (p.departs or dt.datetime.min, p.mission)

    earlier: list[_Planned] = []
    for p in sorted(planned, key=leaves):
        mid, squad = p.mission, p.squad
        mission = missions.get(mid)
        if mission is None:
            broken(mid, f"{mid!r} is not a mission of the village")
            continue
        assessment = assessments.get(mid)
        if assessment is None:
            broken(mid, f"{mid!r} has no assessment, so its effective rank is unknown")
            continue
        unknown = [s for s in squad.everyone if s not in shinobi]
        for sid in unknown:
            broken(mid, f"{sid!r} is not a shinobi of the village")
        if unknown:
            continue
        for text in _timing(village, mission, p, network):
            broken(mid, text)
        ours = set(squad.everyone)
        sharing = [e for e in earlier if ours & set(e.squad.everyone)]
        for e in sharing:
            for sid in sorted(ours & set(e.squad.everyone)):
                if e.returns is None or p.departs is None or p.departs < e.returns:
                    when = (
                        f" (leaves {_at(e.departs)}, back {_at(e.returns)})"
                        if e.departs and e.returns
                        else ""
                    )
                    broken(mid, f"{sid} is also on the squad for {e.mission}{when}")
        for sid, c in _overlapping(committed, ours, p.departs, p.returns):
            broken(mid, f"{sid} is committed to {c.mission} ({_span(c)})")
        for sid, roles in claimed.get(mid, {}).items():
            for role in roles:
                if role not in village.roles or not fills_role(shinobi[sid], village.roles[role]):
                    broken(mid, f"{sid} is said to fill {role} but does not")
        people = tuple(shinobi[s] for s in squad.everyone)
        facts = SquadFacts(
            mission=mission,
            assessment=assessment,
            earliest=p.departs.date() if p.departs else mission.earliest(village.village.today),
            leader=people[0],
            everyone=people,
            roles=village.roles,
            threats=threats,
            countermeasures=village.countermeasures,
            flags=watch,
            record=record.plus(
                Departure(
                    members=tuple(s for s in e.squad.everyone if s in ours),
                    departed=e.departs.date(),
                    returned=e.returns.date() if e.returns else None,
                    mission=e.mission,
                )
                for e in sharing
                if e.departs is not None
            ),
            roster=tuple(village.shinobi),
        )
        for order, rule, text in check_squad(facts, village.standing_orders):
            broken(mid, text, order, rule)
        earlier.append(p)
    for sid, spans in sorted(committed.items()):
        trips = [e for e in earlier if sid in e.squad.everyone and e.departs and e.returns]
        for c in spans:
            for mid, order, rule, text in _at_commitment(village, record, sid, c, trips):
                broken(mid, text, order, rule)
    return sorted(found, key=lambda v: v.mission)


def _overlapping(
    committed: Mapping[str, Sequence[Commitment]],
    people: Collection[str],
    departs: dt.datetime | None,
    returns: dt.datetime | None,
) -> list[tuple[str, Commitment]]:
    """Who of `people` is committed to an approved squad whose span overlaps this one."""
    if departs is None or returns is None:
        return []
    return [
        (sid, c)
        for sid in sorted(people)
        for c in committed.get(sid, ())
        if departs < c.returns and c.departs < returns
    ]


def _span(c: Commitment) -> str:
    return f"approved, leaves {_at(c.departs)}, back {_at(c.returns)}"


def _committed(
    village: Village, commitments: Mapping[str, Sequence[Commitment]], network: RoadNetwork
) -> dict[str, list[Commitment]]:
    """The approved squads, each return recomputed from its mission's route (the one
    given is not trusted)."""
    missions = {m.id: m for m in village.missions}
    found: dict[str, list[Commitment]] = {}
    for sid, spans in commitments.items():
        for c in spans:
            mission = missions.get(c.mission)
            back = (
                returns_at(c.departs, span_hours(mission, network))
                if mission is not None
                else c.returns
            )
            found.setdefault(sid, []).append(replace(c, returns=back))
    return found


def _at_commitment(
    village: Village, record: Record, sid: str, c: Commitment, trips: Sequence[_Planned]
) -> list[tuple[str, str, str, str]]:
    """`min_rest` and `max_missions` of an approved squad at its own departure, counting
    the plan's squads (`trips`, with `sid` on them) that leave before it: each broken
    order as (plan mission to blame, order id, rule, sentence)."""
    day = c.departs.date()
    before = [e for e in trips if e.departs is not None and e.departs < c.departs]
    found: list[tuple[str, str, str, str]] = []
    for order in village.standing_orders:
        if not applies_at(order, c.rank):
            continue
        if order.rule == "min_rest":
            for e in before:
                assert e.returns is not None
                back = e.returns.date()
                if back <= day and (day - back).days < order.days:
                    found.append(
                        (
                            e.mission,
                            order.id,
                            order.rule,
                            f"{sid} would be back from {e.mission} on {back.isoformat()}, less "
                            f"than {plural(order.days, 'day')} before leaving on {c.mission} "
                            f"({_span(c)})",
                        )
                    )
        elif order.rule == "max_missions":
            start = day - dt.timedelta(days=order.days)
            inside = [e for e in before if e.departs and start <= e.departs.date() < day]
            total = record.missions_before(sid, day, order.days) + len(inside) + 1
            if inside and total > order.count:
                found.append(
                    (
                        inside[-1].mission,
                        order.id,
                        order.rule,
                        f"{sid} would be on {plural(total, 'mission')} in "
                        f"{plural(order.days, 'day')} by leaving on {c.mission} ({_span(c)}; "
                        f"at most {order.count}; the plan's "
                        f"{', '.join(e.mission for e in inside)} among them)",
                    )
                )
    return found


def _timing(village: Village, mission: Mission, p: _Planned, network: RoadNetwork) -> list[str]:
    """A departure inside the window and not before now, and the return it implies."""
    if p.departs is None:
        return []
    found = []
    now = village.village.now
    if p.departs < now:
        found.append(f"leaves {_at(p.departs)}, before the clock's now ({_at(now)})")
    window = mission.window
    day = p.departs.date()
    if window is not None:
        last = window.latest or window.earliest
        if not window.earliest <= day <= last:
            found.append(
                f"leaves on {day.isoformat()}, outside its window "
                f"({window.earliest.isoformat()} to {last.isoformat()})"
            )
    elif day != village.village.today:
        found.append(f"leaves on {day.isoformat()}, but it has no window: it leaves today")
    expected = returns_at(p.departs, span_hours(mission, network))
    if p.returns != expected:
        said = _at(p.returns) if p.returns else "nothing"
        found.append(
            f"returns {said}, but leaving {_at(p.departs)} it is back at {_at(expected)} "
            "(road hours of the route and hours on site)"
        )
    return found
