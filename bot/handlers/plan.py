"""/plan and /commitment: reading the action plan."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler

from bot.context import WGApplication, WGContext
from bot.edge import GroupScope, command, in_linked_group
from bot.i18n import Translator
from bot.render import esc, render_commitment, render_plan
from storage.queries import commitment_view, plan_summary

# A long plan comes as one message with page buttons, not as several messages at once
# (a group may get 20 messages a minute); a press edits that message to another page.
PAGE_PREFIX = "plan:"


def _pager(t: Translator, page: int, pages: int) -> InlineKeyboardMarkup | None:
    """‹ Previous and Next › under page `page` (0-based) of `pages`."""
    if pages <= 1:
        return None
    row = []
    if page > 0:
        row.append(
            InlineKeyboardButton(t("plan.previous"), callback_data=f"{PAGE_PREFIX}{page - 1}")
        )
    if page < pages - 1:
        row.append(InlineKeyboardButton(t("plan.next"), callback_data=f"{PAGE_PREFIX}{page + 1}"))
    return InlineKeyboardMarkup([row])


@in_linked_group
async def plan(update: Update, context: WGContext, scope: GroupScope) -> None:
    """Every commitment: number, title, lead agency, milestones complete/total."""
    pages = render_plan(scope.t, await plan_summary(session=scope.session, group=scope.group))
    scope.reply(pages[0], reply_markup=_pager(scope.t, 0, len(pages)))


@in_linked_group
async def plan_page(update: Update, context: WGContext, scope: GroupScope) -> None:
    """A press on ‹ or ›: the same message shows that page of the plan as it is now."""
    query = update.callback_query
    if query is None or query.data is None or not isinstance(query.message, Message):
        return
    number = query.data.removeprefix(PAGE_PREFIX)
    pages = render_plan(scope.t, await plan_summary(session=scope.session, group=scope.group))
    # Not a number this bot wrote, or a page the plan no longer has: the nearest one.
    page = min(int(number), len(pages) - 1) if number.isdecimal() and len(number) < 6 else 0
    scope.answers.answer_query()
    scope.answers.edit(query.message, pages[page], reply_markup=_pager(scope.t, page, len(pages)))


@in_linked_group
async def commitment(update: Update, context: WGContext, scope: GroupScope) -> None:
    """One commitment with its milestones."""
    args = context.args or []
    if len(args) != 1:
        scope.reply(scope.t("cmd.commitment.usage_help"))
        return
    number = args[0].strip().rstrip(".")
    view = await commitment_view(session=scope.session, group=scope.group, number=number)
    if view is None:
        scope.reply(scope.t("commitment.not_found", number=esc(number)))
        return
    scope.reply(render_commitment(scope.t, view, scope.today, scope.tz))


def register(app: WGApplication) -> None:
    app.add_handler(command("plan", plan))
    app.add_handler(CallbackQueryHandler(plan_page, pattern=f"^{PAGE_PREFIX}"))
    app.add_handler(command("commitment", commitment))
