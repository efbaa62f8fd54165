"""Errors as answers a person can act on: JSON `{detail, field}` for the API, a page otherwise.

Bad input is always a 4xx: `NotFound` 404, `Conflict` 409, any other `BadInput` 400, a
village file with problems or a request that does not match its schema 422.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from missiondesk.errors import BadInput, Conflict, NotFound
from missiondesk.villagefile.errors import VillageFileError, field_path
from missiondesk.villagefile.plain import plain_words
from missiondesk.web.auth import LoginRequired, login_url


class Problem(BaseModel):
    file: str
    line: int | None
    field: str
    message: str


class ErrorBody(BaseModel):
    """Every error the API answers: what is wrong, and the field at fault when there is one."""

    detail: str
    field: str | None = None
    problems: list[Problem] | None = None


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in (
        (400, "Bad input"),
        (401, "No valid API token"),
        (403, "The account's role may not do this"),
        (404, "No such mission, shinobi or account"),
        (409, "The current state forbids this step"),
        (422, "The request or the village file is not valid"),
    )
}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/health"


def _answer(
    request: Request,
    status: int,
    body: ErrorBody,
    headers: dict[str, str] | None = None,
) -> Response:
    if _is_api(request):
        return JSONResponse(
            body.model_dump(exclude_none=True) | {"field": body.field},
            status_code=status,
            headers=headers,
        )
    from missiondesk.web.pages import render  # the pages import this module's neighbours

    account = getattr(request.state, "account", None)
    page = render(request, "error.html", account, http_status=status, status=status, error=body)
    if headers:
        page.headers.update(headers)
    return page


def bad_input_status(error: BadInput) -> int:
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict):
        return 409
    return 400


async def on_bad_input(request: Request, error: Exception) -> Response:
    assert isinstance(error, BadInput)
    return _answer(
        request, bad_input_status(error), ErrorBody(detail=error.message, field=error.field)
    )


async def on_village_file_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, VillageFileError)
    problems = [
        Problem(file=p.file, line=p.line, field=p.field, message=p.message) for p in error.problems
    ]
    first = error.problems[0]
    body = ErrorBody(detail=str(error), field=first.field or None, problems=problems)
    return _answer(request, 422, body)


async def on_validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    messages = []
    field: str | None = None
    for item in error.errors():
        loc = tuple(part for part in item.get("loc", ()) if part not in ("body", "query", "path"))
        where = field_path(loc) if loc else ""
        field = field or where or None
        words = plain_words(item)  # "must be more than 0, not 0", not pydantic's wording
        messages.append(f"{where}: {words}" if where else words)
    body = ErrorBody(detail="; ".join(messages) or "invalid request", field=field)
    return _answer(request, 422, body)


async def on_http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    headers = getattr(error, "headers", None)
    if error.status_code == 405:
        # Starlette names only the first route whose path matched; a path served by
        # several routes (GET and POST /api/village) must list every method.
        headers = dict(headers or {}) | {"Allow": ", ".join(allowed_methods(request))}
    return _answer(request, error.status_code, ErrorBody(detail=str(error.detail)), headers)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app answers at the request's path."""
    methods: set[str] = set()
    pending = list(request.app.routes)
    while pending:
        route = pending.pop()
        inner = getattr(route, "original_router", None)
        if inner is not None:
            pending.extend(inner.routes)
            continue
        regex = getattr(route, "path_regex", None)
        if regex is not None and getattr(route, "methods", None) and regex.match(request.url.path):
            methods |= set(route.methods)
    return sorted(methods)


async def on_login_required(request: Request, error: Exception) -> Response:
    assert isinstance(error, LoginRequired)
    if request.headers.get("HX-Request"):
        # An HTMX request cannot follow a redirect to a full page; tell it to navigate.
        return Response(status_code=401, headers={"HX-Redirect": login_url(error.next_url)})
    return RedirectResponse(login_url(error.next_url), status_code=303)


def install(app: FastAPI) -> None:
    app.add_exception_handler(BadInput, on_bad_input)
    app.add_exception_handler(VillageFileError, on_village_file_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(LoginRequired, on_login_required)
