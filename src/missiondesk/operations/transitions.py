"""The mission lifecycle as a table: which step moves a mission from which statuses to
which, and the event the log calls it (pure: no database).

`services.missions.transition` is the one place a lifecycle step changes a mission's
status: it looks the step up here, refuses a move the table does not allow, writes the new
status and logs the event, in the caller's transaction. (A village file or a record edit
writes statuses as data, through services/apply.py; `plan` stores its assessments with the
intake missions' move to assessed, which its own planned/unstaffed events then report.)
The steps' own checks (with words for the user, such as "only a planned mission can be
approved") run before it; this table is the last word.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from missiondesk.domain.ranks import IN_THE_FIELD, ON_THE_BOARD, MissionStatus

S = MissionStatus

NOT_LEFT = frozenset({*ON_THE_BOARD, S.APPROVED})
"""Missions that have not left; their window can pass."""


class Step(StrEnum):
    ASSESS = "assess"
    PLAN = "plan"
    UNSTAFF = "unstaff"
    UNPLAN = "unplan"
    APPROVE = "approve"
    DISPATCH = "dispatch"
    MISS_CHECKIN = "miss-checkin"
    CHECK_IN = "check-in"
    REPORT = "report"
    CANCEL = "cancel"
    RECALL = "recall"
    EXPIRE = "expire"


@dataclass(frozen=True)
class Move:
    """A step's legal starting statuses, where it leaves the mission, and its event."""

    source: frozenset[MissionStatus]
    to: MissionStatus
    event: str


MOVES: Mapping[Step, Move] = {
    Step.ASSESS: Move(frozenset({S.INTAKE}), S.ASSESSED, "mission.assessed"),
    Step.PLAN: Move(ON_THE_BOARD, S.PLANNED, "mission.planned"),
    Step.UNSTAFF: Move(ON_THE_BOARD, S.ASSESSED, "mission.unstaffed"),
    # A planned squad dropped by an edit (a member removed): back to the board, unassessed.
    Step.UNPLAN: Move(frozenset({S.PLANNED}), S.INTAKE, "mission.unplanned"),
    Step.APPROVE: Move(frozenset({S.PLANNED}), S.APPROVED, "mission.approved"),
    Step.DISPATCH: Move(frozenset({S.APPROVED}), S.DISPATCHED, "mission.dispatched"),
    Step.MISS_CHECKIN: Move(frozenset({S.DISPATCHED}), S.OVERDUE, "checkin.missed"),
    # An overdue squad that reports in is on its way again.
    Step.CHECK_IN: Move(frozenset({S.OVERDUE}), S.DISPATCHED, "mission.checkin"),
    Step.REPORT: Move(IN_THE_FIELD, S.CLOSED, "mission.reported"),
    # An approved squad released before it leaves (a member hurt since, say): the mission
    # goes back to the board, assessed, for the next plan to staff with whoever is fit.
    Step.RECALL: Move(frozenset({S.APPROVED}), S.ASSESSED, "mission.recalled"),
    Step.CANCEL: Move(frozenset({*NOT_LEFT, S.STALE}), S.CANCELLED, "mission.cancelled"),
    Step.EXPIRE: Move(NOT_LEFT, S.STALE, "mission.stale"),
}


def allows(step: Step, status: str) -> bool:
    """Whether the table lets `step` move a mission that is `status`."""
    return status in MOVES[step].source
