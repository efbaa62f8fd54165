"""The planner's sentences count things the way people do."""

from __future__ import annotations

import pytest

from missiondesk.domain.words import plural


@pytest.mark.parametrize(
    ("count", "noun", "said"),
    [
        (1, "medic (medical >= 2)", "1 medic (medical >= 2)"),
        (2, "medic (medical >= 2)", "2 medics (medical >= 2)"),
        (2, "clean success", "2 clean successes"),
        (3, "shinobi", "3 shinobi"),
        (0, "mission", "0 missions"),
    ],
)
def test_plural(count: int, noun: str, said: str) -> None:
    assert plural(count, noun) == said
