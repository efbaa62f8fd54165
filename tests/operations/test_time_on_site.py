"""Time on site (SPEC section 8): check-ins allow `on_site_hours` at the objective, so a
survey that stays five days at the ruins is not overdue twenty hours after reaching them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from md_support import Result
from missiondesk.domain.village import Road
from missiondesk.operations.schedule import Checkin, due_back, next_expected, planned_checkins
from missiondesk.risk.roads import RoadNetwork

Cli = Callable[..., Result]

LEFT = dt.datetime(2026, 3, 1, 8, 0)


def _network() -> RoadNetwork:
    roads = [
        Road.model_validate({"from": "home", "to": "pass", "hours": 4}),
        Road.model_validate({"from": "pass", "to": "ruins", "hours": 6}),
    ]
    return RoadNetwork(["home", "pass", "ruins"], roads)


def _expected(schedule: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [(c["place"], c["expected"]) for c in schedule]


def test_a_round_trip_stays_at_its_farthest_stop_before_the_way_home() -> None:
    route = ["home", "pass", "ruins", "pass", "home"]
    assert _expected(planned_checkins(route, LEFT, _network(), 6.0, 48.0)) == [
        ("pass", "2026-03-01T12:00"),
        ("ruins", "2026-03-01T18:00"),
        ("pass", "2026-03-04T00:00"),  # 48 h on site, then 6 h of road
        ("home", "2026-03-04T04:00"),
    ]
    assert due_back(route, LEFT, _network(), 48.0) == dt.datetime(2026, 3, 4, 4, 0)


def test_no_time_on_site_is_the_road_alone() -> None:
    route = ["home", "pass", "ruins", "pass", "home"]
    with_none = planned_checkins(route, LEFT, _network(), 6.0, 0.0)
    assert with_none == planned_checkins(route, LEFT, _network(), 6.0)
    assert _expected(with_none)[-1] == ("home", "2026-03-02T04:00")


def test_a_one_way_route_stays_at_its_end_and_owes_no_check_in_after() -> None:
    route = ["home", "pass", "ruins"]
    assert _expected(planned_checkins(route, LEFT, _network(), 6.0, 48.0)) == [
        ("pass", "2026-03-01T12:00"),
        ("ruins", "2026-03-01T18:00"),
    ]
    assert due_back(route, LEFT, _network(), 48.0) == dt.datetime(2026, 3, 3, 18, 0)


def test_the_leg_from_the_objective_is_owed_after_the_stay_from_the_arrival() -> None:
    route = ["home", "pass", "ruins", "pass", "home"]
    arrived = [Checkin(at=dt.datetime(2026, 3, 1, 20, 0), place="ruins")]
    owed = next_expected(route, LEFT, arrived, _network(), 6.0, 48.0)
    assert owed is not None and owed.place == "pass"
    assert owed.expected_at == dt.datetime(2026, 3, 4, 2, 0)  # 20:00 + 48 h + 6 h
    before = next_expected(route, LEFT, [], _network(), 6.0, 48.0)
    assert before is not None and before.expected_at == dt.datetime(2026, 3, 1, 12, 0)


SURVEY = """\
format: missiondesk/village/v2
village: {id: home, name: Home, now: 2026-03-01T08:00}
places:
  - {id: home, name: Home}
  - {id: ruins, name: The Ruins}
roads:
  - {from: home, to: ruins, hours: 10}
shinobi:
  - {id: aya, name: Aya, rank: jonin, skills: {tactics: 3}, status: available}
  - {id: bo, name: Bo, rank: chunin, skills: {medical: 3}, status: available}
missions:
  - id: survey
    title: Survey the ruins for five days
    rank: C
    route: [home, ruins, home]
    objective: {tags: [], on_site_hours: 120}
    window: {earliest: 2026-03-01, due: 2026-03-12}
    status: approved
    squad: {leader: aya, members: [bo]}
"""


@pytest.fixture
def survey(cli: Cli, db_url: str, tmp_path: Path) -> str:
    path = tmp_path / "survey.yaml"
    path.write_text(SURVEY)
    result = cli("--db", db_url, "village", "import", path)
    assert result.code == 0, result.stderr
    return db_url


def test_a_five_day_survey_is_not_overdue_while_it_stays_on_site(cli: Cli, survey: str) -> None:
    sent = cli("--db", survey, "dispatch", "survey", "--json")
    assert sent.code == 0, sent.stderr
    due = [(c["place"], c["due"][:16]) for c in json.loads(sent.stdout)["checkins_due"]]
    # 10 h to the ruins (+6 h grace); 120 h there, then 10 h home (+6 h grace)
    assert due == [("ruins", "2026-03-02T00:00"), ("home", "2026-03-07T10:00")]
    arrived = cli(
        "--db", survey, "checkin", "survey", "--at", "2026-03-01T18:00", "--place", "ruins"
    )
    assert arrived.code == 0, arrived.stderr
    moved = json.loads(cli("--db", survey, "clock", "advance", "3d", "--json").stdout)
    assert moved["recorded"] == []  # on site, as planned: nothing missed
    moved = json.loads(cli("--db", survey, "clock", "set", "2026-03-07T10:01", "--json").stdout)
    assert [(r["kind"], r["subject"]) for r in moved["recorded"]] == [("checkin.missed", "survey")]
    roster = {r["id"]: r for r in json.loads(cli("--db", survey, "roster", "--json").stdout)}
    assert roster["aya"]["due_back"][:16] == "2026-03-07T04:00"
