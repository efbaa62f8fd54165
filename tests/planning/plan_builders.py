"""Small villages written in Python for the planning tests, and their assessments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from missiondesk.domain.assessment import Assessment, ThreatProbability
from missiondesk.domain.ranks import MissionRank
from missiondesk.domain.village import Village

TODAY = dt.date(2026, 11, 23)
ROLES = {"medic": {"medical": 2}, "sensor": {"sensory": 3}, "sealer": {"sealing": 3}}


def ninja(
    sid: str,
    rank: str = "genin",
    status: str = "available",
    available_from: dt.date | None = None,
    **skills: int,
) -> dict[str, Any]:
    return {
        "id": sid,
        "name": sid.replace("-", " ").title(),
        "rank": rank,
        "skills": skills,
        "status": status,
        "available_from": available_from,
    }


def mission(
    mid: str,
    rank: str = "C",
    *,
    priority: int | None = None,
    min_team_size: int = 1,
    earliest: dt.date | None = None,
    status: str = "assessed",
    tags: Sequence[str] = (),
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": mid,
        "title": mid,
        "rank": rank,
        "route": ["konoha"],
        "client": {"name": "client", "min_team_size": min_team_size},
        "objective": {"tags": list(tags)},
        "status": status,
    }
    if priority is not None:
        found["priority"] = priority
    if earliest is not None:
        found["window"] = {"earliest": earliest}
    return found


def order(oid: str, rule: str, min_rank: str | None = None, **params: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"id": oid, "rule": rule, **params}
    if min_rank is not None:
        found["when"] = {"min_rank": min_rank}
    return found


def history(
    mid: str,
    leader: str,
    members: Sequence[str],
    departed: dt.date,
    returned: dt.date,
    outcome: str = "success",
    injured: Sequence[str] = (),
) -> dict[str, Any]:
    return {
        "mission": {"id": mid, "title": mid, "rank": "C", "route": ["konoha"]},
        "squad": {"leader": leader, "members": list(members)},
        "departed": dt.datetime.combine(departed, dt.time(6)),
        "returned": dt.datetime.combine(returned, dt.time(18)),
        "report": {
            "outcome": outcome,
            "injuries": [
                {"shinobi": s, "severity": "moderate", "recovery_days": 7} for s in injured
            ],
        },
    }


def village(
    shinobi: Sequence[dict[str, Any]],
    missions: Sequence[dict[str, Any]],
    *,
    orders: Sequence[dict[str, Any]] = (),
    roles: Mapping[str, Mapping[str, int]] = ROLES,
    past: Sequence[dict[str, Any]] = (),
    threats: Sequence[dict[str, Any]] = (),
    countermeasures: Sequence[dict[str, Any]] = (),
) -> Village:
    return Village.model_validate(
        {
            "format": "missiondesk/village/v1",
            "village": {"id": "konoha", "name": "Konohagakure", "today": TODAY},
            "places": [{"id": "konoha", "name": "Konohagakure"}],
            "roles": dict(roles),
            "shinobi": list(shinobi),
            "missions": list(missions),
            "threats": list(threats),
            "countermeasures": list(countermeasures),
            "standing_orders": list(orders),
            "history": list(past),
        }
    )


def assess(
    v: Village,
    effective: Mapping[str, str] | None = None,
    threats: Mapping[str, Mapping[str, float]] | None = None,
) -> dict[str, Assessment]:
    """Assessments as the risk model would give them: declared rank unless overridden."""
    found = {}
    for m in v.missions:
        rank = MissionRank((effective or {}).get(m.id, m.rank.value))
        likely = sorted((threats or {}).get(m.id, {}).items(), key=lambda t: -t[1])
        found[m.id] = Assessment(
            mission=m.id,
            declared_rank=m.rank,
            effective_rank=rank,
            understated=rank > m.rank,
            threats=[ThreatProbability(threat=t, probability=p) for t, p in likely],
            factors=[],
            briefing=[],
        )
    return found
