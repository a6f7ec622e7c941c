"""What the fake Telegram remembers: users, chats, messages, bots, updates, transcript."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from fakebot.errors import ApiError, bad_request, forbidden
from fakebot.flood import FloodLimits

Clock = Callable[[], datetime]
EntryKind = Literal["message", "edit", "document", "photo", "callback_answer", "button", "delete"]
ChatType = Literal["private", "group", "supergroup"]

# Telegram counts messages towards its flood limits; chat actions and edits are not messages.
SEND_METHODS = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "sendAudio",
        "sendVideo",
        "sendAnimation",
        "sendVoice",
        "sendVideoNote",
        "sendMediaGroup",
        "sendLocation",
        "sendVenue",
        "sendContact",
        "sendPoll",
        "sendDice",
        "sendSticker",
        "copyMessage",
        "forwardMessage",
    }
)


@dataclass(slots=True)
class FakeUser:
    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = "en"
    is_bot: bool = False

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


@dataclass(slots=True)
class FakeChat:
    id: int
    type: ChatType
    title: str | None = None
    username: str | None = None
    user: FakeUser | None = None  # the other side of a private chat
    admins: list[int] = field(default_factory=list)  # first one is the creator
    members: set[int] = field(default_factory=set)
    left: set[int] = field(default_factory=set)  # users who left or were removed
    bot_removed: bool = False

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.user is not None:
            data["first_name"] = self.user.first_name
            if self.user.last_name:
                data["last_name"] = self.user.last_name
            if self.user.username:
                data["username"] = self.user.username
        else:
            data["title"] = self.title or ""
            if self.username:
                data["username"] = self.username
        return data


@dataclass(frozen=True, slots=True)
class FakeFile:
    """A file the bot uploaded (or a file_id / URL it referred to, then `data` is empty)."""

    file_id: str
    filename: str | None
    data: bytes
    mime_type: str | None


@dataclass(slots=True)
class StoredMessage:
    message_id: int
    chat_id: int
    sender_id: int
    date: int
    token: str | None = None  # the bot that sent it; None for users
    text: str | None = None  # visible text (or caption), after entity parsing
    raw_text: str | None = None
    parse_mode: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    reply_to: int | None = None
    document: FakeFile | None = None
    photo: FakeFile | None = None
    edit_date: int | None = None
    sender_chat: dict[str, Any] | None = None  # posted on behalf of a chat (a channel)


@dataclass(frozen=True, slots=True)
class TranscriptEntry:
    """One line of a chat as a person would read it.

    `text` is what the reader sees (tags removed, entities unescaped); `raw_text` is what
    the bot sent. User entries carry the `update_id` the harness returned.
    """

    sender: Literal["user", "bot"]
    kind: EntryKind
    chat_id: int
    sender_id: int
    text: str | None
    at: datetime
    message_id: int | None = None
    raw_text: str | None = None
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    reply_to: int | None = None
    document: FakeFile | None = None
    photo: FakeFile | None = None
    update_id: int | None = None
    token: str | None = None
    show_alert: bool = False


@dataclass(slots=True)
class RecordedCall:
    method: str
    params: dict[str, object]
    at: datetime
    token: str
    status: int = 200  # HTTP status the fake answered with


@dataclass(slots=True)
class BotAccount:
    """One bot, i.e. one token; Telegram keeps all of this per bot."""

    token: str
    user: FakeUser
    updates: list[dict[str, Any]] = field(default_factory=list)
    webhook_url: str = ""
    allowed_updates: list[str] = field(default_factory=list)
    commands: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    texts: dict[tuple[str, str], str] = field(default_factory=dict)
    open_callbacks: dict[str, tuple[int, int]] = field(default_factory=dict)
    poller: asyncio.Future[str] | None = None

    def wake_poller(self, why: str) -> None:
        if self.poller is not None and not self.poller.done():
            self.poller.set_result(why)


def removed_error(chat: FakeChat | None) -> ApiError:
    """Telegram's 403 for a chat the bot can no longer write to."""
    if chat is not None and chat.type == "private":
        return forbidden("bot was blocked by the user")
    return forbidden(f"bot was kicked from the {chat.type if chat else 'group'} chat")


class Backend:
    """State shared by the HTTP handlers and the test harness."""

    def __init__(self, *, bot_username: str, clock: Clock | None) -> None:
        self.bot_username = bot_username
        self._clock = clock
        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, FakeChat] = {}
        self.bots: dict[str, BotAccount] = {}
        self.messages: dict[tuple[int, int], StoredMessage] = {}
        self.files: dict[str, FakeFile] = {}
        self.entries: list[TranscriptEntry] = []
        self.call_log: list[RecordedCall] = []
        self.send_log: list[tuple[float, int, str]] = []
        # Telegram's flood limits, enforced only when a test asks (fakebot.flood).
        self.flood: FloodLimits | None = None
        # Seconds every call but getUpdates waits before its answer (Telegram's round trip).
        self.latency: float = 0.0
        self._next_message_id: dict[int, itertools.count[int]] = {}
        self._update_ids = itertools.count(1)
        self._ids = itertools.count(1)

    def now(self) -> datetime:
        return self._clock() if self._clock is not None else datetime.now(UTC)

    def unix_now(self) -> int:
        return int(self.now().timestamp())

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def next_message_id(self, chat_id: int) -> int:
        return next(self._next_message_id.setdefault(chat_id, itertools.count(1)))

    def bot(self, token: str, *, username: str | None = None) -> BotAccount:
        account = self.bots.get(token)
        if account is None:
            user = FakeUser(
                id=int(token.split(":", 1)[0]),
                first_name="wgbot",
                username=username or self.bot_username,
                language_code=None,
                is_bot=True,
            )
            account = self.bots[token] = BotAccount(token=token, user=user)
        return account

    def chat(self, chat_ref: int | str | None) -> FakeChat:
        """The target chat of a call, refusing as Telegram does for unknown or lost chats."""
        chat: FakeChat | None = None
        if isinstance(chat_ref, int):
            chat = self.chats.get(chat_ref)
        elif isinstance(chat_ref, str) and chat_ref.startswith("@"):
            wanted = chat_ref[1:].lower()
            chat = next(
                (c for c in self.chats.values() if (c.username or "").lower() == wanted), None
            )
        if chat is None:
            raise bad_request("chat not found")
        if chat.bot_removed:
            raise removed_error(chat)
        return chat

    def record(self, entry: TranscriptEntry) -> None:
        self.entries.append(entry)

    def record_send(self, chat_id: int, method: str) -> None:
        if method in SEND_METHODS:
            self.send_log.append((time.monotonic(), chat_id, method))

    def enqueue(self, account: BotAccount, update: dict[str, Any]) -> None:
        account.updates.append(update)
        account.wake_poller("update")
