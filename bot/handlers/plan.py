"""/plan and /commitment: reading the action plan."""

from __future__ import annotations

from telegram import Update

from bot.context import WGApplication, WGContext
from bot.edge import GroupScope, command, in_linked_group
from bot.render import esc, render_commitment, render_plan
from storage.queries import commitment_view, plan_view


@in_linked_group
async def plan(update: Update, context: WGContext, scope: GroupScope) -> None:
    """Every commitment: number, title, lead agency, milestones complete/total."""
    view = await plan_view(session=scope.session, group=scope.group)
    scope.reply(render_plan(scope.t, view))


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
    app.add_handler(command("commitment", commitment))
