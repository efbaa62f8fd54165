"""Every error of a file at once: one record's bad values do not hide its other errors,
nor the cross-references of the rest of the file (SPEC section 10)."""

from __future__ import annotations

import pytest
from village_texts import STORY_VILLAGE

from missiondesk.villagefile.errors import VillageFileError
from missiondesk.villagefile.parse import parse_village


def problems(text: str) -> list[str]:
    with pytest.raises(VillageFileError) as caught:
        parse_village(text)
    return [str(p) for p in caught.value.problems]


def broken(*replacements: tuple[str, str]) -> str:
    text = STORY_VILLAGE
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def test_three_errors_on_one_shinobi_and_two_elsewhere_are_all_reported() -> None:
    text = broken(
        ("rank: chunin\n    skills: {tactics: 5,", "rank: chuunin\n    skills: {tactiks: 5,"),
        ("    status: available", "    status: availble"),
        ("rank: genin", "rank: gennin"),
        ("{from: konoha, to: tanigakure, hours: 14}", "{from: konoha, to: tanigakre, hours: 14}"),
    )
    assert problems(text) == [
        "village.yaml:7: roads[0].to: 'tanigakre' is not a known place (konoha, tanigakure)",
        "village.yaml:14: shinobi[0].rank: 'chuunin' is not a rank "
        "(academy, genin, chunin, special_jonin, jonin, kage)",
        "village.yaml:15: shinobi[0].skills.tactiks: 'tactiks' is not a known skill "
        "(taijutsu, ninjutsu, genjutsu, medical, sensory, tracking, sealing, tactics, stealth; "
        "a file may add skills under skills:)",
        "village.yaml:18: shinobi[0].status: 'availble' is not a shinobi status "
        "(available, on_mission, injured, resting, missing, deceased, defected)",
        "village.yaml:27: shinobi[2].rank: 'gennin' is not a rank "
        "(academy, genin, chunin, special_jonin, jonin, kage)",
    ]


def test_a_stood_in_value_is_not_reported_as_an_unknown_name() -> None:
    """A squad leader given as a number is one error, not also 'not a known shinobi'."""
    text = broken(("leader: nara-shikamaru", "leader: [nara-shikamaru]"))
    found = problems(text)
    assert len(found) == 1 and "history[0].squad.leader" in found[0], found


def test_a_missing_name_is_one_error_and_the_references_are_still_checked() -> None:
    text = broken(
        ("{id: akatsuki, name: Akatsuki, interests:", "{id: akatsuki, interests:"),
        ("{threat: uchiha-itachi, place: tanigakure,", "{threat: uchiha-itachi, place: tanigakur,"),
    )
    found = problems(text)
    assert len(found) == 2, found
    assert "organizations[0].name: required field is missing" in found[0]
    assert "sightings[0].place: 'tanigakur' is not a known place" in found[1]
