"""Files, edits, replies and deletions behave as on Telegram."""

import datetime as dtm

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.error import BadRequest

from fakebot import FakeChat, FakeTelegram, FakeUser

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Done", callback_data="done")]])


async def test_document_upload_is_stored(bot: Bot, fake: FakeTelegram, group: FakeChat) -> None:
    sent = await bot.send_document(
        group.id,
        b"id,status\n3.2,complete\n",
        filename="progress.csv",
        caption="<i>Export</i>",
        parse_mode="HTML",
    )
    assert sent.document is not None
    assert sent.document.file_name == "progress.csv"
    assert sent.caption == "Export"
    [entry] = fake.bot_messages(group.id)
    assert entry.kind == "document"
    assert entry.document is not None
    assert (entry.document.filename, entry.document.data) == (
        "progress.csv",
        b"id,status\n3.2,complete\n",
    )
    file = await sent.document.get_file()
    assert bytes(await file.download_as_bytearray()) == b"id,status\n3.2,complete\n"


async def test_photo_upload_is_stored(bot: Bot, fake: FakeTelegram, group: FakeChat) -> None:
    sent = await bot.send_photo(group.id, b"\x89PNG fake", filename="chart.png")
    assert sent.photo
    [entry] = fake.bot_messages(group.id)
    assert entry.kind == "photo"
    assert entry.photo is not None
    assert entry.photo.data == b"\x89PNG fake"


async def test_edit_with_same_content_is_not_modified(
    bot: Bot, fake: FakeTelegram, group: FakeChat
) -> None:
    sent = await bot.send_message(group.id, "<b>3.2</b> open", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message is not modified"):
        await sent.edit_text("<b>3.2</b> open", parse_mode="HTML")
    edited = await sent.edit_text("<b>3.2</b> done", parse_mode="HTML", reply_markup=KEYBOARD)
    assert isinstance(edited, type(sent))
    assert edited.text == "3.2 done"
    with pytest.raises(BadRequest, match="Message is not modified"):
        await sent.edit_reply_markup(KEYBOARD)
    await sent.edit_reply_markup(None)
    kinds = [(e.kind, e.text, e.reply_markup is None) for e in fake.bot_messages(group.id)]
    assert kinds == [
        ("message", "3.2 open", True),
        ("edit", "3.2 done", False),
        ("edit", "3.2 done", True),
    ]


async def test_edit_missing_message(bot: Bot, group: FakeChat) -> None:
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=group.id, message_id=99)


async def test_edit_user_message_is_refused(
    bot: Bot, fake: FakeTelegram, group: FakeChat, alice: FakeUser
) -> None:
    fake.user_says(group.id, alice.id, "hello")
    [said] = fake.transcript(group.id)
    assert said.message_id is not None
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("x", chat_id=group.id, message_id=said.message_id)


async def test_reply_to_existing_and_missing_message(
    bot: Bot, fake: FakeTelegram, group: FakeChat, alice: FakeUser
) -> None:
    fake.user_says(group.id, alice.id, "/plan")
    [said] = fake.transcript(group.id)
    assert said.message_id is not None
    reply = await bot.send_message(
        group.id, "Here", reply_parameters=ReplyParameters(said.message_id)
    )
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.text == "/plan"
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(group.id, "Here", reply_parameters=ReplyParameters(999))
    await bot.send_message(
        group.id,
        "Anyway",
        reply_parameters=ReplyParameters(999, allow_sending_without_reply=True),
    )


async def test_delete_message(bot: Bot, fake: FakeTelegram, group: FakeChat) -> None:
    sent = await bot.send_message(group.id, "temporary")
    assert await sent.delete() is True
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await sent.delete()
    assert fake.render_transcript(group.id).splitlines() == [
        "bot: temporary",
        f"bot deleted #{sent.message_id}",
    ]


async def test_callback_data_over_64_bytes_is_refused(bot: Bot, group: FakeChat) -> None:
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="é" * 33)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(group.id, "pick", reply_markup=too_long)


async def test_clock_sets_message_dates() -> None:
    moment = dtm.datetime(2024, 3, 31, 1, 30, tzinfo=dtm.UTC)
    async with FakeTelegram(clock=lambda: moment) as fake:
        fake.add_user(1, "Alice")
        fake.add_group(-5, "WG")
        fake.user_says(-5, 1, "hi")
        [entry] = fake.transcript()
        assert entry.at == moment
        assert fake.pending_updates()[0]["message"]["date"] == int(moment.timestamp())
