"""Telegram's HTML parse mode: visible text plus MessageEntity dicts, or the 400 it refuses with.

Follows the Bot API "HTML style" rules and tdlib's error wording. Stricter than Telegram in
one way, on purpose: a bare "&" or ">" is refused too (Telegram documents that they must be
escaped but tolerates them), so an escaping bug in the bot fails its tests.
"""

from __future__ import annotations

import html.entities
import re
from dataclasses import dataclass, field
from typing import Any

from fakebot.errors import ApiError, bad_request

_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


@dataclass(slots=True)
class ParsedText:
    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class _Open:
    tag: str
    start: int
    attrs: dict[str, str]
    seq: int  # opening order, so outer entities sort first when spans coincide
    language: str | None = None


_PLAIN = re.compile(r"[^<&>]+")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _error(reason: str) -> ApiError:
    return bad_request(f"can't parse entities: {reason}")


class _Parser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.utf16 = 0
        self.stack: list[_Open] = []
        self.entities: list[tuple[int, dict[str, Any]]] = []
        self.opened = 0

    def byte_offset(self, index: int) -> int:
        return len(self.src[:index].encode("utf-8"))

    def emit(self, chars: str) -> None:
        self.out.append(chars)
        self.utf16 += utf16_len(chars)

    def run(self) -> ParsedText:
        src = self.src
        while self.pos < len(src):
            char = src[self.pos]
            if char == "<":
                self.tag()
            elif char == "&":
                self.emit(self.char_entity())
            elif char == ">":
                raise _error(f'bare ">" at byte offset {self.byte_offset(self.pos)}; use &gt;')
            else:
                # A run of plain text at once: a character at a time cost more than the
                # bot it was faking, on a long answer.
                plain = _PLAIN.match(src, self.pos)
                assert plain is not None  # char is none of "<&>"
                self.emit(plain.group())
                self.pos = plain.end()
        if self.stack:
            raise _error(f'can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"')
        self.entities.sort(key=lambda item: (item[1]["offset"], -item[1]["length"], item[0]))
        return ParsedText("".join(self.out), [entity for _, entity in self.entities])

    def char_entity(self, *, src: str | None = None, base: int = 0) -> str:
        """Decode the entity at self.pos; advance past it."""
        text = self.src if src is None else src
        start = self.pos
        end = text.find(";", start, start + 12)
        body = text[start + 1 : end] if end != -1 else ""
        value: str | None = None
        if body.startswith(("#x", "#X")):
            value = _codepoint(body[2:], 16)
        elif body.startswith("#"):
            value = _codepoint(body[1:], 10)
        elif body in _NAMED:
            value = _NAMED[body]
        if value is None:
            where = base + len(text[:start].encode("utf-8"))
            if body in html.entities.name2codepoint:
                raise _error(f'unsupported HTML entity "&{body};" at byte offset {where}')
            raise _error(f'bare "&" at byte offset {where}; use &amp;')
        self.pos = end + 1
        return value

    def tag(self) -> None:
        src, begin = self.src, self.pos
        if src.startswith("</", begin):
            self.end_tag(begin)
            return
        i = begin + 1
        while i < len(src) and (src[i].isascii() and (src[i].isalnum() or src[i] == "-")):
            i += 1
        name = src[begin + 1 : i].lower()
        if i >= len(src):
            raise _error(f"unclosed start tag at byte offset {self.byte_offset(begin)}")
        if name not in _TAGS:
            raise _error(f'unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}')
        attrs, i = self.attributes(name, begin, i)
        self.pos = i
        self.start_tag(name, attrs, begin)

    def attributes(self, name: str, begin: int, i: int) -> tuple[dict[str, str], int]:
        src = self.src
        attrs: dict[str, str] = {}
        unclosed = _error(f"unclosed start tag at byte offset {self.byte_offset(begin)}")
        while True:
            while i < len(src) and src[i].isspace():
                i += 1
            if i >= len(src):
                raise unclosed
            if src[i] == ">":
                return attrs, i + 1
            attr_start = i
            while i < len(src) and (src[i].isalnum() or src[i] in "-_"):
                i += 1
            attr = src[attr_start:i].lower()
            if not attr:
                raise _error(
                    f'empty attribute name in the tag "{name}" at byte offset '
                    f"{self.byte_offset(begin)}"
                )
            while i < len(src) and src[i].isspace():
                i += 1
            if i >= len(src):
                raise unclosed
            if src[i] != "=":
                attrs[attr] = ""
                continue
            i += 1
            while i < len(src) and src[i].isspace():
                i += 1
            if i >= len(src):
                raise unclosed
            if src[i] in "'\"":
                close = src.find(src[i], i + 1)
                if close == -1:
                    raise _error(
                        f"unclosed end of attribute value at byte offset {self.byte_offset(i)}"
                    )
                raw, i = src[i + 1 : close], close + 1
            else:
                value_start = i
                while i < len(src) and not src[i].isspace() and src[i] != ">":
                    i += 1
                raw = src[value_start:i]
            attrs[attr] = self.decode_attribute(raw, self.byte_offset(attr_start))

    def decode_attribute(self, raw: str, base: int) -> str:
        saved = self.pos
        out: list[str] = []
        self.pos = 0
        while self.pos < len(raw):
            if raw[self.pos] == "&":
                out.append(self.char_entity(src=raw, base=base))
            else:
                out.append(raw[self.pos])
                self.pos += 1
        self.pos = saved
        return "".join(out)

    def start_tag(self, name: str, attrs: dict[str, str], begin: int) -> None:
        where = self.byte_offset(begin)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise _error(f'tag "span" must have class "tg-spoiler" at byte offset {where}')
        if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise _error(f'tag "tg-emoji" must have attribute "emoji-id" at byte offset {where}')
        self.opened += 1
        self.stack.append(_Open(tag=name, start=self.utf16, attrs=attrs, seq=self.opened))

    def end_tag(self, begin: int) -> None:
        src = self.src
        close = src.find(">", begin)
        where = self.byte_offset(begin)
        if close == -1:
            raise _error(f"unclosed end tag at byte offset {where}")
        name = src[begin + 2 : close].strip().lower()
        if not self.stack:
            raise _error(f"unexpected end tag at byte offset {where}")
        top = self.stack[-1]
        if name != top.tag:
            raise _error(
                f'unmatched end tag at byte offset {where}, expected "</{top.tag}>", '
                f'found "</{name}>"'
            )
        self.stack.pop()
        self.pos = close + 1
        self.close_entity(top)

    def close_entity(self, opened: _Open) -> None:
        language = opened.attrs.get("class", "")
        in_pre = bool(self.stack) and self.stack[-1].tag == "pre"
        if opened.tag == "code" and in_pre and language.startswith("language-"):
            # Telegram folds <pre><code class="language-x"> into one pre entity.
            self.stack[-1].language = language.removeprefix("language-")
            return
        length = self.utf16 - opened.start
        if length == 0:
            return
        kind = _TAGS[opened.tag]
        entity: dict[str, Any] = {"type": kind, "offset": opened.start, "length": length}
        if opened.tag == "a":
            url = opened.attrs.get("href", "")
            if not url:
                return
            entity["url"] = url
        elif opened.tag == "blockquote" and "expandable" in opened.attrs:
            entity["type"] = "expandable_blockquote"
        elif opened.tag == "tg-emoji":
            entity["custom_emoji_id"] = opened.attrs["emoji-id"]
        elif opened.tag == "pre" and opened.language:
            entity["language"] = opened.language
        self.entities.append((opened.seq, entity))


def _codepoint(digits: str, base: int) -> str | None:
    try:
        code = int(digits, base)
    except ValueError:
        return None
    if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def parse_html(source: str) -> ParsedText:
    """Parse `source` as Telegram does with parse_mode=HTML."""
    return _Parser(source).run()


def strip_html(source: str) -> str:
    """Visible text of HTML the fake accepted earlier (or the source itself if it is not)."""
    try:
        return parse_html(source).text
    except ApiError:
        return source
