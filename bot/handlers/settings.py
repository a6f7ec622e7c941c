"""/settings: everyone may read the group's settings; coordinators change them."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from telegram import Update
from telegram.ext import filters

from bot.context import WGApplication, WGContext
from bot.edge import GroupScope, command, in_linked_group, own_language, reply
from bot.handlers.publish import publish_answer
from bot.handlers.quiet import apply_quiet_setting, quiet_settings_lines
from bot.i18n import Translator, translator
from bot.menu import announce_group_menu
from bot.parsing import (
    Invalid,
    SetDigest,
    SetLanguage,
    SetPublish,
    SetReminders,
    SetTimezone,
    SettingsCommand,
    ShowSettings,
    parse_settings,
)
from bot.quiet_words import SetHolidays, SetWorkdays, is_quiet_setting, parse_quiet_setting
from bot.render import esc
from storage.db import transaction
from storage.group_settings import (
    GroupSettingsView,
    set_deadline_offsets,
    set_digest,
    set_language,
    set_timezone,
    settings_view,
)
from storage.members import set_own_language
from storage.quiet import country_code


def _weekday(t: Translator, weekday: int) -> str:
    return t(f"settings.weekday_{weekday}")


def _digest(t: Translator, view: GroupSettingsView) -> str:
    if view.digest_weekday is None:
        return t("settings.digest_off")
    return t(
        "settings.digest_at",
        weekday=_weekday(t, view.digest_weekday),
        time=view.digest_time.strftime("%H:%M"),
    )


def _reminders(t: Translator, view: GroupSettingsView) -> str:
    if not view.deadline_offsets_days:
        return t("settings.reminders_off")
    days = ", ".join(str(d) for d in view.deadline_offsets_days)
    return t.plural_list("settings.reminders_days", view.deadline_offsets_days, days=days)


def local_now(now: dt.datetime, timezone: str) -> str:
    """The group's wall clock, so a coordinator sees at once whether the zone is right."""
    return now.astimezone(zoneinfo.ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def render_settings(t: Translator, view: GroupSettingsView, now: dt.datetime) -> str:
    lines = [
        t("settings.header", name=esc(view.name)),
        t("settings.timezone_line", timezone=esc(view.timezone), now=local_now(now, view.timezone)),
        t("settings.language_line", language=t(f"settings.language_name_{view.language}")),
        t("settings.digest_line", digest=_digest(t, view)),
        t("settings.reminders_line", reminders=_reminders(t, view)),
        t.plural("settings.quiet_line", view.quiet_weeks, weeks=view.quiet_weeks),
        *quiet_settings_lines(t, view),
        t(
            "settings.public_line",
            state=t("settings.public_on" if view.published else "settings.public_off"),
        ),
    ]
    return "\n".join(lines) + "\n\n" + t("settings.how_to_change")


def _changes_something(_update: Update, context: WGContext) -> bool:
    """Only a change needs to know who is asking: /settings alone shows them to all."""
    return bool(context.args)


@in_linked_group(roles=_changes_something)
async def settings(update: Update, context: WGContext, scope: GroupScope) -> None:
    """Show this group's settings, or (coordinators) change one of them."""
    args = context.args or []
    command: SettingsCommand | SetHolidays | SetWorkdays | Invalid = (
        parse_quiet_setting(args, country_code) if is_quiet_setting(args) else parse_settings(args)
    )
    group, t, now = scope.group, scope.t, scope.now
    if isinstance(command, ShowSettings):
        scope.reply(render_settings(t, settings_view(group), now))
        return
    if not scope.may_coordinate():
        return
    if isinstance(command, Invalid):
        scope.reply(t(command.key, **{k: esc(v) for k, v in command.values.items()}))
        return
    if isinstance(command, SetPublish):
        scope.reply(publish_answer(scope, command.action, context.deps.public_url))
        return
    view = settings_view(group)
    if isinstance(command, SetTimezone):
        if set_timezone(group=group, timezone=command.name, now=now):
            scope.schedule_changed()
        text = t(
            "settings.timezone_set", timezone=esc(command.name), now=local_now(now, group.timezone)
        )
    elif isinstance(command, SetLanguage):
        set_language(group=group, language=command.code, now=now)
        chat_id, language = scope.chat_id, group.language

        async def group_menu() -> None:
            await announce_group_menu(context.bot, chat_id, language)

        scope.answers.then(group_menu)
        # Answer in the language just chosen.
        t = translator(group.language)
        text = t("settings.language_set", language=t(f"settings.language_name_{group.language}"))
    elif isinstance(command, SetDigest):
        if set_digest(group=group, weekday=command.weekday, time=command.time, now=now):
            scope.schedule_changed()
        text = t("settings.digest_set", digest=_digest(t, settings_view(group)))
    elif isinstance(command, SetHolidays | SetWorkdays):
        text = apply_quiet_setting(scope, command)
    else:
        assert isinstance(command, SetReminders)
        if set_deadline_offsets(group=group, offsets=list(command.offsets), now=now):
            scope.schedule_changed()
        text = t("settings.reminders_set", reminders=_reminders(t, settings_view(group)))
    if settings_view(group) == view:
        text += "\n" + t("settings.unchanged")
    scope.reply(text)


async def settings_private(update: Update, context: WGContext) -> None:
    """In a private chat: `/settings language <code>` picks the language the bot uses with
    this member here (replies and private reminders); anything else gets the usage."""
    user = update.effective_user
    if user is None:
        return
    command = parse_settings(context.args or [])
    if isinstance(command, SetLanguage):
        async with transaction(context.deps.sessionmaker) as session:
            known = await set_own_language(
                session=session, telegram_user_id=user.id, language=command.code
            )
        t = translator(command.code)
        name = t(f"settings.language_name_{command.code}")
        key = "settings.private.language_set" if known else "settings.private.language_unknown"
        await reply(update, t(key, language=name))
        return
    t = translator(await own_language(context, user.id, user.language_code))
    if isinstance(command, Invalid) and command.key.startswith("settings.language."):
        await reply(update, t(command.key, **{k: esc(v) for k, v in command.values.items()}))
        return
    await reply(update, t("settings.private.usage"))


def register(app: WGApplication) -> None:
    # The private chat's own /settings first: in one handler group the first match wins.
    app.add_handler(command("settings", settings_private, filters.ChatType.PRIVATE))
    app.add_handler(command("settings", settings))
