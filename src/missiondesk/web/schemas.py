"""The shapes the HTTP API takes in, beyond the service models it answers with.

Times are the village's `LocalTime` (domain/village.py), to the minute as on the command
line (`--at`): ISO 8601 without a zone (a time with a zone is refused, as in a village
file), never a number (not read as a Unix timestamp), and within 1900-2199. Request
bodies are JSON with each key once (`StrictJsonRoute`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from missiondesk.domain.orders import Ident
from missiondesk.domain.village import LOCAL_TIME_PATTERN, LocalTime
from missiondesk.services.accounts import Account, AccountRole
from missiondesk.services.missions import now_minute


def to_the_minute(value: dt.datetime) -> dt.datetime:
    return value.replace(second=0, microsecond=0)


LocalMinute = Annotated[LocalTime, AfterValidator(to_the_minute)]
"""The village's `LocalTime` (one rule about zones: refused), to the minute."""


def describe_local_times(schema: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI schema as the answers are: every time the API answers is the village's
    local time, with no zone, which is not what `format: date-time` (RFC 3339, a zone
    required) says. Rewrites each such property in place; returns the schema."""
    pending: list[Any] = [schema]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            if node.get("type") == "string" and node.get("format") == "date-time":
                del node["format"]
                node["pattern"] = LOCAL_TIME_PATTERN
                node["description"] = (
                    node.get("description", "") + " The village's local time, ISO 8601 "
                    "without a zone."
                ).strip()
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return schema


def _refuse_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise HTTPException(
                status_code=422, detail=f"the key {key!r} appears twice in one JSON object"
            )
        found[key] = value
    return found


class StrictJsonRequest(Request):
    """A request whose JSON body may not name a key twice (which value would count?)."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = json.loads(await self.body(), object_pairs_hook=_refuse_repeated_keys)
        return self._json


class StrictJsonRoute(APIRoute):
    """An API route that parses its JSON body with StrictJsonRequest."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(StrictJsonRequest(request.scope, request.receive))

        return strict


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
    at: LocalMinute | None = Field(
        default=None, description="When the plan is made; default: the village clock."
    )


class OverrideRequest(_Request):
    rank: Annotated[str, Field(max_length=20)] = Field(description="The rank: D, C, B, A or S.")
    reason: Annotated[str, Field(max_length=2000)] = Field(
        default="", description="Why the judged rank is overruled (required)."
    )


class StepRequest(_Request):
    at: LocalMinute | None = Field(
        default=None, description="When it happened; default: the village clock."
    )


class RecallRequest(StepRequest):
    reason: Annotated[str, Field(max_length=2000)] = Field(
        description="Why the approved squad is taken back (logged; required)."
    )


class AdvanceRequest(_Request):
    duration: str = Field(description="How long: 90m, 6h, 2d, 1w (or 1d12h).", max_length=40)


class SetClockRequest(_Request):
    time: LocalMinute = Field(description="The new village time; never before the current one.")


class VolunteerRequest(_Request):
    shinobi: Ident = Field(description="The shinobi who volunteers (a player: their own).")
    withdraw: bool = Field(default=False, description="Withdraw the offer instead.")


class CheckinRequest(StepRequest):
    place: Ident | None = Field(default=None, description="Where the squad is (a place id).")


class RescueRequest(StepRequest):
    pins: list[Ident] = Field(default=[], description="Shinobi who must be on the rescue.")
    force: bool = Field(
        default=False, description="Send a squad that breaks standing orders (needs a reason)."
    )
    reason: Annotated[str, Field(max_length=2000)] | None = Field(
        default=None, description="Why a rule-breaking rescue is sent anyway (logged)."
    )


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


def pin_pairs(pins: list[Pin]) -> list[tuple[str, str]]:
    return [(p.shinobi, p.mission) for p in pins]


def forbids_list(forbids: list[Forbid]) -> list[tuple[str, str | None]]:
    return [(f.shinobi, f.mission) for f in forbids]


class RoleRequest(_Request):
    role: AccountRole
    shinobi: Ident | None = Field(
        default=None, description="The roster entry of this person; omit to keep the link."
    )


class RenameRequest(_Request):
    name: Annotated[str, Field(min_length=1, max_length=64)]


class PasswordRequest(_Request):
    password: Annotated[str, Field(min_length=1, max_length=1024)] | None = Field(
        default=None, description="Omit to have one generated (answered once)."
    )


class PasswordChanged(BaseModel):
    account: Account
    password: str | None = Field(description="The generated password; null when one was given.")
    revoked_sessions: int
