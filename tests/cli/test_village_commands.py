"""`missiondesk village ...` through the command line, on SQLite and on PostgreSQL: bad files
are refused with exit 2, a message naming file, line and field, and an unchanged database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from md_support import DEMO_VILLAGE, Result
from missiondesk.villagefile.parse import load_village, parse_village
from villagefile.village_texts import STORY_VILLAGE, line_of

Cli = Callable[..., Result]


def _break(old: str, new: str) -> str:
    assert old in STORY_VILLAGE, old
    return STORY_VILLAGE.replace(old, new, 1)


# (case, file text, the line the message must name, a fragment of field and message)
BAD_FILES: list[tuple[str, str, int, str]] = [
    (
        "yaml syntax error",
        _break("  - {id: tanigakure, name: Tanigakure}", "  - {id: tanigakure, name: [Tanigakure}"),
        line_of(STORY_VILLAGE, "{id: tanigakure, name: Tanigakure}"),
        "",
    ),
    ("wrong format", _break("missiondesk/village/v1", "missiondesk/village/v9"), 1, "format"),
    (
        "unknown top-level key",
        STORY_VILLAGE + "dragons: []\n",
        line_of(STORY_VILLAGE, "history:") + 11,
        "dragons",
    ),
    (
        "rank that does not exist",
        _break(
            "    rank: chunin\n    skills: {tactics: 5",
            "    rank: chuunin\n    skills: {tactics: 5",
        ),
        line_of(STORY_VILLAGE, "rank: chunin"),
        "shinobi[0].rank: 'chuunin' is not a rank",
    ),
    (
        "status that does not exist",
        _break("    status: resting", "    status: napping"),
        line_of(STORY_VILLAGE, "status: resting"),
        "shinobi[2].status",
    ),
    (
        "severity that does not exist",
        _break("severity: critical", "severity: grave"),
        line_of(STORY_VILLAGE, "severity: critical"),
        "history[0].report.injuries[0].severity",
    ),
    (
        "mission rank that does not exist",
        _break("    rank: C\n", "    rank: E\n"),
        line_of(STORY_VILLAGE, "    rank: C"),
        "missions[0].rank",
    ),
    (
        "skill above 5",
        _break("skills: {taijutsu: 4}", "skills: {taijutsu: 6}"),
        line_of(STORY_VILLAGE, "skills: {taijutsu: 4}"),
        "shinobi[1].skills.taijutsu",
    ),
    (
        "skill below 0",
        _break("skills: {taijutsu: 4}", "skills: {taijutsu: -1}"),
        line_of(STORY_VILLAGE, "skills: {taijutsu: 4}"),
        "shinobi[1].skills.taijutsu",
    ),
    (
        "duplicate id",
        _break("  - id: akimichi-choji", "  - id: nara-shikamaru"),
        line_of(STORY_VILLAGE, "  - id: akimichi-choji"),
        "shinobi[1].id",
    ),
    (
        "unknown shinobi in a squad",
        _break("members: [akimichi-choji]", "members: [akimichi-chouji]"),
        line_of(STORY_VILLAGE, "members: [akimichi-choji]"),
        "akimichi-chouji",
    ),
    (
        "unknown place on a route",
        _break("route: [konoha, tanigakure, konoha]", "route: [konoha, kirigakure, konoha]"),
        line_of(STORY_VILLAGE, "route: [konoha, tanigakure, konoha]"),
        "kirigakure",
    ),
    (
        "unknown threat in a sighting",
        _break(
            "{threat: uchiha-itachi, place: tanigakure", "{threat: uchiha-sasuke, place: tanigakure"
        ),
        line_of(STORY_VILLAGE, "{threat: uchiha-itachi, place: tanigakure"),
        "uchiha-sasuke",
    ),
    (
        "unknown organisation",
        _break("    organization: akatsuki", "    organization: root"),
        line_of(STORY_VILLAGE, "organization: akatsuki"),
        "threats[0].organization",
    ),
    (
        "unknown role in a standing order",
        _break("rule: require_role, role: medic", "rule: require_role, role: healer"),
        line_of(STORY_VILLAGE, "rule: require_role, role: medic"),
        "'healer' is not a known role (medic, tracker) (order 'medic-from-c')",
    ),
    (
        "standing order missing a parameter",
        _break("rule: require_role, role: medic,", "rule: require_role,"),
        line_of(STORY_VILLAGE, "rule: require_role, role: medic"),
        "standing_orders[0].role: required field is missing (order 'medic-from-c')",
    ),
    (
        "unknown wellbeing flag in an order",
        _break(
            "{id: medic-from-c, rule: require_role, role: medic, count: 1, when: {min_rank: C}}",
            "{id: w, rule: wellbeing_limit, flag: shield-pattern, forbid: lead}",
        ),
        line_of(STORY_VILLAGE, "id: medic-from-c"),
        "standing_orders[0].flag: 'shield-pattern' is not a wellbeing flag",
    ),
    (
        "road with zero hours",
        _break("hours: 14}", "hours: 0}"),
        line_of(STORY_VILLAGE, "hours: 14}"),
        "roads[0].hours",
    ),
    (
        "road with negative hours",
        _break("hours: 14}", "hours: -3}"),
        line_of(STORY_VILLAGE, "hours: 14}"),
        "roads[0].hours",
    ),
    (
        "resting without available_from",
        _break("    available_from: 2026-11-25\n", ""),
        line_of(STORY_VILLAGE, "  - id: haruno-sakura"),
        "available_from",
    ),
    (
        "leader also a member",
        _break("members: [akimichi-choji]", "members: [akimichi-choji, nara-shikamaru]"),
        line_of(STORY_VILLAGE, "members: [akimichi-choji]"),
        "history[0].squad",
    ),
]


def _write(tmp_path: Path, text: str | bytes, name: str = "village.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_the_story_village_is_valid(cli: Cli, tmp_path: Path) -> None:
    result = cli("village", "validate", _write(tmp_path, STORY_VILLAGE))
    assert result.code == 0, result.stderr


@pytest.mark.parametrize(
    ("case", "text", "line", "fragment"), BAD_FILES, ids=[c[0] for c in BAD_FILES]
)
def test_bad_file_is_refused_and_changes_nothing(
    cli: Cli, tmp_path: Path, db_url: str, case: str, text: str, line: int, fragment: str
) -> None:
    assert cli("--db", db_url, "village", "import", DEMO_VILLAGE).code == 0
    before = cli("--db", db_url, "village", "export").stdout
    bad = _write(tmp_path, text)

    for command in (["village", "validate", bad], ["village", "import", "--replace", bad]):
        result = cli("--db", db_url, *command)
        assert result.code == 2, (case, result.stdout, result.stderr)
        assert f"village.yaml:{line}:" in result.stderr, (case, result.stderr)
        assert fragment in result.stderr, (case, result.stderr)
        assert "Traceback" not in result.stderr
    assert cli("--db", db_url, "village", "export").stdout == before


@pytest.mark.parametrize(
    ("case", "content", "message"),
    [
        ("empty", b"", "empty"),
        ("only comments", b"# nothing here\n", "empty"),
        ("binary", bytes(range(256)) * 64, "village.yaml"),
        ("not utf-8", "village: caf\xe9\n".encode("latin-1"), "UTF-8"),
        ("a list at the top", b"- 1\n- 2\n", "village.yaml"),
        ("deep flow nesting", b"[" * 200_000 + b"]" * 200_000, "nest"),
    ],
)
def test_unreadable_file_is_refused_on_an_empty_database(
    cli: Cli, tmp_path: Path, db_url: str, case: str, content: bytes, message: str
) -> None:
    bad = _write(tmp_path, content)
    result = cli("--db", db_url, "village", "import", bad)
    assert result.code == 2, (case, result.stderr)
    assert message in result.stderr, (case, result.stderr)
    assert "Traceback" not in result.stderr
    empty = cli("--db", db_url, "board")
    assert empty.code == 2 and "no village" in empty.stderr


def test_fifty_megabytes_of_nesting_is_refused_quickly(
    cli: Cli, tmp_path: Path, sqlite_url: str
) -> None:
    half = 25 * 1024 * 1024
    bad = _write(tmp_path, b"[" * half + b"]" * half)
    result = cli("--db", sqlite_url, "village", "import", bad)
    assert result.code == 2
    assert "village.yaml" in result.stderr and "Traceback" not in result.stderr


def test_import_into_a_database_with_a_village_needs_replace(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    assert cli("--db", db_url, "village", "import", DEMO_VILLAGE).code == 0
    before = cli("--db", db_url, "village", "export").stdout
    other = _write(tmp_path, STORY_VILLAGE)

    refused = cli("--db", db_url, "village", "import", other)
    assert refused.code == 2 and "--replace" in refused.stderr
    assert cli("--db", db_url, "village", "export").stdout == before

    replaced = cli("--db", db_url, "village", "import", "--replace", other)
    assert replaced.code == 0, replaced.stderr
    roster = cli("--db", db_url, "roster", "--json")
    assert [r["id"] for r in __import__("json").loads(roster.stdout)] == [
        "nara-shikamaru",
        "akimichi-choji",
        "haruno-sakura",
    ]


def test_demo_village_round_trips_through_the_database(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    assert cli("--db", db_url, "village", "import", DEMO_VILLAGE).code == 0
    out = tmp_path / "out.yaml"
    assert cli("--db", db_url, "village", "export", "-o", out).code == 0
    assert load_village(out) == load_village(DEMO_VILLAGE)
    as_json = tmp_path / "out.json"
    assert cli("--db", db_url, "village", "export", "-o", as_json).code == 0
    assert load_village(as_json) == load_village(DEMO_VILLAGE)


def test_export_of_an_empty_database_is_a_clear_error(cli: Cli, sqlite_url: str) -> None:
    result = cli("--db", sqlite_url, "village", "export")
    assert result.code == 2 and "no village" in result.stderr


def test_missing_file_is_bad_input(cli: Cli, tmp_path: Path, sqlite_url: str) -> None:
    result = cli("--db", sqlite_url, "village", "import", tmp_path / "nowhere.yaml")
    assert result.code == 2 and "nowhere.yaml" in result.stderr


def test_board_and_roster_as_json(cli: Cli, sqlite_url: str) -> None:
    import json

    assert cli("--db", sqlite_url, "village", "import", DEMO_VILLAGE).code == 0
    board = json.loads(cli("--db", sqlite_url, "board", "--json").stdout)
    assert {"id", "title", "rank", "effective_rank", "priority", "status"} <= set(board[0])
    assert {"judged_rank", "override"} <= set(board[0])  # SPEC section 11: beside the rank
    assert "volunteers" in board[0]  # SPEC section 13
    assert any(m["id"] == "tani-scroll" and m["status"] == "intake" for m in board)
    roster = json.loads(cli("--db", sqlite_url, "roster", "--json").stdout)
    assert list(roster[0])[:5] == ["id", "name", "rank", "status", "available_from"]
    # SPEC section 13: the game master's fields, beside the SPEC's.
    assert {"mission", "due_back", "missions_done", "ryo", "promotion"} <= set(roster[0])
    injured = [r for r in roster if r["status"] == "injured"]
    assert injured and all(r["available_from"] for r in injured)


def test_generate_writes_the_same_valid_file_for_the_same_seed(cli: Cli, tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    for path in (a, b):
        result = cli(
            "village", "generate", "--shinobi", 60, "--missions", 8, "--seed", 7, "-o", path
        )
        assert result.code == 0, result.stderr
    assert a.read_bytes() == b.read_bytes()
    village = parse_village(a.read_text(), "a.yaml")
    assert len(village.shinobi) == 60 and len(village.missions) == 8
