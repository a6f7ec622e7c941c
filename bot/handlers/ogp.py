"""/ogp, /ogp met <date>, /ogp repository <date> [link]: OGP's minimum requirements."""

from __future__ import annotations

from urllib.parse import urlsplit

from telegram import Update

from bot.context import WGApplication, WGContext
from bot.edge import GroupScope, command, in_linked_group
from bot.i18n import Translator
from bot.render import esc
from domain.ogp import Requirement, Standing, lapse_date
from domain.when import WhenError, parse_date
from storage.ogp import ogp_standing, record_event

SUBCOMMANDS = {"met": Requirement.FORUM, "repository": Requirement.REPOSITORY}


def is_web_link(text: str) -> bool:
    """An http(s) address with a host: what a repository's link must be."""
    parts = urlsplit(text)
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _writes(update: Update, context: WGContext) -> bool:
    return bool(context.args)


def _due(t: Translator, standing: Standing) -> str:
    date = standing.lapses.isoformat()
    if standing.days_left > 0:
        return t.plural("ogp.due_in", standing.days_left, days=standing.days_left, date=date)
    if standing.days_left == 0:
        return t("ogp.due_today", date=date)
    return t.plural("ogp.lapsed", -standing.days_left, days=-standing.days_left, date=date)


def render_ogp(t: Translator, forum: Standing, repository: Standing, published: bool) -> str:
    lines = [t("ogp.header"), t("ogp.rule"), ""]
    if forum.last is not None:
        lines.append(t("ogp.forum.last", date=forum.last.isoformat()))
    else:
        lines.append(t("ogp.forum.never", date=forum.since.isoformat()))
    lines.append("    " + _due(t, forum))
    if repository.last is not None:
        lines.append(t("ogp.repository.last", date=repository.last.isoformat()))
    else:
        lines.append(t("ogp.repository.never", date=repository.since.isoformat()))
    lines.append("    " + _due(t, repository))
    lines += ["", t("ogp.published" if published else "ogp.hint")]
    return "\n".join(lines)


@in_linked_group(roles=_writes)
async def ogp(update: Update, context: WGContext, scope: GroupScope) -> None:
    """Where the forum's meetings and the repository's updates stand; coordinators record."""
    t = scope.t
    args = context.args or []
    if not args:
        forum, repository = await ogp_standing(
            session=scope.session, group=scope.group, now=scope.now
        )
        scope.reply(render_ogp(t, forum, repository, scope.group.public_slug is not None))
        return
    requirement = SUBCOMMANDS.get(args[0].casefold())
    usage = t("cmd.ogp.usage_help", day=scope.today.isoformat())
    limit = 2 if requirement is Requirement.FORUM else 3
    if requirement is None or not 2 <= len(args) <= limit:
        scope.reply(usage)
        return
    if not scope.may_coordinate():
        return
    try:
        day = parse_date(args[1])
    except WhenError:
        scope.reply(t("ogp.bad_date", word=esc(args[1]), day=scope.today.isoformat()))
        return
    if day > scope.today:
        scope.reply(t("ogp.future", date=day.isoformat()))
        return
    link = args[2] if len(args) == 3 else None
    if link is not None and not is_web_link(link):
        scope.reply(t("ogp.bad_link", word=esc(link)))
        return
    await record_event(
        session=scope.session,
        group=scope.group,
        requirement=requirement,
        day=day,
        now=scope.now,
        member=scope.member,
        link=link,
    )
    scope.schedule_changed()  # the warnings move to the new lapse date
    forum, repository = await ogp_standing(session=scope.session, group=scope.group, now=scope.now)
    now_standing = forum if requirement is Requirement.FORUM else repository
    key = "ogp.met.recorded" if requirement is Requirement.FORUM else "ogp.repository.recorded"
    # With a newer date known, that one decides when the next is due.
    counted = now_standing.last or day
    text = t(key, date=day.isoformat(), next=lapse_date(counted).isoformat())
    if link:
        text += "\n" + t("ogp.link", link=esc(link))
    if now_standing.last != day:
        assert now_standing.last is not None
        text += "\n\n" + t("ogp.newer_known", date=now_standing.last.isoformat())
    scope.reply(text)


def register(app: WGApplication) -> None:
    app.add_handler(command("ogp", ogp))
