"""What the operator's commands do: check, import, grant, export, migrate, run."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.clock import SystemClock
from storage.db import create_engine, create_sessionmaker, migrate, transaction
from storage.groups import grant_coordinator, group_for_chat
from storage.plan_export import ExportFormat, export_group
from storage.plan_import import import_plan
from storage.planfile import PlanFile, PlanFileError, load_plan
from wgbot.logs import configure_logging
from wgbot.settings import Settings

OK = 0
PROBLEMS = 1


@contextlib.asynccontextmanager
async def _database(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """The migrated database for one command, closed afterwards whatever happens."""
    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()


def _err(message: str) -> None:
    print(f"wgbot: {message}", file=sys.stderr)


def _load(path: Path) -> PlanFile | None:
    try:
        return load_plan(path)
    except PlanFileError as exc:
        count = len(exc.problems)
        _err(f"{path}: {count} problem{'s' if count != 1 else ''}, nothing was changed")
        for problem in exc.problems:
            print(f"  {problem.location}: {problem.message}", file=sys.stderr)
        return None


def check(path: Path) -> int:
    """Validate a plan file; exit 1 listing every problem."""
    plan = _load(path)
    if plan is None:
        return PROBLEMS
    milestones = sum(len(c.milestones) for c in plan.commitments)
    print(
        f"{path}: OK: {len(plan.commitments)} commitments, {milestones} milestones, "
        f"{len(plan.agencies)} agencies, {len(plan.meetings)} meetings"
    )
    return OK


async def migrate_database(settings: Settings) -> int:
    async with _database(settings):
        print("database schema is up to date")
    return OK


async def import_file(settings: Settings, path: Path, chat_id: int, name: str | None) -> int:
    """Create or update the chat's working group from a plan file, all or nothing."""
    plan = _load(path)
    if plan is None:
        return PROBLEMS
    async with _database(settings) as sessionmaker, transaction(sessionmaker) as session:
        summary = await import_plan(
            session=session,
            plan=plan,
            chat_id=chat_id,
            now=SystemClock().now(),
            name=name,
            default_name=path.stem,
            default_timezone=settings.timezone,
            default_language=settings.language,
        )
    verb = "created" if summary.created_group else "updated"
    print(
        f"{verb} working group {summary.group_name!r} for chat {chat_id}: "
        f"{summary.commitments} commitments, {summary.milestones} milestones, "
        f"{summary.agencies} agencies, {summary.meetings_added} meetings added"
    )
    if summary.statuses_kept:
        print(
            "kept the members' reported status of milestones "
            + ", ".join(summary.statuses_kept)
            + " (a plan file's status is only a starting value)"
        )
    if summary.archived:
        print("archived (not in this file; history kept): " + ", ".join(summary.archived))
    return OK


async def grant(settings: Settings, chat_id: int, user_id: int) -> int:
    async with _database(settings) as sessionmaker, transaction(sessionmaker) as session:
        group = await group_for_chat(session=session, chat_id=chat_id, include_inactive=True)
        if group is None:
            _err(f"no working group is linked to chat {chat_id}; run `wgbot import` first")
            return PROBLEMS
        changed = await grant_coordinator(
            session=session, group=group, telegram_user_id=user_id, now=SystemClock().now()
        )
    print(f"user {user_id} is {'now' if changed else 'already'} a coordinator of {group.name!r}")
    return OK


async def export(settings: Settings, chat_id: int, fmt: str, output: Path | None) -> int:
    async with _database(settings) as sessionmaker, transaction(sessionmaker) as session:
        group = await group_for_chat(session=session, chat_id=chat_id, include_inactive=True)
        if group is None:
            _err(f"no working group is linked to chat {chat_id}")
            return PROBLEMS
        data = await export_group(
            session=session, group=group, fmt=ExportFormat(fmt), now=SystemClock().now()
        )
    if output is not None:
        await asyncio.to_thread(output.write_bytes, data)
        print(f"wrote {output} ({len(data)} bytes)")
    elif fmt == "xlsx" and sys.stdout.isatty():
        _err("xlsx is binary: give -o <file>")
        return PROBLEMS
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return OK


def run(settings: Settings) -> int:
    from wgbot.lifecycle import RunError, serve

    token = settings.require_token().get_secret_value()
    secrets = [token]
    if settings.webhook_secret is not None:
        secrets.append(settings.webhook_secret.get_secret_value())
    configure_logging(secrets=secrets)
    try:
        asyncio.run(serve(settings))
    except RunError as exc:
        _err(str(exc))
        return PROBLEMS
    return OK
