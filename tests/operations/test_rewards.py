"""Rewards in whole ryo: over random reports, the shares always add up to what was paid,
the village keeps its cut, and the split is as even as whole ryo allow."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from missiondesk.domain.ranks import Outcome
from missiondesk.domain.rewards import paid_for, payout


@given(
    reward=st.integers(0, 10**9),
    outcome=st.sampled_from(list(Outcome)),
    size=st.integers(1, 12),
    share=st.sampled_from([0.0, 0.1, 0.2, 0.25, 0.29, 1 / 3, 0.5, 0.99, 1.0]),
    split=st.sampled_from(["equal", "leader_double"]),
)
def test_shares_sum_to_what_was_paid(
    reward: int, outcome: Outcome, size: int, share: float, split: str
) -> None:
    squad = [f"s{i}" for i in range(size)]
    shares = payout(reward, outcome, squad, share, split)  # type: ignore[arg-type]
    paid = paid_for(reward, outcome)
    assert sum(s.ryo for s in shares) == paid
    assert all(s.ryo >= 0 for s in shares)
    if paid == 0:
        assert shares == []
        return
    village, leader, *members = shares
    assert village.shinobi is None and leader.shinobi == "s0"
    assert [s.shinobi for s in members] == squad[1:]
    assert paid * share - 1 - 1e-6 <= village.ryo <= paid * share + 1e-6
    units = [leader.ryo / (2 if split == "leader_double" else 1)] + [m.ryo for m in members]
    assert max(units) - min(units) <= 1


def test_outcomes_pay_all_half_or_nothing() -> None:
    assert paid_for(60001, Outcome.SUCCESS) == 60001
    assert paid_for(60001, Outcome.PARTIAL) == 30000
    assert paid_for(60001, Outcome.FAILURE) == 0
    assert paid_for(60001, Outcome.ABORTED) == 0


def test_leader_double_and_remainders_go_leader_first() -> None:
    shares = payout(1000, Outcome.SUCCESS, ["a", "b", "c"], 0.2, "leader_double")
    assert [(s.shinobi, s.ryo) for s in shares] == [(None, 200), ("a", 400), ("b", 200), ("c", 200)]
    shares = payout(101, Outcome.SUCCESS, ["a", "b", "c"], 0.0, "equal")
    assert [s.ryo for s in shares] == [0, 34, 34, 33]
