"""Who is a medic: one definition (domain/roles.py) that the planner's roles, the risk
model and the rescue all read."""

from __future__ import annotations

from plan_builders import mission, ninja, village

from missiondesk.domain.roles import MEDIC_DEFAULT, fills_role, is_medic, medic_minimums
from missiondesk.operations.rescue import emergency_village
from missiondesk.planning.roster import fills_role as planner_fills_role
from missiondesk.risk.simulation import is_medic as risk_is_medic


def test_a_village_without_a_medic_role_takes_medical_two() -> None:
    v = village([ninja("m", medical=2), ninja("n", medical=1)], [mission("x")], roles={})
    medic, not_medic = v.shinobi
    assert medic_minimums(v) == MEDIC_DEFAULT
    assert is_medic(medic, v) and not is_medic(not_medic, v)
    assert emergency_village(v, v.missions[0], (), v.village.now).roles["medic"] == dict(
        MEDIC_DEFAULT
    )


def test_a_village_medic_role_is_the_rule_everywhere() -> None:
    roles = {"medic": {"medical": 4}}
    v = village([ninja("m", medical=2), ninja("h", medical=4)], [mission("x")], roles=roles)
    low, high = v.shinobi
    assert [is_medic(s, v) for s in v.shinobi] == [False, True]
    assert not risk_is_medic(low, v) and risk_is_medic(high, v)
    assert planner_fills_role is fills_role
    assert emergency_village(v, v.missions[0], (), v.village.now).roles["medic"] == {"medical": 4}
