"""Calls through PTB's real request stack get Telegram's answers, good and bad."""

from collections.abc import Awaitable, Callable

import pytest
from telegram import Bot
from telegram.error import BadRequest, EndPointNotFound, InvalidToken
from telegram.request import HTTPXRequest

from fakebot import FakeChat, FakeTelegram, FakeUser

RawPost = Callable[..., Awaitable[object]]


async def test_get_me_names_the_bot(bot: Bot, fake: FakeTelegram) -> None:
    me = await bot.get_me()
    assert me.is_bot
    assert me.username == "wgbot_test_bot"
    assert me.id == int(fake.token.split(":")[0])


async def test_sent_message_appears_in_transcript(
    bot: Bot, fake: FakeTelegram, group: FakeChat
) -> None:
    sent = await bot.send_message(group.id, "<b>Plan</b> &amp; milestones", parse_mode="HTML")
    assert sent.text == "Plan & milestones"
    assert sent.entities[0].type == "bold"
    [entry] = fake.bot_messages(group.id)
    assert (entry.kind, entry.text, entry.message_id) == ("message", sent.text, sent.message_id)
    assert entry.raw_text == "<b>Plan</b> &amp; milestones"
    assert entry.parse_mode == "HTML"
    assert fake.render_transcript(group.id) == "bot: Plan & milestones"


async def test_unknown_method_is_not_found(bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")


async def test_malformed_token_is_unauthorized(fake: FakeTelegram) -> None:
    requests = HTTPXRequest(), HTTPXRequest()
    bad = Bot(
        "not-a-token", base_url=fake.base_url, request=requests[0], get_updates_request=requests[1]
    )
    try:
        with pytest.raises(InvalidToken, match="was rejected by the server"):
            await bad.initialize()
    finally:
        # A Bot whose initialize() failed does not close its HTTP clients on shutdown().
        for request in requests:
            await request.shutdown()


async def test_missing_required_field(raw_post: RawPost) -> None:
    # PTB drops Telegram's "Bad Request: " prefix and capitalizes the rest.
    with pytest.raises(BadRequest, match=r"^Chat_id is empty$"):
        await raw_post("sendChatAction", action="typing")


async def test_empty_text(bot: Bot, group: FakeChat) -> None:
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(group.id, "<b> </b>", parse_mode="HTML")


async def test_wrong_type(raw_post: RawPost, group: FakeChat) -> None:
    with pytest.raises(BadRequest, match="Message_id has wrong type"):
        await raw_post("deleteMessage", chat_id=group.id, message_id="x")
    with pytest.raises(BadRequest, match="Disable_notification has wrong type"):
        await raw_post("sendMessage", chat_id=group.id, text="hi", disable_notification="yes")
    with pytest.raises(BadRequest, match="Reply_markup has wrong type"):
        await raw_post("sendMessage", chat_id=group.id, text="hi", reply_markup="{oops")


async def test_unknown_parameters_are_ignored(raw_post: RawPost, group: FakeChat) -> None:
    sent = await raw_post("sendMessage", chat_id=group.id, text="hi", colour="blue")
    assert isinstance(sent, dict)
    assert sent["text"] == "hi"


async def test_text_over_4096_is_too_long(bot: Bot, group: FakeChat) -> None:
    await bot.send_message(group.id, "x" * 4096)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(group.id, "x" * 4097)


async def test_length_counts_utf16_after_tags(bot: Bot, group: FakeChat) -> None:
    await bot.send_message(group.id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(group.id, "😀" * 2049)


async def test_caption_limit(bot: Bot, group: FakeChat) -> None:
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_document(group.id, b"data", filename="a.txt", caption="c" * 1025)


async def test_bad_html_is_refused(bot: Bot, group: FakeChat) -> None:
    with pytest.raises(BadRequest, match="Can't parse entities: unsupported start tag"):
        await bot.send_message(group.id, "score <3 & rising", parse_mode="HTML")


async def test_unknown_chat(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(424242, "hello")


async def test_every_real_method_answers(bot: Bot, fake: FakeTelegram, group: FakeChat) -> None:
    assert await bot.set_my_description("Keeps the plan alive") is True
    assert (await bot.get_my_description()).description == "Keeps the plan alive"
    assert await bot.pin_chat_message(group.id, 1) is True
    assert [c.method for c in fake.calls()][-3:] == [
        "setMyDescription",
        "getMyDescription",
        "pinChatMessage",
    ]


async def test_chat_members_reflect_admins(
    bot: Bot, fake: FakeTelegram, group: FakeChat, alice: FakeUser, bob: FakeUser
) -> None:
    assert (await bot.get_chat_member(group.id, alice.id)).status == "creator"
    assert (await bot.get_chat_member(group.id, bob.id)).status == "member"
    fake.set_admins(group.id, [alice.id, bob.id])
    assert (await bot.get_chat_member(group.id, bob.id)).status == "administrator"
    assert (await bot.get_chat_member(group.id, bot.id)).status == "member"
    admins = await bot.get_chat_administrators(group.id)
    assert [m.user.id for m in admins] == [alice.id, bob.id]
    assert (await bot.get_chat(group.id)).title == "Working group"


async def test_commands_are_kept_per_scope_and_language(bot: Bot) -> None:
    await bot.set_my_commands([("plan", "Show the plan")])
    await bot.set_my_commands([("plan", "Plan anzeigen")], language_code="de")
    assert [c.description for c in await bot.get_my_commands()] == ["Show the plan"]
    assert [c.description for c in await bot.get_my_commands(language_code="de")] == [
        "Plan anzeigen"
    ]
    await bot.delete_my_commands(language_code="de")
    assert await bot.get_my_commands(language_code="de") == ()
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([("Plan!", "bad")])
