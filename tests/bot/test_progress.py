"""Transcripts: /update (with words, and guided with buttons) and /history."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.render import STATUS_MARK
from domain.clock import FixedClock
from domain.enums import Status
from fakebot import FakeTelegram, TranscriptEntry
from storage.db import create_sessionmaker, transaction
from storage.groups import get_or_create_member, group_for_chat
from storage.models import Milestone, ProgressUpdate
from storage.plan_import import import_plan
from storage.planfile import load_plan
from storage.progress import find_milestone, record_update
from tests.bot.conftest import BAT, GROUP, NOW, OYUNA, link_example
from tests.conftest import ROOT, import_into
from wgbot.harness import BotRun, settings_for

TITLE_3_2 = "Adopt a corruption-risk check before contracts are awarded"


# --- helpers -------------------------------------------------------------------------


def buttons(entry: TranscriptEntry) -> dict[str, str]:
    """label -> callback_data of the inline keyboard under a bot message."""
    rows = (entry.reply_markup or {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


def button(entry: TranscriptEntry, starts: str) -> str:
    """The data of the one button whose label starts with `starts`."""
    found = [data for label, data in buttons(entry).items() if label.startswith(starts)]
    assert len(found) == 1, (starts, list(buttons(entry)))
    return found[0]


def edited(entries: list[TranscriptEntry]) -> TranscriptEntry:
    """The menu's new content after a button press (exactly one edit)."""
    edits = [e for e in entries if e.kind == "edit"]
    assert len(edits) == 1, [(e.kind, e.text) for e in entries]
    return edits[0]


def answers(entries: list[TranscriptEntry]) -> list[str | None]:
    return [e.text for e in entries if e.kind == "callback_answer"]


async def press(run: BotRun, user: int, menu: TranscriptEntry, starts: str) -> TranscriptEntry:
    """Press the button labelled `starts…` under `menu`; the menu as it looks afterwards."""
    assert menu.message_id is not None
    after = await run.press(GROUP, user, menu.message_id, button(menu, starts))
    assert answers(after) == [None]  # every press is answered, silently when all is well
    return edited(after)


async def updates_of(engine: AsyncEngine, number: str) -> list[ProgressUpdate]:
    async with transaction(create_sessionmaker(engine)) as session:
        rows = await session.scalars(
            select(ProgressUpdate)
            .join(Milestone, Milestone.id == ProgressUpdate.milestone_id)
            .where(Milestone.number == number)
            .order_by(ProgressUpdate.id)
        )
        return list(rows)


async def status_of(engine: AsyncEngine, number: str) -> Status:
    async with transaction(create_sessionmaker(engine)) as session:
        status = await session.scalar(select(Milestone.status).where(Milestone.number == number))
        assert status is not None
        return status


async def note_reply(
    run: BotRun, fake: FakeTelegram, user: int, menu: TranscriptEntry, text: str
) -> list[TranscriptEntry]:
    """The user answers the flow's note prompt by replying to it."""
    update_id = fake.user_says(GROUP, user, text, reply_to=menu.message_id, token=run.token)
    await run.wait(update_id)
    return fake.bot_messages(GROUP, since_update=update_id)


# --- /update with words ----------------------------------------------------------------


async def test_an_update_is_recorded_and_shows_in_the_commitment(
    run: BotRun, engine: AsyncEngine
) -> None:
    await link_example(engine)
    reply = await run.unique_reply(
        GROUP, BAT, "/update 3.2 substantial Draft law submitted to parliament"
    )
    assert reply.text == (
        f"🟠 Recorded: 3.2 {TITLE_3_2}\nNow substantial (was: not started) · reported by Bat"
    )
    [row] = await updates_of(engine, "3.2")
    assert (row.status, row.note, row.reporter_name) == (
        Status.SUBSTANTIAL,
        "Draft law submitted to parliament",
        "Bat",
    )
    assert row.created_at == NOW and row.evidence_url is None
    assert await status_of(engine, "3.2") is Status.SUBSTANTIAL

    detail = await run.unique_reply(GROUP, OYUNA, "/commitment 3")
    assert detail.text is not None
    assert "· due 2023-03-31 · substantial" in detail.text
    assert "last update 2022-09-01, Bat: Draft law submitted to parliament" in detail.text


async def test_an_update_in_mongolian(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine, language="mn")
    reply = await run.unique_reply(
        GROUP, OYUNA, "/update 3.2 их хэмжээнд Төслийг УИХ-д өргөн барьсан"
    )
    assert reply.text == (
        f"🟠 Бүртгэлээ: 3.2 {TITLE_3_2}\n"
        "Одоо ихээхэн хэрэгжсэн (өмнө нь: хэрэгжилт эхлээгүй) · мэдээлсэн: Oyuna"
    )
    [row] = await updates_of(engine, "3.2")
    assert row.note == "Төслийг УИХ-д өргөн барьсан"
    detail = await run.unique_reply(GROUP, OYUNA, "/commitment 3")
    assert detail.text is not None
    assert "сүүлийн мэдээлэл 2022-09-01, Oyuna: Төслийг УИХ-д өргөн барьсан" in detail.text


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("/update 3.2 DONE", Status.COMPLETE),
        ("/update 3.2 finished: the check is in use", Status.COMPLETE),
        ("/update 3.2 not started yet", Status.NOT_STARTED),
        ("/update 3.2 Not_Started", Status.NOT_STARTED),
        ("/update 3.2 begun", Status.LIMITED),
        ("/update 3.2 mostly done", Status.SUBSTANTIAL),
        ("/update 3.2 dropped by the ministry", Status.WITHDRAWN),
        ("/update@wgbot_test_bot 3.2 дууссан", Status.COMPLETE),
        ("/update 3.2 Эхэлсэн", Status.LIMITED),
        ("/update 3.2 ихэнх нь хийгдсэн", Status.SUBSTANTIAL),
    ],
)
async def test_status_aliases(run: BotRun, engine: AsyncEngine, text: str, status: Status) -> None:
    await link_example(engine)
    reply = await run.unique_reply(GROUP, BAT, text)
    assert reply.text is not None and reply.text.startswith(f"{STATUS_MARK[status]} Recorded: 3.2 ")
    assert f"Now {status.value.replace('_', ' ')} (was: not started)" in reply.text
    assert await status_of(engine, "3.2") is status


async def test_an_unknown_milestone_is_named(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine)
    reply = await run.unique_reply(GROUP, BAT, "/update 42.1 done")
    assert reply.text == (
        "There is no milestone 42.1. Send /plan, then /commitment <number>, to see the milestones."
    )
    history = await run.unique_reply(GROUP, BAT, "/history 42.1")
    assert history.text == reply.text


async def test_an_unknown_status_gets_the_usage_and_the_words(
    run: BotRun, engine: AsyncEngine
) -> None:
    await link_example(engine)
    reply = await run.unique_reply(GROUP, BAT, "/update 3.2 halfway <there>")
    assert reply.text is not None
    assert reply.text.startswith("“halfway” is not a status I know.\n\nUsage: /update <milestone>")
    assert "Example: /update 3.2 substantial Draft law submitted to parliament" in reply.text
    assert "Status words: not started, limited, substantial, complete, withdrawn" in reply.text
    assert await updates_of(engine, "3.2") == []


async def test_an_unknown_status_in_mongolian(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine, language="mn")
    reply = await run.unique_reply(GROUP, BAT, "/update 3.2 хагас")
    assert reply.text is not None
    assert reply.text.startswith("«хагас» гэсэн төлөвийг би мэдэхгүй.\n\nХэрэглээ: /update")
    assert (
        "Төлөвийн үгс: хэрэгжилт эхлээгүй, хязгаарлагдмал хэрэгжсэн, ихээхэн хэрэгжсэн, "
        "бүрэн хэрэгжсэн, цуцалсан"
    ) in reply.text


@pytest.mark.parametrize("text", ["/update 3.2", "/update substantial 3.2", "/update <b>"])
async def test_too_little_gets_the_usage(run: BotRun, engine: AsyncEngine, text: str) -> None:
    await link_example(engine)
    reply = await run.unique_reply(GROUP, BAT, text)
    assert reply.text == (
        "Usage: /update <milestone> <status> [note]\n"
        "Example: /update 3.2 substantial Draft law submitted to parliament\n"
        "Or send /update alone and choose with buttons."
    )
    assert await updates_of(engine, "3.2") == []


async def test_an_archived_milestone_cannot_be_updated(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine)
    await run.unique_reply(GROUP, BAT, "/update 3.3 started")
    async with transaction(create_sessionmaker(engine)) as session:
        await session.execute(
            update(Milestone).where(Milestone.number == "3.3").values(archived=True)
        )
    reply = await run.unique_reply(GROUP, BAT, "/update 3.3 done")
    assert reply.text == (
        "Milestone 3.3 is archived (no longer in the plan), so it can't be updated. "
        "/history 3.3 still shows its updates."
    )
    assert [u.status for u in await updates_of(engine, "3.3")] == [Status.LIMITED]
    history = await run.unique_reply(GROUP, BAT, "/history 3.3")
    assert history.text is not None
    assert "archived: no longer in the plan" in history.text and "Bat · limited" in history.text


async def test_an_evidence_link_is_stored_and_shown(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine)
    url = "https://legalinfo.mn/law/detail?lawId=16532&lang=en"
    reply = await run.unique_reply(GROUP, BAT, f"/update 1.1 done Adopted, see {url}.")
    assert reply.raw_text is not None
    assert 'href="https://legalinfo.mn/law/detail?lawId=16532&amp;lang=en"' in reply.raw_text
    [row] = await updates_of(engine, "1.1")
    assert row.evidence_url == url and row.note == f"Adopted, see {url}."
    history = await run.unique_reply(GROUP, BAT, "/history 1.1")
    assert history.raw_text is not None and history.text is not None
    assert f"Adopted, see {url}." in history.text
    assert 'href="https://legalinfo.mn/law/detail?lawId=16532&amp;lang=en">evidence</a>' in (
        history.raw_text
    )


async def test_notes_cannot_inject_formatting(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine)
    hostile = 'Law <b>on</b> "secrets" & <a href="http://evil.example">click</a> </i>'
    # The fake parses HTML as strictly as Telegram: anything unescaped would be refused.
    await run.unique_reply(GROUP, BAT, f"/update 3.2 limited {hostile}")
    history = await run.unique_reply(GROUP, BAT, "/history 3.2")
    assert history.text is not None and hostile in history.text
    assert history.raw_text is not None and "<b>on</b>" not in history.raw_text
    # The link in the note is only evidence, shown as our own link, never as the note's <a>.
    assert 'href="http://evil.example&quot;&gt;click&lt;/a&gt;"' not in history.raw_text
    detail = await run.unique_reply(GROUP, BAT, "/commitment 3")
    assert detail.text is not None and hostile in detail.text


# --- ambiguous words --------------------------------------------------------------------


async def test_in_progress_asks_for_the_scale_then_records(
    run: BotRun, engine: AsyncEngine
) -> None:
    await link_example(engine)
    menu = await run.unique_reply(GROUP, BAT, "/update 3.2 in progress: draft rules ready")
    assert menu.text == (
        f"“in progress” can mean limited or substantial progress. How far along is 3.2 {TITLE_3_2}?"
        "\nNow: not started."
    )
    assert list(buttons(menu)) == [
        "🟡 limited",
        "🟠 substantial",
        "⚪ not started",
        "🟢 complete",
        "⚫ withdrawn",
        "‹ Back",
        "✖ Cancel",
    ]
    assert await updates_of(engine, "3.2") == []
    done = await press(run, BAT, menu, "🟠")
    assert done.text == (
        f"🟠 Recorded: 3.2 {TITLE_3_2}\nNow substantial (was: not started) · reported by Bat"
    )
    assert done.reply_markup is None
    [row] = await updates_of(engine, "3.2")
    assert (row.status, row.note) == (Status.SUBSTANTIAL, "draft rules ready")


async def test_ambiguous_in_mongolian(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine, language="mn")
    menu = await run.unique_reply(GROUP, OYUNA, "/update 1.2 хийгдэж байна https://opendata.mn")
    assert menu.text is not None
    assert menu.text.startswith("«хийгдэж байна» гэдэг нь «хязгаарлагдмал хэрэгжсэн» ч, «ихээхэн")
    assert list(buttons(menu))[:2] == ["🟡 хязгаарлагдмал хэрэгжсэн", "🟠 ихээхэн хэрэгжсэн"]
    done = await press(run, OYUNA, menu, "🟡")
    assert done.text is not None and done.text.startswith("🟡 Бүртгэлээ: 1.2")
    assert "🔗 Нотлох баримт: холбоос" in done.text
    [row] = await updates_of(engine, "1.2")
    assert (row.status, row.evidence_url) == (Status.LIMITED, "https://opendata.mn")


# --- the guided flow --------------------------------------------------------------------


async def test_the_guided_flow_with_back_and_a_note(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram
) -> None:
    await link_example(engine)
    menu = await run.unique_reply(GROUP, BAT, "/update")
    assert menu.text == "📝 Progress update\nStep 1 of 4: which commitment?"
    # Nine commitments, eight a page.
    assert list(buttons(menu))[-3:] == ["1/2", "›", "✖ Cancel"]
    assert "‹ Back" not in buttons(menu)

    milestones = await press(run, BAT, menu, "3. ")
    assert milestones.text is not None
    assert milestones.text.startswith("📝 Progress update · commitment 3. ")
    assert milestones.text.endswith("Step 2 of 4: which milestone?")
    assert [label for label in buttons(milestones) if label[2:5] in {"3.1", "3.2", "3.3"}] == [
        "🟠 3.1 Move every procurement stage onto the…",
        "⚪ 3.2 Adopt a corruption-risk check before…",
        "⚪ 3.3 Pilot citizen observers in bid…",
    ]

    status = await press(run, BAT, milestones, "⚪ 3.2")
    assert (
        status.text == f"📝 3.2 {TITLE_3_2}\nNow: not started.\nStep 3 of 4: how far along is it?"
    )
    back = await press(run, BAT, status, "‹ Back")
    assert back.text == milestones.text
    status = await press(run, BAT, back, "⚪ 3.3")
    assert status.text is not None and status.text.startswith("📝 3.3 Pilot citizen observers")
    back = await press(run, BAT, status, "‹ Back")
    status = await press(run, BAT, back, "⚪ 3.2")

    note = await press(run, BAT, status, "🟡")
    assert note.text == (
        f"📝 3.2 {TITLE_3_2} → limited\nStep 4 of 4: reply to this message with a short note "
        "(a link to evidence is welcome), or press Skip."
    )
    assert list(buttons(note)) == ["Skip ›", "‹ Back", "✖ Cancel"]
    assert await updates_of(engine, "3.2") == []

    # Someone else talking meanwhile is not taken as the note.
    assert await run.say(GROUP, OYUNA, "Good morning all") == []
    after = await note_reply(run, fake, BAT, note, "Methodology agreed with the <PPA> & MOF")
    reply = [e for e in after if e.kind == "message"]
    assert len(reply) == 1 and reply[0].text == (
        f"🟡 Recorded: 3.2 {TITLE_3_2}\nNow limited (was: not started) · reported by Bat"
    )
    # The menu loses its buttons: the flow is over.
    assert [e.reply_markup for e in after if e.kind == "edit"] == [None]
    [row] = await updates_of(engine, "3.2")
    assert (row.status, row.note) == (Status.LIMITED, "Methodology agreed with the <PPA> & MOF")
    # Text after the flow ended is just chat.
    assert await run.say(GROUP, BAT, "thanks") == []


async def test_the_guided_flow_in_mongolian_with_skip(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine, language="mn")
    menu = await run.unique_reply(GROUP, OYUNA, "/update")
    assert menu.text == "📝 Явцын мэдээлэл\nАлхам 1/4: аль амлалт вэ?"
    assert "✖ Цуцлах" in buttons(menu)
    page2 = await press(run, OYUNA, menu, "›")
    assert page2.text == menu.text and "2/2" in buttons(page2)
    milestones = await press(run, OYUNA, page2, "9. ")
    status = await press(run, OYUNA, milestones, "🟡 9.2")
    assert status.text is not None and "Алхам 3/4" in status.text
    note = await press(run, OYUNA, status, "🟢")
    assert note.text is not None and "→ бүрэн" in note.text
    assert list(buttons(note)) == ["Алгасах ›", "‹ Буцах", "✖ Цуцлах"]
    done = await press(run, OYUNA, note, "Алгасах")
    assert done.text == (
        "🟢 Бүртгэлээ: 9.2 Run online and offline outreach on e-Mongolia in every aimag\n"
        "Одоо бүрэн хэрэгжсэн (өмнө нь: хязгаарлагдмал хэрэгжсэн) · мэдээлсэн: Oyuna"
    )
    assert done.reply_markup is None
    [row] = await updates_of(engine, "9.2")
    assert (row.status, row.note) == (Status.COMPLETE, None)


async def test_cancel_records_nothing(run: BotRun, engine: AsyncEngine, fake: FakeTelegram) -> None:
    await link_example(engine)
    menu = await run.unique_reply(GROUP, BAT, "/update")
    milestones = await press(run, BAT, menu, "1. ")
    status = await press(run, BAT, milestones, "🟡 1.2")
    note = await press(run, BAT, status, "🟢")
    cancelled = await press(run, BAT, note, "✖")
    assert cancelled.text == "Progress update cancelled. Nothing was recorded."
    assert cancelled.reply_markup is None
    assert await updates_of(engine, "1.2") == []
    assert await status_of(engine, "1.2") is Status.LIMITED
    # The note prompt is gone with the flow: a reply to it is just chat.
    assert await note_reply(run, fake, BAT, note, "a late note") == []


async def test_only_the_starter_can_press(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine)
    menu = await run.unique_reply(GROUP, BAT, "/update")
    assert menu.message_id is not None
    after = await run.press(GROUP, OYUNA, menu.message_id, button(menu, "3. "))
    assert answers(after) == ["Bat opened this menu. Send /update to report yourself."]
    assert [e for e in after if e.kind != "callback_answer"] == []
    # The starter still can.
    milestones = await press(run, BAT, menu, "3. ")
    assert milestones.text is not None and "Step 2 of 4" in milestones.text


async def test_a_button_of_a_finished_flow_has_expired(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine, language="mn")
    first = await run.unique_reply(GROUP, BAT, "/update")
    second = await run.unique_reply(GROUP, BAT, "/update")  # a new flow ends the first
    assert first.message_id is not None
    after = await run.press(GROUP, BAT, first.message_id, button(first, "3. "))
    assert answers(after) == ["Энэ цэсний хугацаа дууссан. /update илгээж дахин эхлүүлнэ үү."]
    assert [e.kind for e in after] == ["callback_answer"]
    milestones = await press(run, BAT, second, "3. ")
    assert milestones.text is not None and "Алхам 2/4" in milestones.text


async def test_a_button_the_bot_never_made_has_expired(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine)
    forged = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("3", callback_data="u:AAAAAAAA:c:1")],
            [InlineKeyboardButton("junk", callback_data="u:nonsense")],
        ]
    )
    message = await run.app.bot.send_message(GROUP, "old menu", reply_markup=forged)
    for data in ("u:AAAAAAAA:c:1", "u:nonsense"):
        after = await run.press(GROUP, BAT, message.message_id, data)
        assert answers(after) == ["This menu has expired. Send /update to start again."]
    assert await updates_of(engine, "3.1") == []


async def test_buttons_expire_across_a_restart(
    fake: FakeTelegram, engine: AsyncEngine, db_url: str, clock: FixedClock
) -> None:
    await link_example(engine)
    settings = settings_for(fake, db_url)
    async with BotRun(fake, settings, clock=clock) as run:
        menu = await run.unique_reply(GROUP, BAT, "/update")
        milestones = await press(run, BAT, menu, "3. ")
    async with BotRun(fake, settings, clock=clock) as run:
        assert milestones.message_id is not None
        after = await run.press(GROUP, BAT, milestones.message_id, button(milestones, "⚪ 3.2"))
        assert answers(after) == ["This menu has expired. Send /update to start again."]
        # A fresh flow works as before.
        menu = await run.unique_reply(GROUP, BAT, "/update")
        assert "Step 1 of 4" in (menu.text or "")


async def test_pressing_the_page_counter_changes_nothing_and_is_answered(
    run: BotRun, engine: AsyncEngine
) -> None:
    await link_example(engine)
    menu = await run.unique_reply(GROUP, BAT, "/update")
    assert menu.message_id is not None
    # Re-drawing the same page: Telegram says "message is not modified"; that is fine.
    after = await run.press(GROUP, BAT, menu.message_id, button(menu, "1/2"))
    assert [(e.kind, e.text) for e in after] == [("callback_answer", None)]


async def test_callback_data_fits_on_a_long_real_plan(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram
) -> None:
    """The US plan: 36 commitments, long titles and numbers; every button under 64 bytes."""
    plan = load_plan(ROOT / "tests" / "data" / "us-nap5-2022-2024.yaml")
    await import_into(
        engine, plan, chat_id=GROUP, now=NOW, name="US", default_timezone="America/New_York"
    )
    screens = [await run.unique_reply(GROUP, BAT, "/update")]
    while "›" in buttons(screens[-1]):
        screens.append(await press(run, BAT, screens[-1], "›"))
    labels = [label for s in screens for label in buttons(s)]
    assert sum(1 for label in labels if label[0].isdigit() and ". " in label) == len(
        plan.commitments
    )
    last = plan.commitments[-1]
    milestones = await press(run, BAT, screens[-1], f"{last.number}. ")
    screens.append(milestones)
    number = last.milestones[-1].number
    [label] = [label for label in buttons(milestones) if f" {number} " in label]
    screens.append(await press(run, BAT, milestones, label))
    screens.append(await press(run, BAT, screens[-1], "🟢"))
    for screen in screens:
        for label, data in buttons(screen).items():
            assert len(data.encode()) <= 64, data
            assert len(label) <= 48
    done = await press(run, BAT, screens[-1], "Skip")
    assert done.text is not None and done.text.startswith(f"🟢 Recorded: {number} ")


async def test_a_plan_without_milestones(run: BotRun, engine: AsyncEngine) -> None:
    async with transaction(create_sessionmaker(engine)) as session:
        await import_plan(
            session=session,
            plan=load_plan(ROOT / "examples" / "mongolia-2021-2023.yaml").model_copy(
                update={"commitments": []}
            ),
            chat_id=GROUP,
            now=NOW,
            name=None,
            default_name="x",
            default_timezone="UTC",
            default_language="en",
        )
    reply = await run.unique_reply(GROUP, BAT, "/update")
    assert reply.text == "Төлөвлөгөөнд шинэчлэх үе шат одоогоор алга."
    assert reply.reply_markup is None


# --- /history ---------------------------------------------------------------------------


async def test_history_is_newest_first_in_the_groups_time(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    await link_example(engine)
    empty = await run.unique_reply(GROUP, BAT, "/history 3.2")
    assert empty.text == (
        f"3.2 {TITLE_3_2}\nNow: not started\n"
        "No updates yet. Report one with /update 3.2 <status> [note]."
    )
    await run.unique_reply(GROUP, BAT, "/update 3.2 started Terms of reference drafted")
    clock.advance(dt.timedelta(days=20, hours=14))  # 2022-09-22 00:00 in Ulaanbaatar
    await run.unique_reply(GROUP, OYUNA, "/update 3.2 mostly\nPilot run in two ministries")
    clock.advance(dt.timedelta(days=1))
    await run.unique_reply(GROUP, BAT, "/update 3.2 done")
    reply = await run.unique_reply(GROUP, OYUNA, "/history 3.2.")
    assert reply.text == (
        f"3.2 {TITLE_3_2}\nNow: complete\n\n"
        "🟢 2022-09-23 00:00 · Bat · complete\n\n"
        "🟠 2022-09-22 00:00 · Oyuna · substantial\n"
        "    Pilot run in two ministries\n\n"
        "🟡 2022-09-01 10:00 · Bat · limited\n"
        "    Terms of reference drafted"
    )


async def test_history_in_mongolian_and_with_bad_arguments(
    run: BotRun, engine: AsyncEngine
) -> None:
    await link_example(engine, language="mn")
    for text in ("/history", "/history 3.2 3.3"):
        reply = await run.unique_reply(GROUP, BAT, text)
        assert reply.text == "Хэрэглээ: /history <үе шат>\nЖишээ: /history 3.2"
    await run.unique_reply(GROUP, BAT, "/update 3.2 эхэлсэн")
    reply = await run.unique_reply(GROUP, BAT, "/history 3.2")
    assert reply.text is not None
    assert reply.text.endswith("🟡 2022-09-01 10:00 · Bat · хязгаарлагдмал хэрэгжсэн")
    english = await run.say(GROUP, BAT, "/history")
    assert english and english[0].text is not None and english[0].text.startswith("Хэрэглээ")


async def test_a_long_history_is_split(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine)
    sessionmaker = create_sessionmaker(engine)
    async with transaction(sessionmaker) as session:
        group = await group_for_chat(session=session, chat_id=GROUP)
        assert group is not None
        member = await get_or_create_member(
            session=session, group=group, telegram_user_id=BAT, now=NOW, full_name="Bat"
        )
        milestone = await find_milestone(session=session, group=group, number="3.2")
        assert milestone is not None
        for n in range(60):
            await record_update(
                session=session,
                milestone=milestone,
                member=member,
                status=Status.LIMITED,
                note=f"Step {n}: " + "долоо хоногийн тайлан & <notes> " * 8,
                evidence_url=None,
                now=NOW + dt.timedelta(hours=n),
            )
    replies = await run.say(GROUP, BAT, "/history 3.2")
    # The newest fifteen, newest first, in a few messages (a group takes 20 a minute).
    assert 1 <= len(replies) <= 3
    text = "\n\n".join(r.text or "" for r in replies)
    assert text.index("Step 59:") < text.index("Step 45:")
    for n in range(45, 60):
        assert sum(f"Step {n}:" in (r.text or "") for r in replies) == 1
    assert "Step 44:" not in text
    assert "15" in text.rsplit("\n", 1)[-1] and "60" in text.rsplit("\n", 1)[-1]


async def test_chatter_and_late_replies_never_become_a_note(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    await link_example(engine)
    menu = await run.unique_reply(GROUP, BAT, "/update")
    milestones = await press(run, BAT, menu, "3. ")
    status = await press(run, BAT, milestones, "⚪ 3.2")
    note = await press(run, BAT, status, "🟡")
    assert note.text is not None and note.text.endswith("or press Skip.")

    # The starter chatting in the group without replying to the flow is not its note.
    assert await run.say(GROUP, BAT, "lunch anyone?") == []
    assert await updates_of(engine, "3.2") == []

    # Three days later even a reply to the old flow message records nothing.
    clock.advance(dt.timedelta(days=3))
    late = run.fake.user_says(GROUP, BAT, "Draft sent", reply_to=note.message_id, token=run.token)
    await run.wait(late)
    assert await updates_of(engine, "3.2") == []


async def test_no_confirmation_for_an_update_whose_commit_failed(
    run: BotRun, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    await link_example(engine)

    def failing_commit(session: Session) -> None:
        # The transaction holds a new update (objects may be gone from the weak
        # identity map after the flush, so ask the database within the transaction).
        if session.scalar(select(func.count()).select_from(ProgressUpdate)):
            raise ConnectionResetError("the database went away at commit")

    event.listen(Session, "before_commit", failing_commit)
    try:
        reply = await run.unique_reply(GROUP, BAT, "/update 3.2 limited Draft sent")
    finally:
        event.remove(Session, "before_commit", failing_commit)
    assert reply.text is not None
    assert reply.text.startswith("Sorry, something went wrong")
    assert await updates_of(engine, "3.2") == []
