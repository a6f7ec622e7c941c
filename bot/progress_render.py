"""Pure renderers for progress updates: the confirmation, the status words, /history.

User text (notes, names, titles) is always escaped; links go through `href()`.
"""

from __future__ import annotations

import html
import zoneinfo

from bot.i18n import Translator
from bot.render import STATUS_MARK, esc, status_label
from domain.enums import Status
from storage.progress import HistoryEntry, MilestoneHistory


def href(url: str) -> str:
    """A URL safe inside a double-quoted HTML attribute."""
    return html.escape(url, quote=True)


def render_recorded(
    t: Translator,
    *,
    number: str,
    title: str,
    status: Status,
    was: Status,
    reporter: str,
    evidence_url: str | None,
) -> str:
    """The one short confirmation after an update is recorded."""
    text = t(
        "update.recorded",
        mark=STATUS_MARK[status],
        number=esc(number),
        title=esc(title),
        status=status_label(t, status),
        was=status_label(t, was),
        reporter=esc(reporter),
    )
    if evidence_url:
        text += "\n" + t("update.evidence_saved", url=href(evidence_url))
    return text


def render_status_words(t: Translator) -> str:
    """The valid status words in the group's language, and a word on the aliases."""
    words = ", ".join(f"<code>{status_label(t, s)}</code>" for s in Status)
    return t("update.valid_words", words=words) + "\n" + t("update.aliases")


def render_unknown_status(t: Translator, word: str) -> str:
    return "\n\n".join(
        [
            t("update.unknown_status", word=esc(word)),
            t("cmd.update.usage_help"),
            render_status_words(t),
        ]
    )


# Long enough for a real report, short enough that /history stays a few messages.
NOTE_LIMIT = 600


def _entry(t: Translator, entry: HistoryEntry, tz: zoneinfo.ZoneInfo) -> str:
    reporter = esc(entry.reporter)
    if entry.agency_code:
        reporter = t("history.reporter_agency", reporter=reporter, agency=esc(entry.agency_code))
    lines = [
        t(
            "history.entry",
            mark=STATUS_MARK[entry.status],
            date=entry.at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            reporter=reporter,
            status=status_label(t, entry.status),
        )
    ]
    # One line per note line: split_message may cut between lines, so no markup spans them.
    note = entry.note or ""
    if len(note) > NOTE_LIMIT:
        note = note[:NOTE_LIMIT].rsplit(" ", 1)[0] + "…"
    lines += [f"    {esc(line)}" for line in note.splitlines() if line.strip()]
    if entry.evidence_url:
        lines.append(t("history.evidence", url=href(entry.evidence_url)))
    return "\n".join(lines)


def render_history(t: Translator, view: MilestoneHistory, tz: zoneinfo.ZoneInfo) -> str:
    """/history <milestone>: header, then every update newest first."""
    head = [
        t(
            "history.header",
            number=esc(view.number),
            title=esc(view.title),
            status=status_label(t, view.status),
        )
    ]
    if view.archived:
        head.append(t("history.archived"))
    if not view.entries:
        head.append(t("history.empty", number=esc(view.number)))
        return "\n".join(head)
    blocks = ["\n".join(head)]
    blocks += [_entry(t, entry, tz) for entry in view.entries]
    if view.total > len(view.entries):
        blocks.append(
            t.plural("history.more", view.total, shown=len(view.entries), total=view.total)
        )
    return "\n\n".join(blocks)
