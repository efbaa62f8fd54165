"""A second opinion on any plan: every standing order and always-true rule re-checked on
the concrete squads, from the rules' definitions, without the solver's encoding.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from missiondesk.domain.assessment import Assessment
from missiondesk.domain.village import HistoryEntry, Squad, Village
from missiondesk.planning.plan import Plan, Violation
from missiondesk.planning.roster import Departure, Record, fills_role
from missiondesk.planning.rules import ALWAYS, SquadFacts, check_squad


def validate_plan(
    village: Village,
    assessments: Mapping[str, Assessment],
    plan: Plan | Mapping[str, Squad],
    flags: Mapping[str, Collection[str]] | None = None,
    extra_history: Iterable[HistoryEntry | Departure] = (),
) -> list[Violation]:
    """Every violation in `plan` (empty when it obeys everything), in mission order."""
    if isinstance(plan, Plan):
        squads = plan.squads_by_mission()
        claimed = {s.mission: {m.shinobi: m.roles for m in s.members} for s in plan.squads}
    else:
        squads, claimed = dict(plan), {}
    missions = {m.id: m for m in village.missions}
    shinobi = {s.id: s for s in village.shinobi}
    threats = {t.id: t for t in village.threats}
    record = Record(village.history, extra_history)
    found: list[Violation] = []
    placed: dict[str, str] = {}

    def broken(mission: str, text: str, order: str = ALWAYS, rule: str = "always") -> None:
        found.append(Violation(mission=mission, order=order, rule=rule, message=text))

    for mid, squad in sorted(squads.items()):
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
        for sid in squad.everyone:
            if sid in placed:
                broken(mid, f"{sid} is also on the squad for {placed[sid]}")
            else:
                placed[sid] = mid
        if unknown:
            continue
        for sid, roles in claimed.get(mid, {}).items():
            for role in roles:
                if role not in village.roles or not fills_role(shinobi[sid], village.roles[role]):
                    broken(mid, f"{sid} is said to fill {role} but does not")
        people = tuple(shinobi[s] for s in squad.everyone)
        facts = SquadFacts(
            mission=mission,
            assessment=assessment,
            earliest=mission.earliest(village.village.today),
            leader=people[0],
            everyone=people,
            roles=village.roles,
            threats=threats,
            countermeasures=village.countermeasures,
            flags=flags or {},
            record=record,
            roster=tuple(village.shinobi),
        )
        for order, rule, text in check_squad(facts, village.standing_orders):
            broken(mid, text, order, rule)
    return found
