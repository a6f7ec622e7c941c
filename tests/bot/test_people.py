"""Transcripts: /iam and /coordinator through the fake Bot API over HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.enums import Role
from fakebot import FakeTelegram
from storage.db import create_sessionmaker, transaction
from storage.models import Agency, Member
from storage.planfile import AgencySpec, CommitmentSpec, MilestoneSpec, PlanFile
from tests.bot.conftest import BAT, GROUP, NOW, OYUNA, link_example
from tests.conftest import import_into
from wgbot.harness import BotRun

DULMAA = 503  # in the chat, never seen by the bot


async def _member(engine: AsyncEngine, user_id: int) -> tuple[Role, str | None] | None:
    """(role, agency code) of a user in the group, or None when the bot never saw them."""
    async with transaction(create_sessionmaker(engine)) as session:
        member = await session.scalar(select(Member).where(Member.telegram_user_id == user_id))
        if member is None:
            return None
        agency = await session.get(Agency, member.agency_id) if member.agency_id else None
        return member.role, agency.code if agency else None


async def _last_message_of(fake: FakeTelegram, user_id: int) -> int:
    entries = [e for e in fake.transcript(GROUP) if e.sender == "user" and e.sender_id == user_id]
    assert entries[-1].message_id is not None
    return entries[-1].message_id


async def _reply_to(run: BotRun, fake: FakeTelegram, user_id: int, text: str, to: int) -> str:
    update_id = fake.user_says(GROUP, user_id, text, reply_to=to, token=run.token)
    await run.wait(update_id)
    [answer] = fake.bot_messages(GROUP, since_update=update_id)
    assert answer.text is not None
    return answer.text


# --- /iam -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("/iam MOJHA", "MOJHA"),
        ("/iam mojha", "MOJHA"),
        ("/iam Ministry of Finance", "MOF"),
        ("/iam Ministry of Helth", "MOH"),  # a typo
        ("/iam MRPMA", "MRPAM"),  # a typo of the code
        ("/iam Steps without", "SWB"),  # part of a name
    ],
)
async def test_iam_by_code_name_or_typo(
    run: BotRun, engine: AsyncEngine, text: str, code: str
) -> None:
    await link_example(engine)
    reply = await run.unique_reply(GROUP, BAT, text)
    assert reply.text is not None and reply.text.startswith(f"Noted: you are with {code} — ")
    assert await _member(engine, BAT) == (Role.MEMBER, code)


async def test_iam_in_mongolian(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine, language="mn")
    reply = await run.unique_reply(GROUP, BAT, "/iam PPA")
    assert reply.text == (
        "Тэмдэглэлээ: таны байгууллага PPA — Public Procurement Agency. "
        "Түүний үе шатуудыг /mine командаар харна уу."
    )
    unknown = await run.unique_reply(GROUP, BAT, "/iam Зөвлөл")
    assert unknown.text is not None and unknown.text.startswith("«Зөвлөл» нэртэй байгууллага")
    usage = await run.unique_reply(GROUP, BAT, "/iam")
    assert usage.text is not None
    assert usage.text.startswith("Таны бүртгэлтэй байгууллага: PPA — Public Procurement Agency.")
    assert "Хэрэглээ: /iam <байгууллагын код эсвэл нэр>" in usage.text


async def test_iam_with_no_match_lists_the_codes(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine)
    reply = await run.unique_reply(GROUP, BAT, "/iam Ministry of Magic")
    assert reply.text is not None
    assert reply.text.startswith("I don't know an agency called “Ministry of Magic”.")
    assert "CABSEC, DEC, MDDC, MOF, MOH, MOJHA, MRPAM, PPA, SWB" in reply.text
    usage = await run.unique_reply(GROUP, BAT, "/iam")
    assert usage.text == "Usage: /iam <agency code or name>\nExample: /iam MOJHA"
    assert await _member(engine, BAT) == (Role.MEMBER, None)


async def test_iam_asks_back_with_buttons_when_several_match(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram
) -> None:
    await link_example(engine)
    question = await run.unique_reply(GROUP, BAT, "/iam Ministry")
    assert question.text == "Several agencies match “Ministry”. Which one is yours?"
    assert question.reply_markup is not None and question.message_id is not None
    buttons = {b["text"]: b["callback_data"] for [b] in question.reply_markup["inline_keyboard"]}
    assert "MOF — Ministry of Finance" in buttons
    assert len(buttons) == 4
    # Only the one who asked may answer.
    [alert] = await run.press(
        GROUP, OYUNA, question.message_id, buttons["MOF — Ministry of Finance"]
    )
    assert alert.kind == "callback_answer" and alert.show_alert
    assert await _member(engine, OYUNA) == (Role.MEMBER, None)

    answers = await run.press(GROUP, BAT, question.message_id, buttons["MOF — Ministry of Finance"])
    [edit] = [a for a in answers if a.kind == "edit"]
    assert edit.text == "Noted: you are with MOF — Ministry of Finance. /mine shows its milestones."
    assert await _member(engine, BAT) == (Role.MEMBER, "MOF")


async def test_hostile_agency_names_are_shown_literally(run: BotRun, engine: AsyncEngine) -> None:
    plan = PlanFile(
        agencies=[
            AgencySpec(code="A&B", name='<b>Bold</b> "Agency" <a href="http://x.example">x</a>'),
            AgencySpec(code="A<B", name="</i>Other agency"),
        ],
        commitments=[
            CommitmentSpec(
                number="1",
                title="One",
                lead_agency="A&B",
                milestones=[MilestoneSpec(number="1.1", title="t", due="2023-01-01")],
            )
        ],
    )
    await import_into(engine, plan, chat_id=GROUP, now=NOW, name="<b>group</b>")
    unknown = await run.unique_reply(GROUP, BAT, "/iam <script>")
    assert unknown.text is not None
    assert unknown.text.startswith("I don't know an agency called “<script>”. The agency codes")
    assert "A&B" in unknown.text and "A<B" in unknown.text
    question = await run.unique_reply(GROUP, BAT, "/iam agency")
    assert question.text == "Several agencies match “agency”. Which one is yours?"
    set_ = await run.unique_reply(GROUP, BAT, "/iam a<b")
    assert set_.text is not None and set_.text.startswith("Noted: you are with A<B — </i>Other")


# --- /coordinator -----------------------------------------------------------------------


async def test_coordinator_add_and_remove_by_username(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine)
    await run.say(GROUP, BAT, "/plan")  # the bot has now seen @bat
    added = await run.unique_reply(GROUP, OYUNA, "/coordinator add @Bat")
    assert added.text == "@bat is now a coordinator of this working group."
    assert await _member(engine, BAT) == (Role.COORDINATOR, None)
    again = await run.unique_reply(GROUP, OYUNA, "/coordinator add @bat")
    assert again.text == "@bat is already a coordinator. Nothing was changed."

    # A granted coordinator may now change settings.
    changed = await run.unique_reply(GROUP, BAT, "/settings digest fri 16:00")
    assert changed.text == "Saved. Weekly digest: Friday 16:00."

    removed = await run.unique_reply(GROUP, OYUNA, "/coordinator remove @bat")
    assert removed.text == "@bat is no longer a coordinator."
    assert await _member(engine, BAT) == (Role.MEMBER, None)
    not_one = await run.unique_reply(GROUP, OYUNA, "/coordinator remove @bat")
    assert not_one.text == "@bat is not a coordinator. Nothing was changed."
    unseen = await run.unique_reply(GROUP, OYUNA, "/coordinator add @ghost_user")
    assert unseen.text is not None and unseen.text.startswith("I have not seen @ghost_user")


async def test_coordinator_by_reply_and_by_numeric_id(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram
) -> None:
    await link_example(engine)
    fake.add_user(DULMAA, "Dulmaa", username=None)
    await run.say(GROUP, BAT, "I can help with the procurement milestones")
    text = await _reply_to(run, fake, OYUNA, "/coordinator add", await _last_message_of(fake, BAT))
    assert text == "@bat is now a coordinator of this working group."
    assert await _member(engine, BAT) == (Role.COORDINATOR, None)

    by_id = await run.unique_reply(GROUP, OYUNA, f"/coordinator add {DULMAA}")
    # The Telegram user id is never shown in the group: the name is.
    assert by_id.text == "Dulmaa is now a coordinator of this working group."
    assert await _member(engine, DULMAA) == (Role.COORDINATOR, None)

    stranger = await run.unique_reply(GROUP, OYUNA, "/coordinator add 99999")
    assert stranger.text == "I cannot find that user in this chat. Nothing was changed."
    assert await _member(engine, 99999) is None

    bot_message = (await run.say(GROUP, BAT, "/plan"))[0].message_id
    assert bot_message is not None
    text = await _reply_to(run, fake, OYUNA, "/coordinator add", bot_message)
    assert text == "A bot cannot be a coordinator. Nothing was changed."


async def test_removing_an_admin_or_yourself_is_explained(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram
) -> None:
    await link_example(engine)
    admin = await run.unique_reply(GROUP, OYUNA, "/coordinator remove @oyuna")
    assert admin.text is not None
    assert admin.text.startswith("@oyuna is a coordinator because they are an administrator")
    assert admin.text.endswith("Nothing was changed.")

    await run.say(GROUP, BAT, "/plan")
    await run.unique_reply(GROUP, OYUNA, "/coordinator add @bat")
    yourself = await run.unique_reply(GROUP, BAT, "/coordinator remove @bat")
    assert yourself.text is not None
    assert yourself.text.startswith("You (@bat) removed your own coordinator role")
    assert await _member(engine, BAT) == (Role.MEMBER, None)


async def test_coordinator_changes_forget_cached_admin_lookups(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram
) -> None:
    await link_example(engine)
    refused = await run.unique_reply(GROUP, BAT, "/settings language mn")
    assert refused.text is not None and refused.text.startswith("Only coordinators")
    fake.set_admins(GROUP, [OYUNA, BAT])  # the cache still says BAT is no admin
    answer = await run.unique_reply(GROUP, OYUNA, "/coordinator remove @bat")
    assert answer.text is not None
    assert answer.text.startswith("@bat is a coordinator because they are an administrator")
    allowed = await run.unique_reply(GROUP, BAT, "/settings language mn")
    assert allowed.text is not None and allowed.text.startswith("Энэ бүлгийн хэл: монгол хэл")


async def test_a_member_may_not_grant_the_role(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine)
    await run.say(GROUP, OYUNA, "/plan")
    refused = await run.unique_reply(GROUP, BAT, "/coordinator add @bat")
    assert refused.text == (
        "Only coordinators can do that: the chat's administrators and members granted "
        "the role. Nothing was changed."
    )
    assert await _member(engine, BAT) == (Role.MEMBER, None)


async def test_a_failed_admin_lookup_refuses_and_asks_to_retry(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram
) -> None:
    await link_example(engine, language="mn")
    await run.say(GROUP, BAT, "/plan")
    fake.fail("getChatMember", kind="500", times=1)
    refused = await run.unique_reply(GROUP, OYUNA, "/coordinator add @bat")
    assert refused.text is not None and refused.text.startswith(
        "Таны эрхийг Telegram-аас одоогоор шалгаж чадсангүй"
    )
    assert await _member(engine, BAT) == (Role.MEMBER, None)
    granted = await run.unique_reply(GROUP, OYUNA, "/coordinator add @bat")
    assert granted.text == "@bat одоо энэ ажлын хэсгийн зохицуулагч боллоо."


@pytest.mark.parametrize(
    "text",
    ["/coordinator", "/coordinator add", "/coordinator promote @bat", "/coordinator add x y"],
)
async def test_coordinator_with_a_bad_argument_answers_with_usage(
    run: BotRun, engine: AsyncEngine, text: str
) -> None:
    await link_example(engine)
    reply = await run.unique_reply(GROUP, OYUNA, text)
    assert reply.text is not None and reply.text.startswith(
        "Usage: /coordinator add|remove <user> — reply to the user's message"
    )


async def test_coordinator_usage_in_mongolian(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine, language="mn")
    reply = await run.unique_reply(GROUP, OYUNA, "/coordinator add bat")
    assert reply.text is not None
    assert reply.text.startswith("Хэрэглээ: /coordinator add|remove <хэрэглэгч>")


async def test_a_username_belongs_to_whoever_has_it_now(
    run: BotRun, fake: FakeTelegram, engine: AsyncEngine
) -> None:
    await link_example(engine)
    # Bat used to be @bat; he drops it and Saraa takes it.
    await run.say(GROUP, BAT, "/plan")
    fake.state.users[BAT].username = None
    await run.say(GROUP, BAT, "/plan")
    fake.add_user(777, "Saraa", username="bat")
    await run.say(GROUP, 777, "/plan")
    await run.unique_reply(GROUP, OYUNA, "/coordinator add @bat")
    async with create_sessionmaker(engine)() as session:
        rows = await session.execute(select(Member.telegram_user_id, Member.role))
        roles: dict[int, Role] = {row[0]: row[1] for row in rows}
    assert roles[777] is Role.COORDINATOR
    assert roles[BAT] is Role.MEMBER
