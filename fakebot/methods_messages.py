"""Sending, editing and deleting messages, files and callback answers."""

from __future__ import annotations

from typing import Any

from fakebot.calls import Call, handles
from fakebot.errors import bad_request
from fakebot.html import ParsedText, parse_html, utf16_len
from fakebot.objects import message_json
from fakebot.state import EntryKind, FakeChat, FakeFile, StoredMessage, TranscriptEntry
from fakebot.validation import Params, UploadedFile

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_TEXT_LIMIT = 200
_BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


def format_text(p: Params, field: str, entities_field: str, *, limit: int) -> ParsedText | None:
    """Apply parse_mode like Telegram and enforce the length limit on the visible text."""
    text = p.get_str(field)
    if text is None:
        return None
    mode = (p.get_str("parse_mode") or "").lower()
    if mode == "html":
        parsed = parse_html(text)
    elif mode in {"", "markdown", "markdownv2"}:
        # Markdown is not modelled: the bot uses HTML, so its text is kept verbatim.
        parsed = ParsedText(text, list(p.get_list(entities_field) or []))
    else:
        raise bad_request("unsupported parse_mode")
    if utf16_len(parsed.text) > limit:
        raise bad_request(
            "message is too long" if field == "text" else "message caption is too long"
        )
    if field == "text" and not parsed.text.strip():
        raise bad_request("message text is empty")
    return parsed


def check_markup(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    if markup is None or "inline_keyboard" not in markup:
        return markup
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse inline keyboard markup JSON object")
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request("can't parse inline keyboard button: Text must be a String")
            if not button["text"]:
                raise bad_request("BUTTON_TEXT_INVALID")
            if not _BUTTON_ACTIONS & button.keys():
                raise bad_request(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
                raise bad_request("BUTTON_DATA_INVALID")
    return markup


def _reply_target(call: Call, chat: FakeChat) -> int | None:
    p = call.params
    target = p.get_int("reply_to_message_id")
    allow = p.get_bool("allow_sending_without_reply")
    reply = p.get_obj("reply_parameters")
    if reply is not None:
        target = reply.get("message_id")
        allow = reply.get("allow_sending_without_reply") is True
    if not isinstance(target, int):
        return None
    if (chat.id, target) not in call.backend.messages:
        if allow:
            return None
        raise bad_request("message to be replied not found")
    return target


def _stored_file(call: Call, field: str, mime: str | None) -> FakeFile:
    value = call.params.get_file(field)
    backend = call.backend
    if isinstance(value, UploadedFile):
        file = FakeFile(
            file_id=backend.new_id("BQACAg"),
            filename=value.filename,
            data=value.data,
            mime_type=value.content_type or mime,
        )
        backend.files[file.file_id] = file
        return file
    known = backend.files.get(value or "")
    return known or FakeFile(file_id=value or "", filename=None, data=b"", mime_type=None)


def _send(
    call: Call,
    kind: EntryKind,
    parsed: ParsedText | None,
    *,
    document: FakeFile | None = None,
    photo: FakeFile | None = None,
) -> dict[str, Any]:
    """Store a new bot message, log it in the transcript and the send log."""
    backend, chat = call.backend, call.chat()
    reply_to = _reply_target(call, chat)
    markup = check_markup(call.params.get_obj("reply_markup"))
    msg = StoredMessage(
        message_id=backend.next_message_id(chat.id),
        chat_id=chat.id,
        sender_id=call.bot.user.id,
        date=backend.unix_now(),
        token=call.bot.token,
        text=parsed.text if parsed else None,
        raw_text=call.params.get_str("text" if kind == "message" else "caption"),
        parse_mode=call.params.get_str("parse_mode"),
        entities=parsed.entities if parsed else [],
        reply_markup=markup,
        reply_to=reply_to,
        document=document,
        photo=photo,
    )
    backend.messages[(chat.id, msg.message_id)] = msg
    _log(call, msg, kind)
    backend.record_send(chat.id, call.spec.name)
    return message_json(backend, msg)


def _log(call: Call, msg: StoredMessage, kind: EntryKind) -> None:
    call.backend.record(
        TranscriptEntry(
            sender="bot",
            kind=kind,
            chat_id=msg.chat_id,
            sender_id=msg.sender_id,
            text=msg.text,
            at=call.backend.now(),
            message_id=msg.message_id,
            raw_text=msg.raw_text,
            parse_mode=msg.parse_mode,
            reply_markup=msg.reply_markup,
            reply_to=msg.reply_to,
            document=msg.document,
            photo=msg.photo,
            token=call.bot.token,
        )
    )


@handles("sendMessage")
async def send_message(call: Call) -> object:
    call.chat()
    parsed = format_text(call.params, "text", "entities", limit=TEXT_LIMIT)
    return _send(call, "message", parsed)


@handles("sendDocument")
async def send_document(call: Call) -> object:
    call.chat()
    parsed = format_text(call.params, "caption", "caption_entities", limit=CAPTION_LIMIT)
    document = _stored_file(call, "document", "application/octet-stream")
    return _send(call, "document", parsed, document=document)


@handles("sendPhoto")
async def send_photo(call: Call) -> object:
    call.chat()
    parsed = format_text(call.params, "caption", "caption_entities", limit=CAPTION_LIMIT)
    photo = _stored_file(call, "photo", "image/jpeg")
    return _send(call, "photo", parsed, photo=photo)


def _editable(call: Call) -> StoredMessage:
    p = call.params
    if p.get_str("inline_message_id") is not None:
        raise bad_request("message to edit not found")
    if "chat_id" not in p:
        raise bad_request("chat_id is empty")
    chat = call.chat()
    message_id = p.get_int("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    msg = call.backend.messages.get((chat.id, message_id))
    if msg is None:
        raise bad_request("message to edit not found")
    if msg.token != call.bot.token:
        raise bad_request("message can't be edited")
    return msg


def _not_modified() -> Exception:
    return bad_request(
        "message is not modified: specified new message content and reply markup are exactly "
        "the same as a current content and reply markup of the message"
    )


@handles("editMessageText", "editMessageCaption")
async def edit_message_text(call: Call) -> object:
    msg = _editable(call)
    is_caption = call.spec.name == "editMessageCaption"
    if is_caption:
        parsed = format_text(call.params, "caption", "caption_entities", limit=CAPTION_LIMIT)
        parsed = parsed or ParsedText("")
    else:
        parsed = format_text(call.params, "text", "entities", limit=TEXT_LIMIT)
        assert parsed is not None  # text is a required field
    # Editing without reply_markup drops the inline keyboard, as on Telegram.
    markup = check_markup(call.params.get_obj("reply_markup"))
    text = parsed.text if parsed.text or not is_caption else None
    if (text, parsed.entities, markup) == (msg.text, msg.entities, msg.reply_markup):
        raise _not_modified()
    msg.text, msg.entities, msg.reply_markup = text, parsed.entities, markup
    msg.raw_text = call.params.get_str("caption" if is_caption else "text")
    msg.parse_mode = call.params.get_str("parse_mode")
    msg.edit_date = call.backend.unix_now()
    _log(call, msg, "edit")
    return message_json(call.backend, msg)


@handles("editMessageReplyMarkup")
async def edit_message_reply_markup(call: Call) -> object:
    msg = _editable(call)
    markup = check_markup(call.params.get_obj("reply_markup"))
    if markup == msg.reply_markup:
        raise _not_modified()
    msg.reply_markup = markup
    msg.edit_date = call.backend.unix_now()
    _log(call, msg, "edit")
    return message_json(call.backend, msg)


@handles("deleteMessage")
async def delete_message(call: Call) -> object:
    chat = call.chat()
    message_id = call.params.get_int("message_id") or 0
    msg = call.backend.messages.pop((chat.id, message_id), None)
    if msg is None:
        raise bad_request("message to delete not found")
    _log(call, msg, "delete")
    return True


@handles("answerCallbackQuery")
async def answer_callback_query(call: Call) -> object:
    query_id = call.params.get_str("callback_query_id") or ""
    target = call.bot.open_callbacks.get(query_id)
    if target is None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = call.params.get_str("text")
    if text is not None and utf16_len(text) > CALLBACK_TEXT_LIMIT:
        raise bad_request("MESSAGE_TOO_LONG")
    del call.bot.open_callbacks[query_id]
    chat_id, message_id = target
    call.backend.record(
        TranscriptEntry(
            sender="bot",
            kind="callback_answer",
            chat_id=chat_id,
            sender_id=call.bot.user.id,
            text=text,
            at=call.backend.now(),
            message_id=message_id,
            token=call.bot.token,
            show_alert=call.params.get_bool("show_alert"),
        )
    )
    return True


@handles("sendChatAction")
async def send_chat_action(call: Call) -> object:
    call.chat()
    if call.params.get_str("action") not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


REACTION_TYPES = frozenset({"emoji", "custom_emoji", "paid"})
# The emoji a bot may react with (ReactionTypeEmoji, shared/telegram-bot-api/api.json).
REACTION_EMOJI = frozenset(
    {
        "❤",
        "👍",
        "👎",
        "🔥",
        "🥰",
        "👏",
        "😁",
        "🤔",
        "🤯",
        "😱",
        "🤬",
        "😢",
        "🎉",
        "🤩",
        "🤮",
        "💩",
        "🙏",
        "👌",
        "🕊",
        "🤡",
        "🥱",
        "🥴",
        "😍",
        "🐳",
        "❤‍🔥",
        "🌚",
        "🌭",
        "💯",
        "🤣",
        "⚡",
        "🍌",
        "🏆",
        "💔",
        "🤨",
        "😐",
        "🍓",
        "🍾",
        "💋",
        "🖕",
        "😈",
        "😴",
        "😭",
        "🤓",
        "👻",
        "👨‍💻",
        "👀",
        "🎃",
        "🙈",
        "😇",
        "😨",
        "🤝",
        "✍",
        "🤗",
        "🫡",
        "🎅",
        "🎄",
        "☃",
        "💅",
        "🤪",
        "🗿",
        "🆒",
        "💘",
        "🙉",
        "🦄",
        "😘",
        "💊",
        "🙊",
        "😎",
        "👾",
        "🤷‍♂",
        "🤷",
        "🤷‍♀",
        "😡",
    }
)


@handles("setMessageReaction")
async def set_message_reaction(call: Call) -> object:
    """Telegram checks the message and each reaction; the fake keeps no reaction state
    (a test reads the calls)."""
    chat = call.chat()
    message_id = call.params.get_int("message_id") or 0
    if (chat.id, message_id) not in call.backend.messages:
        raise bad_request("MESSAGE_ID_INVALID")
    for reaction in call.params.get_list("reaction") or []:
        if not isinstance(reaction, dict) or reaction.get("type") not in REACTION_TYPES:
            raise bad_request("REACTION_INVALID")
        if reaction["type"] == "emoji" and reaction.get("emoji") not in REACTION_EMOJI:
            raise bad_request("REACTION_INVALID")
    return True
