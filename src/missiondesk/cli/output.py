"""Printing: Rich for people, one JSON value on stdout for programs, errors on stderr."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from pydantic import BaseModel
from rich.console import Console

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def emit_json(value: Any) -> None:
    """Write `value` as the single JSON value on stdout (sorted lists stay as given)."""
    sys.stdout.write(json.dumps(_plain(value), ensure_ascii=False, indent=2, default=str))
    sys.stdout.write("\n")
    sys.stdout.flush()


def actor() -> str:
    """Who is acting, for the event log: MISSIONDESK_ACTOR, else the login name."""
    name = os.environ.get("MISSIONDESK_ACTOR")
    if name:
        return name
    try:
        return os.getlogin()
    except OSError:
        return os.environ.get("USER", "cli")
