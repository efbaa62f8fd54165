"""Villages for the risk tests: the story of SPEC section 1 by hand, and the demo village."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

import yaml

from missiondesk.domain.village import Village

ITACHI_SIGHTING: dict[str, Any] = {
    "threat": "uchiha-itachi",
    "place": "tanigakure",
    "at": "2026-11-22T16:00",
    "confidence": 0.6,
}


def story_document(**changes: Any) -> dict[str, Any]:
    """The scroll mission's village as a village-file document; `changes` replace top-level
    keys (for example `sightings=[]`)."""
    document: dict[str, Any] = {
        "format": "missiondesk/village/v1",
        "village": {"id": "konoha", "name": "Konohagakure", "today": "2026-11-23"},
        "places": [
            {"id": "konoha", "name": "Konohagakure"},
            {"id": "tanigakure", "name": "Tanigakure"},
            {"id": "otogakure", "name": "Otogakure"},
        ],
        "roads": [
            {"from": "konoha", "to": "tanigakure", "hours": 14},
            {"from": "tanigakure", "to": "otogakure", "hours": 30},
        ],
        "roles": {"medic": {"medical": 2}},
        "shinobi": [
            {
                "id": "nara-shikamaru",
                "name": "Nara Shikamaru",
                "rank": "chunin",
                "skills": {"tactics": 5, "ninjutsu": 3, "stealth": 3},
                "status": "available",
            },
            {
                "id": "genin-a",
                "name": "Genin A",
                "rank": "genin",
                "skills": {"taijutsu": 2},
                "status": "available",
            },
            {
                "id": "genin-b",
                "name": "Genin B",
                "rank": "genin",
                "skills": {"ninjutsu": 2},
                "status": "available",
            },
            {
                "id": "haruno-sakura",
                "name": "Haruno Sakura",
                "rank": "genin",
                "skills": {"medical": 2, "taijutsu": 2},
                "status": "available",
            },
            {
                "id": "hatake-kakashi",
                "name": "Hatake Kakashi",
                "rank": "jonin",
                "skills": {"ninjutsu": 5, "taijutsu": 4, "genjutsu": 4, "tactics": 5},
                "status": "available",
            },
        ],
        "missions": [
            {
                "id": "tani-scroll",
                "title": "Bring the sacred scroll home from Tanigakure",
                "rank": "C",
                "kind": "retrieval",
                "client": {"name": "Tanigakure village head", "min_team_size": 3},
                "objective": {"tags": ["scroll", "sacred"]},
                "route": ["konoha", "tanigakure", "konoha"],
                "window": {"earliest": "2026-11-24", "due": "2026-11-27"},
            },
            {
                "id": "cat-hunt",
                "title": "Find the lord's wife's cat",
                "rank": "D",
                "objective": {"tags": ["pet"]},
                "route": ["konoha"],
            },
        ],
        "organizations": [
            {
                "id": "akatsuki",
                "name": "Akatsuki",
                "interests": ["sacred", "forbidden-scroll", "tailed-beast"],
            },
        ],
        "threats": [
            {
                "id": "uchiha-itachi",
                "name": "Uchiha Itachi",
                "rank": "S",
                "organization": "akatsuki",
                "abilities": ["sharingan", "mangekyo-sharingan", "genjutsu", "fire-release"],
            },
        ],
        "sightings": [ITACHI_SIGHTING],
        "countermeasures": [
            {
                "ability": "sharingan",
                "advice": "Never meet the eyes; watch feet and shadow.",
                "role": None,
            },
        ],
    }
    document.update(changes)
    return document


def story_village(**changes: Any) -> Village:
    return Village.model_validate(story_document(**changes))


def demo_village() -> Village:
    """The demo village shipped with the package (src/missiondesk/data/konoha.yaml)."""
    text = files("missiondesk").joinpath("data/konoha.yaml").read_text(encoding="utf-8")
    return Village.model_validate(yaml.safe_load(text))
