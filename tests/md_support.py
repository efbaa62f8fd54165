"""Things the command-line tests share (a module, not a conftest, so it imports by one name)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEMO_VILLAGE = Path(__file__).parents[1] / "src" / "missiondesk" / "data" / "konoha.yaml"


@dataclass
class Result:
    """What one `missiondesk` invocation did: its exit status and its two outputs."""

    code: int
    stdout: str
    stderr: str
