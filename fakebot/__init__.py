"""A fake Telegram Bot API server for tests and `wgbot demo`.

The real python-telegram-bot stack talks HTTP to it::

    async with FakeTelegram() as fake:       # or: await fake.start() ... await fake.stop()
        app = (
            ApplicationBuilder()
            .token(fake.token)
            .base_url(fake.base_url)           # "http://127.0.0.1:PORT/bot"
            .base_file_url(fake.base_file_url)
            .build()
        )
        fake.add_user(1, "Alice")
        fake.add_group(-100, "Working group", admins=[1])
        update_id = fake.user_says(-100, 1, "/plan")
        ...                                    # let the application poll
        [reply] = fake.bot_messages(-100, since_update=update_id)

What it refuses, it refuses as Telegram does: every call is checked against the Bot API
spec (`api_methods.json`, trimmed from PaulSonOfLars/telegram-bot-api-spec, MIT); HTML
text is parsed strictly (`fakebot.html`); unknown chats, over-long texts, unmodified edits,
stale callback queries and a second concurrent getUpdates get Telegram's errors.

Harness (see `FakeTelegram` for signatures):

- one server, any number of bots: each well-formed token is its own bot, id = the digits
  before ":". Harness methods acting for a bot take `token=` (keyword-only) and default to
  `fake.token`, the token given to the constructor (`DEFAULT_TOKEN` unless set).
- world: `add_user`, `add_group`, `private_chat`, `set_admins`, `remove_bot`, `add_bot`.
- users acting: `user_says(chat_id, user_id, text, *, reply_to=None, token=None)` and
  `press_button(chat_id, user_id, message_id, data, *, token=None)`; both return the
  update_id.
- looking back: `transcript`, `bot_messages`, `render_transcript`, `calls`, `send_log`,
  `max_sends_in_window`, `pending_updates`, `is_polling`.
- faults: `fail(method, *, kind, chat_id=None, times=1, retry_after=1, delay=0.0)`.
"""

from fakebot.flood import FloodLimits, Window
from fakebot.harness import DEFAULT_TOKEN, FakeTelegram
from fakebot.state import FakeChat, FakeFile, FakeUser, RecordedCall, TranscriptEntry

__all__ = [
    "DEFAULT_TOKEN",
    "FakeChat",
    "FakeFile",
    "FakeTelegram",
    "FakeUser",
    "FloodLimits",
    "RecordedCall",
    "TranscriptEntry",
    "Window",
]
