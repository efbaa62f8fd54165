"""docs/web.md's curl commands, run as written against a real server on 127.0.0.1: the
sign-in through the form (CSRF cookie first) and the API with a bearer token."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

WEB_DOC = Path(__file__).parents[2] / "docs" / "web.md"


def _sign_in_block() -> str:
    text = WEB_DOC.read_text(encoding="utf-8")
    after = text.split("To sign in with curl", 1)[1]
    block = re.search(r"```\n(.*?)```", after, re.S)
    assert block is not None
    return block.group(1)


def test_the_documented_curl_sign_in_works(live_port: int, tmp_path: Path) -> None:
    script = _sign_in_block()
    assert "http://127.0.0.1:8000/" in script and "name=tsunade" in script
    # The doc's server and account, swapped for this test's (same password as the doc's).
    script = script.replace("127.0.0.1:8000", f"127.0.0.1:{live_port}")
    script = script.replace("name=tsunade", "name=hokage")
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "303"  # signed in, sent on
    assert "md_session" in (tmp_path / "jar").read_text()
    assert "<title>Roster · Mission Desk</title>" in done.stdout  # not the login form again


def test_the_documented_curl_api_call_works(live_port: int, village: Any) -> None:
    text = WEB_DOC.read_text(encoding="utf-8")
    call = re.search(r'`(curl -H "Authorization: Bearer \$TOKEN" [^`]+)`', text)
    assert call is not None
    command = call.group(1).replace("127.0.0.1:8000", f"127.0.0.1:{live_port}")
    done = subprocess.run(
        ["bash", "-c", f"curl -s -f {command.removeprefix('curl ')}"],
        capture_output=True, text=True, timeout=60,
        env={"TOKEN": village.tokens["viewer"], "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert '"tani-scroll"' in done.stdout
