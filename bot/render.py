"""Pure renderers: read models in, Telegram HTML out. User text is always escaped."""

from __future__ import annotations

import datetime as dt
import html
import re

from bot.i18n import Translator
from domain.enums import Status
from storage.queries import AgencyView, CommitmentView, MilestoneView, PlanLine, PlanSummary

# Headroom under Telegram's 4,096: chunks are measured in UTF-16 units, as Telegram
# does, and a cut may add a few closing and reopening tags.
CHUNK_LIMIT = 3900
NOTE_PREVIEW = 200

STATUS_MARK = {
    Status.NOT_STARTED: "⚪",
    Status.LIMITED: "🟡",
    Status.SUBSTANTIAL: "🟠",
    Status.COMPLETE: "🟢",
    Status.WITHDRAWN: "⚫",
}


def esc(text: str | None) -> str:
    """User or plan text, safe inside Telegram HTML."""
    return html.escape(text or "", quote=False)


def inline(text: str | None, limit: int = NOTE_PREVIEW) -> str:
    """User text on one line, shortened at a word: for previews inside a list."""
    flat = " ".join((text or "").split())
    if len(flat) > limit:
        flat = flat[:limit].rsplit(" ", 1)[0] + "…"
    return esc(flat)


def status_label(t: Translator, status: Status) -> str:
    return t(f"status.{status.value}")


def agency_short(agency: AgencyView | None, t: Translator) -> str:
    return esc(agency.code) if agency else t("agency.none")


def render_plan(t: Translator, plan: PlanSummary, limit: int = CHUNK_LIMIT) -> list[str]:
    """/plan: every commitment with its lead agency and milestones complete/total, as
    pages that each fit one message (one page for most plans). Every page starts with
    the plan's header and totals; a long plan's pages say which page they are, and the
    handler puts buttons under them instead of sending them all at once."""
    if not plan.commitments:
        return [t("plan.empty", name=esc(plan.group_name))]
    done = sum(c.complete for c in plan.commitments)
    total = sum(c.total for c in plan.commitments)
    head = (
        t("plan.header", name=esc(plan.group_name), period=esc(plan.period or ""))
        + "\n"
        + t.plural(
            "plan.totals",
            len(plan.commitments),
            commitments=len(plan.commitments),
            complete=done,
            total=total,
        )
    )

    def block(c: PlanLine, title: str) -> str:
        return t(
            "plan.commitment",
            number=esc(c.number),
            title=title,
            lead=esc(c.lead) if c.lead else t("agency.none"),
            complete=c.complete,
            total=c.total,
        )

    blocks = [block(c, esc(c.title)) for c in plan.commitments]
    footer = t("plan.footer")
    whole = "\n\n".join([head, *blocks, footer])
    if utf16_len(whole) <= limit:
        return [whole]
    # Room for "Page 12 of 12" in any language, and the footer.
    room = limit - utf16_len(footer) - 2 * utf16_len(t("plan.page", page=999, pages=999)) - 8
    # A page is edited in place, never split: a title too long for one shows its start
    # (/commitment shows it whole).
    blocks = [
        b if utf16_len(b) < room // 2 else block(c, inline(c.title, room // 4))
        for b, c in zip(blocks, plan.commitments, strict=True)
    ]
    groups: list[list[str]] = [[]]
    size = utf16_len(head)
    for text in blocks:
        grows = utf16_len(text) + 2
        if groups[-1] and size + grows > room:
            groups.append([])
            size = utf16_len(head)
        groups[-1].append(text)
        size += grows
    return [
        "\n\n".join([head, *group, t("plan.page", page=index, pages=len(groups)) + "\n" + footer])
        for index, group in enumerate(groups, start=1)
    ]


def _milestone_block(t: Translator, m: MilestoneView, today: dt.date, tz: dt.tzinfo) -> str:
    overdue = m.status.is_open and m.due < today
    lines = [
        t(
            "commitment.milestone",
            mark=STATUS_MARK[m.status],
            number=esc(m.number),
            title=esc(m.title),
        ),
        t(
            "commitment.milestone_facts",
            agency=agency_short(m.responsible, t),
            due=m.due.isoformat(),
            status=status_label(t, m.status),
        )
        + (" · " + t("commitment.overdue") if overdue else ""),
    ]
    if m.last_update is None:
        lines.append(t("commitment.no_update"))
    else:
        u = m.last_update
        lines.append(
            t(
                "commitment.last_update",
                date=u.at.astimezone(tz).date().isoformat(),
                reporter=esc(u.reporter),
            )
            + (f": <i>{inline(u.note)}</i>" if u.note else "")
        )
    return "\n".join(lines)


def render_commitment(t: Translator, c: CommitmentView, today: dt.date, tz: dt.tzinfo) -> str:
    """/commitment <n>: the commitment and each milestone with its latest update."""
    head = [t("commitment.header", number=esc(c.number), title=esc(c.title))]
    if c.lead:
        head.append(t("commitment.lead", name=esc(c.lead.name), code=esc(c.lead.code)))
    if c.supporting:
        head.append(t("commitment.supporting", codes=", ".join(esc(a.code) for a in c.supporting)))
    if c.policy_area:
        head.append(t("commitment.policy_area", area=esc(c.policy_area)))
    if c.ogp_id:
        head.append(t("commitment.ogp_id", ogp_id=esc(c.ogp_id)))
    head.append(t("commitment.progress", complete=c.complete, total=len(c.milestones)))
    blocks = ["\n".join(head)]
    if not c.milestones:
        blocks.append(t("commitment.no_milestones"))
    blocks += [_milestone_block(t, m, today, tz) for m in c.milestones]
    return "\n\n".join(blocks)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


_TAG = re.compile(r"<[^>]*>")


def _hard_split(line: str, limit: int) -> list[str]:
    """Cut one over-long line: drop its markup, never cut inside an &entity;."""
    plain = _TAG.sub("", line)
    pieces: list[str] = []
    while utf16_len(plain) > limit:
        cut = limit // 2  # UTF-16 surrogate pairs count twice; halve to stay safe
        amp = plain.rfind("&", 0, cut)
        if amp != -1 and ";" not in plain[amp:cut]:
            cut = amp
        pieces.append(plain[:cut])
        plain = plain[cut:]
    pieces.append(plain)
    return pieces


def split_message(text: str, limit: int = CHUNK_LIMIT) -> list[str]:
    """Split at block, then line boundaries so each chunk fits in one Telegram message.

    Renderers keep every line's markup balanced, so a cut between lines is safe.
    """
    if utf16_len(text) <= limit:
        return [text]
    units: list[tuple[str, str]] = []  # (separator before it, piece)
    for block in text.split("\n\n"):
        if utf16_len(block) <= limit:
            units.append(("\n\n", block))
            continue
        for index, line in enumerate(block.split("\n")):
            sep = "\n\n" if index == 0 else "\n"
            pieces = [line] if utf16_len(line) <= limit else _hard_split(line, limit)
            units += [(sep if i == 0 else "\n", piece) for i, piece in enumerate(pieces)]
    chunks: list[str] = []
    current = ""
    for sep, piece in units:
        if not current:
            current = piece
        elif utf16_len(current) + utf16_len(sep) + utf16_len(piece) <= limit:
            current += sep + piece
        else:
            chunks.append(current)
            current = piece
    if current:
        chunks.append(current)
    return _balanced(chunks)


_TAG_PARTS = re.compile(r"<(/?)([a-zA-Z-]+)[^>]*>")


def _balanced(chunks: list[str]) -> list[str]:
    """Close the tags a cut left open at the end of a chunk and reopen them in the next,
    so that every message parses on its own (a note may span a blank line)."""
    out: list[str] = []
    carried: list[tuple[str, str]] = []  # (name, the opening tag as written)
    for chunk in chunks:
        text = "".join(tag for _, tag in carried) + chunk
        stack: list[tuple[str, str]] = []
        for match in _TAG_PARTS.finditer(text):
            closing, name = match.group(1), match.group(2).lower()
            if not closing:
                stack.append((name, match.group(0)))
            elif stack and stack[-1][0] == name:
                stack.pop()
        out.append(text + "".join(f"</{name}>" for name, _ in reversed(stack)))
        carried = stack
    return out
