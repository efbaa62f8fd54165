"""the village and its operations

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-25 07:19:46.027927
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("shinobi_id", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_account")),
    )
    op.create_table(
        "assignment",
        sa.Column("mission_id", sa.String(length=200), nullable=False),
        sa.Column("shinobi_id", sa.String(length=200), nullable=False),
        sa.Column("is_leader", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("mission_id", "shinobi_id", name=op.f("pk_assignment")),
    )
    op.create_table(
        "checkin",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("mission_id", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkin")),
    )
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.create_index("ix_checkin_mission", ["mission_id"], unique=False)

    op.create_table(
        "commitment",
        sa.Column("shinobi_id", sa.String(length=200), nullable=False),
        sa.Column("mission_id", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("shinobi_id", name=op.f("pk_commitment")),
    )
    op.create_table(
        "countermeasure",
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("ability", sa.String(length=200), nullable=False),
        sa.Column("advice", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_countermeasure")),
    )
    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index("ix_event_subject", ["subject"], unique=False)

    op.create_table(
        "history",
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("mission_id", sa.String(length=200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("rank", sa.String(length=2), nullable=False),
        sa.Column("route", sa.JSON(), nullable=False),
        sa.Column("kind", sa.String(length=200), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("leader", sa.String(length=200), nullable=False),
        sa.Column("departed", sa.DateTime(), nullable=False),
        sa.Column("returned", sa.DateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("objective_taken_by", sa.String(length=200), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_history")),
    )
    op.create_table(
        "history_encounter",
        sa.Column("history", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("threat", sa.String(length=200), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("history", "position", name=op.f("pk_history_encounter")),
    )
    op.create_table(
        "history_injury",
        sa.Column("history", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("shinobi", sa.String(length=200), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("recovery_days", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("history", "position", name=op.f("pk_history_injury")),
    )
    op.create_table(
        "history_member",
        sa.Column("history", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("shinobi", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("history", "position", name=op.f("pk_history_member")),
    )
    with op.batch_alter_table("history_member", schema=None) as batch_op:
        batch_op.create_index("ix_history_member_shinobi", ["shinobi"], unique=False)

    op.create_table(
        "mission",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("rank", sa.String(length=2), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=200), nullable=True),
        sa.Column("client", sa.JSON(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("route", sa.JSON(), nullable=False),
        sa.Column("earliest", sa.Date(), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("reward_ryo", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("effective_rank", sa.String(length=2), nullable=True),
        sa.Column("assessment", sa.JSON(), nullable=True),
        sa.Column("departed_at", sa.DateTime(), nullable=True),
        sa.Column("checkins_due", sa.JSON(), nullable=True),
        sa.Column("returned_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mission")),
    )
    with op.batch_alter_table("mission", schema=None) as batch_op:
        batch_op.create_index("ix_mission_status", ["status"], unique=False)

    op.create_table(
        "organization",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("interests", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization")),
    )
    op.create_table(
        "place",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place")),
    )
    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
    )
    op.create_table(
        "risk_model",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("fitted_at", sa.DateTime(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_model")),
    )
    op.create_table(
        "road",
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("from_place", sa.String(length=200), nullable=False),
        sa.Column("to_place", sa.String(length=200), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_road")),
    )
    op.create_table(
        "role",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("requirements", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_role")),
    )
    op.create_table(
        "shinobi",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("rank", sa.String(length=20), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("techniques", sa.JSON(), nullable=False),
        sa.Column("team", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("available_from", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shinobi")),
    )
    op.create_table(
        "sighting",
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("threat", sa.String(length=200), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_sighting")),
    )
    op.create_table(
        "standing_order",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standing_order")),
    )
    op.create_table(
        "threat",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("rank", sa.String(length=2), nullable=False),
        sa.Column("organization", sa.String(length=200), nullable=True),
        sa.Column("abilities", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_threat")),
    )
    op.create_table(
        "village",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("today", sa.Date(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_village")),
    )
    op.create_table(
        "wellbeing_clearance",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("shinobi_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("cleared_on", sa.Date(), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wellbeing_clearance")),
    )
    op.create_table(
        "api_token",
        sa.Column("token_hash", sa.String(length=128), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account"],
            ["account.name"],
            name=op.f("fk_api_token_account_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )


def downgrade() -> None:
    op.drop_table("api_token")
    op.drop_table("wellbeing_clearance")
    op.drop_table("village")
    op.drop_table("threat")
    op.drop_table("standing_order")
    op.drop_table("sighting")
    op.drop_table("shinobi")
    op.drop_table("role")
    op.drop_table("road")
    op.drop_table("risk_model")
    op.drop_table("plan")
    op.drop_table("place")
    op.drop_table("organization")
    with op.batch_alter_table("mission", schema=None) as batch_op:
        batch_op.drop_index("ix_mission_status")

    op.drop_table("mission")
    with op.batch_alter_table("history_member", schema=None) as batch_op:
        batch_op.drop_index("ix_history_member_shinobi")

    op.drop_table("history_member")
    op.drop_table("history_injury")
    op.drop_table("history_encounter")
    op.drop_table("history")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_subject")

    op.drop_table("event")
    op.drop_table("countermeasure")
    op.drop_table("commitment")
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.drop_index("ix_checkin_mission")

    op.drop_table("checkin")
    op.drop_table("assignment")
    op.drop_table("account")
