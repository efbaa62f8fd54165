"""The after-action report file: a history entry's `report` plus when the squad returned."""

from __future__ import annotations

import datetime as dt

from missiondesk.domain.ranks import Severity, ShinobiStatus
from missiondesk.domain.village import Injury, LocalTime, Report


class ReportFile(Report):
    """SPEC section 7: outcome, injuries, encounters, `returned`, optional
    `objective_taken_by` (a threat id) and `notes`."""

    returned: LocalTime


def status_after(injury: Injury | None, returned: dt.date) -> tuple[ShinobiStatus, dt.date | None]:
    """A squad member's status and return-to-duty day once the report is in."""
    if injury is None:
        return ShinobiStatus.AVAILABLE, None
    if injury.severity == Severity.FATAL:
        return ShinobiStatus.DECEASED, None
    if injury.recovery_days == 0:
        return ShinobiStatus.AVAILABLE, None
    return ShinobiStatus.INJURED, returned + dt.timedelta(days=injury.recovery_days)
