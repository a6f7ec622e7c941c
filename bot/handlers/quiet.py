"""Quiet days: /holiday add|remove (coordinators), /holidays (everyone), and the
`/settings holidays|workdays` changes the settings handler hands over."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from babel import Locale
from babel.dates import get_day_names
from telegram import Update

from bot import snooze
from bot.context import WGApplication, WGContext
from bot.edge import GroupScope, command, in_linked_group
from bot.i18n import Translator
from bot.parsing import Invalid
from bot.quiet_words import (
    AddDayOff,
    RemoveDayOff,
    SetHolidays,
    SetWorkdays,
    parse_holiday,
)
from bot.render import esc
from domain.quiet import QuietCalendar, spans
from storage.group_settings import GroupSettingsView, settings_view
from storage.quiet import (
    QuietDay,
    add_day_off,
    quiet_calendar,
    quiet_days_ahead,
    remove_day_off,
    set_holiday_country,
    set_workdays,
)

AHEAD = dt.timedelta(days=90)


# --- rendering ---------------------------------------------------------------------------


def describe_week(t: Translator, days: Iterable[int]) -> str:
    """ "Mon–Fri", "Sun–Thu", "Mon, Wed, Fri": CLDR's short weekday names."""
    chosen = sorted(set(days))
    names = get_day_names("abbreviated", locale=t.language)
    if len(chosen) == 7:
        return f"{names[0]}–{names[6]}"
    # From Monday, unless a span wraps past Sunday (Sun–Thu): then from its first day.
    start = 0
    if 0 in chosen and 6 in chosen:
        start = 6
        while start - 1 in chosen:
            start -= 1
    order = [(start + i) % 7 for i in range(7)]
    runs: list[list[int]] = []
    for day in order:
        if day in chosen:
            if runs and runs[-1][-1] == (day - 1) % 7:
                runs[-1].append(day)
            else:
                runs.append([day])
    shown = [
        f"{names[r[0]]}–{names[r[-1]]}" if len(r) > 2 else ", ".join(names[d] for d in r)
        for r in runs
    ]
    return ", ".join(shown)


def _span(first: dt.date, last: dt.date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()} – {last.isoformat()}"


def country_name(t: Translator, code: str) -> str:
    """A country as people name it in the group's language (CLDR, through Babel), with
    its code: "Монголия (MN)"; the code alone when CLDR has no name for it."""
    name = Locale.parse(t.language).territories.get(code.upper())
    return f"{esc(name)} ({esc(code)})" if name else esc(code)


def quiet_settings_lines(t: Translator, view: GroupSettingsView) -> list[str]:
    """The two lines /settings shows about quiet days."""
    country = view.holiday_country
    holidays = country_name(t, country) if country else t("quiet.settings.holidays_off")
    workdays = describe_week(t, (int(c) for c in view.workdays))
    return [
        t("quiet.settings.holidays_line", holidays=holidays),
        t("quiet.settings.workdays_line", workdays=workdays),
    ]


def render_quiet_days(t: Translator, days: Sequence[QuietDay], view: GroupSettingsView) -> str:
    """/holidays: runs of days with the same name folded into one line."""
    head = quiet_settings_lines(t, view)
    if not days:
        return "\n".join([t("quiet.holidays.none"), *head])
    lines: list[str] = []
    runs: list[tuple[QuietDay, dt.date]] = []
    for day in days:
        last = runs[-1] if runs else None
        if (
            last is not None
            and last[1] + dt.timedelta(days=1) == day.day
            and (last[0].holiday, last[0].own) == (day.holiday, day.own)
        ):
            runs[-1] = (last[0], day.day)
        else:
            runs.append((day, day.day))
    for first, last_day in runs:
        dates = _span(first.day, last_day)
        if first.holiday is not None:
            lines.append(t("quiet.holidays.item_holiday", dates=dates, name=esc(first.holiday)))
        if first.own is not None:
            name = esc(first.own) if first.own else t("quiet.holidays.own_unnamed")
            lines.append(t("quiet.holidays.item_own", dates=dates, name=name))
    return "\n".join([t("quiet.holidays.header"), *lines, "", *head])


def quiet_mark(t: Translator, calendar: QuietCalendar | None, day: dt.date) -> str:
    """ " (quiet day)" after a meeting date that falls on one, else ""."""
    if calendar is None or not calendar.is_quiet(day):
        return ""
    return " " + t("quiet.meetings.mark")


def quiet_note(t: Translator, calendar: QuietCalendar, days: Iterable[dt.date]) -> str | None:
    """What /meeting add says when some of the next dates fall on quiet days."""
    quiet = [d for d in days if calendar.is_quiet(d)]
    if not quiet:
        return None
    dates = ", ".join(_span(a, b) for a, b in spans(quiet))
    return t("quiet.meeting.on_quiet_day", dates=dates)


async def calendar_near(scope: GroupScope, days: int = 120) -> QuietCalendar:
    """The group's quiet days from today on (for /meetings and /meeting add)."""
    return await quiet_calendar(
        session=scope.session,
        group=scope.group,
        first=scope.today,
        last=scope.today + dt.timedelta(days=days),
    )


# --- /settings holidays|workdays ---------------------------------------------------------


def apply_quiet_setting(scope: GroupScope, change: SetHolidays | SetWorkdays) -> str:
    """Record a change (the settings handler checked the role); its answer."""
    group, t, now = scope.group, scope.t, scope.now
    if isinstance(change, SetHolidays):
        if set_holiday_country(group=group, country=change.country, now=now):
            scope.schedule_changed()
        if change.country is None:
            return t("quiet.holidays.set_off")
        return t("quiet.holidays.set", country=country_name(t, change.country))
    if set_workdays(group=group, workdays=change.days, now=now):
        scope.schedule_changed()
    return t("quiet.workdays.set", workdays=describe_week(t, change.days))


# --- /holiday, /holidays -----------------------------------------------------------------


async def _holiday(update: Update, context: WGContext, scope: GroupScope) -> None:
    """Add or remove one of the group's own days off (coordinators)."""
    t = scope.t
    parsed = parse_holiday(context.args or [])
    if isinstance(parsed, Invalid):
        scope.reply(t(parsed.key, **{k: esc(v) for k, v in parsed.values.items()}))
        return
    if isinstance(parsed, AddDayOff):
        dates = _span(parsed.first, parsed.last)
        added = await add_day_off(
            session=scope.session,
            group=scope.group,
            first=parsed.first,
            last=parsed.last,
            name=parsed.name,
            now=scope.now,
        )
        if not added:
            scope.reply(t("quiet.holiday.already", dates=dates))
            return
        scope.schedule_changed()
        if parsed.name:
            scope.reply(t("quiet.holiday.added_named", dates=dates, name=esc(parsed.name)))
        else:
            scope.reply(t("quiet.holiday.added", dates=dates))
        return
    assert isinstance(parsed, RemoveDayOff)
    removed = await remove_day_off(
        session=scope.session, group=scope.group, day=parsed.day, now=scope.now
    )
    if not removed:
        scope.reply(t("quiet.holiday.not_found", date=parsed.day.isoformat()))
        return
    scope.schedule_changed()
    scope.reply(t("quiet.holiday.removed", dates=", ".join(_span(a, b) for a, b in removed)))


holiday = in_linked_group(coordinator_only=True)(_holiday)


@in_linked_group
async def holidays_command(update: Update, context: WGContext, scope: GroupScope) -> None:
    """The quiet days of the next 90 days: public holidays and the group's own."""
    days = await quiet_days_ahead(
        session=scope.session, group=scope.group, first=scope.today, last=scope.today + AHEAD
    )
    scope.reply(render_quiet_days(scope.t, days, settings_view(scope.group)))


def register(app: WGApplication) -> None:
    app.add_handler(command("holiday", holiday))
    app.add_handler(command("holidays", holidays_command))
    snooze.register(app)
