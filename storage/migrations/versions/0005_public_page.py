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


def downgrade() -> None:
    with op.batch_alter_table("working_group", schema=None) as batch_op:
        batch_op.drop_constraint("uq_working_group_public_slug", type_="unique")
        batch_op.drop_column("public_slug")
