"""The database schema, as SQLAlchemy Core tables.

A database holds one village. The village-file collections keep a `position` column so an
export writes them back in the order they were imported. Cross-references inside the
village file are checked before anything is written (missiondesk.villagefile), so the
file tables carry no foreign keys: bulk import and `--replace` stay simple and fast.
The operational tables (assignments, commitments, events, accounts) carry the constraints
that concurrent commanders rely on.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = 200  # length of an identifier column

village = Table(
    "village",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", Text, nullable=False),
    Column("now", DateTime, nullable=False),  # the village clock (SPEC section 8)
    Column("clock", String(10), nullable=False, server_default="story"),
    Column("settings", JSON, nullable=False),
    Column("skills", JSON, nullable=False),
    # Migration 0012: the ledger book this village's rewards are written in (NULL: a village
    # imported before books, whose rows have none either).
    Column("ledger_book", String(64)),
)

place = Table(
    "place",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("name", Text, nullable=False),
)

road = Table(
    "road",
    metadata,
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("from_place", String(ID), nullable=False),
    Column("to_place", String(ID), nullable=False),
    Column("hours", Float, nullable=False),
)

role = Table(
    "role",
    metadata,
    Column("name", String(ID), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("requirements", JSON, nullable=False),
)

shinobi = Table(
    "shinobi",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("rank", String(20), nullable=False),
    Column("skills", JSON, nullable=False),
    Column("techniques", JSON, nullable=False),
    Column("team", String(ID)),
    Column("status", String(20), nullable=False),
    Column("available_from", Date),
)

mission = Table(
    "mission",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("rank", String(2), nullable=False),
    Column("priority", Integer, nullable=False),
    Column("kind", String(ID)),
    Column("client", JSON),
    Column("tags", JSON, nullable=False),
    Column("route", JSON, nullable=False),
    Column("earliest", Date),
    Column("latest", Date),
    Column("due", Date),
    Column("on_site_hours", Float, nullable=False, server_default="0"),
    Column("reward_ryo", Integer),
    Column("status", String(20), nullable=False),
    # Operational state, not part of the village file:
    Column("effective_rank", String(2)),
    Column("assessment", JSON),
    Column("departed_at", DateTime),  # planned departure until dispatched, then the actual one
    Column("checkins_due", JSON),
    Column("returned_at", DateTime),
    Column("version", Integer, nullable=False, server_default="0"),
    # A rescue mission's lost mission (operations/rescue.py); null for every other mission.
    Column("rescue_of", String(ID)),
    Index("ix_mission_status", "status"),
    Index("ix_mission_rescue_of", "rescue_of"),
    # Added by migration 0004 (a village-file field, optional):
    Column("override", JSON),  # {rank, reason, by, at}: the game master's rank
    # Added by migration 0014: {checkin_due, last_place, rescue}, the rescue proposed when
    # an overdue squad's check-in was missed (services/tracking.py)
    Column("rescue_proposal", JSON),
)

organization = Table(
    "organization",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("interests", JSON, nullable=False),
)

threat = Table(
    "threat",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("rank", String(2), nullable=False),
    Column("organization", String(ID)),
    Column("abilities", JSON, nullable=False),
)

sighting = Table(
    "sighting",
    metadata,
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("threat", String(ID), nullable=False),
    Column("place", String(ID), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("confidence", Float, nullable=False),
)

countermeasure = Table(
    "countermeasure",
    metadata,
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("ability", String(ID), nullable=False),
    Column("advice", Text, nullable=False),
    Column("role", String(ID)),
)

standing_order = Table(
    "standing_order",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("rule", String(40), nullable=False),
    Column("definition", JSON, nullable=False),
)

history = Table(
    "history",
    metadata,
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("mission_id", String(ID), nullable=False),
    Column("title", Text, nullable=False),
    Column("rank", String(2), nullable=False),
    Column("route", JSON, nullable=False),
    Column("kind", String(ID)),
    Column("tags", JSON, nullable=False),
    Column("leader", String(ID), nullable=False),
    Column("departed", DateTime, nullable=False),
    Column("returned", DateTime, nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("objective_taken_by", String(ID)),
    Column("notes", Text),
    Column("on_site_hours", Float),  # migration 0004: objective.on_site_hours; NULL reads as 0
)

history_member = Table(
    "history_member",
    metadata,
    Column("history", Integer, primary_key=True, autoincrement=False),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("shinobi", String(ID), nullable=False),
    Index("ix_history_member_shinobi", "shinobi"),
)

history_injury = Table(
    "history_injury",
    metadata,
    Column("history", Integer, primary_key=True, autoincrement=False),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("shinobi", String(ID), nullable=False),
    Column("severity", String(20), nullable=False),
    Column("recovery_days", Integer, nullable=False),
)

history_encounter = Table(
    "history_encounter",
    metadata,
    Column("history", Integer, primary_key=True, autoincrement=False),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("threat", String(ID), nullable=False),
    Column("place", String(ID), nullable=False),
    Column("at", DateTime, nullable=False),
)

# --- Operations -------------------------------------------------------------------------

assignment = Table(
    "assignment",
    metadata,
    Column("mission_id", String(ID), primary_key=True),
    Column("shinobi_id", String(ID), primary_key=True),
    Column("is_leader", Boolean, nullable=False),
    Column("position", Integer, nullable=False),
    Column("roles", JSON, nullable=False),
    Column("reasons", JSON, nullable=False),
)

# One row per shinobi bound to an approved or dispatched squad. The primary key on
# shinobi_id is what makes two concurrent approvals sharing a person fail for one of them.
commitment = Table(
    "commitment",
    metadata,
    Column("shinobi_id", String(ID), primary_key=True),
    # Migration 0011: keyed by (shinobi, mission): one shinobi may be committed to several
    # approved squads whose spans do not overlap (SPEC section 9).
    Column("mission_id", String(ID), primary_key=True),
    Index("ix_commitment_mission", "mission_id"),
)

plan = Table(
    "plan",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime, nullable=False),
    Column("result", JSON, nullable=False),
)

checkin = Table(
    "checkin",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("mission_id", String(ID), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("place", String(ID)),
    Index("ix_checkin_mission", "mission_id"),
)

event = Table(
    "event",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("actor", String(ID), nullable=False),
    Column("kind", String(60), nullable=False),
    Column("subject", String(ID)),
    Column("before", JSON),
    Column("after", JSON),
    Index("ix_event_subject", "subject"),
)

wellbeing_clearance = Table(
    "wellbeing_clearance",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("shinobi_id", String(ID), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("cleared_on", Date, nullable=False),
    Column("by", String(ID), nullable=False),
)

risk_model = Table(
    "risk_model",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("fitted_at", DateTime, nullable=False),
    Column("parameters", JSON, nullable=False),
)

account = Table(
    "account",
    metadata,
    Column("name", String(ID), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("shinobi_id", String(ID)),
    Column("created_at", DateTime, nullable=False),
    Column("disabled", Boolean, nullable=False, server_default=false()),
)

api_token = Table(
    "api_token",
    metadata,
    Column("token_hash", String(128), primary_key=True),
    Column("account", String(ID), ForeignKey("account.name", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("kind", String(20), nullable=False),  # "api" or "session"
    Column("expires_at", DateTime),
    UniqueConstraint("token_hash"),
)

# --- Shared by several server workers (migration 0009) ---------------------------------

# A planner run started from the pages: whichever worker answers shows its progress, and
# one runs per village at a time (the rest wait, `queued`).
plan_run = Table(
    "plan_run",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("owner", String(ID), nullable=False),
    Column("time_limit", Float, nullable=False),
    Column("status", String(20), nullable=False),  # queued, running, done, failed
    Column("created_at", DateTime, nullable=False),
    Column("started_at", DateTime),
    Column("finished_at", DateTime),
    Column("heartbeat_at", DateTime, nullable=False),
    Column("worker", String(ID), nullable=False),
    Column("progress", JSON),
    Column("error", Text),
    Index("ix_plan_run_status", "status"),
)

# Work that must run once across all workers (the clock's pass, notification delivery) is
# done by whoever holds its lease; a lease not renewed expires and another worker takes it.
lease = Table(
    "lease",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("holder", String(ID), nullable=False),
    Column("expires_at", DateTime, nullable=False),
)

login_throttle = Table(
    "login_throttle",
    metadata,
    Column("key", String(300), primary_key=True),  # "account:NAME" or "address:IP"
    Column("failures", Integer, nullable=False),
    Column("last_failure", DateTime, nullable=False),
    Column("wait_until", DateTime),  # no sign-in attempt is checked before this
)

# --- Players (migration 0010) ------------------------------------------------------------

# Who asked to go on a mission (SPEC section 13): village-file content (`volunteers` of a
# mission), kept in the order they volunteered.
volunteer = Table(
    "volunteer",
    metadata,
    Column("mission", String(ID), primary_key=True),
    Column("shinobi", String(ID), primary_key=True),
    Column("position", Integer, nullable=False),
    Index("ix_volunteer_shinobi", "shinobi"),
)

# The village file's `promotion` rules, in file order.
promotion_rule = Table(
    "promotion_rule",
    metadata,
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("definition", JSON, nullable=False),
)

# Rewards paid by reports: append-only like the event log (migration 0010's triggers). A
# row with no shinobi is the village's cut.
ledger = Table(
    "ledger",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("village", String(ID), nullable=False),
    Column("mission", String(ID), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("shinobi", String(ID)),
    Column("share", String(20), nullable=False),  # village, leader or member
    Column("ryo", Integer, nullable=False),
    Index("ix_ledger_shinobi", "shinobi"),
    # Migration 0012: which import of the village the row belongs to (village.ledger_book).
    Column("book", String(64)),
    Index("ix_ledger_book", "book"),
)

# Migration 0013: each shinobi's missions done by rank and successes, counted from the
# history (leaders and members alike). Derived data, rewritten whole by every write of the
# history (store/records.py), so the roster reads 2,000 rows instead of counting 20,000.
shinobi_record = Table(
    "shinobi_record",
    metadata,
    Column("shinobi_id", String(ID), primary_key=True),
    Column("rank_d", Integer, nullable=False),
    Column("rank_c", Integer, nullable=False),
    Column("rank_b", Integer, nullable=False),
    Column("rank_a", Integer, nullable=False),
    Column("rank_s", Integer, nullable=False),
    Column("successes", Integer, nullable=False),
)


VILLAGE_TABLES = (
    village,
    place,
    road,
    role,
    shinobi,
    mission,
    organization,
    threat,
    sighting,
    countermeasure,
    standing_order,
    history,
    history_member,
    history_injury,
    history_encounter,
    volunteer,
    promotion_rule,
)
"""Tables that hold the village file's content, in an order that is safe to fill."""

OPERATION_TABLES = (
    assignment,
    commitment,
    plan,
    checkin,
    wellbeing_clearance,
    risk_model,
)
"""Tables of the village's running state; replaced with the village on `--replace`.
The event log is not among them: it is append-only (the database refuses updates and
deletes, migration 0002), so a replaced village's story stays on record."""

# --- Notifications (SPEC section 12) ----------------------------------------------------

# A receiver of notifications: where to POST, which events, in which body format, and the
# NAME of the environment variable that holds its signing secret (never the secret).
notify_endpoint = Table(
    "notify_endpoint",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False),
    Column("events", JSON, nullable=False),
    Column("format", String(20), nullable=False),
    Column("secret_env", String(ID)),
    Column("created_at", DateTime, nullable=False),
    Column("removed_at", DateTime),
)

# The outbox: one row per (notification event, endpoint), written in the transaction of
# the change that caused it. `id` orders deliveries; `order_key` (the mission, else the
# subject) is the stream within which an undelivered row holds back later ones.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("endpoint_id", Integer, nullable=False),
    Column("kind", String(60), nullable=False),
    Column("subject", String(ID)),
    Column("order_key", String(ID), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("at", DateTime, nullable=False),  # village time of the change
    Column("queued_at", DateTime, nullable=False),  # machine time (UTC) of the commit
    Column("delivery_id", String(40), nullable=False, unique=True),
    Column("status", String(12), nullable=False),  # pending, delivered, failed, cancelled
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("first_attempt_at", DateTime),
    Column("next_attempt_at", DateTime, nullable=False),
    Column("claimed_until", DateTime),
    Column("last_error", Text),
    Column("last_status", Integer),
    Column("delivered_at", DateTime),
    Index("ix_outbox_pending", "status", "endpoint_id", "order_key", "id"),
)
