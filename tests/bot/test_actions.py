"""Transcripts: action items are listed and exported like milestones."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.clock import FixedClock
from fakebot import TranscriptEntry
from storage.db import create_sessionmaker, transaction
from storage.digest import collect_digest
from storage.models import ActionUpdate, WorkingGroup
from storage.planfile import parse_plan_bytes
from tests.bot.conftest import BAT, GROUP, OYUNA, link_example
from wgbot.harness import BotRun

MEETING_DAY = dt.datetime(2022, 9, 13, 9, 45, tzinfo=dt.timezone(dt.timedelta(hours=8)))


async def _meeting_with_actions(run: BotRun, engine: AsyncEngine, clock: FixedClock) -> None:
    await link_example(engine)
    clock.set(MEETING_DAY)
    await run.unique_reply(GROUP, OYUNA, "/meeting start")
    first = await run.unique_reply(
        GROUP, BAT, "/action mrpam Publish the <i>licence</i> register by 2022.09.20"
    )
    assert first.text == (
        "📌 A1 recorded: MRPAM · Publish the <i>licence</i> register · due 2022-09-20"
    )
    second = await run.unique_reply(GROUP, BAT, "/action Procurement Agency Draft the rules")
    assert (second.text or "").startswith("📌 A2 recorded: PPA · Draft the rules")
    await run.say(GROUP, OYUNA, "/meeting end")


async def test_actions_lists_the_open_action_items(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    await _meeting_with_actions(run, engine, clock)
    listed = await run.unique_reply(GROUP, BAT, "/actions")
    lines = (listed.text or "").split("\n")
    assert lines[0] == "📌 Open action items"
    assert lines[1] == (
        "⚪ A1 · MRPAM · Publish the <i>licence</i> register · 2022-09-20 · not started"
    )
    assert lines[2] == "⚪ A2 · PPA · Draft the rules · no due date · not started"


async def test_bad_action_input_changes_nothing(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    await link_example(engine)
    clock.set(MEETING_DAY)
    await run.unique_reply(GROUP, OYUNA, "/meeting start")
    unknown = await run.unique_reply(GROUP, BAT, "/action XYZQ Something")
    assert "No agency matches “XYZQ”, so nothing was recorded" in (unknown.text or "")
    bad_date = await run.unique_reply(GROUP, BAT, "/action MRPAM Something by tomorrow")
    assert "“tomorrow” is not a date" in (bad_date.text or "")
    usage = await run.unique_reply(GROUP, BAT, "/action MRPAM")
    assert (usage.text or "").startswith("Usage: /action <agency> <text> [by <YYYY-MM-DD>]")
    listed = await run.unique_reply(GROUP, BAT, "/actions")
    assert (listed.text or "").startswith("No open action items")
    missing = await run.unique_reply(GROUP, BAT, "/update A7 complete")
    assert "There is no action item A7" in (missing.text or "")
    history = await run.unique_reply(GROUP, BAT, "/history A7")
    assert "There is no action item A7" in (history.text or "")


async def test_deadlines_overdue_and_mine_show_action_items(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    await _meeting_with_actions(run, engine, clock)
    deadlines = await run.unique_reply(GROUP, BAT, "/deadlines 10")
    assert "A1 Publish the <i>licence</i> register" in (deadlines.text or "")
    clock.set(dt.datetime(2022, 9, 25, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    overdue = await run.unique_reply(GROUP, BAT, "/overdue")
    assert "A1 Publish the <i>licence</i> register" in (overdue.text or "")
    assert "A2" not in (overdue.text or "")  # no due date: never overdue
    await run.say(GROUP, BAT, "/iam MRPAM")
    mine = await run.unique_reply(GROUP, BAT, "/mine")
    assert "A1 Publish the <i>licence</i> register" in (mine.text or "")
    await run.unique_reply(GROUP, BAT, "/update A1 done")
    overdue = await run.unique_reply(GROUP, BAT, "/overdue")
    assert "A1" not in (overdue.text or "")
    async with transaction(create_sessionmaker(engine)) as session:
        assert len(list(await session.scalars(select(ActionUpdate)))) == 1


async def test_the_digest_and_the_exports_carry_action_items(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    await _meeting_with_actions(run, engine, clock)
    async with transaction(create_sessionmaker(engine)) as session:
        group = await session.scalar(select(WorkingGroup))
        assert group is not None
        data = await collect_digest(session=session, group=group, now=clock.now())
    assert [d.number for d in data.deadlines if d.number.startswith("A")] == ["A1"]
    assert data.updates == ()
    clock.advance(dt.timedelta(hours=2))
    await run.unique_reply(GROUP, BAT, "/update A2 limited Draft circulated")
    async with transaction(create_sessionmaker(engine)) as session:
        group = await session.scalar(select(WorkingGroup))
        assert group is not None
        data = await collect_digest(session=session, group=group, now=clock.now())
    [change] = data.updates
    assert (change.number, change.title, change.reporter) == ("A2", "Draft the rules", "Bat")
    md = await run.unique_reply(GROUP, OYUNA, "/export md")
    assert md.document is not None
    text = md.document.data.decode()
    assert "## Action items" in text
    assert "| A1 | Publish the \\<i\\>licence\\</i\\> register | MRPAM | 2022-09-20 |" in text
    ics = await run.unique_reply(GROUP, OYUNA, "/export ics")
    assert ics.document is not None
    calendar = ics.document.data.decode()
    assert "UID:action-" in calendar and "A1 Publish the <i>licence</i> register" in calendar
    assert "A2" not in calendar  # no due date, no calendar event


def _buttons(entry: TranscriptEntry) -> dict[str, str]:
    rows = (entry.reply_markup or {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


async def _press(run: BotRun, menu: TranscriptEntry, starts: str) -> TranscriptEntry:
    assert menu.message_id is not None
    [data] = [d for label, d in _buttons(menu).items() if label.startswith(starts)]
    after = await run.press(GROUP, BAT, menu.message_id, data)
    [edit] = [e for e in after if e.kind == "edit"]
    return edit


async def test_the_guided_update_offers_open_action_items(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    await _meeting_with_actions(run, engine, clock)
    menu = await run.unique_reply(GROUP, BAT, "/update")
    assert "📌 Action items (2)" in _buttons(menu)
    actions = await _press(run, menu, "📌 Action items")
    assert actions.text == "Which action item? The open ones:"
    assert [k for k in _buttons(actions) if k.startswith("⚪")] == [
        "⚪ A1 Publish the <i>licence</i> register",
        "⚪ A2 Draft the rules",
    ]
    back = await _press(run, actions, "‹ Back")
    assert back.text == menu.text
    actions = await _press(run, back, "📌 Action items")
    status = await _press(run, actions, "⚪ A2")
    assert (status.text or "").startswith("📝 A2 Draft the rules")
    note = await _press(run, status, "🟠")
    done = await run.press(GROUP, BAT, note.message_id or 0, _buttons(note)["Skip ›"])
    [edit] = [e for e in done if e.kind == "edit"]
    assert (edit.text or "").startswith("🟠 Recorded: A2 Draft the rules")
    listed = await run.unique_reply(GROUP, BAT, "/actions")
    assert "🟠 A2 · PPA · Draft the rules · no due date · substantial" in (listed.text or "")


async def test_the_workbook_export_lists_action_items_and_still_imports(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    await _meeting_with_actions(run, engine, clock)
    reply = await run.unique_reply(GROUP, OYUNA, "/export xlsx")
    assert reply.document is not None
    data = reply.document.data
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["action_items"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "action_number",
        "action_text",
        "action_agency",
        "action_due",
        "action_status",
    ]
    assert rows[1][:3] == ["A1", "Publish the <i>licence</i> register", "MRPAM"]
    assert rows[2][:3] == ["A2", "Draft the rules", "PPA"]
    plan = parse_plan_bytes(data, "xlsx")  # the plan reads back; the sheet is for people
    assert len(plan.commitments) == 9


async def test_an_ambiguous_status_word_gets_the_scale_as_buttons(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    await _meeting_with_actions(run, engine, clock)
    menu = await run.unique_reply(GROUP, BAT, "/update A2 in progress Draft circulated")
    assert (menu.text or "").startswith("“in progress” can mean limited or substantial progress.")
    assert "A2 Draft the rules" in (menu.text or "")
    done = await _press(run, menu, "🟡")
    assert (done.text or "").startswith("🟡 Recorded: A2 Draft the rules\nNow limited")
    history = await run.unique_reply(GROUP, BAT, "/history a2")
    assert "Draft circulated" in (history.text or "")
