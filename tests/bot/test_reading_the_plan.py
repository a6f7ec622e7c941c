"""Transcripts: /start, /help, /plan and /commitment through the fake Bot API over HTTP."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.clock import FixedClock
from fakebot import FakeTelegram
from fakebot.state import TranscriptEntry
from storage.planfile import AgencySpec, CommitmentSpec, MilestoneSpec, PlanFile, load_plan
from tests.bot.conftest import BAT, GROUP, NOW, OYUNA, UNLINKED, link_example
from tests.conftest import ROOT, import_into
from wgbot.harness import BotRun


async def test_an_unlinked_chat_hears_only_start_and_help(run: BotRun) -> None:
    start = await run.unique_reply(UNLINKED, BAT, "/start")
    assert start.text is not None
    assert "not linked to a working group" in start.text
    assert f"wgbot import plan.yaml --chat {UNLINKED}" in start.text

    help_ = await run.unique_reply(UNLINKED, BAT, "/help")
    assert help_.text is not None and f"--chat {UNLINKED}" in help_.text

    for command in ("/plan", "/commitment 3", "/frobnicate@wgbot_test_bot"):
        assert await run.say(UNLINKED, BAT, command) == []


async def test_start_and_help_in_a_linked_group(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine)
    start = await run.unique_reply(GROUP, BAT, "/start")
    assert start.text is not None and "Mongolia OGP Working Group" in start.text

    help_ = await run.unique_reply(GROUP, BAT, "/help")
    assert help_.text is not None
    assert "/plan — every commitment" in help_.text
    assert "/commitment <number> — one commitment" in help_.text


async def test_plan_lists_every_commitment_with_lead_and_progress(
    run: BotRun, engine: AsyncEngine
) -> None:
    await link_example(engine)
    reply = await run.unique_reply(GROUP, BAT, "/plan")
    assert reply.text is not None
    plan = load_plan(ROOT / "examples" / "mongolia-2021-2023.yaml")
    for commitment in plan.commitments:
        done = sum(1 for m in commitment.milestones if m.status == "complete")
        assert f"{commitment.number}. {commitment.title}" in reply.text
        assert f"Lead: {commitment.lead_agency} · {done}/{len(commitment.milestones)} complete" in (
            reply.text
        )
    assert reply.parse_mode == "HTML"


async def test_commitment_shows_its_milestones(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine)
    reply = await run.unique_reply(GROUP, BAT, "/commitment 3")
    assert reply.text is not None
    plan = load_plan(ROOT / "examples" / "mongolia-2021-2023.yaml")
    [three] = [c for c in plan.commitments if c.number == "3"]
    assert reply.text.startswith(f"Commitment 3. {three.title}")
    for milestone in three.milestones:
        assert f"{milestone.number} {milestone.title}" in reply.text
        responsible = milestone.responsible or three.lead_agency
        assert f"{responsible} · due {milestone.due.isoformat()}" in reply.text
    assert "no update yet" in reply.text


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("/commitment", "Usage: /commitment <number>\nExample: /commitment 3"),
        ("/commitment 3 4", "Usage: /commitment <number>\nExample: /commitment 3"),
        ("/commitment 42", "There is no commitment 42. Send /plan for the list."),
        ("/commitment <b>", "There is no commitment <b>. Send /plan for the list."),
    ],
)
async def test_commitment_with_a_bad_argument_answers_with_usage(
    run: BotRun, engine: AsyncEngine, text: str, answer: str
) -> None:
    await link_example(engine)
    reply = await run.unique_reply(GROUP, BAT, text)
    assert reply.text == answer


async def test_the_group_language_decides_the_replies(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine, language="mn")
    plan = await run.unique_reply(GROUP, BAT, "/plan")
    assert plan.text is not None and "үйл ажиллагааны төлөвлөгөө" in plan.text
    usage = await run.unique_reply(GROUP, OYUNA, "/commitment")
    assert usage.text == "Хэрэглээ: /commitment <дугаар>\nЖишээ: /commitment 3"


async def test_commands_for_other_bots_are_left_alone(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine)
    assert await run.say(GROUP, BAT, "/frobnicate") == []
    assert await run.say(GROUP, BAT, "/plan@some_other_bot") == []
    unknown = await run.unique_reply(GROUP, BAT, "/frobnicate@wgbot_test_bot")
    assert unknown.text == "I don't know /frobnicate. Send /help for the commands."
    addressed = await run.say(GROUP, BAT, "/plan@wgbot_test_bot")
    assert len(addressed) == 1


async def test_plan_text_cannot_inject_formatting(run: BotRun, engine: AsyncEngine) -> None:
    hostile = 'Law <b>on</b> "secrets" & <a href="http://evil.example">click</a>'
    plan = PlanFile(
        agencies=[AgencySpec(code="A&B", name="<i>Agency</i>")],
        commitments=[
            CommitmentSpec(
                number="1",
                title=hostile,
                lead_agency="A&B",
                milestones=[MilestoneSpec(number="1.1", title="</b>oops", due="2023-01-01")],
            )
        ],
    )
    await import_into(engine, plan, chat_id=GROUP, now=NOW, name="Hostile <b>group</b>")
    # The fake parses HTML strictly, as Telegram does: unescaped text would be refused.
    listing = await run.unique_reply(GROUP, BAT, "/plan")
    assert listing.text is not None and hostile in listing.text
    assert "Hostile <b>group</b>" in listing.text
    detail = await run.unique_reply(GROUP, BAT, "/commitment 1")
    assert detail.text is not None and "</b>oops" in detail.text and "<i>Agency</i>" in detail.text


async def _import(engine: AsyncEngine, plan: PlanFile) -> None:
    await import_into(engine, plan, chat_id=GROUP, now=NOW, name="Long plan")


async def edits(run: BotRun, message_id: int, data: str) -> list[TranscriptEntry]:
    """What pressing a button of the bot's message changed: its edits."""
    return [e for e in await run.press(GROUP, BAT, message_id, data) if e.kind == "edit"]


async def read_every_page(run: BotRun, first: TranscriptEntry) -> list[str]:
    """The texts of /plan's pages, pressing Next › until there is none."""
    pages, message = [first.text or ""], first
    while message.reply_markup is not None:
        nexts = [
            b["callback_data"]
            for row in message.reply_markup["inline_keyboard"]
            for b in row
            if b["text"] == "Next ›"
        ]
        if not nexts:
            break
        assert message.message_id is not None
        edited = await edits(run, message.message_id, nexts[0])
        assert len(edited) == 1 and edited[0].message_id == first.message_id
        message = edited[0]
        pages.append(message.text or "")
    return pages


async def test_a_long_plan_is_one_message_with_pages(run: BotRun, engine: AsyncEngine) -> None:
    """60 long commitments: one message (a group gets 20 a minute), pages under Telegram's
    limit each, every commitment on exactly one page and never cut in half."""
    title = "Нээлттэй засаг & open <government> " * 5
    plan = PlanFile(
        agencies=[AgencySpec(code="CS", name="Cabinet Secretariat")],
        commitments=[
            CommitmentSpec(
                number=str(n),
                title=f"{title}{n}",
                lead_agency="CS",
                milestones=[
                    MilestoneSpec(number=f"{n}.{k}", title=f"{title}{n}.{k}", due="2023-06-30")
                    for k in range(1, 5)
                ],
            )
            for n in range(1, 61)
        ],
    )
    await _import(engine, plan)
    replies = await run.say(GROUP, BAT, "/plan")
    assert len(replies) == 1
    pages = await read_every_page(run, replies[0])
    assert len(pages) >= 3
    for index, page in enumerate(pages, start=1):
        assert f"Page {index} of {len(pages)}" in page
        assert "60 commitments · 0/240 milestones complete" in page
    for n in range(1, 61):
        assert sum(f"{n}. {title}{n}\n" in page for page in pages) == 1
    # Back from the last page; a forged page number shows the nearest page.
    first = replies[0].message_id
    assert first is not None
    back = await edits(run, first, f"plan:{len(pages) - 2}")
    assert [e.text for e in back] == [pages[-2]]
    update_id = run.fake.press_button(GROUP, BAT, first, "plan:99999", token=run.token, forged=True)
    await run.wait(update_id)
    forged = run.fake.bot_messages(GROUP, since_update=update_id, kinds=["edit"])
    assert [e.text for e in forged] == [pages[-1]]
    detail = await run.say(GROUP, BAT, "/commitment 60")
    assert len(detail) == 1 and detail[0].text is not None
    assert detail[0].text.count("· due 2023-06-30 · not started") == 4


async def test_the_us_plan_reads_in_full(run: BotRun, engine: AsyncEngine) -> None:
    """A real plan nobody here wrote: long titles, curly quotes, slashes, 36 commitments."""
    plan = load_plan(ROOT / "tests" / "data" / "us-nap5-2022-2024.yaml")
    await _import(engine, plan)
    replies = await run.say(GROUP, BAT, "/plan")
    assert len(replies) == 1
    text = "\n\n".join(await read_every_page(run, replies[0]))
    for commitment in plan.commitments:
        assert f"{commitment.number}. {commitment.title}" in text
    for commitment in plan.commitments:
        detail = await run.say(GROUP, BAT, f"/commitment {commitment.number}")
        assert detail, commitment.number


async def test_a_failure_gets_one_polite_answer_and_is_logged(
    run: BotRun,
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await link_example(engine)

    async def broken(**_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("bot.handlers.plan.plan_summary", broken)
    with caplog.at_level(logging.INFO):
        reply = await run.unique_reply(GROUP, BAT, "/plan")
    assert reply.text is not None and reply.text.startswith("Sorry, something went wrong")
    assert "Traceback" not in reply.text and "boom" not in reply.text
    assert any("update" in r.getMessage() and r.exc_info for r in caplog.records)


async def test_the_command_menu_is_registered_in_every_language(
    run: BotRun, fake: FakeTelegram
) -> None:
    menus: dict[tuple[str, object], list[str]] = {}
    for call in fake.calls("setMyCommands"):
        scope = call.params.get("scope")
        kind = scope["type"] if isinstance(scope, dict) else "default"
        commands = call.params["commands"]
        assert isinstance(commands, list)
        menus[(kind, call.params.get("language_code"))] = [c["command"] for c in commands]
        if call.params.get("language_code") == "mn":
            assert all(c["description"] != c["command"] for c in commands)
    for language in (None, "en", "mn", "es", "ru"):
        members = menus[("all_group_chats", language)]
        coordinators = menus[("all_chat_administrators", language)]
        private = menus[("all_private_chats", language)]
        assert "plan" in members and "meeting" not in members
        assert {"meeting", "export", "coordinator"} <= set(coordinators)
        assert private == ["start", "help", "deadlines", "overdue", "settings", "mine"]


async def test_help_in_a_private_chat_lists_what_works_there(run: BotRun) -> None:
    reply = await run.unique_reply(BAT, BAT, "/help")
    assert reply.text is not None
    assert "/deadlines" in reply.text
    assert "/mine" in reply.text
    assert "/plan" not in reply.text
    assert "/update" not in reply.text


async def test_the_last_update_date_is_the_groups_local_date(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    await link_example(engine)
    # 20:30 UTC on 1 September is already 2 September in Ulaanbaatar (UTC+8).
    clock.set(dt.datetime(2022, 9, 1, 20, 30, tzinfo=dt.UTC))
    await run.unique_reply(GROUP, BAT, "/update 3.1 substantial Portal live")
    detail = await run.unique_reply(GROUP, BAT, "/commitment 3")
    assert detail.text is not None
    assert "last update 2022-09-02, Bat: Portal live" in detail.text
