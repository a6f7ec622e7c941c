"""The weekly digest as Telegram sees it: a small chart, a caption and a short message.

`digest_parts` is the one builder (data in, messages out) behind the weekly digest and
/digest alike; both are delivered through the outbox.
The chart uses matplotlib's object-oriented API on the Agg canvas: no pyplot, so no
global figure registry to leak into and no GUI backend to pick.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.i18n import Translator
from bot.render import STATUS_MARK, esc, split_message, status_label
from domain.enums import Status
from domain.parts import Part
from storage.digest import DigestData, DigestMeeting, DigestMilestone, DigestUpdate, QuietAgency

# Telegram's limit for a photo's caption.
CAPTION_LIMIT = 1024
# How much of each list a phone screen gets; the rest is "… and N more". With the field
# limits below even the longest possible digest fits in one message (see the tests).
MAX_UPDATES = 6
MAX_DEADLINES = 5
MAX_OVERDUE = 5
MAX_MEETINGS = 4
MAX_QUIET = 10
TITLE_CHARS = 60
NAME_CHARS = 32
CODE_CHARS = 12
PLACE_CHARS = 32
GROUP_NAME_CHARS = 80

# Bars from the top: the IRM scale from done to not started, then withdrawn.
CHART_ORDER = (
    Status.COMPLETE,
    Status.SUBSTANTIAL,
    Status.LIMITED,
    Status.NOT_STARTED,
    Status.WITHDRAWN,
)
# The colours of the status marks (🟢 🟠 🟡 ⚪ ⚫) used in the text.
CHART_COLOURS = {
    Status.COMPLETE: "#2e9e4f",
    Status.SUBSTANTIAL: "#f08c2e",
    Status.LIMITED: "#f2c230",
    Status.NOT_STARTED: "#b8b8b8",
    Status.WITHDRAWN: "#444444",
}
CHART_SIZE_INCHES = (6.0, 2.5)
CHART_DPI = 100


def _short(text: str | None, limit: int) -> str:
    """Plain text cut to `limit` characters, then escaped (never cut inside an entity)."""
    text = " ".join((text or "").split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return esc(text)


def _agency(t: Translator, code: str | None) -> str:
    return _short(code, CODE_CHARS) if code else t("agency.none")


def _capped(t: Translator, lines: Sequence[str], limit: int) -> list[str]:
    shown = list(lines[:limit])
    if len(lines) > limit:
        shown.append(t("digest.more", count=len(lines) - limit))
    return shown


def _update_line(t: Translator, u: DigestUpdate) -> str:
    who = _short(u.reporter, NAME_CHARS)
    if u.agency:
        who += f" ({_short(u.agency, CODE_CHARS)})"
    return t(
        "digest.update",
        number=esc(u.number),
        title=_short(u.title, TITLE_CHARS),
        status=status_label(t, u.status),
        who=who,
    )


def _deadline_line(t: Translator, m: DigestMilestone) -> str:
    return t(
        "digest.deadline",
        due=m.due.isoformat(),
        number=esc(m.number),
        title=_short(m.title, TITLE_CHARS),
        agency=_agency(t, m.agency),
    )


def _overdue_line(t: Translator, m: DigestMilestone) -> str:
    return t(
        "digest.overdue",
        due=m.due.isoformat(),
        number=esc(m.number),
        title=_short(m.title, TITLE_CHARS),
        agency=_agency(t, m.agency),
    )


def _meeting_line(t: Translator, m: DigestMeeting) -> str:
    line = t(
        "digest.meeting",
        weekday=t(f"digest.weekday.{m.start.weekday()}"),
        date=m.start.date().isoformat(),
        time=m.start.strftime("%H:%M"),
        title=_short(m.title, TITLE_CHARS),
    )
    if m.place:
        line += " · " + _short(m.place, PLACE_CHARS)
    return line


def _quiet_item(t: Translator, a: QuietAgency) -> str:
    code = _short(a.code, CODE_CHARS)
    if a.last_report is None:
        return t("digest.quiet_never", code=code)
    return t("digest.quiet_agency", code=code, date=a.last_report.isoformat())


def _counts_line(t: Translator, data: DigestData) -> str:
    return " · ".join(
        t("digest.status_count", mark=STATUS_MARK[s], status=status_label(t, s), count=n)
        for s, n in ((s, data.count(s)) for s in CHART_ORDER)
        if n or s is not Status.WITHDRAWN
    )


def _section(header: str, lines: list[str], empty: str) -> str:
    return "\n".join([header, *lines]) if lines else f"{header}\n{empty}"


def render_digest(t: Translator, data: DigestData) -> str:
    """The digest message: progress, the week's updates, deadlines, overdue, meetings."""
    blocks = [
        t(
            "digest.header",
            name=_short(data.group_name, GROUP_NAME_CHARS),
            start=data.week_dates[0].isoformat(),
            end=data.week_dates[1].isoformat(),
        ),
        t.plural(
            "digest.progress", data.total, complete=data.count(Status.COMPLETE), total=data.total
        )
        + "\n"
        + _counts_line(t, data),
        _section(
            t("digest.updates_header"),
            _capped(t, [_update_line(t, u) for u in data.updates], MAX_UPDATES),
            t("digest.no_updates"),
        ),
        _section(
            t.plural("digest.deadlines_header", data.deadline_days, days=data.deadline_days),
            _capped(t, [_deadline_line(t, m) for m in data.deadlines], MAX_DEADLINES),
            t.plural("digest.no_deadlines", data.deadline_days, days=data.deadline_days),
        ),
        _section(
            t("digest.overdue_header"),
            _capped(t, [_overdue_line(t, m) for m in data.overdue], MAX_OVERDUE),
            t("digest.no_overdue"),
        ),
        _section(
            t("digest.meetings_header"),
            _capped(t, [_meeting_line(t, m) for m in data.meetings], MAX_MEETINGS),
            t.plural("digest.no_meetings", data.meeting_days, days=data.meeting_days),
        ),
    ]
    quiet = _capped(t, [_quiet_item(t, a) for a in data.quiet_agencies], MAX_QUIET)
    blocks.append(
        t.plural("digest.quiet_header", data.quiet_days, days=data.quiet_days)
        + "\n"
        + ", ".join(quiet)
        if quiet
        else t.plural("digest.all_reported", data.quiet_days, days=data.quiet_days)
    )
    return "\n\n".join(blocks)


def render_caption(t: Translator, data: DigestData) -> str:
    """The chart's caption: the group, the week and four numbers (well under 1,024)."""
    return (
        t(
            "digest.caption",
            name=_short(data.group_name, GROUP_NAME_CHARS),
            start=data.week_dates[0].isoformat(),
            end=data.week_dates[1].isoformat(),
        )
        + "\n"
        + t.plural(
            "digest.caption_facts",
            data.deadline_days,
            complete=data.count(Status.COMPLETE),
            total=data.total,
            updates=len(data.updates),
            overdue=len(data.overdue),
            deadlines=len(data.deadlines),
            days=data.deadline_days,
        )
    )


def chart_png(data: DigestData, t: Translator) -> bytes:
    """A 600x250 PNG: one horizontal bar per status, labelled in the group's language."""
    statuses = list(reversed(CHART_ORDER))  # barh draws bottom-up
    counts = [data.count(s) for s in statuses]
    figure = Figure(figsize=CHART_SIZE_INCHES, dpi=CHART_DPI)
    FigureCanvasAgg(figure)  # attaches itself: savefig draws with Agg, no pyplot
    axes = figure.add_subplot()
    bars = axes.barh(
        [status_label(t, s) for s in statuses],
        counts,
        color=[CHART_COLOURS[s] for s in statuses],
        height=0.65,
    )
    axes.bar_label(bars, padding=3, fontsize=9)
    axes.set_xlim(0, max([*counts, 1]) * 1.15)
    axes.set_title(t("digest.chart_title", total=data.total), fontsize=10, loc="left")
    axes.tick_params(axis="y", labelsize=9, length=0)
    axes.set_xticks([])  # the bars carry their counts
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    # No "Software" stamp: the same data gives the same bytes on every matplotlib.
    figure.savefig(buffer, format="png", metadata={"Software": None})
    figure.clear()
    return buffer.getvalue()


def digest_parts(t: Translator, data: DigestData, *, late: str = "") -> list[Part]:
    """The one digest builder, for the weekly digest and /digest alike: the chart with its
    caption (after the `late` line, when it fits), then the text. Draws the chart: tens of
    milliseconds of CPU, so callers run it off the event loop."""
    caption = late + render_caption(t, data)
    if len(caption) > CAPTION_LIMIT:
        caption = render_caption(t, data)
    parts = [Part(caption, photo=chart_png(data, t))]
    return parts + [Part(chunk) for chunk in split_message(render_digest(t, data))]
