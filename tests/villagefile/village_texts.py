"""A small, valid village file (the SPEC section 3 example, completed) and helpers to break it."""

from __future__ import annotations

import pytest

from missiondesk.villagefile.errors import VillageFileError
from missiondesk.villagefile.parse import parse_village

STORY_VILLAGE = """\
format: missiondesk/village/v1
village: {id: konoha, name: Konohagakure, today: 2026-11-23}
places:
  - {id: konoha, name: Konohagakure}
  - {id: tanigakure, name: Tanigakure}
roads:
  - {from: konoha, to: tanigakure, hours: 14}
roles:
  medic: {medical: 2}
  tracker: {tracking: 3}
shinobi:
  - id: nara-shikamaru
    name: Nara Shikamaru
    rank: chunin
    skills: {tactics: 5, ninjutsu: 3, stealth: 3}
    techniques: [shadow-possession]
    team: team-10
    status: available
    available_from: null
  - id: akimichi-choji
    name: Akimichi Choji
    rank: chunin
    skills: {taijutsu: 4}
    status: available
  - id: haruno-sakura
    name: Haruno Sakura
    rank: genin
    skills: {medical: 2, taijutsu: 3}
    status: resting
    available_from: 2026-11-25
missions:
  - id: tani-scroll
    title: Bring the sacred scroll home from Tanigakure
    rank: C
    priority: 3
    kind: retrieval
    client: {name: Tanigakure village head, min_team_size: 3}
    objective: {tags: [scroll, sacred]}
    route: [konoha, tanigakure, konoha]
    window: {earliest: 2026-11-24, due: 2026-11-27}
    reward_ryo: 60000
    status: intake
organizations:
  - {id: akatsuki, name: Akatsuki, interests: [sacred, forbidden-scroll, tailed-beast]}
threats:
  - id: uchiha-itachi
    name: Uchiha Itachi
    rank: S
    organization: akatsuki
    abilities: [sharingan, mangekyo-sharingan, genjutsu, fire-release]
sightings:
  - {threat: uchiha-itachi, place: tanigakure, at: 2026-11-22T16:00, confidence: 0.6}
countermeasures:
  - {ability: sharingan, advice: "Never meet the eyes; watch feet and shadow.", role: null}
  - {ability: genjutsu, advice: "Break it with a partner's chakra.", role: medic}
standing_orders:
  - {id: medic-from-c, rule: require_role, role: medic, count: 1, when: {min_rank: C}}
  - {id: leader-chunin-from-c, rule: leader_min_rank, rank: chunin, when: {min_rank: C}}
history:
  - mission: {id: sasuke-retrieval, title: Retrieve Uchiha Sasuke, rank: A, route: [konoha]}
    squad: {leader: nara-shikamaru, members: [akimichi-choji]}
    departed: 2025-10-01T06:00
    returned: 2025-10-02T18:00:00
    report:
      outcome: failure
      injuries:
        - {shinobi: akimichi-choji, severity: critical, recovery_days: 45}
      encounters:
        - {threat: uchiha-itachi, place: konoha, at: 2025-10-01T12:00}
"""


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """The 1-based line of the `occurrence`-th line containing `fragment`."""
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{fragment!r} not in the text")


def problems_of(data: str | bytes, filename: str = "village.yaml") -> list[str]:
    """The rendered problems of a file that must fail to parse."""
    with pytest.raises(VillageFileError) as caught:
        parse_village(data, filename)
    return [str(p) for p in caught.value.problems]
