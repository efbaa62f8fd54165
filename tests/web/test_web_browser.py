"""The pages in Debian's Chromium, driven by Playwright, against uvicorn on 127.0.0.1: the
Hokage plans the demo board, sees a medic on the scroll squad and approves it; a shinobi
cannot. Screenshots of the main pages go to tests/screenshots/ (not committed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from missiondesk.store.database import Database

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parents[1] / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def server(live_port: int) -> str:
    return f"http://127.0.0.1:{live_port}"


@pytest.fixture
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def sign_in(page: object, base: str, name: str, password: str) -> None:
    page.goto(f"{base}/")  # type: ignore[attr-defined]
    page.fill("input[name=name]", name)  # type: ignore[attr-defined]
    page.fill("input[name=password]", password)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{base}/")  # type: ignore[attr-defined]


def shoot(page: object, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_hokage_plans_sees_the_medic_and_approves(
    server: str, browser: object, password: str
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server}/login")
    shoot(page, "login")
    sign_in(page, server, "hokage", password)
    shoot(page, "board")

    page.goto(f"{server}/plan")
    page.click("#run-planner")
    page.wait_for_selector("#plan-run progress", timeout=10_000)
    page.wait_for_url(f"{server}/plan?run=*", timeout=30_000)
    squad = page.locator("#squad-tani-scroll")
    medic = squad.locator("li[data-shinobi]", has=page.locator(".role-medic"))
    assert medic.count() >= 1
    shoot(page, "plan")

    squad.get_by_role("button", name="Approve tani-scroll").click()
    page.wait_for_url(f"{server}/plan")
    assert "approved" in page.locator("#squad-tani-scroll .status").inner_text()

    page.goto(f"{server}/missions/tani-scroll")
    assert "approved" in page.locator(".meta .status").first.inner_text()
    assert page.locator("svg[aria-label='Risk factors and their contributions'] rect").count() > 0
    shoot(page, "mission")
    for name in ("roster", "bingo-book", "wellbeing"):
        page.goto(f"{server}/{name}")
        shoot(page, name)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server}/missions/tani-scroll")
    shoot(page, "mission-phone")
    assert errors == []


def test_a_shinobi_cannot_approve(server: str, browser: object, password: str) -> None:
    hokage = browser.new_page()  # type: ignore[attr-defined]
    sign_in(hokage, server, "hokage", password)
    hokage.goto(f"{server}/plan")
    hokage.click("#run-planner")
    hokage.wait_for_url(f"{server}/plan?run=*", timeout=30_000)

    page = browser.new_page()  # type: ignore[attr-defined]
    sign_in(page, server, "shinobi", password)
    page.goto(f"{server}/plan")
    assert page.locator("#squad-tani-scroll").count() == 1
    assert page.get_by_role("button", name="Approve tani-scroll").count() == 0
    assert page.locator("#run-planner").count() == 0

    # Posting the form by hand, with the session's own CSRF token, is refused too.
    answer = page.evaluate(
        """async () => {
            const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRF-Token'];
            const body = new URLSearchParams({csrf_token: token});
            const r = await fetch('/missions/tani-scroll/approve', {method: 'POST', body});
            return r.status;
        }"""
    )
    assert answer == 403
    page.goto(f"{server}/missions/tani-scroll")
    assert "planned" in page.locator(".meta .status").first.inner_text()


def test_the_hokage_sends_the_rescue_from_the_overdue_banner(
    server: str, browser: object, password: str, db: Database
) -> None:
    """The scroll squad left two days ago and never checked in: the banner proposes the
    rescue; "Send the rescue" sends it; the lost mission's page shows it and its report."""
    import datetime as dt

    from missiondesk.operations.reports import ReportFile
    from missiondesk.services import clock, lifecycle, planning, reports

    plan = planning.plan(db, actor="test", time_limit=2)
    lifecycle.approve(db, "tani-scroll", actor="test")
    departed = plan.departures()["tani-scroll"]  # in its window: after it, it is stale
    lifecycle.dispatch(db, "tani-scroll", actor="test", at=departed)
    clock.set_clock(db, departed + dt.timedelta(days=2), actor="test")  # two days pass

    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, server, "hokage", password)
    banner = page.locator("section.banner")
    assert "tani-scroll" in banner.inner_text()
    shoot(page, "overdue-banner")
    banner.get_by_role("button", name="Send the rescue").click()
    page.wait_for_url(f"{server}/missions/tani-scroll")
    sent = page.locator("#rescue .rescue-sent[data-rescue='rescue-tani-scroll']")
    assert "dispatched" in sent.inner_text()
    assert "is on its way" in page.locator("section.banner").inner_text()
    assert page.locator("#rescue form.rescue-form").count() == 0  # nothing more to send

    reports.apply_report(
        db,
        "rescue-tani-scroll",
        ReportFile.model_validate(
            {
                "outcome": "success",
                "returned": (departed + dt.timedelta(days=2, hours=1)).isoformat(),
                "notes": "Found them in the hills; Shikaku needs rest.",
            }
        ),
        actor="test",
    )
    page.goto(f"{server}/missions/tani-scroll")
    assert "Found them in the hills" in page.locator("#rescue .rescue-report").inner_text()
    assert "rescue-tani-scroll" in page.locator("ol.timeline").inner_text()
    shoot(page, "mission-rescued")
    assert errors == []


def test_a_viewer_sees_the_proposal_but_no_button(
    server: str, browser: object, password: str, db: Database
) -> None:
    import datetime as dt

    from missiondesk.services import clock, lifecycle, planning

    plan = planning.plan(db, actor="test", time_limit=2)
    lifecycle.approve(db, "tani-scroll", actor="test")
    departed = plan.departures()["tani-scroll"]  # in its window: after it, it is stale
    lifecycle.dispatch(db, "tani-scroll", actor="test", at=departed)
    clock.set_clock(db, departed + dt.timedelta(days=2), actor="test")  # two days pass
    page = browser.new_page()  # type: ignore[attr-defined]
    sign_in(page, server, "viewer", password)
    assert "Proposed rescue" in page.locator("section.banner").inner_text()
    assert page.get_by_role("button", name="Send the rescue").count() == 0


def test_hokage_creates_a_mission_and_cancels_it(
    server: str, browser: object, password: str
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, server, "hokage", password)
    page.get_by_role("link", name="New mission").click()
    page.wait_for_url(f"{server}/missions/new")
    form = page.locator("#new-mission-form")
    form.get_by_label("Title").fill("Escort the tea merchant")
    form.get_by_label("Declared rank").select_option("C")
    form.get_by_label("Route (places, comma-separated)").fill("konoha,tanzaku-town,konoha")
    form.get_by_label("Objective tags (comma-separated)").fill("escort,tea")
    form.get_by_label("Client", exact=True).fill("The tea merchant")
    form.get_by_label("Client's minimum team size").fill("2")
    form.get_by_label("Earliest departure").fill("2026-11-30")
    shoot(page, "mission-new")
    form.get_by_role("button", name="Add the mission").click()
    page.wait_for_url(f"{server}/missions/escort-the-tea-merchant")
    assert page.locator("h1").inner_text() == "Escort the tea merchant"
    assert "intake" in page.locator(".meta .status").first.inner_text()
    assert "mission.added" in page.locator(".timeline").inner_text()

    cancel = page.locator("#cancel-mission-form")
    cancel.get_by_label("Reason").fill("the merchant found cheaper guards")
    cancel.get_by_role("button", name="Cancel the mission").click()
    page.wait_for_url(f"{server}/missions/escort-the-tea-merchant")
    assert "cancelled" in page.locator(".meta .status").first.inner_text()
    assert "the merchant found cheaper guards" in page.locator(".timeline").inner_text()
    shoot(page, "mission-cancelled")

    page.goto(f"{server}/bingo-book")
    sighting = page.locator("#sighting-form")
    sighting.get_by_label("Place").select_option("tanzaku-town")
    sighting.get_by_label("Confidence (0-1)").fill("0.4")
    sighting.get_by_role("button", name="Add the sighting").click()
    page.wait_for_url(f"{server}/bingo-book")
    assert errors == []


def test_the_hokage_recalls_an_approved_squad_from_its_page(
    server: str, browser: object, password: str, db: Database
) -> None:
    from missiondesk.services import lifecycle, planning

    planning.plan(db, actor="test", time_limit=2)
    lifecycle.approve(db, "tani-scroll", actor="test")
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, server, "hokage", password)
    page.goto(f"{server}/missions/tani-scroll")
    form = page.locator("#recall-form")
    form.get_by_label("Reason").fill("the leader was hurt yesterday")
    form.get_by_role("button", name="Recall the squad").click()
    page.wait_for_url(f"{server}/missions/tani-scroll")
    assert "assessed" in page.locator(".meta .status").first.inner_text()
    assert "the leader was hurt yesterday" in page.locator(".timeline").inner_text()
    assert page.locator("#recall-form").count() == 0
    shoot(page, "mission-recalled")
    assert errors == []


def test_a_player_volunteers_withdraws_and_sees_their_own_page(
    server: str, browser: object, password: str
) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    sign_in(page, server, "shinobi", password)  # linked to nara-shikamaru
    page.goto(f"{server}/missions/tani-scroll")
    page.get_by_role("button", name="Volunteer as nara-shikamaru").click()
    page.wait_for_url(f"{server}/missions/tani-scroll")
    assert "nara-shikamaru" in page.locator("#volunteers ul").inner_text()
    page.goto(f"{server}/")
    assert (
        "volunteers: nara-shikamaru"
        in page.locator(".mission-card", has_text="tani-scroll").inner_text()
    )
    page.click("text=My missions")
    page.wait_for_url(f"{server}/me/missions")
    assert "tani-scroll" in page.locator("#my-ledger").inner_text()
    shoot(page, "my-missions")
    page.goto(f"{server}/missions/tani-scroll")
    page.get_by_role("button", name="Withdraw nara-shikamaru").click()
    page.wait_for_url(f"{server}/missions/tani-scroll")
    assert "Nobody has volunteered yet" in page.locator("#volunteers").inner_text()
    # The board's own button, both ways, back on the board.
    page.goto(f"{server}/")
    card = page.locator(".mission-card", has_text="tani-scroll")
    card.get_by_role("button", name="Volunteer for tani-scroll").click()
    page.wait_for_url(f"{server}/")
    assert "volunteers: nara-shikamaru" in card.inner_text()
    card.get_by_role("button", name="Withdraw for tani-scroll").click()
    page.wait_for_url(f"{server}/")
    assert "volunteers:" not in card.inner_text()
    # Someone else's private records stay closed.
    assert page.goto(f"{server}/wellbeing").status == 403  # type: ignore[union-attr]


def test_a_player_reads_their_own_briefing_and_ledger_and_nobody_elses(
    server: str, browser: object, password: str, db: Database
) -> None:
    from missiondesk.services import accounts, lifecycle, planning
    from missiondesk.services.assessment import assess

    plan = planning.plan(db, actor="test", time_limit=3, workers=1)
    squad = next(s for s in plan.squads if s.mission == "tani-scroll")
    lifecycle.approve(db, "tani-scroll", actor="test")
    member = squad.members[-1].shinobi
    accounts.add_user(db, "player", "shinobi", password, shinobi=member, actor="test")
    advice = assess(db, "tani-scroll").briefing[0].advice
    page = browser.new_page()  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, server, "player", password)
    page.click("text=My missions")
    page.wait_for_url(f"{server}/me/missions")
    card = page.locator(".my-mission[data-mission='tani-scroll']")
    assert "Briefing" in card.inner_text() and advice in card.inner_text()
    assert f"led by {squad.leader}" in card.inner_text()
    shoot(page, "my-briefing")
    page.click("nav >> text=Ledger")
    page.wait_for_url(f"{server}/ledger")
    shown = page.locator("#ledger-totals tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.shinobi)"
    )
    assert shown == [member]
    someone = squad.leader
    assert page.goto(f"{server}/ledger?shinobi={someone}").status == 403  # type: ignore[union-attr]
    assert page.goto(f"{server}/wellbeing").status == 403  # type: ignore[union-attr]
    assert errors == []
