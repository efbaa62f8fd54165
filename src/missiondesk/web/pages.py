"""The pages: server-rendered HTML with Jinja2, HTMX for the planner's live progress.

Like the API, every page calls the services and nothing else; forms post back here with
the session's CSRF token and answer with a redirect (POST, then GET).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from missiondesk.domain.ranks import ON_THE_BOARD, MissionRank, MissionStatus, Outcome, Severity
from missiondesk.domain.words import plural
from missiondesk.errors import BadInput
from missiondesk.operations.reports import ReportFile
from missiondesk.services import accounts as account_service
from missiondesk.services import assessment as assessment_service
from missiondesk.services import lifecycle, planning, signin, tracking
from missiondesk.services import notify as notify_service
from missiondesk.services import overrides as override_service
from missiondesk.services import players as player_service
from missiondesk.services import reports as report_service
from missiondesk.services import rescue as rescue_service
from missiondesk.services import village as village_service
from missiondesk.services import wellbeing as wellbeing_service
from missiondesk.services.accounts import Account, AccountRole, TokenKind
from missiondesk.services.reading import bingo_book, mission_detail
from missiondesk.services.timeline import timeline as mission_timeline
from missiondesk.villagefile.errors import field_path
from missiondesk.villagefile.plain import plain_words
from missiondesk.web import charts
from missiondesk.web.auth import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    PageAllowed,
    check_mission_scope,
    database,
    new_login_csrf,
    safe_next,
    set_cookie,
)
from missiondesk.web.policy import (
    Permission,
    allows,
    check_override,
    may_act_as,
    only_own_missions,
    own_scope,
)

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

Reader = Annotated[Account, Depends(PageAllowed(Permission.READ))]

STATUS_COLUMNS = [s.value for s in MissionStatus]
OVERRIDE_ROWS = 4


def render(
    request: Request,
    template: str,
    account: Account | None,
    http_status: int = 200,
    **values: Any,
) -> Response:
    """A page, with what every page shows: who is signed in, and squads that went quiet."""
    overdue = overdue_banner(request, account) if account is not None else []
    context = {
        "account": account,
        "csrf": getattr(request.state, "csrf", ""),
        "csrf_field": CSRF_FIELD,
        "overdue": overdue,
        "can": (lambda name: account is not None and allows(account.role, Permission(name))),
        **values,
    }
    templates = request.app.state.templates
    response: Response = templates.TemplateResponse(
        request, template, context, status_code=http_status
    )
    return response


BANNER_SECONDS = 30.0


def overdue_banner(request: Request, account: Account) -> list[Any]:
    """Overdue squads for the banner on every page. Looking for them proposes rescues (a
    small plan each), so the answer is kept for BANNER_SECONDS, or until any request that
    may change something (the app forgets it on every POST)."""
    state = request.app.state
    cached = getattr(state, "overdue_banner", None)
    now = time.monotonic()
    if cached is not None and now - cached[0] < BANNER_SECONDS:
        squads: list[Any] = cached[1]
        return squads
    try:
        squads = list(tracking.overdue(database(request)))
    except BadInput:
        squads = []  # no village yet: nothing can be overdue
    state.overdue_banner = (now, squads)
    return squads


def urlpart(value: object) -> str:
    """One path segment, percent-encoded: an id can never step into another path
    (`m-1/../m-2` is one segment, `m-1%2F..%2Fm-2`, not a way to m-2)."""
    return quote(str(value), safe="")


def mission_path(mission_id: str, *rest: str) -> str:
    return "/".join(["/missions", urlpart(mission_id), *rest])


def back_to(path: str) -> RedirectResponse:
    return RedirectResponse(safe_next(path), status_code=303)


# --- Signing in --------------------------------------------------------------------------


@router.get("/login")
def login_page(
    request: Request,
    next: str = "/",
    failed: bool = False,
    *,
    message: str = "Wrong name or password.",
    http_status: int = 401,
) -> Response:
    token = new_login_csrf()
    response = render(
        request,
        "login.html",
        None,
        http_status=http_status if failed else 200,
        next=safe_next(next),
        login_csrf=token,
        failed=failed,
        message=message,
    )
    set_cookie(response, request, LOGIN_CSRF_COOKIE, token, max_age=3600)
    return response


def sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + "."


def client_address(request: Request) -> str:
    """Where a request came from (uvicorn trusts X-Forwarded-For from 127.0.0.1 only)."""
    return request.client.host if request.client is not None else "unknown"


@router.post("/login")
def login(
    request: Request,
    name: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or csrf_token != expected:
        raise HTTPException(status_code=403, detail="missing or wrong CSRF token; reload the page")
    db = database(request)
    try:
        account = signin.sign_in(db, name, password, address=client_address(request))
    except signin.SignInRefused as refused:
        page = login_page(
            request, next=next, failed=True, message=sentence(refused.message), http_status=429
        )
        page.headers["Retry-After"] = str(refused.retry_after)
        return page
    except signin.SignInFailed as failed:
        return login_page(request, next=next, failed=True, message=sentence(failed.message))
    session = account_service.issue_token(db, account.name, TokenKind.SESSION)
    response = back_to(next)
    lifetime = int(account_service.SESSION_LIFETIME.total_seconds())
    set_cookie(response, request, SESSION_COOKIE, session, max_age=lifetime)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, _: Reader) -> Response:
    account_service.revoke_token(database(request), request.cookies.get(SESSION_COOKIE, ""))
    response = back_to("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/logout/everywhere")
def logout_everywhere(request: Request, account: Reader) -> Response:
    """Sign the account out on every browser and revoke its API tokens."""
    account_service.sign_out_everywhere(database(request), account.name, actor=account.name)
    response = back_to("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- The board and a mission -------------------------------------------------------------


@router.get("/")
def board_page(request: Request, account: Reader) -> Response:
    rows = village_service.board(database(request))
    columns: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        columns[row.status].append(row)
    statuses = [s for s in STATUS_COLUMNS if columns.get(s)]
    return render(
        request,
        "board.html",
        account,
        title="Mission board",
        columns=columns,
        statuses=statuses,
        open_for_volunteers={s.value for s in player_service.OPEN_FOR_VOLUNTEERS},
    )


@router.post("/assess")
def assess_board(
    request: Request, account: Annotated[Account, Depends(PageAllowed(Permission.ASSESS))]
) -> Response:
    assessment_service.assess_all(database(request), actor=account.name)
    return back_to("/")


@router.get("/missions/{mission_id}")
def mission_page(request: Request, mission_id: str, account: Reader) -> Response:
    db = database(request)
    detail = mission_detail(db, mission_id)
    assessment = assessment_service.assess(db, mission_id)
    bars, height = charts.factor_bars(assessment.factors)
    status = detail.mission.status.value
    on_squad = account.shinobi is not None and any(
        m.shinobi == account.shinobi for m in detail.squad
    )
    may_checkin = allows(account.role, Permission.CHECKIN) and (
        on_squad or not only_own_missions(account.role, Permission.CHECKIN)
    )
    return render(
        request,
        "mission.html",
        account,
        title=detail.mission.title,
        detail=detail,
        status=status,
        assessment=assessment,
        bars=bars,
        chart_height=height,
        chart_width=charts.FACTOR_CHART_WIDTH,
        events=mission_timeline(db, mission_id),
        may_checkin=may_checkin and status in ("dispatched", "overdue"),
        may_override=allows(account.role, Permission.RANK)
        and status in {s.value for s in ON_THE_BOARD},
        ranks=[r.value for r in MissionRank],
        places=[p.id for p in bingo_book(db).places] if may_checkin else [],
        volunteers=player_service.volunteers_of(db, mission_id),
        may_volunteer=allows(account.role, Permission.VOLUNTEER)
        and status in player_service.OPEN_FOR_VOLUNTEERS,
        volunteer_for_anyone=may_act_as(account.role, None, Permission.VOLUNTEER, ""),
    )


@router.get("/me/missions")
def my_missions_page(request: Request, account: Reader) -> Response:
    """A player's own schedule, squads, briefings, offers and ledger."""
    mine = (
        player_service.my_missions(database(request), account.shinobi)
        if account.shinobi is not None
        else None
    )
    return render(request, "my_missions.html", account, title="My missions", mine=mine)


@router.get("/ledger")
def ledger_page(
    request: Request,
    account: Annotated[Account, Depends(PageAllowed(Permission.LEDGER))],
    shinobi: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """Rewards paid: everyone's for staff, with the village's takings; a player's own."""
    allowed, whose = own_scope(account.role, account.shinobi, Permission.LEDGER, shinobi or None)
    if not allowed:
        raise HTTPException(
            status_code=403,
            detail=f"a {account.role.value} account reads only its own shinobi's ledger",
        )
    db = database(request)
    everyone = whose is None
    return render(
        request,
        "ledger.html",
        account,
        title="Ledger",
        whose=whose,
        rows=player_service.ledger(db, whose),
        payments=player_service.payments(db, whose),
        takings=player_service.village_takings(db) if everyone else None,
    )


@router.post("/missions/{mission_id}/volunteer")
def volunteer(
    request: Request,
    mission_id: str,
    account: Annotated[Account, Depends(PageAllowed(Permission.VOLUNTEER))],
    shinobi: Annotated[str, Form(max_length=200)] = "",
    withdraw: Annotated[str, Form(max_length=10)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    who = shinobi or account.shinobi or ""
    if not may_act_as(account.role, account.shinobi, Permission.VOLUNTEER, who):
        raise HTTPException(
            status_code=403,
            detail=f"a {account.role.value} account may volunteer only as its own shinobi",
        )
    player_service.volunteer(
        database(request), mission_id, who, withdraw=bool(withdraw), actor=account.name
    )
    return back_to(next or mission_path(mission_id))


def mission_step(step: Callable[..., Any], permission: Permission) -> Callable[..., Response]:
    """The form of a lifecycle step that takes only its mission (approve, dispatch): the
    account must hold `permission`, the service decides the rest, and the answer goes back
    to `next` (or the mission's page)."""

    def route(request: Request, mission_id: str, account: Account, next: str = "") -> Response:
        step(database(request), mission_id, actor=account.name)
        return back_to(next or mission_path(mission_id))

    route.__name__ = route.__qualname__ = step.__name__
    route.__annotations__ = {  # real objects: `permission` is not a module-level name
        "request": Request,
        "mission_id": str,
        "account": Annotated[Account, Depends(PageAllowed(permission))],
        "next": Annotated[str, Form(max_length=2000)],
        "return": Response,
    }
    return route


approve = router.post("/missions/{mission_id}/approve")(
    mission_step(lifecycle.approve, Permission.APPROVE)
)
dispatch = router.post("/missions/{mission_id}/dispatch")(
    mission_step(lifecycle.dispatch, Permission.DISPATCH)
)


@router.post("/missions/{mission_id}/recall")
def recall(
    request: Request,
    mission_id: str,
    account: Annotated[Account, Depends(PageAllowed(Permission.APPROVE))],
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """The mission page's recall form: the approved squad is released, the mission is back
    on the board."""
    lifecycle.recall(database(request), mission_id, reason, actor=account.name)
    return back_to(mission_path(mission_id))


@router.post("/missions/{mission_id}/override")
def set_override(
    request: Request,
    mission_id: str,
    account: Annotated[Account, Depends(PageAllowed(Permission.RANK))],
    rank: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    override_service.set_override(
        database(request), mission_id, rank=rank, reason=reason, actor=account.name
    )
    return back_to(mission_path(mission_id))


@router.post("/missions/{mission_id}/override/clear")
def clear_override(
    request: Request,
    mission_id: str,
    account: Annotated[Account, Depends(PageAllowed(Permission.RANK))],
) -> Response:
    override_service.clear_override(database(request), mission_id, actor=account.name)
    return back_to(mission_path(mission_id))


@router.post("/missions/{mission_id}/checkin")
def checkin(
    request: Request,
    mission_id: str,
    account: Annotated[Account, Depends(PageAllowed(Permission.CHECKIN))],
    place: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    db = database(request)
    check_mission_scope(db, account, Permission.CHECKIN, mission_id)
    lifecycle.checkin(db, mission_id, actor=account.name, place=place or None)
    return back_to(mission_path(mission_id))


@router.post("/missions/{mission_id}/rescue")
def send_rescue(
    request: Request,
    mission_id: str,
    account: Annotated[Account, Depends(PageAllowed(Permission.RESCUE))],
    force: Annotated[str, Form(max_length=10)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    rescue_service.rescue(
        database(request), mission_id, actor=account.name, force=bool(force), reason=reason
    )
    return back_to(mission_path(mission_id))


# --- The after-action report -------------------------------------------------------------


@router.get("/missions/{mission_id}/report")
def report_form(
    request: Request,
    mission_id: str,
    account: Annotated[Account, Depends(PageAllowed(Permission.REPORT))],
) -> Response:
    db = database(request)
    detail = mission_detail(db, mission_id)
    book = bingo_book(db)
    return render(
        request,
        "report.html",
        account,
        title=f"After-action report: {detail.mission.title}",
        detail=detail,
        outcomes=[o.value for o in Outcome],
        severities=[s.value for s in Severity],
        threats=[t.id for t in book.threats],
        places=[p.id for p in book.places],
        now=dt.datetime.now().strftime("%Y-%m-%dT%H:%M"),
        encounter_rows=range(2),
    )


def report_from_form(form: FormData) -> ReportFile:
    """The report the form describes; blank injury and encounter rows are left out."""
    injuries = []
    for shinobi, severity, days in zip(
        form.getlist("injury_shinobi"),
        form.getlist("injury_severity"),
        form.getlist("injury_days"),
        strict=False,
    ):
        if isinstance(severity, str) and severity:
            injuries.append({"shinobi": shinobi, "severity": severity, "recovery_days": days or 0})
    encounters = []
    for threat, place, at in zip(
        form.getlist("encounter_threat"),
        form.getlist("encounter_place"),
        form.getlist("encounter_at"),
        strict=False,
    ):
        if isinstance(threat, str) and threat:
            encounters.append({"threat": threat, "place": place, "at": at})
    document = {
        "outcome": form.get("outcome"),
        "returned": form.get("returned"),
        "injuries": injuries,
        "encounters": encounters,
        "objective_taken_by": form.get("objective_taken_by") or None,
        "notes": form.get("notes") or None,
    }
    try:
        return ReportFile.model_validate(document)
    except ValidationError as invalid:
        first = invalid.errors(include_url=False)[0]
        where = field_path(tuple(first["loc"]))
        words = plain_words(first)
        raise BadInput(f"{where}: {words}" if where else words, field=where or None) from None


@router.post("/missions/{mission_id}/report")
async def file_report(
    request: Request,
    mission_id: str,
    account: Annotated[Account, Depends(PageAllowed(Permission.REPORT))],
) -> Response:
    report = report_from_form(await request.form())
    await run_in_threadpool(
        report_service.apply_report, database(request), mission_id, report, actor=account.name
    )
    return back_to(mission_path(mission_id))


# --- Planning ----------------------------------------------------------------------------


@router.get("/plan")
def plan_page(request: Request, account: Reader, run: str = "") -> Response:
    db = database(request)
    latest = planning.latest_plan(db)
    statuses = {row.id: row.status for row in village_service.board(db)}
    finished = request.app.state.plan_runs.get(run) if run else None
    roster = village_service.roster(db)
    return render(
        request,
        "plan.html",
        account,
        title="Plan the board",
        plan=latest,
        statuses=statuses,
        run_error=finished.error if finished is not None else None,
        shinobi=[r.id for r in roster],
        missions=[m for m, s in statuses.items() if s in ("intake", "assessed", "planned")],
        override_rows=range(OVERRIDE_ROWS),
        time_limit=min(10.0, request.app.state.max_plan_seconds),
    )


def overrides_from_form(
    form: FormData,
) -> tuple[list[tuple[str, str]], list[tuple[str, str | None]]]:
    """The pins and forbids as the form names them; the planning service judges them."""
    pins: list[tuple[str, str]] = []
    forbids: list[tuple[str, str | None]] = []
    for shinobi, mission, kind in zip(
        form.getlist("override_shinobi"),
        form.getlist("override_mission"),
        form.getlist("override_kind"),
        strict=False,
    ):
        if not isinstance(shinobi, str) or not shinobi:
            continue
        target = mission if isinstance(mission, str) and mission else None
        if kind == "pin":
            if target is None:
                raise BadInput(f"pin {shinobi!r} to which mission?", field="override_mission")
            pins.append((shinobi, target))
        else:
            forbids.append((shinobi, target))
    return pins, forbids


@router.post("/plan/run")
async def run_planner(
    request: Request, account: Annotated[Account, Depends(PageAllowed(Permission.PLAN))]
) -> Response:
    form = await request.form()
    pins, forbids = overrides_from_form(form)
    check_override(account.role, pins or forbids)
    planning.pin_map(pins)  # refused here, before the run starts, as the service would
    try:
        asked = float(str(form.get("time_limit") or 10))
    except ValueError:
        raise BadInput("the time limit is not a number of seconds", field="time_limit") from None
    limit = max(0.5, min(asked, request.app.state.max_plan_seconds))
    db = database(request)

    def work(progress: Any) -> Any:
        return planning.plan(
            db,
            actor=account.name,
            time_limit=limit,
            pins=pins or None,
            forbids=forbids or None,
            progress=progress,
        )

    run = request.app.state.plan_runs.start(account.name, limit, work)
    return render(request, progress_template(request), account, run=run)


@router.get("/plan/runs/{run_id}")
def planner_progress(
    request: Request,
    run_id: str,
    account: Annotated[Account, Depends(PageAllowed(Permission.PLAN))],
) -> Response:
    run = request.app.state.plan_runs.get(run_id)
    if run is None:
        raise HTTPException(status_code=404, detail="no such planner run (the server restarted?)")
    if run.done:
        target = f"/plan?run={urlpart(run.id)}"
        if request.headers.get("HX-Request"):
            return Response(status_code=200, headers={"HX-Redirect": target})
        return back_to(target)
    return render(request, progress_template(request), account, run=run)


def progress_template(request: Request) -> str:
    """HTMX swaps in the fragment; a browser without scripts gets a whole page."""
    return "plan_progress.html" if request.headers.get("HX-Request") else "plan_progress_page.html"


# --- People ------------------------------------------------------------------------------


@router.get("/roster")
def roster_page(request: Request, account: Reader) -> Response:
    db = database(request)
    rows = village_service.roster(db)
    village = village_service.export_village(db)
    flags: dict[str, list[Any]] = {}
    if allows(account.role, Permission.WELLBEING_READ):
        flags = {
            w.shinobi: list(w.flags) for w in wellbeing_service.wellbeing(db, flagged_only=True)
        }
    return render(
        request,
        "roster.html",
        account,
        title="Roster",
        rows=rows,
        flags=flags,
        strips=charts.injury_strips(village.history),
        strip_width=charts.INJURY_STRIP_WIDTH,
        strip_height=charts.INJURY_STRIP_HEIGHT,
        show_flags=allows(account.role, Permission.WELLBEING_READ),
    )


@router.get("/wellbeing")
def wellbeing_page(
    request: Request,
    account: Annotated[Account, Depends(PageAllowed(Permission.WELLBEING_READ))],
) -> Response:
    people = wellbeing_service.wellbeing(database(request), flagged_only=True)
    return render(request, "wellbeing.html", account, title="Wellbeing", people=people)


@router.post("/wellbeing/clear")
def clear_flag(
    request: Request,
    account: Annotated[Account, Depends(PageAllowed(Permission.CLEAR))],
    shinobi: Annotated[str, Form(max_length=200)],
    kind: Annotated[str, Form(max_length=40)],
) -> Response:
    wellbeing_service.clear(database(request), shinobi, kind, by=account.name)
    return back_to("/wellbeing")


@router.get("/bingo-book")
def bingo_book_page(request: Request, account: Reader) -> Response:
    book = bingo_book(database(request))
    latest: dict[str, Any] = {}
    for sighting in book.sightings:
        if sighting.threat not in latest or latest[sighting.threat].at < sighting.at:
            latest[sighting.threat] = sighting
    nodes, edges = charts.map_layout(book.places, book.roads, {s.place for s in book.sightings})
    advice = defaultdict(list)
    for c in book.countermeasures:
        advice[c.ability].append(c)
    return render(
        request,
        "bingo_book.html",
        account,
        title="Bingo book",
        book=book,
        latest=latest,
        advice=advice,
        nodes=nodes,
        edges=edges,
        map_size=charts.MAP_SIZE,
        organizations={o.id: o for o in book.organizations},
        place_names={p.id: p.name for p in book.places},
    )


# --- Accounts ----------------------------------------------------------------------------


def _accounts_page(
    request: Request, account: Account, *, created: Any = None, notice: str = ""
) -> Response:
    return render(
        request,
        "accounts.html",
        account,
        title="Accounts",
        accounts=account_service.accounts(database(request)),
        roles=[r.value for r in AccountRole],
        created=created,
        notice=notice,
        **notification_settings(database(request)),
    )


@router.get("/accounts")
def accounts_page(
    request: Request,
    account: Annotated[Account, Depends(PageAllowed(Permission.ACCOUNTS))],
) -> Response:
    return _accounts_page(request, account)


ACCOUNT_CHANGES = ("disable", "enable", "role", "rename", "password", "signout")


@router.post("/accounts/{name}/{change}")
def change_account(
    request: Request,
    name: str,
    change: str,
    account: Annotated[Account, Depends(PageAllowed(Permission.ACCOUNTS))],
    role: Annotated[str, Form(max_length=40)] = "",
    shinobi: Annotated[str, Form(max_length=200)] = "",
    new_name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """One change to one account, from the buttons and small forms of the Accounts page."""
    db = database(request)
    actor = account.name
    notice = ""
    if change in ("disable", "enable"):
        account_service.set_disabled(db, name, change == "disable", actor=actor)
        notice = f"{name} is {change}d."
    elif change == "role":
        changed = account_service.set_role(db, name, role, shinobi=shinobi or None, actor=actor)
        notice = f"{name} is now {changed.role.value}."
    elif change == "rename":
        account_service.rename(db, name, new_name, actor=actor)
        notice = f"{name} is now called {new_name}."
    elif change == "password":
        new = account_service.set_password(db, name, password or None, actor=actor)
        notice = f"{name} has a new password; {plural(new.revoked_sessions, 'session')} ended."
        if new.generated:
            notice += f" The password, shown once: {new.password}"
    elif change == "signout":
        out = account_service.sign_out_everywhere(db, name, actor=actor)
        notice = f"{name} is signed out everywhere ({plural(out.revoked, 'token')} revoked)."
    else:
        raise HTTPException(
            status_code=404, detail=f"no such change {change!r} ({', '.join(ACCOUNT_CHANGES)})"
        )
    if name == account.name and change in ("signout", "disable"):
        return back_to("/login")  # the page's own session no longer stands
    return _accounts_page(request, account, notice=notice)


def notification_settings(db: Any) -> dict[str, Any]:
    """What the Accounts page shows of notifications: endpoints and failed deliveries."""
    return {
        "endpoints": notify_service.endpoints(db),
        "failed_deliveries": notify_service.delivery_log(db, status="failed", limit=20),
    }


@router.post("/accounts")
def add_account(
    request: Request,
    account: Annotated[Account, Depends(PageAllowed(Permission.ACCOUNTS))],
    name: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form(max_length=40)],
    password: Annotated[str, Form(max_length=1024)] = "",
    shinobi: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    db = database(request)
    created = account_service.add_user(
        db, name, role, password or None, shinobi=shinobi or None, actor=account.name
    )
    return _accounts_page(request, account, created=created)


def when(value: dt.datetime | str | None) -> str:
    """A time as the pages show it: 2026-11-24 06:00."""
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    return value.strftime("%Y-%m-%d %H:%M")
