"""Users act through the harness; the bot receives it by long polling, as from Telegram."""

import asyncio

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

from fakebot import FakeChat, FakeTelegram, FakeUser


async def until_polling(fake: FakeTelegram) -> None:
    """Until the bot's long poll waits at the server (a few milliseconds)."""
    for _ in range(200):
        if fake.is_polling():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the bot never started polling")


async def test_long_poll_returns_enqueued_update(
    bot: Bot, fake: FakeTelegram, group: FakeChat, alice: FakeUser
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=1))
    await until_polling(fake)
    update_id = fake.user_says(group.id, alice.id, "/status@wgbot_test_bot 3.2")
    [update] = await poll
    assert update.update_id == update_id
    assert update.message is not None
    assert update.message.text == "/status@wgbot_test_bot 3.2"
    assert update.message.from_user is not None
    assert update.message.from_user.id == alice.id
    [entity] = update.message.entities
    assert (entity.type, entity.offset, entity.length) == ("bot_command", 0, 22)


async def test_offset_confirms_updates(
    bot: Bot, fake: FakeTelegram, group: FakeChat, alice: FakeUser
) -> None:
    first = fake.user_says(group.id, alice.id, "one")
    second = fake.user_says(group.id, alice.id, "two")
    assert [u.update_id for u in await bot.get_updates()] == [first, second]
    assert [u.update_id for u in await bot.get_updates()] == [first, second]
    assert [u.update_id for u in await bot.get_updates(offset=second)] == [second]
    assert await bot.get_updates(offset=second + 1) == ()
    assert fake.pending_updates() == []


async def test_empty_long_poll_times_out_with_nothing(bot: Bot) -> None:
    assert await bot.get_updates(timeout=0) == ()


async def test_second_concurrent_get_updates_conflicts(bot: Bot, fake: FakeTelegram) -> None:
    # As on Telegram, the newer request wins and the pending one is terminated with 409.
    first = asyncio.create_task(bot.get_updates(timeout=1))
    await until_polling(fake)
    second = asyncio.create_task(bot.get_updates(timeout=0))
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first
    assert await second == ()


async def test_get_updates_while_webhook_is_set(bot: Bot) -> None:
    await bot.set_webhook("https://example.org/hook")
    assert (await bot.get_webhook_info()).url == "https://example.org/hook"
    with pytest.raises(Conflict, match="while webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_callback_query_is_answered_once(
    bot: Bot, fake: FakeTelegram, group: FakeChat, bob: FakeUser
) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Done", callback_data="done:3.2")]])
    sent = await bot.send_message(group.id, "Milestone 3.2?", reply_markup=keyboard)
    update_id = fake.press_button(group.id, bob.id, sent.message_id, "done:3.2")
    [update] = await bot.get_updates()
    query = update.callback_query
    assert query is not None
    assert (query.data, query.from_user.id, update.update_id) == ("done:3.2", bob.id, update_id)
    assert await query.answer("Recorded") is True
    with pytest.raises(BadRequest, match="Query is too old"):
        await query.answer("again")
    [answer] = fake.bot_messages(group.id, since_update=update_id)
    assert (answer.kind, answer.text) == ("callback_answer", "Recorded")
    assert fake.render_transcript(group.id).splitlines() == [
        "bot: Milestone 3.2?",
        "  [Done]",
        "Bob pressed [Done]",
        "bot (answer): Recorded",
    ]


async def test_buttons_the_message_does_not_show_cannot_be_pressed(
    bot: Bot, fake: FakeTelegram, group: FakeChat, bob: FakeUser
) -> None:
    sent = await bot.send_message(group.id, "No buttons")
    with pytest.raises(ValueError, match="no button"):
        fake.press_button(group.id, bob.id, sent.message_id, "anything")


async def test_unknown_callback_query_id(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("nope")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Repeat the command's arguments."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(" ".join(context.args or []))


async def test_application_answers_a_command_in_a_group(
    fake: FakeTelegram, group: FakeChat, alice: FakeUser
) -> None:
    app = (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("echo", echo))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        update_id = fake.user_says(group.id, alice.id, "/echo hi")
        for _ in range(100):
            if fake.bot_messages(group.id, since_update=update_id):
                break
            await asyncio.sleep(0.02)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    [reply] = fake.bot_messages(group.id, since_update=update_id)
    assert reply.text == "hi"
    [asked] = [e for e in fake.transcript(group.id) if e.update_id == update_id]
    assert reply.reply_to == asked.message_id  # reply_text quotes in groups
    assert fake.pending_updates() == []  # PTB confirmed the update on its way out
