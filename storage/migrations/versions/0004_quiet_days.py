"""Quiet days: the group's holidays, working week and own days off; snoozed reminders

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 16:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("working_group", schema=None) as batch_op:
        batch_op.add_column(sa.Column("holiday_country", sa.String(length=8), nullable=True))
        batch_op.add_column(
            sa.Column("workdays", sa.String(length=7), server_default="01234", nullable=False)
        )
    op.create_table(
        "day_off",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("working_group_id", sa.Integer(), nullable=False),
        sa.Column("first", sa.Date(), nullable=False),
        sa.Column("last", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["working_group_id"],
            ["working_group.id"],
            name=op.f("fk_day_off_working_group_id_working_group"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_day_off")),
    )
    with op.batch_alter_table("day_off", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_day_off_working_group_id"), ["working_group_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("day_off", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_day_off_working_group_id"))
    op.drop_table("day_off")
    with op.batch_alter_table("working_group", schema=None) as batch_op:
        batch_op.drop_column("workdays")
        batch_op.drop_column("holiday_country")
