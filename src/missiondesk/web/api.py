"""The HTTP API under /api: every command of the command line, through the same services.

Each route is thin: check the account (`ApiAllowed`), call one service function, answer
its model. The permission each route needs is in `missiondesk.web.policy`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, TypeAdapter
from starlette.concurrency import run_in_threadpool

from missiondesk.domain.assessment import Assessment
from missiondesk.domain.village import LedgerEntry, Place, Road, Sighting, Threat, Village
from missiondesk.errors import BadInput
from missiondesk.operations.reports import ReportFile
from missiondesk.operations.scheduled import parse_duration
from missiondesk.planning.plan import Plan
from missiondesk.services import accounts as account_service
from missiondesk.services import assessment as assessment_service
from missiondesk.services import clock as clock_service
from missiondesk.services import lifecycle, planning, tracking
from missiondesk.services import overrides as override_service
from missiondesk.services import players as player_service
from missiondesk.services import reports as report_service
from missiondesk.services import rescue as rescue_service
from missiondesk.services import village as village_service
from missiondesk.services import wellbeing as wellbeing_service
from missiondesk.services.accounts import Account, SignedOut, TokenInfo
from missiondesk.services.events import Event
from missiondesk.services.lifecycle import Recalled, StepResult
from missiondesk.services.players import LedgerRow, PromotionReady, Volunteered
from missiondesk.services.reading import BingoBook, MissionDetail, mission_detail
from missiondesk.services.reading import bingo_book as read_bingo_book
from missiondesk.services.reports import ReportResult
from missiondesk.services.rescue import RescueSent
from missiondesk.services.timeline import timeline as mission_timeline
from missiondesk.services.tracking import OverdueSquad
from missiondesk.services.village import BoardRow, RosterRow
from missiondesk.villagefile.parse import parse_village
from missiondesk.villagefile.write import dump_village
from missiondesk.web.auth import ApiAllowed, check_mission_scope, database
from missiondesk.web.errors import ERROR_RESPONSES
from missiondesk.web.policy import Permission, check_override, may_act_as, own_scope
from missiondesk.web.schemas import (
    AccountCreated,
    AccountRequest,
    AdvanceRequest,
    CheckinRequest,
    ClearRequest,
    LocalMinute,
    OverrideRequest,
    PasswordChanged,
    PasswordRequest,
    PlanRequest,
    RecallRequest,
    RenameRequest,
    RescueRequest,
    RoleRequest,
    SetClockRequest,
    StepRequest,
    StrictJsonRoute,
    VolunteerRequest,
    forbids_list,
    pin_pairs,
)
from missiondesk.wellbeing.models import ShinobiWellbeing

MAX_UPLOAD_BYTES = 64 * 1024 * 1024

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, route_class=StrictJsonRoute)

MissionId = Annotated[str, Path(min_length=1, max_length=200, description="A mission's id.")]

Reader = Annotated[Account, Depends(ApiAllowed(Permission.READ))]


# --- The village -----------------------------------------------------------------------


class ImportResult(BaseModel):
    village: str
    shinobi: int
    missions: int
    history: int
    replaced: bool


VILLAGE_BODY = {
    "requestBody": {
        "required": True,
        "description": "A village file (format missiondesk/village/v2, or v1), YAML or JSON.",
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


async def read_upload(request: Request, what: str) -> bytes:
    """The request's body, refused (413) past MAX_UPLOAD_BYTES before and after reading it."""
    declared = request.headers.get("content-length")
    too_large = HTTPException(status_code=413, detail=f"{what} is larger than 64 MiB")
    if declared is not None and declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES:
        raise too_large
    body = await request.body()
    if len(body) > MAX_UPLOAD_BYTES:
        raise too_large
    return body


@router.post(
    "/village",
    tags=["village"],
    summary="Import a village file (the body), atomically",
    openapi_extra=VILLAGE_BODY,
)
async def import_village(
    request: Request,
    account: Annotated[Account, Depends(ApiAllowed(Permission.INTAKE))],
    replace: Annotated[bool, Query(description="Swap out the stored village.")] = False,
) -> ImportResult:
    body = await read_upload(request, "the village file")
    is_json = "json" in request.headers.get("content-type", "")
    # Parsing and importing take seconds: in the threadpool, not on the event loop.
    village = await run_in_threadpool(
        parse_village, body, "upload.json" if is_json else "upload.yaml"
    )
    summary = await run_in_threadpool(
        village_service.import_village_value,
        database(request),
        village,
        replace=replace,
        actor=account.name,
        source="api upload",
    )
    return ImportResult(**summary.__dict__)


@router.get(
    "/village",
    tags=["village"],
    summary="The stored village as a village file (JSON, or YAML with ?format=yaml)",
    response_model=Village,
    responses={200: {"content": {"application/yaml": {"schema": {"type": "string"}}}}},
)
def export_village(
    request: Request,
    _: Reader,
    format: Literal["json", "yaml"] = "json",
) -> Village | Response:
    village = village_service.export_village(database(request))
    if format == "yaml":
        return Response(dump_village(village), media_type="application/yaml")
    return village


# The two lists every page polls are serialised once by pydantic's core and sent as they
# are: FastAPI would otherwise validate every row again against the response model.
_BOARD = TypeAdapter(list[BoardRow])
_ROSTER = TypeAdapter(list[RosterRow])


@router.get(
    "/board",
    tags=["missions"],
    summary="The missions, by status then priority",
    response_model=list[BoardRow],
)
def board(request: Request, _: Reader) -> Response:
    rows = village_service.board(database(request))
    return Response(_BOARD.dump_json(rows), media_type="application/json")


@router.get(
    "/roster",
    tags=["people"],
    summary="The shinobi and when they are available",
    response_model=list[RosterRow],
)
def roster(request: Request, _: Reader) -> Response:
    rows = village_service.roster(database(request))
    return Response(_ROSTER.dump_json(rows), media_type="application/json")


# --- Missions --------------------------------------------------------------------------


@router.get("/missions/{mission_id}", tags=["missions"], summary="One mission and its squad")
def mission(request: Request, mission_id: MissionId, _: Reader) -> MissionDetail:
    return mission_detail(database(request), mission_id)


@router.get(
    "/missions/{mission_id}/assessment",
    tags=["risk"],
    summary="A mission's risk assessment (changes nothing)",
)
def assess(request: Request, mission_id: MissionId, _: Reader) -> Assessment:
    return assessment_service.assess(database(request), mission_id)


@router.post(
    "/missions/{mission_id}/override",
    tags=["risk"],
    summary="Overrule the judged rank (logged with who and why)",
)
def set_override(
    request: Request,
    mission_id: MissionId,
    body: OverrideRequest,
    account: Annotated[Account, Depends(ApiAllowed(Permission.RANK))],
) -> Assessment:
    return override_service.set_override(
        database(request), mission_id, rank=body.rank, reason=body.reason, actor=account.name
    )


@router.delete("/missions/{mission_id}/override", tags=["risk"], summary="Clear the rank override")
def clear_override(
    request: Request,
    mission_id: MissionId,
    account: Annotated[Account, Depends(ApiAllowed(Permission.RANK))],
) -> Assessment:
    return override_service.clear_override(database(request), mission_id, actor=account.name)


@router.post("/assess", tags=["risk"], summary="Assess the whole board")
def assess_all(
    request: Request, account: Annotated[Account, Depends(ApiAllowed(Permission.ASSESS))]
) -> list[Assessment]:
    return assessment_service.assess_all(database(request), actor=account.name)


@router.get(
    "/missions/{mission_id}/timeline", tags=["missions"], summary="Every change to the mission"
)
def timeline(request: Request, mission_id: MissionId, _: Reader) -> list[Event]:
    return mission_timeline(database(request), mission_id)


# --- Planning and the lifecycle --------------------------------------------------------


@router.post("/plan", tags=["planning"], summary="Plan the board (pins and forbids: hokage)")
def plan(
    request: Request,
    body: PlanRequest,
    account: Annotated[Account, Depends(ApiAllowed(Permission.PLAN))],
) -> Plan:
    check_override(account.role, body.pins or body.forbids)
    limit = min(body.time_limit, request.app.state.max_plan_seconds)
    return planning.plan(
        database(request),
        actor=account.name,
        time_limit=limit,
        pins=pin_pairs(body.pins),
        forbids=forbids_list(body.forbids) or None,
        at=body.at,
    )


@router.get("/plan", tags=["planning"], summary="The latest plan, if any")
def latest_plan(request: Request, _: Reader) -> Plan | None:
    return planning.latest_plan(database(request))


def mission_step(
    step: Callable[..., StepResult], permission: Permission
) -> Callable[..., StepResult]:
    """The route of a lifecycle step that takes a mission and, optionally, when it happened
    (approve, dispatch): the account must hold `permission`; the service decides the rest.
    The route keeps the service's name, so the OpenAPI operation ids stay as they were."""

    def route(
        request: Request, mission_id: str, account: Account, body: StepRequest | None = None
    ) -> StepResult:
        at = body.at if body else None
        return step(database(request), mission_id, actor=account.name, at=at)

    route.__name__ = route.__qualname__ = step.__name__
    route.__annotations__ = {  # real objects: `permission` is not a module-level name
        "request": Request,
        "mission_id": MissionId,
        "account": Annotated[Account, Depends(ApiAllowed(permission))],
        "body": StepRequest | None,
        "return": StepResult,
    }
    return route


approve = router.post(
    "/missions/{mission_id}/approve", tags=["lifecycle"], summary="Make the planned squad binding"
)(mission_step(lifecycle.approve, Permission.APPROVE))
dispatch = router.post(
    "/missions/{mission_id}/dispatch", tags=["lifecycle"], summary="The squad leaves"
)(mission_step(lifecycle.dispatch, Permission.DISPATCH))


@router.post(
    "/missions/{mission_id}/recall",
    tags=["lifecycle"],
    summary="Take an approved squad back before it leaves; the mission is assessed again",
)
def recall(
    request: Request,
    mission_id: MissionId,
    body: RecallRequest,
    account: Annotated[Account, Depends(ApiAllowed(Permission.APPROVE))],
) -> Recalled:
    """The squad's members are free at once; the next plan staffs the mission again."""
    return lifecycle.recall(
        database(request), mission_id, body.reason, actor=account.name, at=body.at
    )


@router.post("/missions/{mission_id}/checkin", tags=["lifecycle"], summary="A squad checks in")
def checkin(
    request: Request,
    mission_id: MissionId,
    account: Annotated[Account, Depends(ApiAllowed(Permission.CHECKIN))],
    body: CheckinRequest | None = None,
) -> StepResult:
    db = database(request)
    check_mission_scope(db, account, Permission.CHECKIN, mission_id)
    body = body or CheckinRequest()
    return lifecycle.checkin(db, mission_id, actor=account.name, at=body.at, place=body.place)


@router.post(
    "/missions/{mission_id}/volunteer",
    tags=["players"],
    summary="A shinobi volunteers for the mission (or withdraws)",
)
def volunteer(
    request: Request,
    mission_id: MissionId,
    body: VolunteerRequest,
    account: Annotated[Account, Depends(ApiAllowed(Permission.VOLUNTEER))],
) -> Volunteered:
    if not may_act_as(account.role, account.shinobi, Permission.VOLUNTEER, body.shinobi):
        raise HTTPException(
            status_code=403,
            detail=f"a {account.role.value} account may volunteer only as its own shinobi",
        )
    return player_service.volunteer(
        database(request), mission_id, body.shinobi, withdraw=body.withdraw, actor=account.name
    )


LedgerReader = Annotated[Account, Depends(ApiAllowed(Permission.LEDGER))]


def ledger_scope(account: Account, asked: str | None) -> str | None:
    """Whose ledger the account reads: staff anyone's (None: everyone's), a player only
    their own shinobi's (403 for anyone else's)."""
    allowed, whose = own_scope(account.role, account.shinobi, Permission.LEDGER, asked)
    if not allowed:
        raise HTTPException(
            status_code=403,
            detail=f"a {account.role.value} account reads only its own shinobi's ledger",
        )
    return whose


@router.get("/ledger", tags=["players"], summary="Ryo earned, missions by rank, successes")
def ledger(
    request: Request,
    account: LedgerReader,
    shinobi: Annotated[str | None, Query(max_length=200)] = None,
) -> list[LedgerRow]:
    """Everyone's, or one shinobi's; a player's account answers for its own shinobi only."""
    return player_service.ledger(database(request), ledger_scope(account, shinobi))


@router.get("/ledger/payments", tags=["players"], summary="The ledger's rows: each share paid")
def ledger_payments(
    request: Request,
    account: LedgerReader,
    shinobi: Annotated[str | None, Query(max_length=200)] = None,
) -> list[LedgerEntry]:
    """Every share paid, oldest first (the village's cut names no shinobi); a player's
    account answers with its own shinobi's shares only."""
    return player_service.payments(database(request), ledger_scope(account, shinobi))


@router.get("/promotions", tags=["players"], summary="Who meets a promotion rule")
def promotions(request: Request, _: Reader) -> list[PromotionReady]:
    return player_service.promotions(database(request))


@router.post(
    "/missions/{mission_id}/report",
    tags=["lifecycle"],
    summary="Apply the after-action report, atomically",
)
def report(
    request: Request,
    mission_id: MissionId,
    body: ReportFile,
    account: Annotated[Account, Depends(ApiAllowed(Permission.REPORT))],
) -> ReportResult:
    return report_service.apply_report(database(request), mission_id, body, actor=account.name)


@router.post(
    "/missions/{mission_id}/rescue",
    tags=["tracking"],
    summary="Send the rescue for an overdue squad (approved and dispatched at once)",
)
def rescue(
    request: Request,
    mission_id: MissionId,
    account: Annotated[Account, Depends(ApiAllowed(Permission.RESCUE))],
    body: RescueRequest | None = None,
) -> RescueSent:
    body = body or RescueRequest()
    return rescue_service.rescue(
        database(request),
        mission_id,
        actor=account.name,
        at=body.at,
        pins=body.pins,
        force=body.force,
        reason=body.reason,
    )


@router.get("/clock", tags=["clock"], summary="The village clock: now, and story or real")
def clock(request: Request, _: Reader) -> clock_service.Clock:
    return clock_service.read_clock(database(request))


@router.post(
    "/clock/advance", tags=["clock"], summary="Move the story clock on; records what fell due"
)
def advance_clock(
    request: Request,
    body: AdvanceRequest,
    account: Annotated[Account, Depends(ApiAllowed(Permission.CLOCK))],
) -> clock_service.ClockMoved:
    try:
        by = parse_duration(body.duration)
    except ValueError as bad:
        raise BadInput(f"duration: {bad}", field="duration") from None
    return clock_service.advance(database(request), by, actor=account.name)


@router.post("/clock/set", tags=["clock"], summary="Set the story clock (never backwards)")
def set_clock(
    request: Request,
    body: SetClockRequest,
    account: Annotated[Account, Depends(ApiAllowed(Permission.CLOCK))],
) -> clock_service.ClockMoved:
    return clock_service.set_clock(database(request), body.time, actor=account.name)


@router.post("/tick", tags=["clock"], summary="One pass of the clock: record what fell due")
def tick(
    request: Request, account: Annotated[Account, Depends(ApiAllowed(Permission.CLOCK))]
) -> clock_service.ClockMoved:
    return clock_service.tick(database(request), actor=account.name)


@router.get("/overdue", tags=["tracking"], summary="Squads past their check-in, with a rescue")
def overdue(
    request: Request,
    account: Reader,
    at: Annotated[LocalMinute | None, Query(description="As of this time; default: now.")] = None,
) -> list[OverdueSquad]:
    return tracking.overdue(database(request), at=at)


# --- People ----------------------------------------------------------------------------


@router.get("/wellbeing", tags=["people"], summary="Wellbeing flags, with evidence")
def wellbeing(
    request: Request,
    _: Annotated[Account, Depends(ApiAllowed(Permission.WELLBEING_READ))],
    flagged: Annotated[bool, Query(description="Only shinobi with an active flag.")] = False,
) -> list[ShinobiWellbeing]:
    return wellbeing_service.wellbeing(database(request), flagged_only=flagged)


class Cleared(BaseModel):
    shinobi: str
    kind: str
    by: str


@router.post("/wellbeing/clear", tags=["people"], summary="Clear a wellbeing flag")
def clear_flag(
    request: Request,
    body: ClearRequest,
    account: Annotated[Account, Depends(ApiAllowed(Permission.CLEAR))],
) -> Cleared:
    wellbeing_service.clear(database(request), body.shinobi, body.kind, by=account.name)
    return Cleared(shinobi=body.shinobi, kind=body.kind, by=account.name)


# --- The bingo book --------------------------------------------------------------------


def bingo_book_of(request: Request) -> BingoBook:
    return read_bingo_book(database(request))


@router.get("/bingo-book", tags=["bingo book"], summary="Everything known about threats")
def bingo_book(request: Request, _: Reader) -> BingoBook:
    return bingo_book_of(request)


@router.get("/bingo-book/threats", tags=["bingo book"], summary="Known hostile shinobi")
def threats(request: Request, _: Reader) -> list[Threat]:
    return bingo_book_of(request).threats


@router.get("/bingo-book/sightings", tags=["bingo book"], summary="Where threats were seen")
def sightings(request: Request, _: Reader) -> list[Sighting]:
    return bingo_book_of(request).sightings


@router.get("/bingo-book/places", tags=["bingo book"], summary="The places of the map")
def places(request: Request, _: Reader) -> list[Place]:
    return bingo_book_of(request).places


@router.get("/bingo-book/roads", tags=["bingo book"], summary="The roads, in travel hours")
def roads(request: Request, _: Reader) -> list[Road]:
    return bingo_book_of(request).roads


# --- Accounts --------------------------------------------------------------------------


@router.get("/me", tags=["accounts"], summary="The account of this token")
def me(account: Reader) -> Account:
    return account


@router.get("/accounts", tags=["accounts"], summary="Every account")
def accounts(
    request: Request, _: Annotated[Account, Depends(ApiAllowed(Permission.ACCOUNTS))]
) -> list[Account]:
    return account_service.accounts(database(request))


@router.post("/accounts", tags=["accounts"], summary="Create an account", status_code=201)
def add_account(
    request: Request,
    body: AccountRequest,
    account: Annotated[Account, Depends(ApiAllowed(Permission.ACCOUNTS))],
) -> AccountCreated:
    created = account_service.add_user(
        database(request),
        body.name,
        body.role.value,
        body.password,
        shinobi=body.shinobi,
        actor=account.name,
    )
    return AccountCreated(
        account=created.account, password=created.password if created.generated else None
    )


AccountName = Annotated[str, Path(min_length=1, max_length=64, description="An account's name.")]
AccountKeeper = Annotated[Account, Depends(ApiAllowed(Permission.ACCOUNTS))]


@router.post("/accounts/{name}/disable", tags=["accounts"], summary="Disable an account")
def disable_account(request: Request, name: AccountName, account: AccountKeeper) -> Account:
    return account_service.set_disabled(database(request), name, True, actor=account.name)


@router.post("/accounts/{name}/enable", tags=["accounts"], summary="Enable an account again")
def enable_account(request: Request, name: AccountName, account: AccountKeeper) -> Account:
    return account_service.set_disabled(database(request), name, False, actor=account.name)


@router.post("/accounts/{name}/role", tags=["accounts"], summary="Give an account another role")
def set_account_role(
    request: Request, name: AccountName, body: RoleRequest, account: AccountKeeper
) -> Account:
    return account_service.set_role(
        database(request), name, body.role.value, shinobi=body.shinobi, actor=account.name
    )


@router.post("/accounts/{name}/rename", tags=["accounts"], summary="Rename an account")
def rename_account(
    request: Request, name: AccountName, body: RenameRequest, account: AccountKeeper
) -> Account:
    return account_service.rename(database(request), name, body.name, actor=account.name)


@router.post(
    "/accounts/{name}/password",
    tags=["accounts"],
    summary="Set a new password (ends the account's sessions)",
)
def set_account_password(
    request: Request, name: AccountName, body: PasswordRequest, account: AccountKeeper
) -> PasswordChanged:
    changed = account_service.set_password(
        database(request), name, body.password, actor=account.name
    )
    return PasswordChanged(
        account=changed.account,
        password=changed.password if changed.generated else None,
        revoked_sessions=changed.revoked_sessions,
    )


@router.post(
    "/accounts/{name}/signout",
    tags=["accounts"],
    summary="Sign an account out everywhere: revoke all its sessions and API tokens",
)
def sign_out_account(request: Request, name: AccountName, account: AccountKeeper) -> SignedOut:
    return account_service.sign_out_everywhere(database(request), name, actor=account.name)


@router.get("/accounts/{name}/tokens", tags=["accounts"], summary="An account's live tokens")
def account_tokens(request: Request, name: AccountName, _: AccountKeeper) -> list[TokenInfo]:
    return account_service.tokens(database(request), name)


@router.delete(
    "/accounts/{name}/tokens/{token_id}", tags=["accounts"], summary="Revoke one token by its id"
)
def revoke_account_token(
    request: Request,
    name: AccountName,
    token_id: Annotated[str, Path(min_length=1, max_length=64, description="A token's id.")],
    account: AccountKeeper,
) -> TokenInfo:
    return account_service.revoke_token_id(database(request), name, token_id, actor=account.name)


@router.post(
    "/me/signout",
    tags=["accounts"],
    summary="Sign this account out everywhere (this token included)",
)
def sign_out_me(request: Request, account: Reader) -> SignedOut:
    return account_service.sign_out_everywhere(database(request), account.name, actor=account.name)
