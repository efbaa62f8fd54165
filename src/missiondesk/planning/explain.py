"""Why: each member is on a squad, each squad meets its orders, and each unstaffed
mission could not be staffed (which order, short by how many, and what keeps the people
who would qualify), all read from the same needs the model enforces.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from itertools import combinations

import numpy as np

from missiondesk.domain.words import plural
from missiondesk.planning.candidates import Board, Requirements, blocked_by
from missiondesk.planning.greedy import Assignment, Busy, build_squad
from missiondesk.planning.quality import JUNIOR, PAIR_CAP, SENIORS
from missiondesk.planning.rules import ALWAYS, CLIENT, Need

SHOWN = 3  # names listed per reason before "and N more"


def _label(need: Need) -> str:
    if need.order == CLIENT:
        return "the client"
    if need.order == ALWAYS:
        return "always"
    return f"order {need.order!r}"


def _list(ids: list[str]) -> str:
    shown = ", ".join(ids[:SHOWN])
    return shown if len(ids) <= SHOWN else f"{shown} and {len(ids) - SHOWN} more"


def why_not_usable(
    board: Board, req: Requirements, i: int, placed: Mapping[int, str]
) -> tuple[str, str]:
    """Why person i cannot be on this mission's squad, as (reason, detail)."""
    for need in req.needs:
        if need.kind == "serve" and need.mask is not None and not need.mask[i]:
            return blocked_by(need, i), ""
    if req.forbidden[i]:
        return "forbidden for it by the Hokage", ""
    if i in placed:
        return "on other squads of this plan", placed[i]
    return "free", ""


def _margin(board: Board, req: Requirements, qualify: np.ndarray, placed: Mapping[int, str]) -> str:
    """Who qualifies and what keeps each of them: 'of the 2 who qualify, sakura is
    injured until 2026-12-01; ino is on other squads of this plan (escort)'."""
    ids = board.roster.ids
    people = np.flatnonzero(qualify).tolist()
    if not people:
        return "nobody on the roster qualifies"
    groups: dict[str, list[str]] = defaultdict(list)
    details: dict[str, list[str]] = defaultdict(list)
    for i in people:
        reason, detail = why_not_usable(board, req, i, placed)
        groups[reason].append(ids[i])
        if detail:
            details[reason].append(detail)
    parts = []
    for reason, who in sorted(groups.items(), key=lambda g: (-len(g[1]), g[0])):
        verb = "is" if len(who) == 1 else "are"
        if reason == "free":
            parts.append(f"{_list(who)} {verb} free")
            continue
        text = (
            reason
            if reason.startswith(("is ", "has ", "already ", "returned", "would "))
            else (f"{verb} {reason}")
        )
        if len(who) > 1 and text.startswith("is "):
            text = "are " + text[3:]
        elif len(who) > 1 and text.startswith("has "):
            text = "have " + text[4:]
        extra = f" ({_list(sorted(set(details[reason])))})" if details[reason] else ""
        parts.append(f"{_list(who)} {text}{extra}")
    if len(people) == 1:
        return "the only one who qualifies: " + "; ".join(parts)
    return f"of the {len(people)} who qualify, " + "; ".join(parts)


def clashing(board: Board, k: int, busy: Busy) -> dict[int, str]:
    """Who the plan's squads (placed in `busy`) keep from slot k, each with the squads
    (and when): those on a squad whose span clashes with k's, and those whose departures
    on the plan would break a `max_missions` order there (or at the departure of an
    approved squad they are on, named)."""
    found: dict[int, str] = {}
    labels: dict[tuple[int, ...], str] = {}
    for p, taken in busy.slots.items():
        clash = tuple(j for j in taken if board.clash(k, j))
        if not clash:
            if busy.may_add(p, k, taken):
                continue
            clash = tuple(sorted(taken))
            held = busy.held_back_by(p, [*taken, k])
            suffix = (
                ": too many missions (max_missions)"
                if held is None
                else f": too many missions by {held.mission} (approved, leaves "
                f"{held.departs:%Y-%m-%d %H:%M}; max_missions)"
            )
        else:
            suffix = ""
        if clash not in labels:
            labels[clash] = "; ".join(
                f"{board.missions[j].mission.id}, {when(board, j)}" for j in clash
            )
        found[p] = labels[clash] + suffix
    return found


def when(board: Board, k: int) -> str:
    slot = board.slot(k)
    return f"leaves {slot.departs:%Y-%m-%d %H:%M}, back {slot.returns:%Y-%m-%d %H:%M}"


def explain_unstaffed(board: Board, k: int, placed: Mapping[int, str], proven: bool) -> list[str]:
    """Which orders could not be met for slot k, and by what margin; `placed` is who
    the plan's squads keep from it (`clashing`)."""
    req = board.missions[k]
    roster = board.roster
    usable = req.eligible.copy()
    usable[list(placed)] = False
    reasons = []
    sizes = [n for n in req.needs if n.kind == "size"]
    if req.low > req.high:
        said = "; ".join(f"{_label(n)} asks for {n.text}" for n in sizes)
        reasons.append(f"its size orders contradict each other: {said}")
    for need in req.counts:
        assert need.mask is not None
        have = int((need.mask & usable).sum())
        if have < need.count:
            reasons.append(
                f"needs {need.text} ({_label(need)}), short by {need.count - have}: "
                + _margin(board, req, need.mask, placed)
            )
        if need.count > req.high:
            reasons.append(f"needs {need.text} ({_label(need)}) but at most {req.high} may go")
    if not (req.leads & usable).any():
        leads = [n for n in req.needs if n.kind == "lead"]
        mask = np.ones(len(roster), dtype=bool)
        for n in leads:
            assert n.mask is not None
            mask &= n.mask
        leader = "; ".join(f"{n.text} ({_label(n)})" for n in leads) or "a leader"
        reasons.append(f"needs {leader}: " + _margin(board, req, mask, placed))
    free = int(usable.sum())
    if free < req.low:
        wanted = max(sizes, key=lambda n: n.low)
        reasons.append(
            f"needs at least {plural(req.low, 'shinobi')} "
            f"({_label(wanted)}), short by {req.low - free}: "
            + _margin(board, req, np.ones(len(roster), dtype=bool), placed)
        )
    if reasons:
        return reasons
    if build_squad(req, usable) is not None:
        if proven:
            return ["a squad could be formed only by taking people a higher-priority plan needs"]
        return [
            "a squad could be formed from the people left free; the search ran out of time "
            "before adding it (plan again with a longer time limit)"
        ]
    found = [
        f"each order can be met on its own, but no squad of at most {req.high} meets all of "
        f"them at once from the {free} who may serve"
    ]
    if req.teams:
        found.append(
            "team-mates go together or not at all (keep_teams), and a team with a member "
            "who may not serve here stays home"
        )
    return found


def explain_squad(
    board: Board, k: int, squad: Assignment, scores: Mapping[int, float]
) -> tuple[list[str], dict[int, list[str]]]:
    """The squad's reasons (each order it meets, and how) and each member's reasons."""
    req = board.missions[k]
    roster = board.roster
    ids = roster.ids
    everyone = list(squad.everyone)
    members: dict[int, list[str]] = {i: [] for i in everyone}
    leads_text = [n.text for n in req.needs if n.kind == "lead"]
    slot = board.slot(k)
    window = req.mission.window
    last = (window.latest or window.earliest) if window else slot.day
    first = window.earliest if window else slot.day
    squad_reasons = [
        f"leaves {slot.departs:%Y-%m-%d %H:%M} (window {first.isoformat()}"
        + (f" to {last.isoformat()}" if last != first else "")
        + f"), back {slot.returns:%Y-%m-%d %H:%M}"
    ]
    members[squad.leader].append(
        f"leads the squad as {roster.shinobi[squad.leader].rank.value}"
        + (f" ({'; '.join(leads_text)})" if leads_text else "")
    )
    for need in req.needs:
        if need.kind == "count":
            assert need.mask is not None
            who = [i for i in everyone if need.mask[i]]
            squad_reasons.append(f"{_label(need)}: {need.text}: {', '.join(ids[i] for i in who)}")
            for i in who:
                members[i].append(f"counts towards {need.text} ({_label(need)})")
        elif need.kind == "lead":
            squad_reasons.append(f"{_label(need)}: {need.text}: {ids[squad.leader]} leads")
        elif need.kind == "size":
            squad_reasons.append(f"{_label(need)}: {need.text}: {len(everyone)} go")
        elif need.kind == "team":
            whole = [g for g in req.teams if set(g.tolist()) <= set(everyone)]
            teams = [f"team {roster.shinobi[int(g[0])].team} ({len(g)})" for g in whole]
            squad_reasons.append(
                f"{_label(need)}: {need.text}: " + (", ".join(teams) or "no team goes")
            )
            for g in whole:
                for i in g.tolist():
                    members[i].append(f"goes with team {roster.shinobi[i].team}")
        elif need.order != ALWAYS:
            squad_reasons.append(f"{_label(need)}: {need.text}: everyone qualifies")
    for i in everyone:
        why = members[i]
        if i in req.pinned:
            why.append("pinned by the Hokage")
        if i in req.previous:
            why.append("kept from the previous plan")
        why.append(f"score {scores[i]:.2f} at effective rank {req.assessment.effective_rank.value}")
        recent = int(board.workload[k][i])
        if recent:
            why.append(
                f"{plural(recent, 'mission')} in the last "
                + plural(board.village.settings.wellbeing.workload_days, "day")
            )
        if roster.flagged[i]:
            # The quality term weighs today's flags; the orders judged the departure day's.
            when = " today" if slot.day > board.village.village.today else ""
            why.append(
                f"has an active wellbeing flag{when} ({', '.join(sorted(roster.flags[i]))}); "
                "chosen as no one else fitted as well"
            )
    for a, b in combinations(sorted(everyone, key=lambda i: ids[i]), 2):
        together = board.pairs.get((ids[a], ids[b]), 0)
        if together:
            text = (
                f"clean successes together before: {min(together, PAIR_CAP)}+"
                if (together > PAIR_CAP)
                else f"{plural(together, 'clean success')} together before"
            )
            members[a].append(f"worked well with {ids[b]} ({text})")
            members[b].append(f"worked well with {ids[a]} ({text})")
    juniors = [i for i in everyone if roster.rank[i] == JUNIOR]
    seniors = [i for i in everyone if int(roster.rank[i]) in SENIORS]
    if juniors and seniors:
        for i in juniors:
            members[i].append(f"genin learning beside {', '.join(ids[s] for s in seniors)}")
        for s in seniors:
            members[s].append(f"senior beside {', '.join(ids[i] for i in juniors)}")
    return squad_reasons, members
