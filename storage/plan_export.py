"""A working group's plan, with statuses and latest updates, as a file."""

from __future__ import annotations

import datetime as dt
import enum
import re
import zoneinfo
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from storage.actions import ActionView, all_actions, calendar_actions
from storage.ics import CalendarInput, calendar_host, render_ics
from storage.meetings import active_meetings
from storage.models import WorkingGroup
from storage.planfile import (
    AgencySpec,
    CommitmentSpec,
    MilestoneSpec,
    PlanFile,
    WorkingGroupSpec,
    dump_csv,
    dump_xlsx,
    dump_yaml,
)
from storage.queries import PlanView, plan_view
from storage.words import Words

# The Markdown report's table, after the milestone's number (catalog keys export.column.*).
COLUMNS = ("milestone", "responsible", "due", "status", "last_update")


class ExportFormat(enum.StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    MD = "md"
    YAML = "yaml"
    ICS = "ics"


def plan_file_from_view(view: PlanView) -> PlanFile:
    """The plan as a plan file: statuses are the current ones (starting values on import)."""
    return PlanFile(
        working_group=WorkingGroupSpec(
            name=view.group_name,
            country=view.country,
            period=view.period,
            timezone=view.timezone,
            language=view.language,
        ),
        agencies=[AgencySpec(code=a.code, name=a.name, sector=a.sector) for a in view.agencies],
        commitments=[
            CommitmentSpec(
                number=c.number,
                title=c.title,
                ogp_id=c.ogp_id,
                description=c.description,
                policy_area=c.policy_area,
                lead_agency=c.lead.code if c.lead else None,
                supporting_agencies=[a.code for a in c.supporting],
                start=c.start,
                end=c.end,
                milestones=[
                    MilestoneSpec(
                        number=m.number,
                        title=m.title,
                        due=m.due,
                        # Kept explicit: an implicit default would follow a later lead change.
                        responsible=m.responsible.code if m.responsible else None,
                        start=m.start,
                        status=m.status,
                    )
                    for m in c.milestones
                ],
            )
            for c in view.commitments
        ],
    )


def latest_update_columns(view: PlanView) -> dict[str, dict[str, str]]:
    """The informational columns of an export: each milestone's latest update."""
    extra: dict[str, dict[str, str]] = {}
    tz = zoneinfo.ZoneInfo(view.timezone)
    for commitment in view.commitments:
        for m in commitment.milestones:
            if m.last_update is None:
                continue
            extra[m.number] = {
                "milestone_last_update": m.last_update.at.astimezone(tz).date().isoformat(),
                "milestone_last_update_by": _inert(m.last_update.reporter),
                "milestone_last_note": _inert(m.last_update.note or ""),
            }
    return extra


def _inert(text: str) -> str:
    """Chat text in a spreadsheet cell never runs as a formula (CSV injection).

    Only the informational columns, which import ignores, are changed: the plan's own
    columns must read back exactly.
    """
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _md(text: str | None) -> str:
    """Plain text in a Markdown table cell: no table breaks, no markup."""
    if not text:
        return ""
    cleaned = " ".join(text.split())
    for char in "\\`*_[]<>|#":
        cleaned = cleaned.replace(char, "\\" + char)
    return cleaned


def render_markdown(view: PlanView, words: Words) -> str:
    """A readable report of the plan: one table of milestones per commitment, in the
    language of `words`."""
    tz = zoneinfo.ZoneInfo(view.timezone)
    lines = [f"# {_md(view.group_name)}", ""]
    facts = [f for f in (view.country, view.period) if f]
    if facts:
        lines += [_md(" · ".join(facts)), ""]
    for c in view.commitments:
        lines.append(f"## {_md(c.number)}. {_md(c.title)}")
        lines.append("")
        if c.ogp_id:
            lines.append("- " + words("commitment.ogp_id", ogp_id=_md(c.ogp_id)))
        if c.lead:
            lines.append(
                "- " + words("commitment.lead", name=_md(c.lead.name), code=_md(c.lead.code))
            )
        if c.policy_area:
            lines.append("- " + words("commitment.policy_area", area=_md(c.policy_area)))
        lines.append(
            "- " + words("commitment.progress", complete=c.complete, total=len(c.milestones))
        )
        lines.append("")
        if not c.milestones:
            continue
        header = ["#", *(_md(words(f"export.column.{k}")) for k in COLUMNS)]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|---" * len(header) + "|")
        for m in c.milestones:
            last = ""
            if m.last_update is not None:
                u = m.last_update
                last = f"{u.at.astimezone(tz).date().isoformat()} {_md(u.reporter)}"
                if u.note:
                    last += f": {_md(u.note)}"
            responsible = _md(m.responsible.code) if m.responsible else ""
            lines.append(
                f"| {_md(m.number)} | {_md(m.title)} | {responsible} | {m.due.isoformat()} "
                f"| {_md(words(f'status.{m.status.value}'))} | {last} |"
            )
        lines.append("")
    return "\n".join(lines)


def export_plan(
    view: PlanView,
    fmt: ExportFormat,
    *,
    words: Words,
    calendar: CalendarInput | None = None,
    actions: Sequence[ActionView] = (),
) -> bytes:
    """The file's bytes for `fmt`, its words in the language of `words`; ICS also needs
    the meetings (`calendar`). Plan files (YAML, CSV, XLSX) keep the import format's
    column names, so that they import again."""
    if fmt is ExportFormat.ICS:
        if calendar is None:
            raise ValueError("an ICS export needs calendar= (the meetings and now)")
        return render_ics(view, calendar, words)
    if fmt is ExportFormat.MD:
        return (render_markdown(view, words) + render_actions_markdown(actions, words)).encode()
    plan = plan_file_from_view(view)
    if fmt is ExportFormat.YAML:
        return dump_yaml(plan).encode()
    extra = latest_update_columns(view)
    if fmt is ExportFormat.CSV:
        return dump_csv(plan, extra).encode()
    return dump_xlsx(plan, extra, action_items=[_action_record(a, words) for a in actions])


def _action_record(action: ActionView, words: Words) -> dict[str, object]:
    """An action item on the workbook's action_items sheet (import skips it)."""
    return {
        "action_number": action.label,
        "action_text": _inert(action.text),
        "action_agency": action.agency.code if action.agency else None,
        "action_due": action.due,
        "action_status": words(f"status.{action.status.value}"),
    }


async def export_group(
    *,
    session: AsyncSession,
    group: WorkingGroup,
    fmt: ExportFormat,
    now: dt.datetime,
    words: Words,
) -> bytes:
    """What `/export` and `wgbot export` send: the group's plan (and meetings) as `fmt`."""
    view = await plan_view(session=session, group=group)
    actions = await all_actions(session=session, group_id=group.id)
    calendar = None
    if fmt is ExportFormat.ICS:
        meetings = await active_meetings(session=session, group=group)
        calendar = CalendarInput(
            group_id=group.id,
            meetings=meetings,
            now=now,
            actions=calendar_actions(actions),
            uid_host=calendar_host(group.id, group.created_at),
        )
    return export_plan(view, fmt, words=words, calendar=calendar, actions=actions)


def render_actions_markdown(actions: Sequence[ActionView], words: Words) -> str:
    """The Markdown report's action items (none: nothing)."""
    if not actions:
        return ""
    header = [
        "#",
        _md(words("minutes.kind.action")),
        *(_md(words(f"export.column.{k}")) for k in ("responsible", "due", "status")),
    ]
    lines = [f"## {_md(words('minutes.actions'))}", "", "| " + " | ".join(header) + " |"]
    lines.append("|---" * len(header) + "|")
    for a in actions:
        agency = _md(a.agency.code) if a.agency else ""
        due = a.due.isoformat() if a.due else ""
        status = _md(words(f"status.{a.status.value}"))
        lines.append(f"| {a.label} | {_md(a.text)} | {agency} | {due} | {status} |")
    return "\n".join(["", *lines, ""])


def export_filename(group_name: str, today: dt.date, fmt: ExportFormat) -> str:
    """`mongolia-ogp-working-group-2022-09-01.csv`: the group's name, today, the format."""
    slug = re.sub(r"[\W_]+", "-", group_name.casefold()).strip("-")[:60].strip("-")
    return f"{slug or 'plan'}-{today.isoformat()}.{fmt.value}"
