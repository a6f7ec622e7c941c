"""Minutes as the group reads them: a Telegram message (split where long) and a
Markdown file, both from the catalogs in the group's language. User text is escaped in
both: Telegram HTML in the message, Markdown backslash escapes in the file."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable

from bot.i18n import Translator
from bot.render import STATUS_MARK, esc, split_message, status_label
from domain.minutes import LineKind
from domain.parts import Part
from storage.actions import ActionView
from storage.minutes import LineView, MinutesView

MARK = {
    LineKind.TOPIC: "▸",
    LineKind.INFO: "ℹ️",
    LineKind.AGREED: "✅",
    LineKind.LINK: "🔗",
    LineKind.ACTION: "📌",
}
# Every ASCII punctuation character may be backslash-escaped in CommonMark; these are
# the ones that can start or end formatting, a link, a heading, a list or raw HTML.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&])")


def md(text: str | None) -> str:
    """User text, safe inside Markdown: one line, every formatting character escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join((text or "").split()))


def _local(when: dt.datetime, tz: zoneinfo.ZoneInfo) -> str:
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def title_of(t: Translator, view: MinutesView) -> str:
    return view.title or t("minutes.untitled")


def _when(t: Translator, view: MinutesView) -> str:
    tz = zoneinfo.ZoneInfo(view.timezone)
    if view.closed_at is None:
        return t("minutes.when_open", start=_local(view.opened_at, tz), tz=view.timezone)
    end = view.closed_at.astimezone(tz)
    shown_end = (
        end.strftime("%H:%M")
        if end.date() == view.opened_at.astimezone(tz).date()
        else _local(end, tz)
    )
    return t("minutes.when", start=_local(view.opened_at, tz), end=shown_end, tz=view.timezone)


def action_line(t: Translator, action: ActionView, escape: Callable[[str | None], str]) -> str:
    agency = escape(action.agency.code) if action.agency else t("agency.none")
    if action.due is None:
        return t(
            "minutes.action_item_no_due",
            number=action.label,
            agency=agency,
            text=escape(action.text),
        )
    return t(
        "minutes.action_item",
        number=action.label,
        agency=agency,
        text=escape(action.text),
        due=action.due.isoformat(),
    )


def _line(t: Translator, line: LineView, escape: Callable[[str | None], str]) -> str:
    if line.kind is LineKind.ACTION and line.action is not None:
        return MARK[line.kind] + " " + action_line(t, line.action, escape)
    text = escape(line.text)
    if line.kind is LineKind.LINK:
        url = escape(line.url)
        text = f"{url} — {text}" if text else url
    label = t(f"minutes.kind.{line.kind.value}") if line.kind is not LineKind.TOPIC else ""
    return f"{MARK[line.kind]} {label}: {text}" if label else f"{MARK[line.kind]} {text}"


def _sections(
    t: Translator,
    view: MinutesView,
    escape: Callable[[str | None], str],
    heading: Callable[[str], str],
    bullet: str,
) -> list[str]:
    """The minutes' blocks: head, topics with their lines, then each kind on its own."""
    blocks = [
        "\n".join(
            [
                _when(t, view),
                t("minutes.chair", chair=escape(view.chair)),
                t("minutes.participants", names=", ".join(escape(p) for p in view.participants)),
            ]
        )
    ]
    if not view.lines:
        blocks.append(t("minutes.empty"))
        return blocks
    topics: list[list[str]] = []
    for line in view.lines:
        if line.kind is LineKind.TOPIC or not topics:
            name = escape(line.text) if line.kind is LineKind.TOPIC else t("minutes.no_topic")
            topics.append([heading(name)])
            if line.kind is LineKind.TOPIC:
                continue
        topics[-1].append(bullet + _line(t, line, escape))
    blocks.append("\n\n".join("\n".join(topic) for topic in topics))
    for kind, key in (
        (LineKind.AGREED, "minutes.decisions"),
        (LineKind.ACTION, "minutes.actions"),
        (LineKind.INFO, "minutes.information"),
        (LineKind.LINK, "minutes.links"),
    ):
        lines = [line for line in view.lines if line.kind is kind]
        if not lines:
            continue
        shown = []
        for line in lines:
            if kind is LineKind.ACTION and line.action is not None:
                shown.append(bullet + action_line(t, line.action, escape))
            elif kind is LineKind.LINK:
                text = escape(line.text)
                shown.append(bullet + escape(line.url) + (f" — {text}" if text else ""))
            else:
                shown.append(bullet + escape(line.text))
        blocks.append("\n".join([heading(t(key)), *shown]))
    return blocks


def render_minutes(t: Translator, view: MinutesView) -> str:
    """The minutes as Telegram HTML."""
    head = t("minutes.header", number=view.number, title=esc(title_of(t, view)))
    blocks = _sections(t, view, esc, lambda text: f"<b>{text}</b>", "  ")
    return "\n\n".join([head, *blocks])


def minutes_markdown(t: Translator, view: MinutesView) -> bytes:
    """The minutes as a Markdown file."""
    head = "# " + _strip_tags(t("minutes.header", number=view.number, title=md(title_of(t, view))))
    blocks = _sections(t, view, md, lambda text: "## " + _strip_tags(text), "- ")
    return ("\n\n".join([head, *(_strip_tags(b) for b in blocks)]) + "\n").encode("utf-8")


_TAGS = re.compile(r"</?(?:b|i|code)>")


def _strip_tags(text: str) -> str:
    """The catalogs' Telegram HTML tags dropped (user text is escaped for Markdown)."""
    return _TAGS.sub("", text)


def filename(view: MinutesView) -> str:
    day = view.opened_at.astimezone(zoneinfo.ZoneInfo(view.timezone)).date().isoformat()
    return f"minutes-{view.number}-{day}.md"


def minutes_parts(t: Translator, view: MinutesView, *, before: str = "") -> list[Part]:
    """The messages and the file the minutes are posted as (after `before`, a notice)."""
    text = (before + "\n\n" if before else "") + render_minutes(t, view)
    parts = [Part(chunk) for chunk in split_message(text)]
    caption = t("minutes.file_caption", number=view.number, title=esc(title_of(t, view)))
    parts.append(Part(caption[:900], document=minutes_markdown(t, view), filename=filename(view)))
    return parts


def render_actions(t: Translator, actions: list[ActionView], today: dt.date) -> str:
    """/actions: the open action items."""
    if not actions:
        return t("actions.empty")
    lines = [t("actions.header")]
    for a in actions:
        agency = esc(a.agency.code) if a.agency else t("agency.none")
        due = a.due.isoformat() if a.due else t("actions.no_due")
        if a.due is not None and a.due < today:
            due = t("actions.overdue", due=due)
        lines.append(
            t(
                "actions.item",
                mark=STATUS_MARK[a.status],
                number=a.label,
                agency=agency,
                text=esc(a.text),
                due=due,
                status=status_label(t, a.status),
            )
        )
    return "\n".join(lines)
