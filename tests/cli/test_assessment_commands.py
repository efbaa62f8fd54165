"""`assess` and `model` through the command line, on the demo village."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from md_support import DEMO_VILLAGE, Result

Cli = Callable[..., Result]


@pytest.fixture
def demo(cli: Cli, sqlite_url: str) -> str:
    assert cli("--db", sqlite_url, "village", "import", DEMO_VILLAGE).code == 0
    return sqlite_url


def test_assess_json_has_the_contract_fields(cli: Cli, demo: str) -> None:
    result = cli("--db", demo, "assess", "tani-scroll", "--json")
    assert result.code == 0, result.stderr
    a = json.loads(result.stdout)
    assert set(a) == {
        "mission",
        "declared_rank",
        "effective_rank",
        "understated",
        "threats",
        "factors",
        "briefing",
        "judged_rank",
        "override",
        "notes",
    }
    assert {"threat", "probability"} == set(a["threats"][0])
    assert {"kind", "subject", "contribution", "text"} <= set(a["factors"][0])
    assert {"threat", "ability", "advice"} == set(a["briefing"][0])
    probabilities = [t["probability"] for t in a["threats"]]
    assert probabilities == sorted(probabilities, reverse=True)


def test_assess_is_a_read_and_assess_all_moves_intake_to_assessed(cli: Cli, demo: str) -> None:
    assert cli("--db", demo, "assess", "tani-scroll").code == 0
    board = json.loads(cli("--db", demo, "board", "--json").stdout)
    assert {m["status"] for m in board} == {"intake"}
    result = cli("--db", demo, "assess", "--all", "--json")
    assert result.code == 0, result.stderr
    assert len(json.loads(result.stdout)) == len(board)
    board = json.loads(cli("--db", demo, "board", "--json").stdout)
    assert {m["status"] for m in board} == {"assessed"}
    scroll = next(m for m in board if m["id"] == "tani-scroll")
    assert scroll["rank"] == "C" and scroll["effective_rank"] in ("A", "S")


def test_assess_with_a_squad_simulates_it_reproducibly(cli: Cli, demo: str) -> None:
    args = ("--db", demo, "assess", "tani-scroll", "--squad", "nara-shikamaru,chiaki,mihoko")
    first = json.loads(cli(*args, "--seed", "4", "--json").stdout)
    again = json.loads(cli(*args, "--seed", "4", "--json").stdout)
    assert first["simulation"] == again["simulation"]
    sim = first["simulation"]
    assert 0.0 <= sim["success_probability"] <= 1.0
    assert [m["shinobi"] for m in sim["members"]] == ["nara-shikamaru", "chiaki", "mihoko"]
    assert not sim["has_medic"]
    with_medic = json.loads(
        cli(
            "--db",
            demo,
            "assess",
            "tani-scroll",
            "--squad",
            "nara-shikamaru,chiaki,haruno-sakura",
            "--seed",
            "4",
            "--json",
        ).stdout
    )
    assert with_medic["simulation"]["has_medic"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["assess", "no-such-mission"], "no mission"),
        (["assess"], "MISSION"),
        (["assess", "tani-scroll", "--squad", "nara-shikamaru,ghost"], "ghost"),
        (["assess", "tani-scroll", "--squad", "chiaki,chiaki"], "twice"),
        (["assess", "--all", "tani-scroll"], "--all"),
    ],
)
def test_bad_assess_requests_exit_2(cli: Cli, demo: str, args: list[str], message: str) -> None:
    result = cli("--db", demo, *args)
    assert result.code == 2 and message in result.stderr, result.stderr


def test_model_fit_then_report_with_a_plot(cli: Cli, demo: str, tmp_path: Path) -> None:
    fitted = cli("--db", demo, "model", "fit", "--json")
    assert fitted.code == 0, fitted.stderr
    assert json.loads(fitted.stdout)["reports"] > 0
    plot = tmp_path / "reliability.png"
    report = cli("--db", demo, "model", "report", "--plot", plot, "--json")
    assert report.code == 0, report.stderr
    calibration = json.loads(report.stdout)
    assert calibration["evaluated_on"] > 0 and "reliability" in calibration
    # Beside the fight model: the engagement probabilities against the reports' encounters;
    # the demo's 35 reports hold too few encounters to judge them, and the report says so.
    engagement = calibration["engagement"]
    assert engagement["reports"] == 35 and engagement["pairs"] > 0
    assert engagement["brier"] is not None and engagement["reliability"]
    assert engagement["fit"] is None and calibration["warnings"] == [engagement["warning"]]
    text = cli("--db", demo, "model", "report").stdout
    assert "warning:" in text and "Engagement:" in text
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    kinds = [
        e["kind"] for e in json.loads(cli("--db", demo, "timeline", "tani-scroll", "--json").stdout)
    ]
    assert "model.fitted" not in kinds  # the model's event is the village's, not a mission's
