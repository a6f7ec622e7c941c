"""What a hostile or careless user can send: forged buttons, an endless /iam, posts on
behalf of channels; and a member who left the group no longer sees its data privately."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from fakebot import FakeTelegram
from storage.db import create_sessionmaker
from storage.models import Agency, Member
from storage.planfile import load_plan
from tests.bot.conftest import BAT, GROUP, NOW, OYUNA, UNLINKED, link_example
from tests.conftest import EXAMPLES, import_into
from wgbot.harness import BotRun

CHANNEL_BOT = 136817688  # the placeholder user Telegram puts on every channel's posts
HUGE = "9" * 40


async def test_forged_buttons_with_huge_numbers_are_answered_as_expired(
    run: BotRun, fake: FakeTelegram, engine: AsyncEngine
) -> None:
    await link_example(engine, language="en")
    menu = await run.unique_reply(GROUP, BAT, "/update")
    assert menu.message_id is not None
    for data in (f"u:abc:m:{HUGE}", f"u:abc:c:{HUGE}", "u:abc:p:²", f"iam:{HUGE}:{BAT}"):
        update_id = fake.press_button(
            GROUP, BAT, menu.message_id, data, token=run.token, forged=True
        )
        await run.wait(update_id)
    answers = [e for e in fake.transcript(GROUP) if e.kind == "callback_answer"]
    assert [a.text for a in answers] == [
        "This menu has expired. Send /update to start again.",
        "This menu has expired. Send /update to start again.",
        "This menu has expired. Send /update to start again.",
        "That agency is no longer in the plan. Send /iam again.",
    ]
    assert not [
        e for e in fake.transcript(GROUP) if e.sender == "bot" and "wrong" in (e.text or "")
    ]


async def test_an_endless_iam_gets_one_short_answer(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine, language="en")
    answer = await run.unique_reply(GROUP, BAT, "/iam " + "ministry of everything " * 180)
    assert answer.text is not None
    assert answer.text.startswith("I don't know an agency called “ministry of everything")
    assert len(answer.text) < 1000


async def test_each_channel_posting_in_the_group_is_its_own_member(
    run: BotRun, fake: FakeTelegram, engine: AsyncEngine
) -> None:
    await link_example(engine, language="en")
    fake.add_user(CHANNEL_BOT, "Channel", username="Channel_Bot")
    for channel, code in ((-1002001, "MOF"), (-1002002, "MOJHA")):
        update_id = fake.user_says(
            GROUP, CHANNEL_BOT, f"/iam {code}", token=run.token, as_channel=(channel, f"C{code}")
        )
        await run.wait(update_id)
    async with create_sessionmaker(engine)() as session:
        rows = (
            await session.execute(
                select(Member.telegram_user_id, Member.full_name, Agency.code)
                .join(Agency, Agency.id == Member.agency_id)
                .order_by(Member.telegram_user_id)
            )
        ).all()
    assert [tuple(r) for r in rows] == [(-1002002, "CMOJHA", "MOJHA"), (-1002001, "CMOF", "MOF")]


async def test_a_member_who_left_gets_no_group_data_in_private(
    run: BotRun, fake: FakeTelegram, engine: AsyncEngine
) -> None:
    await link_example(engine, language="en")
    await run.say(GROUP, BAT, "/plan")  # the bot knows Bat from the group
    before = await run.unique_reply(BAT, BAT, "/deadlines")
    assert before.text is not None and "Mongolia OGP Working Group" in before.text
    left = fake.member_leaves(
        GROUP, BAT, token=run.token
    )  # the bot administers the group: it is told
    assert left is not None
    await run.wait(left)
    after = await run.unique_reply(BAT, BAT, "/deadlines")
    assert after.text is not None and after.text.startswith("I don't know you from a working")


async def test_a_departure_the_bot_was_not_told_of_is_found_by_asking_telegram(
    run: BotRun, fake: FakeTelegram, engine: AsyncEngine
) -> None:
    await link_example(engine, language="en")
    await run.say(GROUP, BAT, "/plan")
    fake.member_leaves(GROUP, BAT, seen=False, token=run.token)  # the bot is no administrator there
    for command in ("/deadlines", "/overdue", "/mine"):
        answer = await run.unique_reply(BAT, BAT, command)
        assert answer.text is not None and answer.text.startswith("I don't know you from")


async def test_an_administrator_of_one_group_is_a_member_in_another(
    run: BotRun, fake: FakeTelegram, engine: AsyncEngine
) -> None:
    """Roles belong to a chat: Oyuna administers GROUP, not the other group."""
    await link_example(engine, language="en")
    other = -1002800
    fake.add_group(other, "Another working group", admins=[BAT])
    await import_into(
        engine, load_plan(EXAMPLES / "mongolia-2021-2023.yaml"), chat_id=other, now=NOW
    )
    refused = await run.unique_reply(other, OYUNA, "/meeting add every mon 10:00 Not hers")
    # (the other group reads the example plan in its own language, Mongolian)
    assert refused.text is not None and refused.text.startswith("Үүнийг зөвхөн зохицуулагч")
    allowed = await run.unique_reply(GROUP, OYUNA, "/meeting add every mon 10:00 Hers")
    assert allowed.text is not None and not allowed.text.startswith("Only coordinators")
    granted = await run.unique_reply(GROUP, OYUNA, f"/coordinator add {BAT}")
    assert granted.text is not None
    # A coordinator granted in GROUP is still a member in no other group of Bat's…
    elsewhere = await run.unique_reply(UNLINKED, BAT, "/help")
    assert elsewhere.text is not None and "/meeting" not in elsewhere.text
