"""`wgbot`: the console script (PRODUCT.md, "Command line")."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from wgbot.logs import Redactor, protect, run_protected
from wgbot.settings import Settings, SettingsError, load_settings

EXIT_PROBLEMS = 1
EXIT_CONFIG = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wgbot", description="The working-group bot for open-government action plans."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    sub.add_parser("run", help="run the bot (long polling, or webhook when WGBOT_WEBHOOK_URL)")
    imp = sub.add_parser("import", help="create or update a chat's working group from a plan")
    imp.add_argument("file", type=Path)
    imp.add_argument("--chat", type=int, required=True, help="Telegram chat id of the group")
    imp.add_argument("--name", help="the working group's name")
    check = sub.add_parser("check", help="validate a plan file; changes nothing")
    check.add_argument("file", type=Path)
    grant = sub.add_parser("grant", help="make a user coordinator of a chat's working group")
    grant.add_argument("--chat", type=int, required=True)
    grant.add_argument("--user", type=int, required=True)
    export = sub.add_parser("export", help="the plan with statuses and latest updates")
    export.add_argument("--chat", type=int, required=True)
    export.add_argument("--format", required=True, choices=["csv", "xlsx", "ics", "md", "yaml"])
    export.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    sub.add_parser("migrate", help="bring the database schema up to date")
    sub.add_parser("demo", help="run the bot offline against a stand-in for Telegram")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # python-telegram-bot 22 warns on every RetryAfter unless told to use timedeltas;
    # the delivery worker reads either form.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    args = _parser().parse_args(argv)
    redactor = Redactor()
    try:
        if args.command == "check":
            from wgbot.admin import check

            return check(args.file)
        settings = load_settings()
        # Before anything can fail: whatever is printed from here on, a traceback
        # nobody caught included, shows no secret (`run` then logs at INFO).
        redactor = protect(settings.secrets())
        return _dispatch(args, settings, redactor)
    except SettingsError as exc:
        print(f"wgbot: {redactor(str(exc))}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace, settings: Settings, redactor: Redactor) -> int:
    from wgbot import admin

    if args.command == "run":
        return admin.run(settings, redactor)
    if args.command == "migrate":
        return run_protected(admin.migrate_database(settings), redactor)
    if args.command == "import":
        return run_protected(admin.import_file(settings, args.file, args.chat, args.name), redactor)
    if args.command == "grant":
        return run_protected(admin.grant(settings, args.chat, args.user), redactor)
    if args.command == "export":
        return run_protected(admin.export(settings, args.chat, args.format, args.output), redactor)
    if args.command == "demo":
        from wgbot.demo import run_demo

        return run_protected(run_demo(settings), redactor)
    raise AssertionError(args.command)  # argparse allows nothing else


if __name__ == "__main__":
    sys.exit(main())
