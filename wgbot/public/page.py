"""The public page's view-model: storage.public's facts and the catalogs in, plain values
for the template out. Every word comes from the catalogs (`public.*` keys and a few core
ones); the template escapes everything it is given, except the meeting schedules in
words, which bot.schedule_words already escaped."""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo
from urllib.parse import urlsplit

from markupsafe import Markup

from bot.i18n import Translator
from bot.schedule_words import describe
from domain.enums import Language, Status
from domain.recurrence import next_occurrences
from storage.public import PublicAgency, PublicPlan, PublicUpdate
from storage.public_data import progress_counts

UPCOMING = 5
# Chart colours, in the IRM order (fills only: text never sits on them).
STATUS_ORDER = (
    Status.COMPLETE,
    Status.SUBSTANTIAL,
    Status.LIMITED,
    Status.NOT_STARTED,
    Status.WITHDRAWN,
)
FILL = {
    Status.COMPLETE: "#15803d",
    Status.SUBSTANTIAL: "#1d4ed8",
    Status.LIMITED: "#d97706",
    Status.NOT_STARTED: "#9ca3af",
    Status.WITHDRAWN: "#4b5563",
}
_DONE = frozenset({Status.COMPLETE, Status.WITHDRAWN})


@dataclasses.dataclass(frozen=True)
class Segment:
    status: str
    label: str
    count: int
    x: float  # percent of the bar
    width: float
    fill: str
    percent: int


@dataclasses.dataclass(frozen=True)
class UpdateLine:
    date: str
    status: str
    status_label: str
    agency: str
    note: str | None
    evidence_url: str | None  # http(s) only: anything else is not a link on the page


@dataclasses.dataclass(frozen=True)
class Item:
    """A milestone or an action item, as one entry of the page."""

    number: str
    title: str
    status: str
    status_label: str
    responsible: str
    due: str | None
    overdue: bool
    latest: UpdateLine | None


@dataclasses.dataclass(frozen=True)
class CommitmentBlock:
    number: str
    title: str
    ogp_id: str | None
    lead: str | None
    policy_area: str | None
    progress: str
    items: list[Item]


@dataclasses.dataclass(frozen=True)
class MeetingLine:
    when: str
    iso: str
    title: str
    schedule: Markup
    place: str | None


@dataclasses.dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str
    current: bool


@dataclasses.dataclass(frozen=True)
class Page:
    lang: str
    t: dict[str, str]
    name: str
    facts: str | None
    last_updated: str
    last_updated_iso: str
    segments: list[Segment]
    chart_summary: str
    commitments: list[CommitmentBlock]
    action_items: list[Item]
    meetings: list[MeetingLine]
    languages: list[LanguageLink]
    slug: str


def agency_name(agency: PublicAgency | None, t: Translator) -> str:
    if agency is None:
        return t("public.no_agency")
    return f"{agency.name} ({agency.code})"


def safe_link(url: str | None) -> str | None:
    """An evidence link the page may point to: http or https with a host."""
    if not url:
        return None
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def _update(u: PublicUpdate, t: Translator, tz: zoneinfo.ZoneInfo) -> UpdateLine:
    return UpdateLine(
        date=u.at.astimezone(tz).date().isoformat(),
        status=u.status.value,
        status_label=t(f"status.{u.status.value}"),
        agency=u.agency.name if u.agency else t("public.reporter_without_agency"),
        note=u.note,
        evidence_url=safe_link(u.evidence_url),
    )


def _segments(plan: PublicPlan, t: Translator) -> list[Segment]:
    counts = progress_counts(plan)
    total = sum(counts.values())
    segments, x = [], 0.0
    for status in STATUS_ORDER:
        count = counts[status.value]
        if not count:
            continue
        width = 100.0 * count / total
        segments.append(
            Segment(
                status=status.value,
                label=t(f"status.{status.value}"),
                count=count,
                x=round(x, 3),
                width=round(width, 3),
                fill=FILL[status],
                percent=round(width),
            )
        )
        x += width
    return segments


def _labels(t: Translator) -> dict[str, str]:
    """The page's fixed words, by the name the template uses."""
    return {
        "progress": t("public.progress"),
        "chart_title": t("public.chart_title"),
        "meetings": t("public.meetings"),
        "no_meetings": t("public.no_meetings"),
        "commitments": t("public.commitments"),
        "no_commitments": t("public.no_commitments"),
        "action_items": t("public.action_items"),
        "ogp_id": t("public.ogp_id"),
        "lead": t("public.lead"),
        "policy_area": t("public.policy_area"),
        "responsible": t("public.responsible"),
        "due": t("public.due"),
        "overdue": t("public.overdue"),
        "latest_update": t("public.latest_update"),
        "no_update": t("public.no_update"),
        "evidence": t("public.evidence"),
        "place": t("public.place"),
        "data": t("public.data"),
        "calendar": t("public.calendar"),
        "csv": t("public.csv"),
        "json": t("public.json"),
        "languages": t("public.languages"),
        "attribution": t("public.attribution"),
        "footer": t("public.footer"),
    }


def build_page(plan: PublicPlan, t: Translator, *, slug: str, now: dt.datetime) -> Page:
    """Everything the template shows, in the language of `t`."""
    tz = zoneinfo.ZoneInfo(plan.timezone)
    today = now.astimezone(tz).date()

    def item(
        number: str,
        title: str,
        status: Status,
        agency: PublicAgency | None,
        due: dt.date | None,
        latest: PublicUpdate | None,
    ) -> Item:
        return Item(
            number=number,
            title=title,
            status=status.value,
            status_label=t(f"status.{status.value}"),
            responsible=agency_name(agency, t),
            due=due.isoformat() if due else None,
            overdue=due is not None and due < today and status not in _DONE,
            latest=_update(latest, t, tz) if latest else None,
        )

    commitments = [
        CommitmentBlock(
            number=c.number,
            title=c.title,
            ogp_id=c.ogp_id,
            lead=agency_name(c.lead, t) if c.lead else None,
            policy_area=c.policy_area,
            progress=t(
                "public.commitment_progress",
                complete=sum(1 for m in c.milestones if m.status is Status.COMPLETE),
                count=len(c.milestones),
            ),
            items=[
                item(m.number, m.title, m.status, m.responsible, m.due, m.latest)
                for m in c.milestones
            ],
        )
        for c in plan.commitments
    ]
    upcoming = sorted(
        (
            (start, m)
            for m in plan.meetings
            for start in next_occurrences(m.schedule, now=now, count=UPCOMING)
        ),
        key=lambda pair: (pair[0], pair[1].id),
    )[:UPCOMING]
    meetings = [
        MeetingLine(
            when=f"{start:%Y-%m-%d %H:%M}",
            iso=start.isoformat(timespec="minutes"),
            title=m.title,
            # Already escaped: bot.schedule_words escapes the rule it shows.
            schedule=Markup(describe(t, m.rrule, m.first_start_local, m.timezone)),
            place=m.place,
        )
        for start, m in upcoming
    ]
    segments = _segments(plan, t)
    total = sum(s.count for s in segments)
    complete = sum(s.count for s in segments if s.status == Status.COMPLETE.value)
    facts = " · ".join(f for f in (plan.country, plan.period) if f) or None
    updated = plan.last_updated.astimezone(tz)
    return Page(
        lang=t.language,
        t=_labels(t),
        name=plan.name,
        facts=facts,
        last_updated=t("public.last_updated", date=f"{updated:%Y-%m-%d %H:%M}", timezone=tz.key),
        last_updated_iso=updated.isoformat(timespec="minutes"),
        segments=segments,
        chart_summary=t("public.chart_summary", complete=complete, count=total),
        commitments=commitments,
        action_items=[
            item(a.number, a.text, a.status, a.agency, a.due, a.latest) for a in plan.action_items
        ],
        meetings=meetings,
        languages=[
            LanguageLink(
                code=lang.value,
                name=Translator(lang.value)("public.language_name"),
                current=lang.value == t.language,
            )
            for lang in Language
        ],
        slug=slug,
    )
