"""Edits over HTTP: the API routes and the pages' forms for `village apply/remove`, missions,
shinobi and sightings. Each route calls the one service function its command calls
(services/edits.py); who may edit is the INTAKE permission of web/policy.py.

Each API edit is dated at its `at` (the body's, or `?at=` where the body is a record or a
file, or there is none), else at the village clock, as the lifecycle steps are; the
pages' forms act at the clock (the sighting form at the time it names, if any).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from missiondesk.domain.ranks import MissionRank, ShinobiRank, ShinobiStatus
from missiondesk.errors import NotFound
from missiondesk.services import edits
from missiondesk.services.accounts import Account
from missiondesk.services.apply import ApplySummary
from missiondesk.services.edits import EditResult
from missiondesk.services.reading import bingo_book
from missiondesk.services.village import require_village
from missiondesk.store import tables as t
from missiondesk.web.api import read_upload
from missiondesk.web.auth import ApiAllowed, PageAllowed, database
from missiondesk.web.errors import ERROR_RESPONSES
from missiondesk.web.policy import Permission
from missiondesk.web.schemas import LocalMinute

VOCABULARY = {
    "mission_ranks": [r.value for r in MissionRank],
    "shinobi_ranks": [r.value for r in ShinobiRank],
    "shinobi_statuses": [s.value for s in ShinobiStatus],
}
"""The choices the edit forms offer, for every template."""

api_router = APIRouter(prefix="/api", responses=ERROR_RESPONSES)
page_router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

Editor = Annotated[Account, Depends(ApiAllowed(Permission.INTAKE))]
PageEditor = Annotated[Account, Depends(PageAllowed(Permission.INTAKE))]
PageReader = Annotated[Account, Depends(PageAllowed(Permission.READ))]
RecordId = Annotated[str, PathParam(min_length=1, max_length=200, description="Its id.")]
AtQuery = Annotated[
    LocalMinute | None,
    Query(description="When the edit is made (local time); default: the village clock."),
]

Done = TypeVar("Done")


def _edit(
    request: Request, account: Account, change: Callable[..., Done], *args: Any, **fields: Any
) -> Done:
    """`change`, a service function of services/edits.py, on this request's database as
    `account`: what every edit route does. Its errors (bad input, a conflict, no such
    record) answer through web/errors.py: JSON on the API, an error page for a form."""
    return change(database(request), *args, actor=account.name, **fields)


# --- The API -------------------------------------------------------------------------------


APPLY_BODY = {
    "requestBody": {
        "required": True,
        "description": "A partial village file (any sections; format required), YAML or "
        "JSON; or a CSV roster of shinobi (text/csv: id,name,rank,team,status,available_from "
        "and one column per skill).",
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


@api_router.post(
    "/village/apply",
    tags=["village"],
    summary="Add or replace records from a partial village file (or a CSV roster)",
    openapi_extra=APPLY_BODY,
)
async def apply_village(
    request: Request,
    account: Editor,
    dry_run: Annotated[bool, Query(description="Say what would change; write nothing.")] = False,
    at: AtQuery = None,
) -> ApplySummary:
    body = await read_upload(request, "the file")
    kind = request.headers.get("content-type", "")
    name = "upload.csv" if "csv" in kind else "upload.json" if "json" in kind else "upload.yaml"
    return await run_in_threadpool(
        _edit, request, account, edits.apply_village_file, body, name, dry_run=dry_run, at=at
    )


@api_router.delete(
    "/village/{kind}/{record_id:path}",
    tags=["village"],
    summary="Remove one record (refused while something in progress refers to it)",
)
def remove_record(
    request: Request,
    kind: Annotated[
        str,
        PathParam(max_length=40, description=f"One of: {', '.join(edits.REMOVABLE)} (or order)."),
    ],
    record_id: Annotated[
        str,
        PathParam(
            min_length=1,
            max_length=500,
            description="Its id; a road FROM/TO, a sighting THREAT@PLACE@YYYY-MM-DDTHH:MM, "
            "a countermeasure its ability.",
        ),
    ],
    account: Editor,
    at: AtQuery = None,
) -> EditResult:
    return _edit(request, account, edits.remove_record, kind, record_id, at=at)


class SetRequest(BaseModel):
    set: dict[str, Any] = Field(
        description="FIELD: VALUE pairs (nested fields with dots: window.due, "
        "client.min_team_size, skills.medical); a string is read as on the command line "
        "(lists comma-separated, empty for none).",
        min_length=1,
    )
    at: LocalMinute | None = Field(
        default=None, description="When the edit is made; default: the village clock."
    )


class CancelRequest(BaseModel):
    reason: Annotated[str, Field(max_length=10_000)]
    at: LocalMinute | None = Field(
        default=None, description="When it is cancelled; default: the village clock."
    )


class SightingRequest(BaseModel):
    threat: Annotated[str, Field(max_length=200)]
    place: Annotated[str, Field(max_length=200)]
    confidence: float | str = Field(description="From 0 to 1.")
    at: str | None = Field(
        default=None,
        description="When it was seen (local time); the edit is dated then. Default: the "
        "village clock.",
    )


def _body_of(component: str, description: str) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}
            },
        }
    }


@api_router.post(
    "/missions",
    tags=["missions"],
    summary="Add a mission (the village file's mission fields)",
    status_code=201,
    openapi_extra=_body_of("Mission", "A mission as in the village file; it starts as intake."),
)
def add_mission(
    request: Request,
    account: Editor,
    body: Annotated[dict[str, Any], Body(include_in_schema=False)],
    at: AtQuery = None,
) -> EditResult:
    return _edit(request, account, edits.add_mission, body, at=at)


@api_router.patch(
    "/missions/{mission_id}",
    tags=["missions"],
    summary="Edit a mission's fields (a planned mission goes back to the board)",
)
def edit_mission(
    request: Request, mission_id: RecordId, body: SetRequest, account: Editor
) -> EditResult:
    return _edit(request, account, edits.edit_mission, mission_id, body.set, at=body.at)


@api_router.post(
    "/missions/{mission_id}/cancel",
    tags=["missions"],
    summary="Cancel a mission; a planned or approved squad is released",
)
def cancel_mission(
    request: Request, mission_id: RecordId, body: CancelRequest, account: Editor
) -> EditResult:
    return _edit(request, account, edits.cancel_mission, mission_id, body.reason, at=body.at)


@api_router.post(
    "/shinobi",
    tags=["people"],
    summary="Add a shinobi to the roster",
    status_code=201,
    openapi_extra=_body_of("Shinobi", "A shinobi as in the village file."),
)
def add_shinobi(
    request: Request,
    account: Editor,
    body: Annotated[dict[str, Any], Body(include_in_schema=False)],
    at: AtQuery = None,
) -> EditResult:
    return _edit(request, account, edits.add_shinobi, body, at=at)


@api_router.patch(
    "/shinobi/{shinobi_id}",
    tags=["people"],
    summary="Edit a shinobi's fields (not so as to break a squad in progress)",
)
def edit_shinobi(
    request: Request, shinobi_id: RecordId, body: SetRequest, account: Editor
) -> EditResult:
    return _edit(request, account, edits.edit_shinobi, shinobi_id, body.set, at=body.at)


@api_router.post(
    "/sightings", tags=["bingo book"], summary="Record a sighting of a threat", status_code=201
)
def add_sighting(request: Request, body: SightingRequest, account: Editor) -> EditResult:
    return _edit(
        request,
        account,
        edits.add_sighting,
        threat=body.threat,
        place=body.place,
        confidence=body.confidence,
        at=body.at,
    )


# --- The pages -----------------------------------------------------------------------------


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _list(form: FormData, name: str) -> list[str]:
    return [p.strip() for p in _text(form, name).split(",") if p.strip()]


def mission_from_form(form: FormData) -> dict[str, Any]:
    """The "New mission" form as a village-file mission (blank fields are not given)."""
    return {
        "id": _text(form, "id"),
        "title": _text(form, "title"),
        "rank": _text(form, "rank"),
        "priority": _text(form, "priority"),
        "kind": _text(form, "kind"),
        "client": {
            "name": _text(form, "client_name"),
            "min_team_size": _text(form, "min_team_size"),
        },
        "objective": {"tags": _list(form, "tags")},
        "route": _list(form, "route"),
        "window": {"earliest": _text(form, "earliest"), "due": _text(form, "due")},
        "reward_ryo": _text(form, "reward_ryo"),
    }


def mission_sets_from_form(form: FormData) -> dict[str, str]:
    """The mission page's edit form as FIELD=VALUE edits (unchanged fields change nothing)."""
    sets = {name: _text(form, name) for name in ("title", "rank", "priority", "kind", "reward_ryo")}
    sets["route"] = _text(form, "route")
    sets["objective.tags"] = _text(form, "tags")
    if _text(form, "client_name"):
        sets["client.name"] = _text(form, "client_name")
        sets["client.min_team_size"] = _text(form, "min_team_size") or "1"
    else:
        sets["client"] = ""
    if _text(form, "earliest"):
        sets["window.earliest"] = _text(form, "earliest")
        sets["window.due"] = _text(form, "due")
    else:
        sets["window"] = ""
    return sets


def shinobi_sets_from_form(form: FormData) -> dict[str, str]:
    names = ("name", "rank", "status", "available_from", "team", "skills", "techniques")
    return {name: _text(form, name) for name in names}


def _render(request: Request, template: str, account: Account, **values: Any) -> Response:
    from missiondesk.web.pages import render

    return render(request, template, account, **values)


async def _edit_and_back(
    request: Request, account: Account, change: Callable[..., EditResult], *args: Any, **fields: Any
) -> Response:
    """A page form's edit: the service call in the threadpool (the event loop never waits on
    the database), then back (303) to the page of the record it edited: the mission's, the
    shinobi's, or the bingo book for a sighting."""
    from missiondesk.web.pages import back_to, mission_path, urlpart

    result = await run_in_threadpool(_edit, request, account, change, *args, **fields)
    if result.kind == "mission":
        return back_to(mission_path(result.id))
    if result.kind == "shinobi":
        return back_to(f"/shinobi/{urlpart(result.id)}")
    return back_to("/bingo-book")


@page_router.get("/missions/new")
def new_mission_page(request: Request, account: PageEditor) -> Response:
    book = bingo_book(database(request))
    return _render(
        request,
        "mission_new.html",
        account,
        title="New mission",
        places=[p.id for p in book.places],
    )


@page_router.post("/missions/new")
async def create_mission(request: Request, account: PageEditor) -> Response:
    form = mission_from_form(await request.form())
    return await _edit_and_back(request, account, edits.add_mission, form)


@page_router.post("/missions/{mission_id}/edit")
async def edit_mission_form(request: Request, mission_id: str, account: PageEditor) -> Response:
    sets = mission_sets_from_form(await request.form())
    return await _edit_and_back(request, account, edits.edit_mission, mission_id, sets)


@page_router.post("/missions/{mission_id}/cancel")
async def cancel_mission_form(request: Request, mission_id: str, account: PageEditor) -> Response:
    reason = _text(await request.form(), "reason")
    return await _edit_and_back(request, account, edits.cancel_mission, mission_id, reason)


@page_router.post("/sightings")
async def add_sighting_form(request: Request, account: PageEditor) -> Response:
    form = await request.form()
    return await _edit_and_back(
        request,
        account,
        edits.add_sighting,
        threat=_text(form, "threat"),
        place=_text(form, "place"),
        confidence=_text(form, "confidence"),
        at=_text(form, "at") or None,
    )


@page_router.get("/shinobi/{shinobi_id}")
def shinobi_page(request: Request, shinobi_id: str, account: PageReader) -> Response:
    db = database(request)
    with db.reading() as connection:
        require_village(connection)
        row = connection.execute(select(t.shinobi).where(t.shinobi.c.id == shinobi_id))
        found = row.mappings().one_or_none()
        committed = connection.execute(
            select(t.commitment.c.mission_id).where(t.commitment.c.shinobi_id == shinobi_id)
        ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"no shinobi {shinobi_id!r} on the roster", field="shinobi")
    skills = ", ".join(f"{k}={v}" for k, v in (found["skills"] or {}).items())
    return _render(
        request,
        "shinobi.html",
        account,
        title=found["name"],
        s=found,
        skills=skills,
        committed=committed,
    )


@page_router.post("/shinobi/{shinobi_id}/edit")
async def edit_shinobi_form(request: Request, shinobi_id: str, account: PageEditor) -> Response:
    sets = shinobi_sets_from_form(await request.form())
    return await _edit_and_back(request, account, edits.edit_shinobi, shinobi_id, sets)
