"""Every way a village file can be wrong gives a clean error naming the line and the field."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from village_texts import STORY_VILLAGE, line_of, problems_of

from missiondesk.domain.village import Village
from missiondesk.villagefile.errors import VillageFileError
from missiondesk.villagefile.guards import MAX_NESTING
from missiondesk.villagefile.parse import load_village, parse_village


def replaced(old: str, new: str, text: str = STORY_VILLAGE) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once"
    return text.replace(old, new)


def only_problem(data: str | bytes, filename: str = "village.yaml") -> str:
    problems = problems_of(data, filename)
    assert len(problems) == 1, problems
    return problems[0]


def test_story_village_is_valid() -> None:
    village = parse_village(STORY_VILLAGE)
    assert isinstance(village, Village)
    assert [s.id for s in village.shinobi] == ["nara-shikamaru", "akimichi-choji", "haruno-sakura"]


def test_yaml_syntax_error_names_its_line() -> None:
    text = replaced("    kind: retrieval\n", "    kind: [retrieval\n")
    problem = only_problem(text)
    assert problem.startswith("village.yaml:")
    line = int(problem.split(":")[1])
    assert line_of(text, "kind: [retrieval") <= line <= line_of(text, "kind: [retrieval") + 2


def test_tab_indentation_is_a_syntax_error_with_a_line() -> None:
    text = replaced("    name: Akimichi Choji\n", "\tname: Akimichi Choji\n")
    assert only_problem(text).startswith(f"village.yaml:{line_of(text, 'Akimichi Choji')}: ")


def test_unknown_format_is_refused() -> None:
    text = replaced("format: missiondesk/village/v1", "format: missiondesk/village/v3")
    problem = only_problem(text)
    assert problem.startswith("village.yaml:1: format: 'missiondesk/village/v3' is not a known")


def test_missing_format_points_at_the_top_mapping() -> None:
    text = replaced("format: missiondesk/village/v1\n", "")
    assert only_problem(text) == "village.yaml:1: format: required field is missing"


def test_unknown_top_level_key_names_what_is_accepted() -> None:
    text = STORY_VILLAGE + "treasure: [gold]\n"
    problem = only_problem(text)
    line = line_of(text, "treasure:")
    assert problem.startswith(f"village.yaml:{line}: treasure: unknown field (expected format,")


def test_unknown_key_in_a_record_points_at_the_key() -> None:
    text = replaced("    team: team-10\n", "    team: team-10\n    sensei: sarutobi-asuma\n")
    problem = only_problem(text)
    line = line_of(text, "sensei:")
    assert problem.startswith(
        f"village.yaml:{line}: shinobi[0].sensei: unknown field (expected id,"
    )


def test_misspelt_rank_lists_the_ranks() -> None:
    text = replaced(
        "    rank: chunin\n    skills: {tactics", "    rank: chuunin\n    skills: {tactics"
    )
    assert only_problem(text) == (
        f"village.yaml:{line_of(text, 'chuunin')}: shinobi[0].rank: 'chuunin' is not a rank "
        "(academy, genin, chunin, special_jonin, jonin, kage)"
    )


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            "    status: resting",
            "    status: asleep",
            "shinobi[2].status",
            "is not a shinobi status",
        ),
        (
            "severity: critical",
            "severity: deadly",
            "history[0].report.injuries[0].severity",
            "'deadly' is not a severity (minor, moderate, serious, critical, fatal)",
        ),
        ("    rank: C\n", "    rank: E\n", "missions[0].rank", "'E' is not a mission rank (D, C,"),
        ("    rank: S\n", "    rank: SS\n", "threats[0].rank", "'SS' is not a mission rank"),
        ("rank: A, route", "rank: Z, route", "history[0].mission.rank", "'Z' is not a mission"),
        ("outcome: failure", "outcome: lost", "history[0].report.outcome", "is not an outcome"),
        ("status: intake", "status: done", "missions[0].status", "is not a mission status"),
    ],
)
def test_unknown_vocabulary_is_named(old: str, new: str, field: str, message: str) -> None:
    text = replaced(old, new)
    problem = only_problem(text)
    assert problem.startswith(f"village.yaml:{line_of(text, new.strip())}: {field}: ")
    assert message in problem


@pytest.mark.parametrize("level", ["6", "-1", "2.5", '"3"', "true", "null", "[3]"])
def test_skill_must_be_an_integer_from_0_to_5(level: str) -> None:
    text = replaced("{tactics: 5,", f"{{tactics: {level},")
    problem = only_problem(text)
    assert problem.startswith(
        f"village.yaml:{line_of(text, 'tactics')}: shinobi[0].skills.tactics: "
    )


def test_role_minimum_outside_0_to_5_is_refused() -> None:
    text = replaced("medic: {medical: 2}", "medic: {medical: 9}")
    assert only_problem(text).startswith(
        f"village.yaml:{line_of(text, 'medical: 9')}: roles.medic.medical: "
    )


@pytest.mark.parametrize("hours", ["0", "-3", "0.0"])
def test_road_needs_positive_hours(hours: str) -> None:
    text = replaced("hours: 14", f"hours: {hours}")
    problem = only_problem(text)
    assert problem.startswith(f"village.yaml:{line_of(text, 'hours')}: roads[0].hours: ")
    assert "must be more than 0" in problem and "Input should" not in problem


@pytest.mark.parametrize("status", ["resting", "injured"])
def test_recovering_shinobi_needs_available_from(status: str) -> None:
    text = replaced(
        "    status: resting\n    available_from: 2026-11-25\n", f"    status: {status}\n"
    )
    problem = only_problem(text)
    line = line_of(text, "id: haruno-sakura")
    assert (
        problem
        == f"village.yaml:{line}: shinobi[2]: a shinobi who is {status} needs available_from"
    )


def test_squad_leader_cannot_also_be_a_member() -> None:
    text = replaced("members: [akimichi-choji]", "members: [akimichi-choji, nara-shikamaru]")
    problem = only_problem(text)
    assert problem.startswith(f"village.yaml:{line_of(text, 'squad:')}: history[0].squad: ")
    assert "'nara-shikamaru' is also listed as a member" in problem


def test_missing_required_field_points_at_its_record() -> None:
    text = replaced("    name: Akimichi Choji\n", "")
    line = line_of(text, "id: akimichi-choji")
    assert only_problem(text) == f"village.yaml:{line}: shinobi[1].name: required field is missing"


def test_date_that_does_not_exist_is_refused_with_its_line() -> None:
    text = replaced("available_from: 2026-11-25", "available_from: 2026-13-45")
    problem = only_problem(text)
    assert problem.startswith(f"village.yaml:{line_of(text, '2026-13-45')}: ")
    assert "2026-13-45" in problem


def test_unknown_standing_order_rule_is_named() -> None:
    text = replaced("rule: require_role", "rule: require_rol")
    problem = only_problem(text)
    line = line_of(text, "require_rol")
    assert problem.startswith(
        f"village.yaml:{line}: standing_orders[0].rule: 'require_rol' is not a rule"
    )


def test_standing_order_parameter_is_named_without_the_rule_level() -> None:
    text = replaced("role: medic, count: 1", "role: medic, count: 0")
    problem = only_problem(text)
    line = line_of(text, "count: 0")
    assert problem.startswith(f"village.yaml:{line}: standing_orders[0].count: ")


# --- duplicate ids --------------------------------------------------------------------------


def _duplicate_shinobi(text: str) -> str:
    copy = "  - {id: akimichi-choji, name: Again, rank: genin, status: available}\n"
    return replaced("missions:\n", copy + "missions:\n", text)


@pytest.mark.parametrize(
    ("make_duplicate", "fragment", "field", "first"),
    [
        (
            lambda t: replaced(
                "  - {id: tanigakure, name: Tanigakure}\n",
                "  - {id: tanigakure, name: Tanigakure}\n  - {id: tanigakure, name: B}\n",
                t,
            ),
            "name: B}",
            "places[2].id",
            "places[1]",
        ),
        (_duplicate_shinobi, "name: Again", "shinobi[3].id", "shinobi[1]"),
        (
            lambda t: replaced(
                "organizations:\n",
                "  - {id: tani-scroll, title: Again, rank: D, route: [konoha]}\norganizations:\n",
                t,
            ),
            "title: Again",
            "missions[1].id",
            "missions[0]",
        ),
        (
            lambda t: replaced("threats:\n", "  - {id: akatsuki, name: Again}\nthreats:\n", t),
            "name: Again",
            "organizations[1].id",
            "organizations[0]",
        ),
        (
            lambda t: replaced(
                "sightings:\n", "  - {id: uchiha-itachi, name: Again, rank: A}\nsightings:\n", t
            ),
            "name: Again",
            "threats[1].id",
            "threats[0]",
        ),
        (
            lambda t: replaced(
                "history:\n", "  - {id: medic-from-c, rule: min_size, size: 2}\nhistory:\n", t
            ),
            "rule: min_size",
            "standing_orders[2].id",
            "standing_orders[0]",
        ),
        (
            lambda t: (
                t
                + (
                    "  - mission: {id: sasuke-retrieval, title: Again, rank: A, route: [konoha]}\n"
                    "    squad: {leader: nara-shikamaru}\n"
                    "    departed: 2025-11-01T06:00\n"
                    "    returned: 2025-11-02T06:00\n"
                    "    report: {outcome: success}\n"
                )
            ),
            "title: Again",
            "history[1].mission.id",
            "history[0].mission",
        ),
    ],
)
def test_duplicate_id_points_at_the_second_and_names_the_first(
    make_duplicate: object, fragment: str, field: str, first: str
) -> None:
    assert callable(make_duplicate)
    text = make_duplicate(STORY_VILLAGE)
    problem = only_problem(text)
    assert problem.startswith(f"village.yaml:{line_of(text, fragment)}: {field}: duplicate id ")
    assert f"(first used by {first})" in problem


# --- references -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            "route: [konoha, tanigakure, konoha]",
            "route: [konoha, tanigakur, konoha]",
            "missions[0].route[1]",
            "'tanigakur' is not a known place (konoha, tanigakure)",
        ),
        (
            "{from: konoha, to: tanigakure",
            "{from: konoha, to: kirigakure",
            "roads[0].to",
            "'kirigakure' is not a known place",
        ),
        ("{from: konoha, to:", "{from: suna, to:", "roads[0].from", "'suna' is not a known place"),
        (
            "{threat: uchiha-itachi, place: tanigakure",
            "{threat: itachi, place: tanigakure",
            "sightings[0].threat",
            "'itachi' is not a known threat (uchiha-itachi)",
        ),
        ("place: tanigakure, at", "place: kumo, at", "sightings[0].place", "'kumo' is not a known"),
        (
            "route: [konoha]}",
            "route: [oto]}",
            "history[0].mission.route[0]",
            "'oto' is not a known",
        ),
        (
            "squad: {leader: nara-shikamaru",
            "squad: {leader: nara-shikaku",
            "history[0].squad.leader",
            "'nara-shikaku' is not a known shinobi",
        ),
        (
            "members: [akimichi-choji]",
            "members: [akimichi-chouji]",
            "history[0].squad.members[0]",
            "'akimichi-chouji' is not a known shinobi",
        ),
        (
            "{threat: uchiha-itachi, place: konoha",
            "{threat: jirobo, place: konoha",
            "history[0].report.encounters[0].threat",
            "'jirobo' is not a known threat",
        ),
        (
            "place: konoha, at: 2025",
            "place: forest, at: 2025",
            "history[0].report.encounters[0].place",
            "'forest' is not a known place",
        ),
        (
            "    organization: akatsuki",
            "    organization: dawn",
            "threats[0].organization",
            "'dawn' is not a known organization (akatsuki)",
        ),
        (
            "role: medic, count",
            "role: medik, count",
            "standing_orders[0].role",
            "'medik' is not a known role (medic, tracker)",
        ),
        (
            "role: medic}",
            "role: sensor}",
            "countermeasures[1].role",
            "'sensor' is not a known role",
        ),
        (
            "{taijutsu: 4}",
            "{taijutsu: 4, cooking: 2}",
            "shinobi[1].skills.cooking",
            "'cooking' is not a known skill (taijutsu,",
        ),
        (
            "medic: {medical: 2}",
            "medic: {medicine: 2}",
            "roles.medic.medicine",
            "'medicine' is not a known skill",
        ),
    ],
)
def test_reference_to_something_that_does_not_exist(
    old: str, new: str, field: str, message: str
) -> None:
    text = replaced(old, new)
    problems = problems_of(text)
    expected_start = f"village.yaml:{line_of(text, new)}: {field}: "
    assert any(p.startswith(expected_start) and message in p for p in problems), problems


def test_injury_to_an_unknown_shinobi_is_refused() -> None:
    text = replaced("{shinobi: akimichi-choji", "{shinobi: akimichi-chouji")
    problems = problems_of(text)
    line = line_of(text, "akimichi-chouji")
    field = "history[0].report.injuries[0].shinobi"
    assert problems == [
        f"village.yaml:{line}: {field}: 'akimichi-chouji' is not a known shinobi "
        "(akimichi-choji, haruno-sakura, nara-shikamaru)"
    ]


def test_injury_to_someone_not_on_the_squad_is_refused() -> None:
    text = replaced("{shinobi: akimichi-choji", "{shinobi: haruno-sakura")
    problem = only_problem(text)
    line = line_of(text, "{shinobi: haruno-sakura")
    assert problem == (
        f"village.yaml:{line}: history[0].report.injuries[0].shinobi: 'haruno-sakura' was not "
        "on this squad (nara-shikamaru, akimichi-choji)"
    )


def test_objective_taken_by_an_unknown_threat_is_refused() -> None:
    text = replaced(
        "      outcome: failure\n", "      outcome: failure\n      objective_taken_by: kisame\n"
    )
    problem = only_problem(text)
    assert problem.startswith(
        f"village.yaml:{line_of(text, 'kisame')}: history[0].report.objective_taken_by: 'kisame'"
    )


def test_a_file_may_add_skills() -> None:
    text = replaced("{taijutsu: 4}", "{taijutsu: 4, cooking: 2}")
    text = replaced("places:\n", "skills: [cooking]\nplaces:\n", text)
    assert parse_village(text).shinobi[1].skill("cooking") == 2


# --- not a village at all -------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n# and another\n", "---\n"])
def test_empty_file_is_refused(text: str) -> None:
    assert "the file is empty" in only_problem(text)


@pytest.mark.parametrize(
    ("text", "found"),
    [("- a\n- b\n", "a list"), ("just words\n", "a string"), ("42\n", "a int")],
)
def test_top_level_must_be_a_mapping(text: str, found: str) -> None:
    assert only_problem(text) == (
        f"village.yaml:1: the top level must be a mapping with format: missiondesk/village/v2, "
        f"not {found}"
    )


def test_binary_file_is_refused() -> None:
    problem = only_problem(b"format: x\n\x89PNG\x00\x01\x02")
    assert problem == "village.yaml:2: this is a binary file, not YAML or JSON (it holds NUL bytes)"


def test_file_that_is_not_utf8_is_refused() -> None:
    problem = only_problem("format: x\nname: Caf\xe9\n".encode("latin-1"))
    assert problem == "village.yaml:2: this is not UTF-8 text (byte 0xe9)"


def test_control_character_is_refused_with_its_line() -> None:
    text = replaced("Nara Shikamaru", "Nara \x07Shikamaru")
    assert only_problem(text).startswith(f"village.yaml:{line_of(text, 'Nara ')}: ")


@pytest.mark.parametrize("filename", ["village.yaml", "village.json"])
def test_50_megabytes_of_nesting_is_refused_quickly(filename: str) -> None:
    started = time.perf_counter()
    problem = only_problem(b"[" * 50_000_000, filename)
    assert problem == f"{filename}:1: nesting deeper than {MAX_NESTING} levels"
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize("depth", [MAX_NESTING + 1, 5_000])
def test_deep_nesting_inside_a_field_is_refused(depth: int) -> None:
    text = replaced("techniques: [shadow-possession]", "techniques: " + "[" * depth + "]" * depth)
    assert "nesting deeper than" in only_problem(text)


def test_deep_block_nesting_is_refused() -> None:
    text = "format: " + "- " * 100_000 + "x\n"
    assert only_problem(text).startswith("village.yaml:1: ")


def test_several_documents_in_one_file_are_refused() -> None:
    assert only_problem(STORY_VILLAGE + "---\nformat: x\n").startswith("village.yaml:")


# --- repeated keys --------------------------------------------------------------------------


def test_repeated_key_in_a_mapping_is_refused() -> None:
    text = replaced(
        "    status: available\n    available_from: null\n",
        "    status: available\n    available_from: null\n    rank: jonin\n",
    )
    problem = only_problem(text)
    first, second = line_of(text, "rank: chunin"), line_of(text, "rank: jonin")
    assert problem == (
        f"village.yaml:{second}: shinobi[0].rank: key given twice (first on line {first}); "
        "only one can count"
    )


def test_repeated_key_in_a_flow_mapping_is_refused() -> None:
    text = replaced("{id: konoha, name: Konohagakure}\n", "{id: konoha, name: K, name: L}\n")
    assert only_problem(text).endswith(
        "places[0].name: key given twice (first on line 4); only one can count"
    )


def test_merge_keys_may_override_what_they_merge() -> None:
    text = replaced(
        "  - {from: konoha, to: tanigakure, hours: 14}",
        "  - &road {from: konoha, to: tanigakure, hours: 14}\n  - {<<: *road, hours: 20}",
    )
    assert [r.hours for r in parse_village(text).roads] == [14, 20]


# --- JSON -----------------------------------------------------------------------------------


def _story_json() -> str:
    return json.dumps(json.loads(json.dumps(_story_document(), default=str)), indent=2)


def _story_document() -> dict[str, object]:
    import yaml

    document: dict[str, object] = yaml.safe_load(STORY_VILLAGE)
    return document


def test_json_village_is_valid() -> None:
    assert parse_village(_story_json(), "village.json") == parse_village(STORY_VILLAGE)


def test_json_error_names_line_and_field() -> None:
    text = _story_json().replace('"rank": "chunin"', '"rank": "chuunin"', 1)
    problem = only_problem(text, "village.json")
    line = line_of(text, "chuunin")
    assert problem.startswith(f"village.json:{line}: shinobi[0].rank: 'chuunin' is not a rank")


def test_json_syntax_error_names_its_line() -> None:
    text = _story_json().replace('"rank": "chunin",', '"rank": "chunin"', 1)
    problem = only_problem(text, "village.json")
    assert problem.startswith(f"village.json:{line_of(text, 'chunin') + 1}: not valid JSON:")


def test_json_repeated_key_is_refused() -> None:
    text = _story_json().replace('"rank": "chunin",', '"rank": "chunin",\n"rank": "jonin",', 1)
    problem = only_problem(text, "village.json")
    assert problem.startswith(
        f"village.json:{line_of(text, 'jonin')}: shinobi[0].rank: key given twice"
    )


def test_json_deep_nesting_below_the_limit_still_fails_cleanly() -> None:
    text = "[" * MAX_NESTING + "]" * MAX_NESTING
    assert "the top level must be a mapping" in only_problem(text, "village.json")


# --- many problems --------------------------------------------------------------------------


def test_every_problem_is_reported_in_line_order() -> None:
    text = replaced("rank: chunin\n    skills: {tactics", "rank: chuunin\n    skills: {tactics")
    text = replaced("hours: 14", "hours: 0", text)
    problems = problems_of(text)
    assert [p.split(":")[1] for p in problems] == [
        str(line_of(text, "hours: 0")),
        str(line_of(text, "chuunin")),
    ]


def test_load_village_reads_a_file_and_names_it(tmp_path: Path) -> None:
    path = tmp_path / "konoha.yaml"
    path.write_text(replaced("hours: 14", "hours: 0"), encoding="utf-8")
    with pytest.raises(VillageFileError) as caught:
        load_village(path)
    assert str(caught.value).startswith(
        f"{path}:{line_of(STORY_VILLAGE, 'hours')}: roads[0].hours:"
    )


def test_load_village_of_a_missing_file_is_a_village_file_error(tmp_path: Path) -> None:
    with pytest.raises(VillageFileError) as caught:
        load_village(tmp_path / "nowhere.yaml")
    assert "cannot be read" in str(caught.value)


def test_load_village_reads_json_by_extension(tmp_path: Path) -> None:
    path = tmp_path / "konoha.json"
    path.write_text(_story_json(), encoding="utf-8")
    assert load_village(path) == parse_village(STORY_VILLAGE)


# --- aliases --------------------------------------------------------------------------------


def test_aliases_that_multiply_the_document_are_refused_quickly() -> None:
    levels = ["lol0: &lol0 [" + ", ".join(["lol"] * 10) + "]"]
    for n in range(1, 9):
        levels.append(f"lol{n}: &lol{n} [" + ", ".join([f"*lol{n - 1}"] * 10) + "]")
    text = replaced("history:\n", "\n".join(levels) + "\nhistory:\n")
    started = time.perf_counter()
    problem = only_problem(text)
    assert time.perf_counter() - started < 5
    assert "aliases expand" in problem


def test_alias_inside_its_own_value_is_refused() -> None:
    text = replaced("techniques: [shadow-possession]", "techniques: &loop [*loop]")
    assert only_problem(text) == (
        f"village.yaml:{line_of(text, '&loop')}: an alias refers to the value that contains it"
    )


def test_a_few_aliases_are_fine() -> None:
    text = replaced(
        "route: [konoha, tanigakure, konoha]", "route: &trip [konoha, tanigakure, konoha]"
    )
    text = replaced("route: [konoha]}", "route: *trip}", text)
    assert parse_village(text).history[0].mission.route == ["konoha", "tanigakure", "konoha"]
