"""/export <csv|xlsx|ics|md>: the plan with statuses and latest updates, as a file."""

from __future__ import annotations

import math

from telegram import Update

from bot.context import WGApplication, WGContext
from bot.edge import GroupScope, Handler, command, in_linked_group
from bot.render import esc
from bot.throttle import Verdict
from storage.plan_export import ExportFormat, export_filename, export_group

# What the chat offers (the command line also has yaml).
CHAT_FORMATS = {
    f.value: f for f in (ExportFormat.CSV, ExportFormat.XLSX, ExportFormat.ICS, ExportFormat.MD)
}


async def _export(update: Update, context: WGContext, scope: GroupScope) -> None:
    """The plan (or, as ics, its calendar) as a document in the chat."""
    args = context.args or []
    fmt = CHAT_FORMATS.get(args[0].casefold().removeprefix(".")) if len(args) == 1 else None
    if fmt is None:
        scope.reply(scope.t("cmd.export.usage_help"))
        return
    # A file is the dearest answer (the whole plan, rendered): a few per group at a time.
    throttle = context.deps.export_throttle
    if throttle.check(scope.group.id) is not Verdict.GO:
        minutes = max(1, math.ceil(throttle.wait(scope.group.id) / 60))
        scope.reply(scope.t("export.cooldown", minutes=minutes))
        return
    data = await export_group(
        session=scope.session, group=scope.group, fmt=fmt, now=scope.now, words=scope.t
    )
    filename = export_filename(scope.group.name, scope.today, fmt)
    name = esc(scope.group.name)
    if fmt is ExportFormat.ICS:
        caption = scope.t("export.caption_ics", name=name)
    else:
        caption = scope.t("export.caption", name=name, format=fmt.value.upper())
    scope.answers.document(data, filename=filename, caption=caption)


export: Handler = in_linked_group(coordinator_only=True)(_export)


def register(app: WGApplication) -> None:
    app.add_handler(command("export", export))
