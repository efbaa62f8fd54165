"""Notifications (SPEC section 12): an outbox written with each change, delivered over HTTP.

`outbox` turns logged changes into outbox rows in the change's own transaction; `formats`
writes the bodies (plain JSON, or a Discord webhook message within Discord's limits);
`deliver` sends them, at least once and in order per mission, with signed requests.
"""
