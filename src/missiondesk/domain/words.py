"""Counting in words: "1 squad", "2 squads", "1 day of rest", never "squad(s)"."""

from __future__ import annotations


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`count` and `noun`, the noun in the plural unless there is one: '1 encounter',
    '2 encounters', '2 clean successes', '3 shinobi', '2 medics (medical >= 2)'. `many`
    gives a plural the rule cannot guess ('entry', 'entries')."""
    if count == 1:
        return f"{count} {noun}"
    if many is not None:
        return f"{count} {many}"
    head, sep, tail = noun.partition(" (")
    if head.endswith("shinobi"):
        word = head
    elif head.endswith("s"):
        word = head + "es"
    else:
        word = head + "s"
    return f"{count} {word}{sep}{tail}"
