"""The public progress page: the group's publish slug

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 16:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("working_group", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_slug", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_working_group_public_slug", ["public_slug"])
    # /healthz: when the cluster's planner last finished a pass, readable by every process.
    op.create_table(
        "scheduler_beat",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("worker", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_beat")),
    )


def downgrade() -> None:
    op.drop_table("scheduler_beat")
    with op.batch_alter_table("working_group", schema=None) as batch_op:
        batch_op.drop_constraint("uq_working_group_public_slug", type_="unique")
        batch_op.drop_column("public_slug")
