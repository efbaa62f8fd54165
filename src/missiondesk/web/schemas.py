"""The shapes the HTTP API takes in, beyond the service models it answers with.

Times are local and to the minute, as on the command line (`--at`): a time with a zone is
converted to local time, and times outside 1900-2199 are refused rather than overflowing
the calendar arithmetic downstream.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from missiondesk.domain.orders import Ident
from missiondesk.domain.village import EARLIEST_YEAR, LATEST_YEAR
from missiondesk.services.accounts import Account, AccountRole
from missiondesk.services.missions import now_minute


def local_minute(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is not None:
        value = value.astimezone().replace(tzinfo=None)
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"is outside the years {EARLIEST_YEAR} to {LATEST_YEAR}")
    return value.replace(second=0, microsecond=0)


LocalTime = Annotated[dt.datetime, AfterValidator(local_minute)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Pin(_Request):
    shinobi: Ident
    mission: Ident


class Forbid(_Request):
    shinobi: Ident
    mission: Ident | None = Field(
        default=None, description="Keep the shinobi off this mission; null: off every mission."
    )


class PlanRequest(_Request):
    time_limit: Annotated[float, Field(gt=0, le=300)] = Field(
        default=10.0, description="Seconds the planner may search (the server may cap it)."
    )
    pins: list[Pin] = Field(default=[], description="Put these shinobi on these missions.")
    forbids: list[Forbid] = Field(default=[], description="Keep these shinobi off.")


class OverrideRequest(_Request):
    rank: Annotated[str, Field(max_length=20)] = Field(description="The rank: D, C, B, A or S.")
    reason: Annotated[str, Field(max_length=2000)] = Field(
        default="", description="Why the judged rank is overruled (required)."
    )


class StepRequest(_Request):
    at: LocalTime | None = Field(default=None, description="When it happened; default: now.")


class CheckinRequest(StepRequest):
    place: Ident | None = Field(default=None, description="Where the squad is (a place id).")


class ClearRequest(_Request):
    shinobi: Ident
    kind: Ident = Field(description="The flag to clear (shield, burden, workload, no-rest).")


class AccountRequest(_Request):
    name: Annotated[str, Field(min_length=1, max_length=64)]
    role: AccountRole
    password: Annotated[str, Field(min_length=1, max_length=1024)] | None = Field(
        default=None, description="Omit to have one generated (answered once)."
    )
    shinobi: Ident | None = Field(default=None, description="The roster entry of this person.")


class AccountCreated(BaseModel):
    account: Account
    password: str | None = Field(description="The generated password; null when one was given.")


class Health(BaseModel):
    status: str
    time: dt.datetime


def health() -> Health:
    return Health(status="ok", time=now_minute())


def pins_map(pins: list[Pin]) -> dict[str, str]:
    return {p.shinobi: p.mission for p in pins}


def forbids_list(forbids: list[Forbid]) -> list[tuple[str, str | None]]:
    return [(f.shinobi, f.mission) for f in forbids]
