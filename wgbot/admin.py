"""What the operator's commands do: check, import, grant, export, migrate, run.

Also how every command (and `wgbot run`, see wgbot.lifecycle) opens the database: a
database that cannot be reached or refuses us is one line naming WGBOT_DATABASE_URL,
after a few brief tries when it merely does not answer yet (a server still starting).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.i18n import translator
from domain.clock import SystemClock
from storage.db import create_engine, create_sessionmaker, migrate, transaction
from storage.groups import grant_coordinator, group_for_chat
from storage.plan_export import ExportFormat, export_group
from storage.plan_import import import_plan
from storage.planfile import PlanFile, PlanFileError, load_plan
from wgbot.logs import Redactor, run_protected
from wgbot.settings import Settings, SettingsError

OK = 0
PROBLEMS = 1
# At start, a server that does not answer is tried this often, with these pauses
# between tries (about 3 s in all), before the one line: enough for a database or
# Bot API container that is still starting, short enough to see a typo at once.
START_ATTEMPTS = 3
START_PAUSES = (1.0, 2.0)
CONNECT_TIMEOUT = 5.0  # seconds for one try to reach the database (as PTB's connect)
CANNOT_CONNECT_NOW = "57P03"  # PostgreSQL: the database system is starting up

T = TypeVar("T")
log = logging.getLogger(__name__)


async def at_start(
    action: Callable[[], Awaitable[T]],
    *,
    transient: Callable[[Exception], bool],
    what: str,
    reason: Callable[[Exception], str] = str,
) -> T:
    """`action`, tried again (START_ATTEMPTS in all) while it fails with a `transient`
    error; the last error, or any other, propagates. `reason` words an error for the
    log line of each new try."""
    for attempt in range(1, START_ATTEMPTS + 1):
        try:
            return await action()
        except Exception as exc:
            if attempt == START_ATTEMPTS or not transient(exc):
                raise
            pause = START_PAUSES[min(attempt, len(START_PAUSES)) - 1]
            # INFO: `wgbot run` shows it among its log lines; the other commands (at
            # WARNING) print only the one line of the last failure.
            log.info("%s does not answer (%s); trying again in %.0f s", what, reason(exc), pause)
            await asyncio.sleep(pause)
    raise AssertionError("unreachable")  # the loop returns or raises


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and its causes: SQLAlchemy wraps asyncpg's, which wrap OSError."""
    found: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in found:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def _database_transient(exc: Exception) -> bool:
    """Worth another try: nothing answered, or PostgreSQL is still starting up."""
    return any(
        isinstance(e, TimeoutError)
        # With an errno: refused, reset, unreachable, no such host (yet, in a compose
        # network). Without one it is the server's refusal (e.g. of TLS): final.
        or (isinstance(e, OSError) and e.errno is not None)
        or getattr(e, "sqlstate", None) == CANNOT_CONNECT_NOW
        for e in _chain(exc)
    )


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, socket.gaierror):
        return "unknown host name"
    if isinstance(exc, TimeoutError):
        return f"no answer within {CONNECT_TIMEOUT:.0f} s"
    if exc.errno == errno.ECONNREFUSED:
        return "connection refused"
    return exc.strerror or str(exc) or type(exc).__name__


def _db_reason(exc: BaseException) -> str:
    """The database's own words (first line), without SQLAlchemy's decoration."""
    orig = exc.orig if isinstance(exc, DBAPIError) else None
    words = str(orig if orig is not None else exc).strip().splitlines()
    return words[0] if words else type(exc).__name__


def database_problem(settings: Settings, exc: BaseException, *, migrating: bool = False) -> str:
    """One line naming WGBOT_DATABASE_URL for a database we cannot use; no password."""
    where = settings.database_address()
    os_error = next((e for e in _chain(exc) if isinstance(e, OSError)), None)
    if settings.is_sqlite:
        reason = os_error.strerror if os_error is not None else _db_reason(exc)
        line = f"cannot open the SQLite database {where} ({reason})"
    elif os_error is not None:
        line = f"cannot connect to the database at {where} ({_os_reason(os_error)})"
    elif migrating:
        line = f"could not bring the schema up to date at {where}: {_db_reason(exc)}"
    else:
        line = f"the database at {where} refused the connection: {_db_reason(exc)}"
    return Redactor(settings.secrets())(f"WGBOT_DATABASE_URL: {line}")


def open_engine(settings: Settings) -> AsyncEngine:
    """The engine (no connection yet; a SQLite file's directory is created)."""
    try:
        return create_engine(settings.database_url)
    except OSError as exc:
        raise SettingsError(database_problem(settings, exc)) from None


async def connect_and_migrate(engine: AsyncEngine, settings: Settings) -> None:
    """Reach the database (a few tries if it does not answer), then bring the schema up
    to date; what goes wrong is a SettingsError naming WGBOT_DATABASE_URL."""

    async def probe() -> None:
        async with asyncio.timeout(CONNECT_TIMEOUT), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    what = f"the database at {settings.database_address()}"
    try:
        await at_start(probe, transient=_database_transient, what=what)
    except (DBAPIError, OSError) as exc:
        raise SettingsError(database_problem(settings, exc)) from None
    try:
        await migrate(engine)
    except (DBAPIError, OSError) as exc:
        raise SettingsError(database_problem(settings, exc, migrating=True)) from None


@contextlib.asynccontextmanager
async def _database(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """The migrated database for one command, closed afterwards whatever happens."""
    engine = open_engine(settings)
    try:
        await connect_and_migrate(engine, settings)
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()


def _err(message: str) -> None:
    print(f"wgbot: {message}", file=sys.stderr)


def _problems(path: Path, error: PlanFileError) -> None:
    count = len(error.problems)
    _err(f"{path}: {count} problem{'s' if count != 1 else ''}, nothing was changed")
    for problem in error.problems:
        print(f"  {problem}", file=sys.stderr)


def _load(path: Path) -> PlanFile | None:
    try:
        return load_plan(path)
    except PlanFileError as exc:
        _problems(path, exc)
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
    try:
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
    except PlanFileError as exc:
        # What only the import can see (a meeting rule with no date from today on).
        _problems(path, exc)
        return PROBLEMS
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
            session=session,
            group=group,
            fmt=ExportFormat(fmt),
            now=SystemClock().now(),
            words=translator(group.language),  # the group's language, as /export
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


def run(settings: Settings, redactor: Redactor) -> int:
    """`wgbot run`; a setting that does not work raises SettingsError (exit 2)."""
    from wgbot.lifecycle import RunError, serve

    settings.require_token()
    logging.getLogger().setLevel(logging.INFO)  # what it does, from here on
    try:
        run_protected(serve(settings), redactor)
    except RunError as exc:
        _err(redactor(str(exc)))
        return PROBLEMS
    return OK
