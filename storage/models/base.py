"""The declarative base every model shares: one metadata, stable constraint names,
aware UTC datetimes, enums stored as their values."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    Enum,
    MetaData,
)
from sqlalchemy.orm import DeclarativeBase

from storage.types import UTCDateTime

# Stable constraint names, so Alembic migrations are the same on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def stored_enum(cls: type[Any], name: str) -> Enum:
    # Stored as the enum's value in a VARCHAR with a CHECK-free column: adding a
    # status or sector later is a data change, not a schema migration on PostgreSQL.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda e: [m.value for m in e],
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime()}
