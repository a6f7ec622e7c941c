"""Reading a transcript back: the demo printout and rate accounting."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fakebot.state import Backend, TranscriptEntry


def _keyboard(markup: dict[str, Any] | None) -> list[str]:
    rows = (markup or {}).get("inline_keyboard", [])
    return ["  " + " ".join(f"[{b.get('text', '')}]" for b in row) for row in rows]


def _line(backend: Backend, entry: TranscriptEntry) -> list[str]:
    user = backend.users.get(entry.sender_id)
    name = "bot" if entry.sender == "bot" else (user.first_name if user else str(entry.sender_id))
    text = entry.text or ""
    match entry.kind:
        case "button":
            head = f"{name} pressed [{text}]"
        case "edit":
            head = f"{name} (edited #{entry.message_id}): {text}"
        case "document":
            doc = entry.document
            size = len(doc.data) if doc else 0
            label = f"[document {doc.filename if doc else ''}, {size} bytes]"
            head = f"{name}: {label} {text}".rstrip()
        case "photo":
            head = f"{name}: [photo] {text}".rstrip()
        case "callback_answer":
            head = f"{name} (answer{', alert' if entry.show_alert else ''}): {text}".rstrip(": ")
        case "delete":
            head = f"{name} deleted #{entry.message_id}"
        case _:
            head = f"{name}: {text}"
    first, *rest = head.split("\n")
    lines = [first, *("  " + line for line in rest)]
    if entry.kind in {"message", "edit", "document", "photo"}:
        lines.extend(_keyboard(entry.reply_markup))
    return lines


def _chat_title(backend: Backend, chat_id: int) -> str:
    chat = backend.chats.get(chat_id)
    if chat is None:
        return str(chat_id)
    if chat.user is not None:
        return chat.user.first_name
    return chat.title or str(chat_id)


def render(backend: Backend, entries: Sequence[TranscriptEntry], *, show_chat: bool) -> str:
    out: list[str] = []
    for entry in entries:
        lines = _line(backend, entry)
        if show_chat:
            lines[0] = f"[{_chat_title(backend, entry.chat_id)}] {lines[0]}"
        out.extend(lines)
    return "\n".join(out)


def max_in_window(times: Sequence[float], window: float) -> int:
    """The largest number of instants lying within any span shorter than `window`."""
    ordered = sorted(times)
    best = start = 0
    for end, at in enumerate(ordered):
        while at - ordered[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best
