"""Plans for the benchmarks, and many working groups inserted fast.

`generated_plan` makes a plan of any size (the issue's 200 commitments, the scale
scenario's 20 milestones). `link_groups` imports a plan once with the real import
(`storage.plan_import.import_plan`, what `wgbot import` runs), then copies that group's
rows for every other chat with bulk inserts: a thousand groups take seconds, not the
minutes a thousand imports would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.db import create_sessionmaker, transaction
from storage.models import (
    Agency,
    Chat,
    Commitment,
    Meeting,
    Milestone,
    WorkingGroup,
    commitment_supporting_agency,
)
from storage.plan_import import import_plan
from storage.planfile import PlanFile, load_plan
from wgbot.demo import example_plan_path

STATUSES = ("not_started", "limited", "substantial", "complete")
CHUNK = 2_000  # rows per INSERT batch


def example_plan() -> PlanFile:
    return load_plan(example_plan_path())


def generated_plan(
    commitments: int,
    milestones_each: int = 3,
    *,
    today: dt.date | None = None,
    meeting: str | None = "every tue 10:00",
    agencies: int = 6,
) -> PlanFile:
    """A valid plan of `commitments` commitments with `milestones_each` milestones each;
    due dates spread over the year around `today`, so some are overdue, some due soon."""
    today = today or dt.datetime.now(dt.UTC).date()
    codes = [f"AG{i}" for i in range(1, agencies + 1)]
    spec: dict[str, Any] = {
        "working_group": {
            "name": f"Bench group ({commitments} commitments)",
            "timezone": "Asia/Ulaanbaatar",
            "language": "en",
        },
        "agencies": [{"code": c, "name": f"Agency {c}"} for c in codes],
        "commitments": [
            {
                "number": str(c),
                "title": f"Commitment {c}: open data on public spending, area {c}",
                "lead_agency": codes[c % len(codes)],
                "milestones": [
                    {
                        "number": f"{c}.{m}",
                        "title": f"Milestone {c}.{m}: publish the dataset and its guide",
                        "responsible": codes[(c + m) % len(codes)],
                        "due": (today + dt.timedelta(days=(c * 7 + m * 11) % 365 - 180)),
                        "status": STATUSES[(c + m) % len(STATUSES)],
                    }
                    for m in range(1, milestones_each + 1)
                ],
            }
            for c in range(1, commitments + 1)
        ],
        "meetings": [{"title": "Working group meeting", "when": meeting}] if meeting else [],
    }
    return PlanFile.model_validate(spec)


async def import_one(engine: AsyncEngine, plan: PlanFile, chat_id: int, now: dt.datetime) -> int:
    """What `wgbot import plan --chat <chat_id>` does; the new group's id."""
    async with transaction(create_sessionmaker(engine)) as session:
        summary = await import_plan(session=session, plan=plan, chat_id=chat_id, now=now)
    return summary.group_id


async def link_groups(
    engine: AsyncEngine, plan: PlanFile, chat_ids: Sequence[int], now: dt.datetime
) -> None:
    """Every chat linked to its own working group holding `plan`."""
    if not chat_ids:
        return
    template = await import_one(engine, plan, chat_ids[0], now)
    await clone_group(engine, template, chat_ids[1:])


async def clone_group(engine: AsyncEngine, template: int, chat_ids: Sequence[int]) -> None:
    """Copies of working group `template` (its chat, agencies, commitments, milestones and
    meetings), one per chat in `chat_ids`, with bulk inserts."""
    async with engine.begin() as conn:
        rows = {table: await _rows_of(conn, table, template) for table in _TABLES}
        next_id = {table: await _next_id(conn, table) for table in _TABLES if table != "chat"}
        batches: dict[str, list[dict[str, Any]]] = {table: [] for table in _TABLES}
        for chat_id in chat_ids:
            _copy(rows, next_id, batches, chat_id)
            if len(batches["milestone"]) >= CHUNK:
                await _flush(conn, batches)
        await _flush(conn, batches)
        if engine.dialect.name == "postgresql":
            for table in next_id:
                if table != _LINK:
                    await conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT max(id) FROM {table}))"
                        )
                    )


_LINK = commitment_supporting_agency.name
_MODELS: dict[str, Table] = {
    "working_group": WorkingGroup.__table__,  # type: ignore[dict-item]
    "chat": Chat.__table__,  # type: ignore[dict-item]
    "agency": Agency.__table__,  # type: ignore[dict-item]
    "commitment": Commitment.__table__,  # type: ignore[dict-item]
    _LINK: commitment_supporting_agency,
    "milestone": Milestone.__table__,  # type: ignore[dict-item]
    "meeting": Meeting.__table__,  # type: ignore[dict-item]
}
_TABLES = tuple(_MODELS)  # parents before children


async def _rows_of(conn: AsyncConnection, table: str, group: int) -> list[dict[str, Any]]:
    model = _MODELS[table]
    if table == "working_group":
        query = select(model).where(model.c.id == group)
    elif table == _LINK:
        owned = select(Commitment.id).where(Commitment.working_group_id == group)
        query = select(model).where(model.c.commitment_id.in_(owned))
    else:
        query = select(model).where(model.c.working_group_id == group)
    return [dict(r) for r in (await conn.execute(query)).mappings()]


async def _next_id(conn: AsyncConnection, table: str) -> int:
    if table == _LINK:
        return 0
    model = _MODELS[table]
    return int(await conn.scalar(select(func.coalesce(func.max(model.c.id), 0))) or 0) + 1


def _copy(
    rows: dict[str, list[dict[str, Any]]],
    next_id: dict[str, int],
    batches: dict[str, list[dict[str, Any]]],
    chat_id: int,
) -> None:
    """One copy of the template's rows, with fresh ids and foreign keys that follow."""
    new_ids: dict[str, dict[int, int]] = {}
    for table in ("working_group", "agency", "commitment", "milestone", "meeting"):
        mapping = new_ids[table] = {}
        for row in rows[table]:
            mapping[row["id"]] = next_id[table]
            next_id[table] += 1

    def ref(table: str, old: int | None) -> int | None:
        return None if old is None else new_ids[table][old]

    group = new_ids["working_group"]
    for row in rows["working_group"]:
        batches["working_group"].append({**row, "id": group[row["id"]]})
    for row in rows["chat"]:
        batches["chat"].append(
            {**row, "id": chat_id, "working_group_id": group[row["working_group_id"]]}
        )
    for row in rows["agency"]:
        batches["agency"].append(
            {**row, "id": new_ids["agency"][row["id"]], "working_group_id": ref_group(row, group)}
        )
    for row in rows["commitment"]:
        batches["commitment"].append(
            {
                **row,
                "id": new_ids["commitment"][row["id"]],
                "working_group_id": ref_group(row, group),
                "lead_agency_id": ref("agency", row["lead_agency_id"]),
            }
        )
    for row in rows[_LINK]:
        batches[_LINK].append(
            {
                **row,
                "commitment_id": new_ids["commitment"][row["commitment_id"]],
                "agency_id": new_ids["agency"][row["agency_id"]],
            }
        )
    for row in rows["milestone"]:
        batches["milestone"].append(
            {
                **row,
                "id": new_ids["milestone"][row["id"]],
                "working_group_id": ref_group(row, group),
                "commitment_id": new_ids["commitment"][row["commitment_id"]],
                "responsible_agency_id": ref("agency", row["responsible_agency_id"]),
            }
        )
    for row in rows["meeting"]:
        batches["meeting"].append(
            {
                **row,
                "id": new_ids["meeting"][row["id"]],
                "working_group_id": ref_group(row, group),
                "created_by_member_id": None,
            }
        )


def ref_group(row: dict[str, Any], group: dict[int, int]) -> int:
    return group[row["working_group_id"]]


async def _flush(conn: AsyncConnection, batches: dict[str, list[dict[str, Any]]]) -> None:
    for table in _TABLES:
        batch = batches[table]
        for start in range(0, len(batch), CHUNK):
            await conn.execute(insert(_MODELS[table]), batch[start : start + CHUNK])
        batch.clear()
