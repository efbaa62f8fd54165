"""The `discord` body is one Discord's webhook API accepts, whatever the payload's size:
content <= 2000, <= 10 embeds, title <= 256, description <= 4096, <= 25 fields, field
name <= 256 and value <= 1024, and each embed's total <= 6000; long text ends in "..."."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from missiondesk.notifications.formats import (
    CONTENT_MAX,
    DESCRIPTION_MAX,
    EMBED_TOTAL_MAX,
    EMBEDS_MAX,
    FIELD_NAME_MAX,
    FIELD_VALUE_MAX,
    FIELDS_MAX,
    FOOTER_MAX,
    RANK_COLOURS,
    TITLE_MAX,
    discord_message,
    embed_length,
    fit_discord,
    render_body,
)
from missiondesk.notifications.vocabulary import EVENT_NAMES


def assert_within_discord_limits(message: dict[str, Any]) -> None:
    assert len(message["content"]) <= CONTENT_MAX
    assert len(message["embeds"]) <= EMBEDS_MAX
    for embed in message["embeds"]:
        assert len(embed["title"]) <= TITLE_MAX
        assert len(embed.get("description", "")) <= DESCRIPTION_MAX
        assert len(embed["fields"]) <= FIELDS_MAX
        for field in embed["fields"]:
            assert 0 < len(field["name"]) <= FIELD_NAME_MAX
            assert 0 < len(field["value"]) <= FIELD_VALUE_MAX
        assert len(embed.get("footer", {}).get("text", "")) <= FOOTER_MAX
        assert embed_length(embed) <= EMBED_TOTAL_MAX
        assert isinstance(embed["color"], int) and 0 <= embed["color"] <= 0xFFFFFF


# Long text is what the limits are about; a small alphabet keeps generating it cheap.
texts = st.text(alphabet="aZ é火\n.", max_size=5000) | st.text(max_size=20)
values = st.recursive(
    st.none() | texts | st.integers() | st.booleans(),
    lambda inner: st.lists(inner, max_size=30) | st.dictionaries(texts, inner, max_size=6),
    max_leaves=30,
)
payloads = st.fixed_dictionaries(
    {
        "event": st.sampled_from(EVENT_NAMES),
        "at": st.just("2026-11-24T06:00"),
        "subject": texts,
        "mission": st.fixed_dictionaries(
            {
                "id": texts,
                "title": texts,
                "rank": st.sampled_from(list(RANK_COLOURS)),
                "effective_rank": st.sampled_from([None, *RANK_COLOURS]),
                "status": texts,
            }
        ),
        "data": st.dictionaries(texts, values, max_size=40),
    }
)


@settings(max_examples=25, deadline=None)
@given(payloads)
def test_any_payload_becomes_a_message_discord_accepts(payload: dict[str, Any]) -> None:
    message = json.loads(render_body("discord", payload))
    assert_within_discord_limits(message)
    assert message["allowed_mentions"] == {"parse": []}  # a title never pings @everyone


@settings(max_examples=20, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "title": texts,
                "description": texts,
                "fields": st.lists(
                    st.fixed_dictionaries({"name": texts, "value": texts}), max_size=40
                ),
                "color": st.just(0),
                "footer": st.fixed_dictionaries({"text": texts}),
            }
        ),
        max_size=14,
    ),
    texts,
)
def test_fitting_keeps_any_message_within_the_limits(
    embeds: list[dict[str, Any]], content: str
) -> None:
    assert_within_discord_limits(fit_discord({"content": content, "embeds": embeds}))


def test_a_long_briefing_is_cut_with_an_ellipsis_and_short_text_is_kept_whole() -> None:
    briefing = [{"threat": "uchiha-itachi", "advice": "Never meet the eyes. " * 400}]
    payload = {
        "event": "mission.dispatched",
        "at": "2026-11-24T06:00",
        "subject": "tani-scroll",
        "mission": {"id": "tani-scroll", "title": "Bring the scroll home", "rank": "C",
                    "effective_rank": "A", "status": "dispatched"},
        "data": {"briefing": briefing, "squad": ["nara-shikamaru", "haruno-sakura"]},
    }  # fmt: skip
    [embed] = discord_message(payload)["embeds"]
    assert embed["description"].endswith("...")
    assert len(embed["description"]) == DESCRIPTION_MAX
    assert embed["color"] == RANK_COLOURS["A"]  # colour by the judged rank
    assert embed["title"] == "Squad dispatched: Bring the scroll home"
    squad = next(f for f in embed["fields"] if f["name"] == "Squad")
    assert squad["value"] == "nara-shikamaru\nharuno-sakura"


def test_a_missed_checkin_leads_with_the_rescue_proposal() -> None:
    payload = {
        "event": "checkin.missed",
        "at": "2026-11-26T06:00",
        "subject": "tani-scroll",
        "mission": {"id": "tani-scroll", "title": "Bring the scroll home", "rank": "C",
                    "effective_rank": "S", "status": "overdue"},
        "data": {"last_place": "tanigakure",
                 "rescue": {"leader": "hatake-kakashi",
                            "members": [{"shinobi": "haruno-sakura", "roles": ["medic"]}],
                            "reasons": ["1 medic (medical >= 2): haruno-sakura"]}},
    }  # fmt: skip
    message = discord_message(payload)
    assert message["content"] == "**Check-in missed**: tani-scroll (rank S, declared C)"
    description = message["embeds"][0]["description"]
    assert description.startswith("Proposed rescue: hatake-kakashi with haruno-sakura (medic)")
    assert message["embeds"][0]["color"] == RANK_COLOURS["S"]
