"""`FakeTelegram`: the fake Bot API server plus the controls a test uses to play the users."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from fakebot.faults import Fault, FaultKind, FaultPlan
from fakebot.flood import FloodLimits
from fakebot.html import utf16_len
from fakebot.objects import member_json, message_json
from fakebot.server import ApiServer
from fakebot.state import (
    Backend,
    BotAccount,
    Clock,
    EntryKind,
    FakeChat,
    FakeUser,
    RecordedCall,
    StoredMessage,
    TranscriptEntry,
)
from fakebot.transcript import max_in_window, render

DEFAULT_TOKEN = "123456789:AAFakeTokenForWgbotTests_0123456789"
_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,})?(?=\s|$)")


class FakeTelegram:
    """A Bot API server on 127.0.0.1 with users, chats and faults under the test's control.

    Harness methods that act for one bot take `token=` and default to `self.token`.
    """

    def __init__(
        self,
        *,
        bot_username: str = "wgbot_test_bot",
        clock: Clock | None = None,
        token: str = DEFAULT_TOKEN,
        flood: FloodLimits | None = None,
        latency: float = 0.0,
    ) -> None:
        """With `flood`, messages that break Telegram's limits get 429 as at Telegram.
        With `latency`, every call but getUpdates is answered after that many seconds,
        as Telegram's round trip from a server takes (30-150 ms)."""
        if latency < 0:
            raise ValueError("latency must not be negative")
        self.token = token
        self.state = Backend(bot_username=bot_username, clock=clock)
        self.state.flood = flood
        self.state.latency = latency
        self.faults = FaultPlan()
        self._server = ApiServer(self.state, self.faults)
        self.state.bot(token)

    # --- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        await self._server.start()

    async def stop(self) -> None:
        await self._server.stop()

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """For `ApplicationBuilder().base_url(...)`: PTB appends the token and method."""
        return f"http://127.0.0.1:{self._port()}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self._port()}/file/bot"

    def _port(self) -> int:
        if self._server.port is None:
            raise RuntimeError("FakeTelegram is not started")
        return self._server.port

    # --- world -----------------------------------------------------------------------

    def add_bot(self, token: str, *, username: str | None = None) -> FakeUser:
        """Another bot on this server (each token is its own bot)."""
        return self.state.bot(token, username=username).user

    def bot_user(self, token: str | None = None) -> FakeUser:
        return self._account(token).user

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "en",
    ) -> FakeUser:
        user = FakeUser(
            id=user_id,
            first_name=first_name,
            username=username,
            last_name=last_name,
            language_code=language_code,
        )
        self.state.users[user_id] = user
        return user

    def add_group(
        self,
        chat_id: int,
        title: str,
        *,
        supergroup: bool = True,
        admins: Iterable[int] = (),
        username: str | None = None,
    ) -> FakeChat:
        """A group the bot is a member of; the first admin is its creator."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        chat = FakeChat(
            id=chat_id,
            type="supergroup" if supergroup else "group",
            title=title,
            username=username,
            admins=list(admins),
        )
        self.state.chats[chat_id] = chat
        return chat

    def private_chat(self, user_id: int) -> FakeChat:
        chat = self.state.chats.get(user_id)
        if chat is None:
            user = self._user(user_id)
            chat = FakeChat(id=user_id, type="private", user=user, members={user_id})
            self.state.chats[user_id] = chat
        return chat

    def set_admins(self, chat_id: int, user_ids: Iterable[int]) -> None:
        """Replace the chat's admins; the first one is reported as "creator"."""
        self._chat(chat_id).admins = list(user_ids)

    def remove_bot(self, chat_id: int) -> None:
        """Kick the bot from a group, or have the user block it in a private chat."""
        self._chat(chat_id).bot_removed = True

    # --- users acting ----------------------------------------------------------------

    def user_says(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        *,
        reply_to: int | None = None,
        token: str | None = None,
        as_channel: tuple[int, str] | None = None,
    ) -> int:
        """Queue a message update for the bot; returns its update_id.

        A leading "/cmd", "/cmd args" or "/cmd@botname" gets a bot_command entity, as
        Telegram's clients send it. Writing to a private chat with the user creates it.
        `as_channel` (id, title) posts on behalf of a channel, as Telegram shows it: the
        channel as sender_chat, a placeholder user as from.
        """
        account = self._account(token)
        user = self._user(user_id)
        chat = self.private_chat(user_id) if chat_id == user_id else self._chat(chat_id)
        self._require_bot(chat)
        if reply_to is not None and (chat_id, reply_to) not in self.state.messages:
            raise ValueError(f"no message {reply_to} in chat {chat_id} to reply to")
        chat.members.add(user_id)
        entities: list[dict[str, Any]] = []
        command = _COMMAND_RE.match(text)
        if command:
            length = utf16_len(command.group(0))
            entities.append({"type": "bot_command", "offset": 0, "length": length})
        msg = StoredMessage(
            message_id=self.state.next_message_id(chat_id),
            chat_id=chat_id,
            sender_id=user_id,
            date=self.state.unix_now(),
            text=text,
            raw_text=text,
            entities=entities,
            reply_to=reply_to,
            sender_chat=(
                {"id": as_channel[0], "type": "channel", "title": as_channel[1]}
                if as_channel is not None
                else None
            ),
        )
        self.state.messages[(chat_id, msg.message_id)] = msg
        update_id = self.state.next_update_id()
        self._user_entry("message", msg, user, text, update_id, account)
        self.state.enqueue(
            account, {"update_id": update_id, "message": message_json(self.state, msg)}
        )
        return update_id

    def press_button(
        self,
        chat_id: int,
        user_id: int,
        message_id: int,
        data: str,
        *,
        token: str | None = None,
        forged: bool = False,
    ) -> int:
        """Press the inline button carrying `data` under a bot message; returns the update_id.

        Refuses buttons the message does not show, since a user could not press them;
        `forged` sends `data` anyway, as a modified client can.
        """
        account = self._account(token)
        user = self._user(user_id)
        chat = self._chat(chat_id)
        self._require_bot(chat)
        msg = self.state.messages.get((chat_id, message_id))
        if msg is None or msg.token != account.token:
            raise ValueError(f"no bot message {message_id} in chat {chat_id}")
        rows = (msg.reply_markup or {}).get("inline_keyboard", [])
        label = next(
            (b["text"] for row in rows for b in row if b.get("callback_data") == data), None
        )
        if label is None and forged:
            label = data
        if label is None:
            raise ValueError(f"message {message_id} has no button with callback_data {data!r}")
        query_id = self.state.new_id("cbq")
        account.open_callbacks[query_id] = (chat_id, message_id)
        update_id = self.state.next_update_id()
        self._user_entry("button", msg, user, label, update_id, account, raw=data)
        query = {
            "id": query_id,
            "from": user.to_api(),
            "chat_instance": f"ci{chat_id}",
            "message": message_json(self.state, msg),
            "data": data,
        }
        self.state.enqueue(account, {"update_id": update_id, "callback_query": query})
        return update_id

    def member_leaves(
        self,
        chat_id: int,
        user_id: int,
        *,
        removed: bool = False,
        seen: bool = True,
        token: str | None = None,
    ) -> int | None:
        """A user leaves the group (or an admin removes them): Telegram tells the bot with
        a chat_member update where the bot is an administrator (`seen`); getChatMember
        says "left" from now on. Returns the update_id, if any."""
        account = self._account(token)
        chat, user = self._chat(chat_id), self._user(user_id)
        before = member_json(self.state, chat, user)
        chat.members.discard(user_id)
        chat.left.add(user_id)
        after: dict[str, Any] = {"user": user.to_api(), "status": "left"}
        if removed:
            after |= {"status": "kicked", "until_date": 0}
        if not seen:
            return None
        update_id = self.state.next_update_id()
        change = {
            "chat": chat.to_api(),
            "from": user.to_api(),
            "date": self.state.unix_now(),
            "old_chat_member": before,
            "new_chat_member": after,
        }
        self.state.enqueue(account, {"update_id": update_id, "chat_member": change})
        return update_id

    def is_polling(self, *, token: str | None = None) -> bool:
        """Whether a getUpdates long poll of the bot is waiting at the server right now."""
        return self._account(token).poller is not None

    def pending_updates(self, *, token: str | None = None) -> list[dict[str, Any]]:
        """Updates queued and not yet confirmed by the bot."""
        return list(self._account(token).updates)

    # --- looking back ----------------------------------------------------------------

    def transcript(self, chat_id: int | None = None) -> list[TranscriptEntry]:
        return [e for e in self.state.entries if chat_id is None or e.chat_id == chat_id]

    def bot_messages(
        self,
        chat_id: int,
        *,
        since_update: int | None = None,
        kinds: Iterable[EntryKind] | None = None,
    ) -> list[TranscriptEntry]:
        """The bot's entries in the chat (all kinds unless `kinds`), after a user update."""
        entries = self.transcript(chat_id)
        if since_update is not None:
            index = next((i for i, e in enumerate(entries) if e.update_id == since_update), None)
            if index is None:
                raise ValueError(f"update {since_update} is not in chat {chat_id}")
            entries = entries[index + 1 :]
        wanted = set(kinds) if kinds is not None else None
        return [e for e in entries if e.sender == "bot" and (wanted is None or e.kind in wanted)]

    def render_transcript(self, chat_id: int | None = None) -> str:
        """Readable "Alice: /plan" / "bot: …" lines, as a person would see the chat."""
        return render(self.state, self.transcript(chat_id), show_chat=chat_id is None)

    def calls(self, method: str | None = None) -> list[RecordedCall]:
        """API calls as received; params are typed once the call passed validation."""
        wanted = method.lower() if method else None
        return [c for c in self.state.call_log if wanted is None or c.method.lower() == wanted]

    # --- faults and rates ------------------------------------------------------------

    def fail(
        self,
        method: str,
        *,
        kind: FaultKind,
        chat_id: int | None = None,
        times: int | None = 1,
        retry_after: int = 1,
        delay: float = 0.0,
    ) -> None:
        """Make the next `times` matching calls fail (`times=None`: all; `method="*"`: any).

        429/500/403 answer with Telegram's error; "hang" never answers until the caller
        gives up or stop(); "slow" answers normally after `delay` seconds; "network" drops
        the connection.
        """
        self.faults.add(
            Fault(
                method=method.lower(),
                kind=kind,
                chat_id=chat_id,
                times=times,
                retry_after=retry_after,
                delay=delay,
            )
        )

    @property
    def send_log(self) -> list[tuple[float, int, str]]:
        """(time.monotonic(), chat_id, method) for every message the bot sent successfully."""
        return list(self.state.send_log)

    @property
    def flood_refusals(self) -> int:
        """How many messages the fake refused for breaking the flood limits (429)."""
        return len(self.state.flood.refusals) if self.state.flood is not None else 0

    def max_sends_in_window(self, window_seconds: float, chat_id: int | None = None) -> int:
        """Most sends (in one chat, or all) within any span shorter than `window_seconds`."""
        times = [at for at, chat, _ in self.state.send_log if chat_id in (None, chat)]
        return max_in_window(times, window_seconds)

    # --- helpers ---------------------------------------------------------------------

    def _account(self, token: str | None) -> BotAccount:
        return self.state.bot(token or self.token)

    def _user(self, user_id: int) -> FakeUser:
        user = self.state.users.get(user_id)
        if user is None:
            raise ValueError(f"unknown user {user_id}; add_user() first")
        return user

    def _chat(self, chat_id: int) -> FakeChat:
        chat = self.state.chats.get(chat_id)
        if chat is None:
            raise ValueError(f"unknown chat {chat_id}; add_group() or private_chat() first")
        return chat

    @staticmethod
    def _require_bot(chat: FakeChat) -> None:
        if chat.bot_removed:
            raise ValueError(f"the bot is no longer in chat {chat.id}")

    def _user_entry(
        self,
        kind: EntryKind,
        msg: StoredMessage,
        user: FakeUser,
        text: str,
        update_id: int,
        account: BotAccount,
        *,
        raw: str | None = None,
    ) -> None:
        self.state.record(
            TranscriptEntry(
                sender="user",
                kind=kind,
                chat_id=msg.chat_id,
                sender_id=user.id,
                text=text,
                at=self.state.now(),
                message_id=msg.message_id,
                raw_text=raw if raw is not None else text,
                reply_to=msg.reply_to if kind == "message" else None,
                update_id=update_id,
                token=account.token,
            )
        )
