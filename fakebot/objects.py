"""Telegram JSON objects built from the fake's state, complete enough for PTB's de_json."""

from __future__ import annotations

from typing import Any

from fakebot.state import Backend, FakeChat, FakeFile, FakeUser, StoredMessage

_ADMIN_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
}


def message_json(
    backend: Backend, msg: StoredMessage, *, with_reply: bool = True
) -> dict[str, Any]:
    chat = backend.chats[msg.chat_id]
    sender = backend.users.get(msg.sender_id)
    if sender is None and msg.token is not None:
        sender = backend.bot(msg.token).user
    data: dict[str, Any] = {
        "message_id": msg.message_id,
        "date": msg.date,
        "chat": chat.to_api(),
    }
    if sender is not None:
        data["from"] = sender.to_api()
    if msg.sender_chat is not None:
        data["sender_chat"] = msg.sender_chat
    text_key = "text" if msg.document is None and msg.photo is None else "caption"
    if msg.text is not None:
        data[text_key] = msg.text
        if msg.entities:
            data[f"{text_key}_entities" if text_key == "caption" else "entities"] = msg.entities
    if msg.document is not None:
        data["document"] = _document_json(msg.document.file_id, msg.document)
    if msg.photo is not None:
        data["photo"] = [_photo_size(msg.photo.file_id, len(msg.photo.data))]
    if msg.reply_markup is not None and "inline_keyboard" in msg.reply_markup:
        # Telegram echoes only inline keyboards back in the Message.
        data["reply_markup"] = msg.reply_markup
    if msg.edit_date is not None:
        data["edit_date"] = msg.edit_date
    replied = backend.messages.get((msg.chat_id, msg.reply_to or 0))
    if with_reply and replied is not None:
        data["reply_to_message"] = message_json(backend, replied, with_reply=False)
    return data


def _document_json(file_id: str, file: FakeFile) -> dict[str, Any]:
    data: dict[str, Any] = {"file_id": file_id, "file_unique_id": f"u{file_id}"}
    if file.filename:
        data["file_name"] = file.filename
    if file.mime_type:
        data["mime_type"] = file.mime_type
    if file.data:
        data["file_size"] = len(file.data)
    return data


def _photo_size(file_id: str, size: int) -> dict[str, Any]:
    return {
        "file_id": file_id,
        "file_unique_id": f"u{file_id}",
        "width": 320,
        "height": 240,
        "file_size": size,
    }


def member_json(backend: Backend, chat: FakeChat, user: FakeUser) -> dict[str, Any]:
    base: dict[str, Any] = {"user": user.to_api()}
    if user.is_bot and chat.bot_removed:
        return {**base, "status": "kicked", "until_date": 0}
    if chat.type == "private":
        return {**base, "status": "member"}
    if user.id in chat.left:
        return {**base, "status": "left"}
    if chat.admins and chat.admins[0] == user.id:
        return {**base, "status": "creator", "is_anonymous": False}
    if user.id in chat.admins:
        return {**base, "status": "administrator", **_ADMIN_RIGHTS}
    return {**base, "status": "member"}


def chat_full_json(chat: FakeChat) -> dict[str, Any]:
    return {
        **chat.to_api(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


def file_json(backend: Backend, file_id: str) -> dict[str, Any]:
    stored = backend.files[file_id]
    return {
        "file_id": file_id,
        "file_unique_id": f"u{file_id}",
        "file_size": len(stored.data),
        "file_path": f"files/{file_id}",
    }


# Answers for methods the fake does not model, so PTB can still build the declared type.
GENERIC_RESULTS: dict[str, object] = {
    "Boolean": True,
    "String": "",
    "Integer": 0,
    "UserProfilePhotos": {"total_count": 0, "photos": []},
    "ChatInviteLink": {
        "invite_link": "https://t.me/+fake",
        "creator": {"id": 1, "is_bot": True, "first_name": "wgbot"},
        "creates_join_request": False,
        "is_primary": False,
        "is_revoked": False,
    },
    "MenuButton": {"type": "default"},
    "MessageId": {"message_id": 1},
    "ChatAdministratorRights": {k: v for k, v in _ADMIN_RIGHTS.items() if k != "can_be_edited"},
    "StarAmount": {"amount": 0},
}
