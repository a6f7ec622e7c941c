"""`python -m benchmarks` (`make bench`): one table of what wgbot costs, and its JSON.

Every scenario runs against the fake Bot API over loopback HTTP, on SQLite and on
PostgreSQL where a database is involved (a database of its own, created and dropped;
PostgreSQL at WGBOT_BENCH_PG, default postgres@127.0.0.1:5432, skipped with a line when
it does not answer). Machine-dependent figures are ratios against a baseline measured
in the same run; the scenarios and their baselines are described in benchmarks/suite.py
and the modules it runs. The defaults keep the whole run within about 15 minutes on a
2-core machine; the issue's sizes (5,000 commands, 10,000 groups) are flags.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import os
import sys
import time
from pathlib import Path

from benchmarks.databases import DATABASES, postgres_available
from benchmarks.report import Row, machine, render, write_json
from benchmarks.suite import RUNNERS, SCENARIOS, Options

DEFAULT_JSON = Path(__file__).with_name("results.json")


# (the Options field, its help): each becomes --field-name, defaulting to Options().
SIZES = (
    ("commands", "commands per in-process run with the example plan (the issue: 5000)"),
    ("big_plan_commands", "commands per run with the 200-commitment plan"),
    ("slow_sequential", "commands for the sequential bare bot at 50 ms (20/s at best)"),
    ("process_commands", "commands for the `wgbot run` process"),
    ("fanout", "groups with a reminder due in the same minute (the issue: 10000)"),
    ("groups", "working groups for the scale scenario (the issue: 10000)"),
    ("base_groups", "the smaller size the scale scenario compares with"),
    ("reminders", "outbox rows for the delivery scenario"),
    ("digest_repeats", "digests timed per plan (the median is kept)"),
)


def _parser() -> argparse.ArgumentParser:
    defaults = Options()
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    for field, text in SIZES:
        default = getattr(defaults, field)
        flags = ["-n", "--commands"] if field == "commands" else ["--" + field.replace("_", "-")]
        p.add_argument(*flags, type=int, default=default, help=f"{text} (default {default})")
    p.add_argument(
        "--databases", default=",".join(defaults.databases), help="comma-separated: sqlite,postgres"
    )
    p.add_argument(
        "--only",
        default=",".join(SCENARIOS),
        help=f"comma-separated scenarios: {','.join(SCENARIOS)}",
    )
    p.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where the JSON goes")
    return p


def _say(line: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {line}", file=sys.stderr, flush=True)


async def _run(options: Options) -> list[Row]:
    rows: list[Row] = []
    for name in options.scenarios:
        began = time.perf_counter()
        rows += await RUNNERS[name](options, _say)
        _say(f"{name}: {time.perf_counter() - began:.0f} s")
    return rows


def main() -> None:
    os.environ.setdefault("PTB_TIMEDELTA", "true")  # as `wgbot` does: no RetryAfter warnings
    # The bot's own log lines (a dropped row, a 429 honoured) are not the benchmark's.
    logging.basicConfig(level=logging.ERROR)
    args = _parser().parse_args()
    databases = tuple(d for d in args.databases.split(",") if d)
    unknown = [d for d in databases if d not in DATABASES]
    scenarios = tuple(s for s in args.only.split(",") if s)
    unknown += [s for s in scenarios if s not in SCENARIOS]
    if unknown:
        raise SystemExit(f"unknown database or scenario: {', '.join(unknown)}")
    if "postgres" in databases and not asyncio.run(postgres_available()):
        _say("PostgreSQL does not answer: SQLite only")
        databases = tuple(d for d in databases if d != "postgres")
    options = Options(
        databases=databases,
        scenarios=scenarios,
        **{field: getattr(args, field) for field, _ in SIZES},
    )
    began = time.perf_counter()
    rows = asyncio.run(_run(options))
    took = time.perf_counter() - began
    info = machine()
    print(
        f"wgbot benchmarks, {info['date']}: {info['cpus']} CPUs, Python {info['python']}; "
        f"N: {options.commands} commands a run ({options.big_plan_commands} with the "
        f"200-commitment plan, {options.process_commands} for the process), "
        f"{options.fanout} fan-out groups, "
        f"{options.base_groups} and {options.groups} groups to scale, "
        f"{options.reminders} outbox rows; {took / 60:.1f} minutes"
    )
    print(render(rows))
    write_json(args.json, rows, dataclasses.asdict(options) | {"minutes": took / 60})
    print(f"(written to {args.json})")


if __name__ == "__main__":
    main()
