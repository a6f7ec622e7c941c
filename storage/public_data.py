"""The public plan as open data and as a calendar: `.json`, `.csv` and `.ics`.

All three are made from storage.public's facts, so they hold no personal data by
construction. The JSON's shape is docs/public-data.schema.json (docs/public-data.md);
the calendar is storage.ics's, with each report attributed to its agency.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zoneinfo
from typing import Any

from icalendar import Calendar, Event

from domain.enums import Status
from domain.recurrence import next_occurrences
from storage.ics import CalendarInput, calendar_host, render_ics
from storage.public import PublicActionItem, PublicAgency, PublicPlan, PublicUpdate
from storage.queries import AgencyView, CommitmentView, MilestoneView, PlanView, UpdateView
from storage.words import Words

SCHEMA_VERSION = 1
NEXT_STARTS = 3
REFRESH = dt.timedelta(hours=1)
CSV_COLUMNS = (
    "kind",
    "commitment_number",
    "commitment_ogp_id",
    "commitment_title",
    "number",
    "title",
    "responsible_agency",
    "responsible_agency_name",
    "start",
    "due",
    "status",
    "last_update_date",
    "last_update_status",
    "last_update_agency",
    "last_update_note",
    "last_update_evidence_url",
    "updates",
)


def _code(agency: PublicAgency | None) -> str | None:
    return agency.code if agency is not None else None


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _utc(instant: dt.datetime) -> str:
    """RFC 3339 in UTC, to the second: `2022-09-01T02:00:00Z`."""
    return instant.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _update(u: PublicUpdate, tz: zoneinfo.ZoneInfo) -> dict[str, Any]:
    return {
        "date": u.at.astimezone(tz).date().isoformat(),
        "at": _utc(u.at),
        "status": u.status.value,
        "agency": _code(u.agency),
        "note": u.note,
        "evidence_url": u.evidence_url,
    }


def progress_counts(plan: PublicPlan) -> dict[str, int]:
    """The plan's milestones by status, every status named, in the IRM order: the same
    count as /plan and the digest (action items are listed on their own)."""
    counts = dict.fromkeys((s.value for s in Status), 0)
    for m in plan.milestones:
        counts[m.status.value] += 1
    return counts


def public_json(plan: PublicPlan, *, now: dt.datetime) -> dict[str, Any]:
    """The plan as the JSON document docs/public-data.schema.json describes."""
    tz = zoneinfo.ZoneInfo(plan.timezone)
    counts = progress_counts(plan)
    return {
        "schema_version": SCHEMA_VERSION,
        "working_group": {
            "name": plan.name,
            "country": plan.country,
            "period": plan.period,
            "timezone": plan.timezone,
            "language": plan.language,
        },
        "last_updated": _utc(plan.last_updated),
        "progress": {"total": sum(counts.values()), "by_status": counts},
        "agencies": [
            {"code": a.code, "name": a.name, "sector": a.sector.value} for a in plan.agencies
        ],
        "commitments": [
            {
                "number": c.number,
                "ogp_id": c.ogp_id,
                "title": c.title,
                "description": c.description,
                "policy_area": c.policy_area,
                "lead_agency": _code(c.lead),
                "supporting_agencies": [a.code for a in c.supporting],
                "start": _date(c.start),
                "end": _date(c.end),
                "milestones": [
                    {
                        "number": m.number,
                        "title": m.title,
                        "responsible_agency": _code(m.responsible),
                        "start": _date(m.start),
                        "due": m.due.isoformat(),
                        "status": m.status.value,
                        "updates": [_update(u, tz) for u in m.updates],
                    }
                    for m in c.milestones
                ],
            }
            for c in plan.commitments
        ],
        "action_items": [
            {
                "number": item.number,
                "text": item.text,
                "agency": _code(item.agency),
                "due": _date(item.due),
                "status": item.status.value,
                "updates": [_update(u, tz) for u in item.updates],
            }
            for item in plan.action_items
        ],
        "meetings": [
            {
                "title": m.title,
                "timezone": m.timezone,
                "first_start": m.first_start_local.isoformat(timespec="minutes"),
                "rrule": m.rrule,
                "duration_minutes": int(m.duration.total_seconds() // 60),
                "place": m.place,
                "skipped_dates": sorted(d.isoformat() for d in m.skipped_dates),
                "next_starts": [
                    s.isoformat(timespec="seconds")
                    for s in next_occurrences(m.schedule, now=now, count=NEXT_STARTS)
                ],
            }
            for m in plan.meetings
        ],
    }


def render_json(plan: PublicPlan, *, now: dt.datetime) -> bytes:
    return json.dumps(public_json(plan, now=now), ensure_ascii=False, indent=1).encode()


def _inert(text: str | None) -> str:
    """Chat text in a spreadsheet cell never runs as a formula (as storage.plan_export)."""
    if not text:
        return ""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _latest_columns(u: PublicUpdate | None, tz: zoneinfo.ZoneInfo) -> list[str]:
    if u is None:
        return [""] * 5
    return [
        u.at.astimezone(tz).date().isoformat(),
        u.status.value,
        _code(u.agency) or "",
        _inert(u.note),
        u.evidence_url or "",
    ]


def render_csv(plan: PublicPlan) -> bytes:
    """One row per milestone (then per action item) with its latest update."""
    tz = zoneinfo.ZoneInfo(plan.timezone)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for c in plan.commitments:
        for m in c.milestones:
            u = m.latest
            writer.writerow(
                [
                    "milestone",
                    c.number,
                    c.ogp_id or "",
                    c.title,
                    m.number,
                    m.title,
                    _code(m.responsible) or "",
                    m.responsible.name if m.responsible else "",
                    _date(m.start) or "",
                    m.due.isoformat(),
                    m.status.value,
                    *_latest_columns(u, tz),
                    len(m.updates),
                ]
            )
    for item in plan.action_items:
        u = item.latest
        writer.writerow(
            [
                "action_item",
                "",
                "",
                "",
                item.number,
                _inert(item.text),
                _code(item.agency) or "",
                item.agency.name if item.agency else "",
                "",
                _date(item.due) or "",
                item.status.value,
                *_latest_columns(u, tz),
                len(item.updates),
            ]
        )
    return out.getvalue().encode()


def _agency_view(agency: PublicAgency | None) -> AgencyView | None:
    if agency is None:
        return None
    return AgencyView(code=agency.code, name=agency.name, sector=agency.sector)


def _calendar_plan(plan: PublicPlan, words: Words) -> PlanView:
    """storage.ics's input, each latest update attributed to its agency (or to "a member
    of the working group"), never to the person who sent it."""

    def latest(update: PublicUpdate | None) -> UpdateView | None:
        if update is None:
            return None
        by = update.agency.name if update.agency else words("public.reporter_without_agency")
        return UpdateView(
            at=update.at,
            reporter=by,
            status=update.status,
            note=update.note,
            evidence_url=update.evidence_url,
        )

    return PlanView(
        group_name=plan.name,
        country=plan.country,
        period=plan.period,
        timezone=plan.timezone,
        language=plan.language,
        agencies=tuple(a for a in map(_agency_view, plan.agencies) if a),
        commitments=tuple(
            CommitmentView(
                number=c.number,
                title=c.title,
                ogp_id=c.ogp_id,
                description=c.description,
                policy_area=c.policy_area,
                lead=_agency_view(c.lead),
                supporting=tuple(a for a in map(_agency_view, c.supporting) if a),
                start=c.start,
                end=c.end,
                milestones=tuple(
                    MilestoneView(
                        number=m.number,
                        title=m.title,
                        responsible=_agency_view(m.responsible),
                        start=m.start,
                        due=m.due,
                        status=m.status,
                        last_update=latest(m.latest),
                    )
                    for m in c.milestones
                ),
            )
            for c in plan.commitments
        ),
    )


def render_public_ics(plan: PublicPlan, words: Words) -> bytes:
    """The calendar feed: meetings with their rules and skipped dates, due dates as
    all-day events. DTSTAMP is the plan's last change (RFC 5545 3.8.7.2: without a
    METHOD, when the information was last revised), so an unchanged feed has the same
    bytes and the same ETag."""
    calendar = CalendarInput(
        group_id=plan.group_id,
        meetings=plan.meetings,
        now=plan.last_updated,
        uid_host=calendar_host(plan.group_id, plan.created_at),
    )
    parsed = Calendar.from_ical(render_ics(_calendar_plan(plan, words), calendar, words))
    # A subscribed calendar looks again every hour (RFC 7986; Outlook's own word too).
    parsed.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    parsed.add("x-published-ttl", "PT1H")
    # storage.ics knows the plan's milestones; the action items' due dates join them here.
    for item in plan.action_items:
        if item.due is not None:
            parsed.add_component(_action_event(plan, item, words))
    with_actions: bytes = parsed.to_ical()
    return with_actions


def _action_event(plan: PublicPlan, item: PublicActionItem, words: Words) -> Event:
    """An all-day VEVENT on an action item's due date, as storage.ics makes a milestone's."""
    assert item.due is not None
    tz = zoneinfo.ZoneInfo(plan.timezone)
    lines = [words("calendar.status", status=words(f"status.{item.status.value}"))]
    if item.agency is not None:
        lines.append(words("calendar.responsible", name=item.agency.name, code=item.agency.code))
    u = item.latest
    if u is not None:
        by = u.agency.name if u.agency else words("public.reporter_without_agency")
        last = words(
            "calendar.last_update", date=u.at.astimezone(tz).date().isoformat(), reporter=by
        )
        lines.append(last + (f": {u.note}" if u.note else ""))
    event = Event.new(
        uid=f"action-{plan.group_id}-{item.number}@{calendar_host(plan.group_id, plan.created_at)}",
        stamp=plan.last_updated.astimezone(dt.UTC),
        start=item.due,
        end=item.due + dt.timedelta(days=1),
        summary=f"{item.number} {item.text}",
        description="\n".join(lines),
    )
    event.add("transp", "TRANSPARENT")
    return event
