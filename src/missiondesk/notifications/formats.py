"""Request bodies: the event as JSON, or a Discord webhook message within Discord's limits.

Both are written from the outbox row's payload alone, deterministically, so every retry
of one delivery sends the same bytes (and the same signature).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from missiondesk.notifications.vocabulary import TEST_EVENT, BodyFormat, NotifyEvent

# Discord's documented webhook limits (discord.com/developers/docs/resources/message,
# "Embed Limits" and "Execute Webhook").
CONTENT_MAX = 2000
EMBEDS_MAX = 10
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000
ELLIPSIS = "..."

# Colour by rank, as the board shows it: calm for D, alarm for S.
RANK_COLOURS = {
    "D": 0x95A5A6,
    "C": 0x2ECC71,
    "B": 0x3498DB,
    "A": 0xE67E22,
    "S": 0xE74C3C,
}
NO_RANK_COLOUR = 0x7289DA

HEADLINES = {
    NotifyEvent.MISSION_ADDED: "New mission",
    NotifyEvent.MISSION_ESCALATED: "Mission judged above its declared rank",
    NotifyEvent.PLAN_READY: "A plan is ready",
    NotifyEvent.MISSION_APPROVED: "Squad approved",
    NotifyEvent.MISSION_DISPATCHED: "Squad dispatched",
    NotifyEvent.CHECKIN_MISSED: "Check-in missed",
    NotifyEvent.RESCUE_DISPATCHED: "Rescue dispatched",
    NotifyEvent.REPORT_FILED: "After-action report filed",
    NotifyEvent.WELLBEING_FLAGGED: "Wellbeing flag raised",
    NotifyEvent.SHINOBI_RECOVERED: "Back on duty",
    TEST_EVENT: "Test notification",
}


def render_body(body_format: str, payload: Mapping[str, Any]) -> bytes:
    """The bytes to POST for `payload` in `body_format` (json or discord)."""
    document = discord_message(payload) if body_format == BodyFormat.DISCORD else dict(payload)
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def cut(text: str, limit: int) -> str:
    """`text` within `limit` characters, ending in "..." when it had to be shortened."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(ELLIPSIS))] + ELLIPSIS


def discord_message(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A Discord webhook body: one line of content and one embed, colour by rank."""
    kind = str(payload.get("event", ""))
    mission = payload.get("mission") or {}
    person = payload.get("shinobi") or {}
    data = payload.get("data") or {}
    headline = HEADLINES.get(kind, kind)
    name = mission.get("title") or person.get("name") or payload.get("subject") or ""
    ident = mission.get("id") or person.get("id") or payload.get("subject")
    rank = mission.get("effective_rank") or mission.get("rank")
    declared = mission.get("rank")
    rank_text = ""
    if rank:
        rank_text = f" (rank {rank}" + (f", declared {declared})" if declared != rank else ")")
    content = f"**{headline}**" + (f": {ident}{rank_text}" if ident else "")
    fields = []
    if mission:
        fields.append(_field("Status", mission.get("status")))
    if person:
        fields.append(_field("Shinobi", f"{person.get('name')} ({person.get('rank')})"))
    fields += [_field(_label(key), value) for key, value in data.items() if key != "status"]
    embed = {
        "title": f"{headline}: {name}" if name else headline,
        "description": _description(kind, data),
        "color": RANK_COLOURS.get(str(rank), NO_RANK_COLOUR),
        "fields": [f for f in fields if f["value"]],
        "footer": {"text": f"Mission Desk · {kind} · {payload.get('at', '')}"},
    }
    return fit_discord({"content": content, "embeds": [embed], "allowed_mentions": {"parse": []}})


def _description(kind: str, data: Mapping[str, Any]) -> str:
    """The part a reader needs first: the rescue proposal on a missed check-in, the
    reasons and briefing when there are some."""
    lines: list[str] = []
    rescue = data.get("rescue")
    if kind == NotifyEvent.CHECKIN_MISSED and isinstance(rescue, Mapping):
        leader = rescue.get("leader")
        if leader:
            members = ", ".join(_text(m) for m in rescue.get("members") or [])
            lines.append(f"Proposed rescue: {leader}" + (f" with {members}" if members else ""))
        else:
            lines.append("No rescue squad can be formed under the standing orders.")
        lines += [f"- {_text(r)}" for r in rescue.get("reasons") or []]
    for item in data.get("briefing") or []:
        lines.append(f"Briefing: {_text(item)}")
    return "\n".join(lines)


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _field(name: str, value: Any) -> dict[str, Any]:
    return {"name": name, "value": _text(value), "inline": not isinstance(value, list | dict)}


def _text(value: Any) -> str:
    """A payload value as a person reads it: lists one per line, mappings as key: value."""
    if value is None:
        return ""
    if isinstance(value, Mapping):
        if set(value) >= {"shinobi", "roles"}:
            roles = ", ".join(map(str, value["roles"] or []))
            return f"{value['shinobi']}" + (f" ({roles})" if roles else "")
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items() if v not in (None, [], {}))
    if isinstance(value, list | tuple):
        return "\n".join(_text(v) for v in value)
    return str(value)


def embed_length(embed: Mapping[str, Any]) -> int:
    """Characters Discord counts towards an embed's 6000: title, description, field names
    and values, footer text and author name."""
    total = len(embed.get("title", "")) + len(embed.get("description", ""))
    total += sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    total += len((embed.get("footer") or {}).get("text", ""))
    total += len((embed.get("author") or {}).get("name", ""))
    return total


def fit_discord(message: Mapping[str, Any]) -> dict[str, Any]:
    """`message` cut to Discord's limits: each text to its maximum, at most 25 fields and
    10 embeds, and each embed's total within 6000 (description first, then the last
    fields' values, then fields dropped). A title (256) and footer (2048) alone always fit."""
    embeds = []
    for raw in list(message.get("embeds") or [])[:EMBEDS_MAX]:
        embed = dict(raw)
        embed["title"] = cut(str(embed.get("title", "")), TITLE_MAX)
        embed["description"] = cut(str(embed.get("description", "")), DESCRIPTION_MAX)
        if "footer" in embed:
            embed["footer"] = {"text": cut(str(embed["footer"].get("text", "")), FOOTER_MAX)}
        embed["fields"] = [
            {
                "name": cut(str(f["name"]), FIELD_NAME_MAX) or "-",
                "value": cut(str(f["value"]), FIELD_VALUE_MAX) or "-",
                "inline": bool(f.get("inline", False)),
            }
            for f in list(embed.get("fields") or [])[:FIELDS_MAX]
        ]
        _shrink(embed)
        if not embed["description"]:
            del embed["description"]
        embeds.append(embed)
    fitted: dict[str, Any] = dict(message)
    fitted["content"] = cut(str(message.get("content", "")), CONTENT_MAX)
    fitted["embeds"] = embeds
    return fitted


def _shrink(embed: dict[str, Any]) -> None:
    over = embed_length(embed) - EMBED_TOTAL_MAX
    if over <= 0:
        return
    description = embed["description"]
    keep = max(0, len(description) - over)
    embed["description"] = cut(description, keep) if keep > len(ELLIPSIS) else ""
    fields = embed["fields"]
    while embed_length(embed) > EMBED_TOTAL_MAX and fields:
        over = embed_length(embed) - EMBED_TOTAL_MAX
        last = fields[-1]
        keep = len(last["value"]) - over
        if keep > len(ELLIPSIS) + 1:
            last["value"] = cut(last["value"], keep)
        else:
            fields.pop()
