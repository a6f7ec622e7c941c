"""A member's own language in private: chosen with /settings language, it holds for the
bot's private replies (Telegram has no Mongolian interface, so Telegram cannot tell)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from fakebot import FakeTelegram
from tests.bot.conftest import BAT, GROUP, OYUNA, link_example
from wgbot.harness import BotRun


async def test_a_member_chooses_mongolian_for_the_private_chat(
    run: BotRun, engine: AsyncEngine
) -> None:
    await link_example(engine, language="en")
    await run.say(GROUP, BAT, "/plan")  # Bat's Telegram app speaks English
    before = await run.unique_reply(BAT, BAT, "/start")
    assert before.text is not None and before.text.startswith("👋 I am wgbot")
    chosen = await run.unique_reply(BAT, BAT, "/settings language mn")
    assert chosen.text is not None and chosen.text.startswith("Тантай харилцах хэл: монгол")
    after = await run.unique_reply(BAT, BAT, "/start")
    assert after.text is not None and after.text.startswith("👋 Би wgbot")
    unknown = await run.unique_reply(BAT, BAT, "/frobnicate")
    assert unknown.text is not None and "/frobnicate" in unknown.text
    assert "command" not in unknown.text  # answered in Mongolian, not English
    # The group keeps its own language.
    plan = await run.unique_reply(GROUP, BAT, "/plan")
    assert plan.text is not None and "milestones complete" in plan.text


async def test_private_settings_answer_with_their_usage_and_refuse_unknown_codes(
    run: BotRun, engine: AsyncEngine
) -> None:
    await link_example(engine, language="en")
    usage = await run.unique_reply(BAT, BAT, "/settings")
    assert usage.text is not None and usage.text.startswith("Here, in our private chat")
    refused = await run.unique_reply(BAT, BAT, "/settings language xx")
    assert refused.text is not None and refused.text.startswith("I don't speak xx")
    stranger = await run.unique_reply(BAT, BAT, "/settings language es")
    assert stranger.text is not None and stranger.text.startswith("Idioma elegido: español")


async def test_a_groups_menu_follows_its_language(
    run: BotRun, fake: FakeTelegram, engine: AsyncEngine
) -> None:
    await link_example(engine, language="en")
    await run.unique_reply(GROUP, OYUNA, "/settings language ru")
    scoped = [
        c.params
        for c in fake.calls("setMyCommands")
        if f'"chat_id": {GROUP}' in str(c.params) or str(GROUP) in str(c.params.get("scope"))
    ]
    assert len(scoped) == 2  # members' menu and administrators' menu of this chat
    assert all("обязательства" in str(p.get("commands")) for p in scoped)
