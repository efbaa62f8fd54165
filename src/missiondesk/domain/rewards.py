"""How a report's reward is shared (SPEC section 13), in whole ryo.

`payout` is pure: the amount paid for an outcome (all on success, half on partial, rounded
down, nothing on failure or aborted), the village's cut (`village_share` of it, rounded
down), and the rest split among the squad, leader first. Remainders go one ryo at a time
to the squad in its order (leader first), so the shares always add up to what was paid.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Literal

from pydantic import BaseModel

from missiondesk.domain.ranks import Outcome

Split = Literal["equal", "leader_double"]


class Share(BaseModel):
    shinobi: str | None  # None: the village's cut
    share: Literal["village", "leader", "member"]
    ryo: int


def paid_for(reward: int, outcome: Outcome) -> int:
    if outcome is Outcome.SUCCESS:
        return reward
    if outcome is Outcome.PARTIAL:
        return reward // 2
    return 0


def payout(
    reward: int, outcome: Outcome, squad: list[str], village_share: float, split: Split
) -> list[Share]:
    """The village's cut, then one share per squad member (leader first); empty when
    nothing is paid."""
    paid = paid_for(reward, outcome)
    if paid <= 0 or not squad:
        return []
    # The share as the decimal it was written as (0.2, not 0.2000000000000000111).
    cut = int(paid * Fraction(Decimal(str(village_share))))
    rest = paid - cut
    weights = [2 if split == "leader_double" and i == 0 else 1 for i in range(len(squad))]
    unit, left = divmod(rest, sum(weights))
    amounts = [unit * w for w in weights]
    for i in range(left):  # left < sum(weights) <= len(squad) + 1
        amounts[i % len(squad)] += 1
    shares = [Share(shinobi=None, share="village", ryo=cut)]
    for i, (sid, ryo) in enumerate(zip(squad, amounts, strict=True)):
        shares.append(Share(shinobi=sid, share="leader" if i == 0 else "member", ryo=ryo))
    return shares
