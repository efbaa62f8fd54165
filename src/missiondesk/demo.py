"""The story of SPEC section 1, told through the same services a village uses.

`missiondesk demo` builds a fresh database with the demo village and walks the scroll
mission from intake to the after-action report: nothing here is scripted output; every
verdict, squad and flag is computed by the product from the demo village's data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from missiondesk.domain.village import Encounter, Injury, Squad
from missiondesk.domain.words import plural
from missiondesk.operations.reports import ReportFile
from missiondesk.services import assessment as assessment_service
from missiondesk.services import clock, lifecycle, planning, reports, rescue, tracking, village
from missiondesk.services import wellbeing as wellbeing_service
from missiondesk.store.database import Database

SCROLL = "tani-scroll"
SHIKAMARU = "nara-shikamaru"
FIRST_CHOICE = Squad(leader=SHIKAMARU, members=["chiaki", "mihoko"])
ITACHI = "uchiha-itachi"
DEPARTURE = dt.datetime(2026, 11, 24, 6, 0)


def demo_village_path() -> Path:
    return Path(str(files("missiondesk") / "data" / "konoha.yaml"))


@dataclass
class Chapter:
    title: str
    lines: list[str]


def tell(db: Database, *, actor: str = "hokage", plan_seconds: float = 5.0) -> Iterator[Chapter]:
    """Yield the story chapter by chapter (the CLI prints them; tests read them)."""
    summary = village.import_village(db, demo_village_path(), replace=True, actor=actor)
    board = village.board(db)
    yield Chapter(
        "Konohagakure's mission office opens",
        [
            f"The demo village is in: {plural(summary.shinobi, 'shinobi')}, "
            f"{plural(summary.missions, 'mission')} waiting, "
            f"{plural(summary.history, 'after-action report')} on file.",
            *(f"  {m.id} ({m.rank}, priority {m.priority}): {m.title}" for m in board),
        ],
    )

    hasty = planning.check_squad(db, SCROLL, FIRST_CHOICE, at_declared_rank=True)
    judged = planning.check_squad(db, SCROLL, FIRST_CHOICE)
    yield Chapter(
        "The Hokage's first choice: Shikamaru and two genin, no medic",
        [
            f"At the declared rank {hasty.rank}, the squad {', '.join(hasty.squad)} breaks "
            f"{plural(len(hasty.violations), 'standing order')}:",
            *(f"  - {v.message}" for v in hasty.violations),
            f"At the rank the evidence supports ({judged.rank}), "
            f"it breaks {len(judged.violations)}:",
            *(f"  - {v.message}" for v in judged.violations),
        ],
    )

    a = assessment_service.assess(db, SCROLL)
    verdict = (
        f"Declared {a.declared_rank}, judged {a.effective_rank}: the mission looks too easy."
        if a.understated
        else f"Declared {a.declared_rank}, judged {a.effective_rank}."
    )
    yield Chapter(
        "The escalation: when the mission looks too easy, it most likely is",
        [
            verdict,
            *(f"  {t.threat}: {t.probability:.0%} likely to be met" for t in a.threats[:3]),
            "Why:",
            *(f"  [{f.contribution:+.2f}] {f.text}" for f in a.factors if f.contribution > 0),
            "Briefing for the squad:",
            *(f"  {b.threat} / {b.ability}: {b.advice}" for b in a.briefing if b.threat == ITACHI),
        ],
    )

    plan = planning.plan(db, actor=actor, time_limit=plan_seconds, pins={SHIKAMARU: SCROLL})
    squad = next((s for s in plan.squads if s.mission == SCROLL), None)
    if squad is None:
        raise RuntimeError(
            "the planner left the scroll mission unstaffed"
        )  # a bug in the demo data
    yield Chapter(
        "The planner's squad (the Hokage keeps Shikamaru on duty: pinned, not leading)",
        [
            f"Total priority staffed {plan.objective} of a proven best {plan.bound}; "
            f"{plural(len(plan.squads), 'squad')}, "
            f"{plural(len(plan.unstaffed), 'mission')} unstaffed.",
            f"{SCROLL}, rank {squad.effective_rank}, led by {squad.leader}:",
            *(
                f"  {m.shinobi}{' [' + ', '.join(m.roles) + ']' if m.roles else ''}: "
                f"{m.reasons[0] if m.reasons else ''}"
                for m in squad.members
            ),
            *(f"  - {r}" for r in squad.reasons),
        ],
    )

    lifecycle.approve(db, SCROLL, actor=actor, at=DEPARTURE - dt.timedelta(hours=1))
    dispatched = lifecycle.dispatch(db, SCROLL, actor=actor, at=DEPARTURE)
    first, *rest = dispatched.checkins_due
    yield Chapter(
        "Approved and dispatched",
        [
            f"The squad leaves on {DEPARTURE:%Y-%m-%d at %H:%M}.",
            *(
                f"  check-in due at {c['place']} by {c['due'].replace('T', ' ')}"
                for c in dispatched.checkins_due
            ),
        ],
    )

    at_tanigakure = dt.datetime.fromisoformat(first["expected"])
    lifecycle.checkin(db, SCROLL, actor=squad.leader, at=at_tanigakure, place=first["place"])
    home_due = dt.datetime.fromisoformat(rest[-1]["due"]) if rest else at_tanigakure
    quiet = home_due + dt.timedelta(hours=2)
    clock.set_clock(db, quiet, actor=actor)  # time passes: the missed check-in is recorded
    missing = tracking.overdue(db, at=quiet)
    lines = [
        f"The squad checked in at {first['place']} on {at_tanigakure:%Y-%m-%d %H:%M}, "
        "then went quiet."
    ]
    for o in missing:
        lines.append(
            f"At {quiet:%Y-%m-%d %H:%M}, {o.mission} is overdue "
            f"(due {o.checkin_due:%Y-%m-%d %H:%M}); "
            f"last seen at {o.last_place}."
        )
        if o.rescue.leader:
            lines.append(f"Proposed rescue, led by {o.rescue.leader}:")
            lines += [
                f"  {m.shinobi}{' [' + ', '.join(m.roles) + ']' if m.roles else ''}"
                for m in o.rescue.members
            ]
        lines += [f"  - {r}" for r in o.rescue.reasons[:3]]
    sent = rescue.rescue(db, SCROLL, actor=actor, at=quiet)
    lines.append(
        f"The Hokage sends it: {sent.mission} leaves at {sent.departs:%Y-%m-%d %H:%M}, "
        f"led by {sent.leader}, with {', '.join(m.shinobi for m in sent.members)}."
    )
    yield Chapter("The missed check-in and the rescue squad", lines)

    returned = quiet + dt.timedelta(hours=16)
    rescue_report = ReportFile(
        returned=returned,
        outcome="success",
        notes="Found Shikamaru on the road home with a wound that needs weeks of rest; "
        "the medic healed him enough to walk.",
    )
    reports.apply_report(db, sent.mission, rescue_report, actor=sent.leader)
    report = ReportFile(
        returned=returned,
        outcome="failure",
        injuries=[Injury(shinobi=SHIKAMARU, severity="serious", recovery_days=21)],
        encounters=[
            Encounter(
                threat=ITACHI, place=first["place"], at=at_tanigakure + dt.timedelta(hours=12)
            )
        ],
        objective_taken_by=ITACHI,
        notes="On the way home Itachi dropped in front of the squad. Shikamaru held him with his "
        "shadow and wounded his own thigh to hold on; the others got away. Itachi took the scroll.",
    )
    result = reports.apply_report(db, SCROLL, report, actor=squad.leader)
    yield Chapter(
        "The after-action report",
        [
            f"Outcome: {result.outcome}. {report.notes}",
            *(
                f"  {i['shinobi']}: {i['severity']} injury, "
                f"{i['status']} until {i['available_from']}"
                for i in result.injured
            ),
            f"  {plural(result.sightings_added, 'encounter')} added to the bingo book "
            "as certain sightings.",
            "  Akatsuki is now known to want: "
            f"{', '.join(result.interests_learned) or 'nothing new'}.",
            f"The rescue's report ({sent.mission}): {rescue_report.notes}",
        ],
    )

    roster = {r.id: r for r in village.roster(db)}
    him = roster[SHIKAMARU]
    watch = [w for w in wellbeing_service.wellbeing(db, flagged_only=True)]
    again = assessment_service.assess(db, SCROLL)
    lines = [
        f"Roster: {him.name} is {him.status} until {him.available_from}.",
        f"Intelligence: {ITACHI} is now {again.probability(ITACHI):.0%} likely on the same road.",
        "Wellbeing:",
    ]
    for w in watch:
        for flag in w.flags:
            lines.append(f"  {w.shinobi}: {flag.kind} since {flag.since}. {flag.evidence.text}")
            lines.append(f"    response: {flag.response}")
    yield Chapter("Afterwards: the roster, the intelligence, the watch over people", lines)
