"""The bot's own settings, updates and webhooks, chat information, and the generic rest."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from fakebot.calls import Call, handles
from fakebot.errors import ApiError, bad_request
from fakebot.objects import GENERIC_RESULTS, chat_full_json, file_json, member_json, message_json
from fakebot.state import BotAccount, StoredMessage, TranscriptEntry

# Telegram leaves these out unless allowed_updates asks for them.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
TERMINATED = ApiError(
    409,
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
)
WEBHOOK_ACTIVE = ApiError(
    409,
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first",
)


@handles("getMe")
async def get_me(call: Call) -> object:
    return {
        **call.bot.user.to_api(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@handles("logOut", "close")
async def log_out(call: Call) -> object:
    return True


def _confirm(bot: BotAccount, offset: int | None) -> None:
    if offset is None:
        return
    if offset < 0:
        bot.updates = bot.updates[offset:]
    else:
        bot.updates = [u for u in bot.updates if u["update_id"] >= offset]


def _take(bot: BotAccount, limit: int) -> list[dict[str, Any]]:
    allowed = set(bot.allowed_updates)

    def wanted(update: dict[str, Any]) -> bool:
        kind = next(k for k in update if k != "update_id")
        return kind in allowed if allowed else kind not in _OPT_IN_UPDATES

    # Telegram never stores updates the bot did not ask for.
    bot.updates = [u for u in bot.updates if wanted(u)]
    return bot.updates[:limit]


@handles("getUpdates")
async def get_updates(call: Call) -> object:
    bot, p = call.bot, call.params
    if bot.webhook_url:
        raise WEBHOOK_ACTIVE
    limit = min(max(p.get_int("limit") or 100, 1), 100)
    timeout = max(p.get_int("timeout") or 0, 0)
    allowed = p.get_list("allowed_updates")
    if allowed is not None:
        bot.allowed_updates = [str(kind) for kind in allowed]
    _confirm(bot, p.get_int("offset"))
    # Like Telegram, a new request ends the pending one; the older caller gets the 409.
    bot.wake_poller("terminated")
    batch = _take(bot, limit)
    if batch or timeout == 0:
        return batch
    waiter: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    bot.poller = waiter
    try:
        await asyncio.wait({waiter}, timeout=timeout)
    finally:
        if bot.poller is waiter:
            bot.poller = None
    if waiter.done() and waiter.result() == "terminated":
        raise TERMINATED
    return _take(bot, limit)


@handles("setWebhook")
async def set_webhook(call: Call) -> object:
    p = call.params
    call.bot.webhook_url = p.get_str("url") or ""
    if p.get_bool("drop_pending_updates"):
        call.bot.updates.clear()
    allowed = p.get_list("allowed_updates")
    if allowed is not None:
        call.bot.allowed_updates = [str(kind) for kind in allowed]
    call.bot.wake_poller("terminated")
    return True


@handles("deleteWebhook")
async def delete_webhook(call: Call) -> object:
    call.bot.webhook_url = ""
    if call.params.get_bool("drop_pending_updates"):
        call.bot.updates.clear()
    return True


@handles("getWebhookInfo")
async def get_webhook_info(call: Call) -> object:
    info: dict[str, Any] = {
        "url": call.bot.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(call.bot.updates),
    }
    if call.bot.allowed_updates:
        info["allowed_updates"] = call.bot.allowed_updates
    return info


def _command_key(call: Call) -> tuple[str, str]:
    scope = call.params.get_obj("scope") or {"type": "default"}
    if scope.get("type") not in _SCOPES:
        raise bad_request("unsupported bot command scope type")
    if "chat_id" in scope:
        call.backend.chat(scope["chat_id"])
    return json.dumps(scope, sort_keys=True), call.params.get_str("language_code") or ""


@handles("setMyCommands")
async def set_my_commands(call: Call) -> object:
    commands = call.params.get_list("commands") or []
    if len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    cleaned: list[dict[str, Any]] = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand")
        name, description = command.get("command"), command.get("description")
        if not isinstance(name, str) or not _COMMAND_RE.match(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": name, "description": description})
    key = _command_key(call)
    if cleaned:
        call.bot.commands[key] = cleaned
    else:
        call.bot.commands.pop(key, None)
    return True


@handles("getMyCommands")
async def get_my_commands(call: Call) -> object:
    return call.bot.commands.get(_command_key(call), [])


@handles("deleteMyCommands")
async def delete_my_commands(call: Call) -> object:
    call.bot.commands.pop(_command_key(call), None)
    return True


_TEXT_SETTINGS = {
    "setmyname": ("name", True),
    "getmyname": ("name", False),
    "setmydescription": ("description", True),
    "getmydescription": ("description", False),
    "setmyshortdescription": ("short_description", True),
    "getmyshortdescription": ("short_description", False),
}


@handles(*_TEXT_SETTINGS)
async def bot_texts(call: Call) -> object:
    field, is_set = _TEXT_SETTINGS[call.spec.name.lower()]
    key = (field, call.params.get_str("language_code") or "")
    if is_set:
        call.bot.texts[key] = call.params.get_str(field) or ""
        return True
    return {field: call.bot.texts.get(key, "")}


@handles("getChat")
async def get_chat(call: Call) -> object:
    return chat_full_json(call.chat())


@handles("getChatMember")
async def get_chat_member(call: Call) -> object:
    chat = call.chat()
    user_id = call.params.get_int("user_id")
    user = call.bot.user if user_id == call.bot.user.id else call.backend.users.get(user_id or 0)
    if user is None:
        raise bad_request("user not found")
    return member_json(call.backend, chat, user)


@handles("getChatAdministrators")
async def get_chat_administrators(call: Call) -> object:
    chat = call.chat()
    if chat.type == "private":
        raise bad_request("there are no administrators in the private chat")
    backend = call.backend
    admins = [backend.users[uid] for uid in chat.admins if uid in backend.users]
    if call.bot.user.id in chat.admins:
        admins.append(call.bot.user)
    return [member_json(backend, chat, user) for user in admins]


@handles("getChatMemberCount")
async def get_chat_member_count(call: Call) -> object:
    chat = call.chat()
    return len(chat.members | set(chat.admins) | {call.bot.user.id})


@handles("leaveChat")
async def leave_chat(call: Call) -> object:
    call.chat().bot_removed = True
    return True


@handles("getFile")
async def get_file(call: Call) -> object:
    file_id = call.params.get_str("file_id") or ""
    if file_id not in call.backend.files:
        raise bad_request("invalid file_id")
    return file_json(call.backend, file_id)


async def generic(call: Call) -> object:
    """Any other real method: validated already, answered with a plausible result."""
    returns = call.spec.returns
    chat = call.chat() if "chat_id" in call.params else None
    if returns == "Message" and chat is not None:
        backend = call.backend
        msg = StoredMessage(
            message_id=backend.next_message_id(chat.id),
            chat_id=chat.id,
            sender_id=call.bot.user.id,
            date=backend.unix_now(),
            token=call.bot.token,
        )
        backend.messages[(chat.id, msg.message_id)] = msg
        backend.record(
            TranscriptEntry(
                sender="bot",
                kind="message",
                chat_id=chat.id,
                sender_id=msg.sender_id,
                text=f"[{call.spec.name}]",
                at=backend.now(),
                message_id=msg.message_id,
                token=call.bot.token,
            )
        )
        backend.record_send(chat.id, call.spec.name)
        return message_json(backend, msg)
    if returns.startswith("Array of"):
        return []
    return GENERIC_RESULTS.get(returns, True)
