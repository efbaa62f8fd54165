"""The names of notification events and body formats, defined once."""

from __future__ import annotations

from enum import StrEnum


class NotifyEvent(StrEnum):
    MISSION_ADDED = "mission.added"
    MISSION_ESCALATED = "mission.escalated"
    PLAN_READY = "plan.ready"
    MISSION_APPROVED = "mission.approved"
    MISSION_DISPATCHED = "mission.dispatched"
    CHECKIN_MISSED = "checkin.missed"
    RESCUE_DISPATCHED = "rescue.dispatched"
    REPORT_FILED = "report.filed"
    WELLBEING_FLAGGED = "wellbeing.flagged"
    SHINOBI_RECOVERED = "shinobi.recovered"


class BodyFormat(StrEnum):
    JSON = "json"
    DISCORD = "discord"


TEST_EVENT = "notify.test"
"""The event name `notify test` sends; it is never queued, so no endpoint subscribes to it."""

EVENT_NAMES = tuple(e.value for e in NotifyEvent)
