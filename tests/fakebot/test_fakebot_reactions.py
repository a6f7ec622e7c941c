"""setMessageReaction (Bot API 7.0) behaves as on Telegram: a known message, a known emoji."""

import pytest
from telegram import Bot, ReactionTypeEmoji
from telegram.error import BadRequest

from fakebot import FakeChat, FakeTelegram, FakeUser


async def test_a_reaction_on_a_users_message_is_accepted(
    bot: Bot, fake: FakeTelegram, group: FakeChat, alice: FakeUser
) -> None:
    fake.user_says(group.id, alice.id, "#agreed We meet monthly")
    [message] = fake.transcript(group.id)
    assert message.message_id is not None
    assert await bot.set_message_reaction(group.id, message.message_id, ReactionTypeEmoji("✍"))
    [call] = fake.calls("setMessageReaction")
    assert call.params["reaction"] == [{"type": "emoji", "emoji": "✍"}]
    assert fake.bot_messages(group.id) == []  # a reaction is not a message


async def test_a_reaction_on_a_missing_message_or_with_a_foreign_emoji_is_refused(
    bot: Bot, fake: FakeTelegram, group: FakeChat, alice: FakeUser
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message_id_invalid"):
        await bot.set_message_reaction(group.id, 999, ReactionTypeEmoji("👍"))
    fake.user_says(group.id, alice.id, "hello")
    [message] = fake.transcript(group.id)
    assert message.message_id is not None
    with pytest.raises(BadRequest, match=r"(?i)reaction_invalid"):
        await bot.set_message_reaction(group.id, message.message_id, ReactionTypeEmoji("🦖"))
