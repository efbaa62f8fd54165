"""Synthetic villages of any size, the same for the same seed: for tests, demos and benchmarks.

The village looks like a real one where that matters to the rest of Mission Desk: a rank
pyramid with skills that grow with rank, scarce medics, people recovering with a date,
a connected map, threats whose organisations want what missions carry, the standing
orders of SPEC section 4, and years of history with injuries and encounters. The document
is built as plain dicts and validated once, which keeps 20,000 shinobi with 50,000
history entries within a few seconds.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from missiondesk.domain.ranks import SKILLS, ShinobiRank
from missiondesk.domain.village import FORMAT, Village
from missiondesk.villagefile.bulk import collector_paused

TODAY = dt.date(2026, 11, 23)
HOME = "konoha"

_FAMILIES = (
    "Nara", "Akimichi", "Yamanaka", "Hyuga", "Inuzuka", "Aburame", "Uchiha", "Sarutobi",
    "Hatake", "Uzumaki", "Haruno", "Mitarashi", "Yuhi", "Shiranui", "Umino", "Morino",
    "Kamizuki", "Hagane", "Namiashi", "Tsukino", "Senju", "Shimura", "Kurama", "Ebisu",
)  # fmt: skip
_GIVEN = (
    "Shikamaru", "Choji", "Ino", "Neji", "Kiba", "Shino", "Sakura", "Tenten", "Lee",
    "Asuma", "Kurenai", "Genma", "Iruka", "Izumo", "Kotetsu", "Raido", "Anko", "Ibiki",
    "Shikaku", "Inoichi", "Hinata", "Hanabi", "Konohamaru", "Moegi", "Udon", "Yugao",
    "Hayate", "Aoba", "Tonbo", "Hokuto", "Sora", "Mirai", "Daikoku", "Towa",
)  # fmt: skip
_PLACES = (
    "tanigakure", "sunagakure", "kirigakure", "iwagakure", "kumogakure", "amegakure",
    "takigakure", "kusagakure", "otogakure", "yugakure", "hoshigakure", "getsugakure",
    "shimogakure", "tanzaku-town", "fire-temple", "valley-of-the-end", "naka-river",
    "great-naruto-bridge", "tea-country-port", "bird-country-pass",
)  # fmt: skip
_TECHNIQUES = (
    "shadow-possession", "expansion", "mind-transfer", "gentle-fist", "fang-over-fang",
    "insect-swarm", "shadow-clone", "rasengan", "chidori", "substitution", "transformation",
    "mystical-palm", "summoning", "earth-wall", "water-prison", "fireball", "leaf-hurricane",
)  # fmt: skip
_TAGS = (
    "scroll", "sacred", "forbidden-scroll", "tailed-beast", "medicine", "gold", "documents",
    "noble", "map", "artifact", "prisoner", "crops", "weapons", "letters",
)  # fmt: skip
_KINDS = ("escort", "retrieval", "delivery", "patrol", "reconnaissance", "rescue", "guard")
_TITLES = {
    "escort": "Escort the merchant caravan to {place}",
    "retrieval": "Bring the {tag} home from {place}",
    "delivery": "Deliver the {tag} to {place}",
    "patrol": "Patrol the road to {place}",
    "reconnaissance": "Scout the approaches of {place}",
    "rescue": "Find the lost traveller near {place}",
    "guard": "Guard the {tag} at {place}",
}

# Ranks as a pyramid: many genin, fewer chunin, few jonin (one kage is added apart).
_RANK_WEIGHTS = (
    (ShinobiRank.ACADEMY, 3),
    (ShinobiRank.GENIN, 55),
    (ShinobiRank.CHUNIN, 27),
    (ShinobiRank.SPECIAL_JONIN, 6),
    (ShinobiRank.JONIN, 9),
)
# The mean skill level of each rank; a shinobi's skills scatter around it.
_SKILL_MEAN = {
    ShinobiRank.ACADEMY: 0.3,
    ShinobiRank.GENIN: 1.2,
    ShinobiRank.CHUNIN: 2.0,
    ShinobiRank.SPECIAL_JONIN: 2.6,
    ShinobiRank.JONIN: 3.1,
    ShinobiRank.KAGE: 4.2,
}
_STATUS_WEIGHTS = (
    ("available", 850),
    ("on_mission", 50),
    ("injured", 40),
    ("resting", 30),
    ("missing", 15),
    ("deceased", 10),
    ("defected", 5),
)
_MISSION_RANK_WEIGHTS = (("D", 35), ("C", 35), ("B", 18), ("A", 9), ("S", 3))
_OUTCOME_WEIGHTS = (("success", 70), ("partial", 15), ("failure", 10), ("aborted", 5))
# Severity with the recovery days it typically needs.
_SEVERITIES = (
    ("minor", 50, (1, 5)),
    ("moderate", 25, (5, 15)),
    ("serious", 15, (14, 40)),
    ("critical", 8, (30, 90)),
    ("fatal", 2, (0, 0)),
)
_MEDIC_SHARE = 0.08

_ROLES: dict[str, dict[str, int]] = {
    "medic": {"medical": 2},
    "tracker": {"tracking": 3},
    "sensor": {"sensory": 3},
    "sealer": {"sealing": 3},
}

_ORGANIZATIONS: tuple[tuple[str, str, list[str]], ...] = (
    ("akatsuki", "Akatsuki", ["sacred", "forbidden-scroll", "tailed-beast"]),
    ("otogakure", "Village Hidden in the Sound", ["forbidden-scroll", "prisoner", "scroll"]),
    ("bandits-of-the-pass", "Bandits of the Pass", ["gold", "noble", "crops"]),
    ("root", "Root", ["documents", "letters", "scroll"]),
)
_NAMED_THREATS: tuple[tuple[str, str, str, str, list[str]], ...] = (
    ("uchiha-itachi", "Uchiha Itachi", "S", "akatsuki",
     ["sharingan", "mangekyo-sharingan", "genjutsu", "fire-release"]),
    ("hoshigaki-kisame", "Hoshigaki Kisame", "S", "akatsuki",
     ["samehada", "water-release", "chakra-absorption"]),
    ("jirobo", "Jirobo", "B", "otogakure", ["earth-release", "chakra-absorption"]),
    ("kidomaru", "Kidomaru", "B", "otogakure", ["spider-web", "archery"]),
    ("tayuya", "Tayuya", "B", "otogakure", ["genjutsu", "summoning"]),
)  # fmt: skip
_ABILITIES: dict[str, tuple[str, str | None]] = {
    "sharingan": ("Never meet the eyes; watch feet and shadow.", None),
    "mangekyo-sharingan": ("Do not engage; withdraw and report.", None),
    "genjutsu": ("A sensor notices the illusion; break it with a partner's chakra.", "sensor"),
    "fire-release": ("Keep water or earth between you and the caster.", None),
    "water-release": ("Fight away from rivers and the sea.", None),
    "samehada": ("Never block the blade; it eats chakra.", None),
    "chakra-absorption": ("Fight with weapons, not jutsu; a medic restores chakra.", "medic"),
    "earth-release": ("Stay mobile; do not let the ground close around you.", None),
    "spider-web": ("Burn the threads; a tracker finds the nest.", "tracker"),
    "archery": ("Break line of sight; close the distance under cover.", None),
    "summoning": ("Seal the summoning scroll before it opens.", "sealer"),
    "poison": ("Carry the antidote; a medic treats the wound at once.", "medic"),
    "curse-mark": ("A sealer can hold the mark back.", "sealer"),
}

_STANDING_ORDERS: tuple[dict[str, Any], ...] = (
    {"id": "medic-from-c", "rule": "require_role", "role": "medic", "count": 1,
     "when": {"min_rank": "C"}},
    {"id": "leader-chunin-from-c", "rule": "leader_min_rank", "rank": "chunin",
     "when": {"min_rank": "C"}},
    {"id": "leader-jonin-from-a", "rule": "leader_min_rank", "rank": "jonin",
     "when": {"min_rank": "A"}},
    {"id": "two-chunin-from-b", "rule": "require_rank", "rank": "chunin", "count": 2,
     "when": {"min_rank": "B"}},
    {"id": "no-academy-students", "rule": "forbid_rank", "rank": "academy"},
    # Squads people recognise (SPEC section 13): two for a D-rank, three from C (so for B
    # too), four from A (so for S too), as in the demo village.
    {"id": "two-from-d", "rule": "min_size", "size": 2},
    {"id": "three-from-c", "rule": "min_size", "size": 3, "when": {"min_rank": "C"}},
    {"id": "four-from-a", "rule": "min_size", "size": 4, "when": {"min_rank": "A"}},
    {"id": "at-most-eight", "rule": "max_size", "size": 8},
    {"id": "four-missions-a-month", "rule": "max_missions", "count": 4, "days": 30},
    {"id": "two-days-rest", "rule": "min_rest", "days": 2},
    {"id": "counter-likely-threats", "rule": "counter_threats", "min_probability": 0.25},
    {"id": "shield-does-not-lead", "rule": "wellbeing_limit", "flag": "shield",
     "forbid": "lead"},
)  # fmt: skip


def generate_village(
    shinobi: int, missions: int, seed: int, history: int | None = None, *, week: bool = False
) -> Village:
    """A valid village with `shinobi` people, `missions` open missions and `history` past ones.

    `history` defaults to 2.5 per shinobi. The same arguments give the same village. With
    `week`, the missions make a week's board (SPEC section 9): every one has a window of
    1-3 days starting within the week, and time on site so that it is away 1-5 days.
    """
    with collector_paused():
        return Village.model_validate(
            generate_village_document(shinobi, missions, seed, history, week=week)
        )


def generate_village_document(
    shinobi: int, missions: int, seed: int, history: int | None = None, *, week: bool = False
) -> dict[str, Any]:
    """The village of `generate_village` as the plain document a village file holds."""
    if shinobi < 0 or missions < 0 or (history is not None and history < 0):
        raise ValueError("sizes must not be negative")
    with collector_paused():
        found = _document(shinobi, missions, seed, history)
        if week:
            _make_week(random.Random(seed + 1), found["missions"])
        return found


def _make_week(rng: random.Random, missions: list[dict[str, Any]]) -> None:
    """Windows of 1-3 days within the week, and 1-5 days away (the road hours of a
    generated route are a few hours to a day, so the days away are set on site)."""
    for m in missions:
        earliest = TODAY + dt.timedelta(days=rng.randint(0, 6))
        m["window"] = {
            "earliest": earliest,
            "latest": earliest + dt.timedelta(days=rng.randint(0, 2)),
            "due": earliest + dt.timedelta(days=10),
        }
        m["objective"]["on_site_hours"] = float(24 * rng.randint(1, 5) - 12)
        m["status"] = "assessed"


def _document(shinobi: int, missions: int, seed: int, history: int | None) -> dict[str, Any]:
    rng = random.Random(seed)
    history_count = int(2.5 * shinobi) if history is None else history
    if shinobi == 0:
        history_count = 0  # a squad needs someone to lead it

    places = _places(max(5, shinobi // 200))
    place_ids = [p["id"] for p in places]
    people = _shinobi(rng, shinobi)
    threats = _threats(rng, max(5, shinobi // 400))
    abilities = sorted({a for t in threats for a in t["abilities"]})
    return {
        "format": FORMAT,
        "village": {
            "id": HOME,
            "name": "Konohagakure",
            "now": dt.datetime.combine(TODAY, dt.time()),
        },
        "places": places,
        "roads": _roads(rng, place_ids),
        "roles": {role: dict(minimums) for role, minimums in _ROLES.items()},
        "shinobi": people,
        "missions": _missions(rng, missions, place_ids),
        "organizations": [{"id": i, "name": n, "interests": list(w)} for i, n, w in _ORGANIZATIONS],
        "threats": threats,
        "sightings": _sightings(rng, 2 * len(threats), threats, place_ids),
        "countermeasures": [
            {"ability": a, "advice": _ABILITIES[a][0], "role": _ABILITIES[a][1]} for a in abilities
        ],
        "standing_orders": [dict(order) for order in _STANDING_ORDERS],
        "history": _history(rng, history_count, people, place_ids, threats),
    }


def _places(count: int) -> list[dict[str, Any]]:
    places = [{"id": HOME, "name": "Konohagakure"}]
    for i in range(1, count):
        if i <= len(_PLACES):
            ident = _PLACES[i - 1]
            name = ident.replace("-", " ").title()
        else:
            ident, name = f"outpost-{i:04d}", f"Outpost {i}"
        places.append({"id": ident, "name": name})
    return places


def _roads(rng: random.Random, place_ids: list[str]) -> list[dict[str, Any]]:
    # A random spanning tree keeps the map connected; a few more roads make detours possible.
    pairs: set[tuple[int, int]] = set()
    for i in range(1, len(place_ids)):
        pairs.add((rng.randrange(i), i))
    for _ in range(len(place_ids) // 2):
        a, b = rng.sample(range(len(place_ids)), 2)
        pairs.add((min(a, b), max(a, b)))
    return [
        {"from": place_ids[a], "to": place_ids[b], "hours": rng.randint(2, 36)}
        for a, b in sorted(pairs)
    ]


def _shinobi(rng: random.Random, count: int) -> list[dict[str, Any]]:
    ranks = [r for r, _ in _RANK_WEIGHTS]
    rank_weights = [w for _, w in _RANK_WEIGHTS]
    statuses = [s for s, _ in _STATUS_WEIGHTS]
    status_weights = [w for _, w in _STATUS_WEIGHTS]
    drawn_ranks = rng.choices(ranks, rank_weights, k=count)
    if count:
        drawn_ranks[0] = ShinobiRank.KAGE
    drawn_statuses = rng.choices(statuses, status_weights, k=count)
    non_medical = [s for s in SKILLS if s != "medical"]
    genin_seen = 0
    people: list[dict[str, Any]] = []
    for i in range(count):
        rank = drawn_ranks[i]
        family, given = rng.choice(_FAMILIES), rng.choice(_GIVEN)
        mean = _SKILL_MEAN[rank]
        skills: dict[str, int] = {}
        for skill in non_medical:
            level = round(rng.gauss(mean, 1.1))
            if level > 0:
                skills[skill] = min(level, 5)
        # Medics are scarce: medical >= 2 (the medic role) for about one in twelve.
        roll = rng.random()
        if roll < _MEDIC_SHARE:
            skills["medical"] = rng.randint(2, 5)
        elif roll < 1.5 * _MEDIC_SHARE:
            skills["medical"] = 1
        status = drawn_statuses[i] if i else "available"
        team = None
        if rank is ShinobiRank.GENIN:
            team = f"team-{genin_seen // 3 + 1}"
            genin_seen += 1
        people.append(
            {
                "id": f"{family.lower()}-{given.lower()}-{i + 1:05d}",
                "name": f"{family} {given}",
                "rank": rank.value,
                "skills": dict(sorted(skills.items())),
                "techniques": rng.sample(_TECHNIQUES, rng.randint(0, 3)),
                "team": team,
                "status": status,
                "available_from": (
                    TODAY + dt.timedelta(days=rng.randint(1, 40))
                    if status in ("injured", "resting")
                    else None
                ),
            }
        )
    return people


def _missions(rng: random.Random, count: int, place_ids: list[str]) -> list[dict[str, Any]]:
    ranks = [r for r, _ in _MISSION_RANK_WEIGHTS]
    weights = [w for _, w in _MISSION_RANK_WEIGHTS]
    away = place_ids[1:]
    out: list[dict[str, Any]] = []
    for i in range(count):
        rank = rng.choices(ranks, weights)[0]
        kind = rng.choice(_KINDS)
        tags = rng.sample(_TAGS, rng.randint(0, 3))
        stops = rng.sample(away, min(len(away), rng.randint(1, 2)))
        place_name = stops[-1].replace("-", " ").title()
        title = _TITLES[kind].format(place=place_name, tag=tags[0] if tags else "cargo")
        earliest = TODAY + dt.timedelta(days=rng.randint(0, 14))
        has_client = rng.random() < 0.7
        out.append(
            {
                "id": f"m-{i + 1:05d}",
                "title": title,
                "rank": rank,
                "priority": rng.randint(1, 5) if rng.random() < 0.5 else None,
                "kind": kind,
                "client": (
                    {"name": f"Client {i + 1}", "min_team_size": rng.randint(1, 4)}
                    if has_client
                    else None
                ),
                "objective": {"tags": tags},
                "route": [HOME, *stops, HOME],
                "window": (
                    {
                        "earliest": earliest,
                        "due": earliest + dt.timedelta(days=rng.randint(1, 10)),
                    }
                    if rng.random() < 0.85
                    else None
                ),
                "reward_ryo": rng.randint(1, 40) * 5000 * (ranks.index(rank) + 1),
                "status": "intake" if rng.random() < 0.6 else "assessed",
            }
        )
    return out


def _threats(rng: random.Random, count: int) -> list[dict[str, Any]]:
    threats: list[dict[str, Any]] = [
        {"id": i, "name": n, "rank": r, "organization": o, "abilities": list(a)}
        for i, n, r, o, a in _NAMED_THREATS[:count]
    ]
    orgs = [o for o, _, _ in _ORGANIZATIONS]
    ability_names = sorted(_ABILITIES)
    for i in range(len(threats), count):
        threats.append(
            {
                "id": f"rogue-ninja-{i + 1:04d}",
                "name": f"Rogue ninja {i + 1}",
                "rank": rng.choices(("C", "B", "A", "S"), (40, 35, 20, 5))[0],
                "organization": rng.choice(orgs) if rng.random() < 0.6 else None,
                "abilities": rng.sample(ability_names, rng.randint(1, 3)),
            }
        )
    return threats


def _sightings(
    rng: random.Random, count: int, threats: list[dict[str, Any]], place_ids: list[str]
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for _ in range(count):
        at = dt.datetime.combine(TODAY, dt.time(rng.randrange(24))) - dt.timedelta(
            days=rng.randint(1, 60)
        )
        out.append(
            {
                "threat": rng.choice(threats)["id"],
                "place": rng.choice(place_ids),
                "at": at,
                "confidence": round(rng.uniform(0.2, 1.0), 2),
            }
        )
    out.sort(key=lambda s: s["at"])
    return out


def _history(
    rng: random.Random,
    count: int,
    people: list[dict[str, Any]],
    place_ids: list[str],
    threats: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    if count == 0:
        return []
    ids = [p["id"] for p in people]
    levels = [ShinobiRank(p["rank"]).level for p in people]
    ranks = [r for r, _ in _MISSION_RANK_WEIGHTS]
    rank_weights = [w for _, w in _MISSION_RANK_WEIGHTS]
    outcomes = [o for o, _ in _OUTCOME_WEIGHTS]
    outcome_weights = [w for _, w in _OUTCOME_WEIGHTS]
    severities = [s for s, _, _ in _SEVERITIES]
    severity_weights = [w for _, w, _ in _SEVERITIES]
    recovery = {s: days for s, _, days in _SEVERITIES}
    away = place_ids[1:]
    threat_ids = [t["id"] for t in threats]

    # Three years of missions, oldest first, all back before today.
    span_hours = 3 * 365 * 24
    start = dt.datetime.combine(TODAY, dt.time()) - dt.timedelta(hours=span_hours + 240)
    offsets = sorted(rng.randrange(span_hours) for _ in range(count))

    out: list[dict[str, Any]] = []
    for i in range(count):
        departed = start + dt.timedelta(hours=offsets[i])
        returned = departed + dt.timedelta(hours=rng.randint(6, 240))
        size = min(len(ids), rng.randint(2, 6))
        squad = rng.sample(range(len(ids)), size)
        squad.sort(key=lambda s: -levels[s])  # the most senior leads
        everyone = [ids[s] for s in squad]
        place = rng.choice(away)
        rank = rng.choices(ranks, rank_weights)[0]
        kind = rng.choice(_KINDS)
        report: dict[str, Any] = {
            "outcome": rng.choices(outcomes, outcome_weights)[0],
            "injuries": [],
            "encounters": [],
        }
        if rng.random() < 0.15:
            for who in rng.sample(everyone, min(len(everyone), rng.randint(1, 2))):
                severity = rng.choices(severities, severity_weights)[0]
                low, high = recovery[severity]
                report["injuries"].append(
                    {"shinobi": who, "severity": severity, "recovery_days": rng.randint(low, high)}
                )
        if rng.random() < 0.08:
            threat = rng.choice(threat_ids)
            at = departed + (returned - departed) * rng.random()
            report["encounters"].append(
                {
                    "threat": threat,
                    "place": place,
                    "at": at.replace(minute=0, second=0, microsecond=0),
                }
            )
            if report["outcome"] == "failure":
                report["objective_taken_by"] = threat
        out.append(
            {
                "mission": {
                    "id": f"h-{i + 1:06d}",
                    "title": _TITLES[kind].format(
                        place=place.replace("-", " ").title(), tag="cargo"
                    ),
                    "rank": rank,
                    "route": [HOME, place, HOME],
                    "kind": kind,
                    "objective": {"tags": rng.sample(_TAGS, rng.randint(1, 3))},
                },
                "squad": {"leader": everyone[0], "members": everyone[1:]},
                "departed": departed,
                "returned": returned,
                "report": report,
            }
        )
    return out
