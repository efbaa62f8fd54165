"""Roles: who fills one, and who is a medic. One definition, read by the planner, the risk
model and the rescue's composition alike."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from missiondesk.domain.village import Shinobi, Village

MEDIC_ROLE = "medic"
MEDIC_DEFAULT: Mapping[str, int] = {"medical": 2}
"""SPEC section 2's example medic, used when a village defines no `medic` role."""


def fills_role(shinobi: Shinobi, minimums: Mapping[str, int]) -> bool:
    """A role is filled when every one of its minimum skill levels holds."""
    return all(shinobi.skill(skill) >= level for skill, level in minimums.items())


def medic_minimums(village: Village) -> Mapping[str, int]:
    """What a medic needs in this village: its own `medic` role, else `MEDIC_DEFAULT`."""
    return village.roles.get(MEDIC_ROLE, MEDIC_DEFAULT)


def is_medic(shinobi: Shinobi, village: Village) -> bool:
    """Fills the village's `medic` role, or, when the village defines none, medical >= 2."""
    return fills_role(shinobi, medic_minimums(village))
