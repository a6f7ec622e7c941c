"""Every scenario of `make bench`, each turned into rows of the one table."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Awaitable, Callable

from benchmarks.bare import bare_rates
from benchmarks.commands import Mix, WgbotResult, group_chats, populated_fake, wgbot_rates
from benchmarks.databases import fresh_database
from benchmarks.delivery import delivery_rates
from benchmarks.digests import digest_costs
from benchmarks.fanout import fanout
from benchmarks.plans import example_plan, generated_plan
from benchmarks.process import process_rates
from benchmarks.report import Row, Target, ratio
from benchmarks.scale import scale
from benchmarks.timing import Rates

TELEGRAM_PER_S = 30.0
PLAN_INTERVAL_S = 60.0  # the leader plans every minute (scheduler.service)
SLOW = 0.05  # Telegram's round trip, as the fake plays it
SCENARIOS = ("commands", "process", "fanout", "scale", "digest", "delivery")


@dataclasses.dataclass(frozen=True)
class Options:
    commands: int = 800
    big_plan_commands: int = 400
    slow_sequential: int = 200
    process_commands: int = 400
    fanout: int = 1000
    groups: int = 2000
    base_groups: int = 1000
    reminders: int = 600
    digest_repeats: int = 20
    databases: tuple[str, ...] = ("sqlite", "postgres")
    scenarios: tuple[str, ...] = SCENARIOS


Say = Callable[[str], None]


def _rated(row: Row, rates: Rates) -> Row:
    """The row with the run's update-to-answer percentiles."""
    return dataclasses.replace(
        row,
        note=f"p50 {rates.p50_ms:.0f} ms, p99 {rates.p99_ms:.0f} ms, n={rates.commands}",
        extra={"p50_ms": rates.p50_ms, "p99_ms": rates.p99_ms, "n": rates.commands},
    )


async def commands_rows(options: Options, say: Say) -> list[Row]:
    """Scenario a, in-process: wgbot and the bare bot, 0 ms and 50 ms."""
    n, chats, plan = options.commands, group_chats(), example_plan()
    mix = Mix.of(plan)
    ours: dict[tuple[str, float], WgbotResult] = {}
    big: dict[str, WgbotResult] = {}
    bare: dict[tuple[int, float], Rates] = {}

    async def wgbot(database: str, latency: float) -> None:
        say(f"commands: wgbot on {database}, fake answering after {latency * 1000:.0f} ms")
        async with fresh_database(database) as url:
            ours[database, latency] = await wgbot_rates(url, plan, latency=latency, n=n)

    async def baseline(concurrent: int, latency: float, count: int) -> None:
        say(f"commands: bare PTB, {concurrent} at once, {latency * 1000:.0f} ms")
        lengths = next(iter(ours.values())).lengths
        async with populated_fake(chats, latency=latency) as fake:
            bare[concurrent, latency] = await bare_rates(
                fake,
                concurrent=concurrent,
                lengths=lengths,
                chats=chats,
                script=mix.script,
                n=count,
            )

    first, *others = options.databases
    await wgbot(first, 0.0)  # also learns the answers' lengths for the baseline
    await baseline(1, 0.0, n)
    await baseline(256, 0.0, n)
    for database in others:
        await wgbot(database, 0.0)
    plan_200 = generated_plan(200)
    for database in options.databases:
        say(f"commands: wgbot on {database}, a 200-commitment plan")
        async with fresh_database(database) as url:
            big[database] = await wgbot_rates(
                url, plan_200, latency=0.0, n=options.big_plan_commands
            )
    await baseline(256, SLOW, n)
    for database in options.databases:
        await wgbot(database, SLOW)
    await baseline(1, SLOW, min(n, options.slow_sequential))

    rows: list[Row] = []
    for (concurrent, latency), rates in sorted(bare.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        how = "sequential" if concurrent == 1 else f"concurrent_updates({concurrent})"
        measure = f"bare PTB, {how}, fake {latency * 1000:.0f} ms"
        rows.append(_rated(Row("a commands", "-", measure, rates.per_second, "updates/s"), rates))
    floors = {"sqlite": 0.6, "postgres": 0.5}
    for (database, latency), result in ours.items():
        key = (1, 0.0) if latency == 0 else (256, SLOW)
        against = "bare sequential, 0 ms" if latency == 0 else "bare concurrent, 50 ms"
        floor = floors.get(database, 0.5) if latency == 0 else 0.8
        row = Row(
            "a commands",
            database,
            f"wgbot, example plan, fake {latency * 1000:.0f} ms",
            result.rates.per_second,
            "updates/s",
            ratio(result.rates.per_second, bare[key].per_second),
            against,
            Target(floor),
        )
        rows.append(_rated(row, result.rates))
    for database, result in big.items():
        base = ours[database, 0.0].rates.per_second
        row = Row(
            "a commands",
            database,
            "wgbot, 200-commitment plan, fake 0 ms",
            result.rates.per_second,
            "updates/s",
            ratio(result.rates.per_second, base),
            "wgbot, example plan, 0 ms",
            Target(0.8),
        )
        rows.append(_rated(row, result.rates))
    unanswered = [k for k, r in [*ours.items(), *big.items()] if not r.answered]
    if unanswered:
        say(f"commands: some commands went unanswered in {unanswered}")
    return rows


async def process_rows(options: Options, say: Say) -> list[Row]:
    """Scenario a, the real `wgbot run` process (SQLite, 50 ms, Telegram's limits)."""
    database = options.databases[0]
    say(f"commands: `wgbot run` as a process on {database}, fake 50 ms")
    async with fresh_database(database) as url:
        rates = await process_rates(url, options.process_commands, latency=SLOW)
    return [
        Row(
            "a commands",
            database,
            "`wgbot run` process, fake 50 ms, Telegram's limits",
            rates.per_second,
            "updates/s",
            ratio(rates.per_second, TELEGRAM_PER_S),
            "Telegram's 30 msg/s",
            note=f"p50 {rates.p50_ms:.0f} ms, p99 {rates.p99_ms:.0f} ms, n={rates.commands}, "
            f"start to polling {rates.ready_s:.1f} s, all answered: {rates.answered}",
            extra={"p50_ms": rates.p50_ms, "p99_ms": rates.p99_ms, "ready_s": rates.ready_s},
        )
    ]


async def fanout_rows(options: Options, say: Say) -> list[Row]:
    rows: list[Row] = []
    for database in options.databases:
        say(f"fan-out: {options.fanout} groups on {database}, Telegram's limits at the fake")
        async with fresh_database(database) as url:
            f = await fanout(url, options.fanout)
        ideal = max(0.0, (f.groups - TELEGRAM_PER_S) / TELEGRAM_PER_S)
        rows += [
            Row(
                "b fan-out",
                database,
                f"send rate, {f.groups} reminders due at once",
                f.rate,
                "msg/s",
                ratio(f.rate, TELEGRAM_PER_S),
                "Telegram's 30 msg/s",
                Target(0.95),
                note=f"most in any 1 s at the fake: {f.peak_per_s}; delivered once each: "
                f"{f.delivered_once}",
            ),
            Row(
                "b fan-out",
                database,
                "429s from the fake",
                f.refusals,
                "",
                target=Target(0, "==", "value"),
            ),
            Row(
                "b fan-out",
                database,
                "first delivery",
                f.first_s,
                "s",
                note=f"after a planning pass of {f.planned_s:.1f} s",
            ),
            Row(
                "b fan-out",
                database,
                "last delivery",
                f.last_s,
                "s",
                ratio(f.last_s, ideal),
                f"{ideal:.0f} s at exactly 30/s",
            ),
        ]
    return rows


async def scale_rows(options: Options, say: Say) -> list[Row]:
    rows: list[Row] = []
    sizes = tuple(sorted({options.base_groups, options.groups}))
    for database in options.databases:
        say(f"scale: {' and '.join(map(str, sizes))} groups on {database}")
        async with fresh_database(database) as url:
            s = await scale(url, sizes)
        small, large = s.sizes[0], s.sizes[-1]
        rows.append(
            Row(
                "c scale",
                database,
                f"bulk insert of {large.groups} groups (20 milestones)",
                s.insert_s,
                "s",
            )
        )
        for m in s.sizes:
            rows.append(
                Row(
                    "c scale",
                    database,
                    f"planning pass, {m.groups} groups",
                    m.first_pass_s,
                    "s",
                    ratio(m.first_pass_s, PLAN_INTERVAL_S),
                    "the 60 s planning interval",
                    note=f"{m.first_pass_s / m.groups * 1000:.1f} ms a group, "
                    f"{m.written} notifications written",
                )
            )
        if small.steady_pass_s is not None:
            rows.append(
                Row(
                    "c scale",
                    database,
                    f"steady planning pass, {small.groups} groups",
                    small.steady_pass_s,
                    "s",
                    ratio(small.steady_pass_s, small.first_pass_s),
                    "the first pass",
                )
            )
        if large is not small:
            growth = (large.first_pass_s / large.groups) / (small.first_pass_s / small.groups)
            rows.append(
                Row(
                    "c scale",
                    database,
                    f"planning cost a group, {large.groups} vs {small.groups}",
                    growth,
                    "x",
                    growth,
                    f"{small.groups} groups",
                    note="1.00 = linear in the groups",
                )
            )
        for m in s.sizes:
            rows.append(
                Row(
                    "c scale",
                    database,
                    f"start to ready, {m.groups} groups",
                    m.ready_s,
                    "s",
                    ratio(m.ready_s, small.ready_s),
                    f"{small.groups} groups",
                )
            )
            rows.append(
                Row(
                    "c scale",
                    database,
                    f"peak RSS, {m.groups} groups",
                    m.peak_rss_mb,
                    "MiB",
                    ratio(m.peak_rss_mb, small.peak_rss_mb),
                    f"{small.groups} groups",
                )
            )
    return rows


async def digest_rows(options: Options, say: Say) -> list[Row]:
    rows: list[Row] = []
    for database in options.databases:
        say(f"digest: plans of 10 and 200 commitments on {database}")
        async with fresh_database(database) as url:
            small, large = await digest_costs(url, options.digest_repeats)
        rows += [
            Row(
                "d digest",
                database,
                "SQL statements a digest, 10 commitments",
                small.statements,
                "",
            ),
            Row(
                "d digest",
                database,
                "SQL statements a digest, 200 commitments",
                large.statements,
                "",
                ratio(large.statements, small.statements),
                "10 commitments",
                Target(1.0, "=="),
            ),
            Row(
                "d digest",
                database,
                "digest read, 200 commitments",
                large.read_ms,
                "ms",
                ratio(large.read_ms, small.read_ms),
                "10 commitments",
                note=f"10 commitments: {small.read_ms:.1f} ms",
            ),
            Row(
                "d digest",
                database,
                "whole digest (read, chart, text), 200",
                large.whole_ms,
                "ms",
                ratio(large.whole_ms, small.whole_ms),
                "10 commitments",
                note=f"10 commitments: {small.whole_ms:.0f} ms",
            ),
        ]
    return rows


async def delivery_rows(options: Options, say: Say) -> list[Row]:
    say(f"delivery: {options.reminders} outbox rows with limits off, and a bare send loop")
    async with contextlib.AsyncExitStack() as stack:
        urls = {d: await stack.enter_async_context(fresh_database(d)) for d in options.databases}
        rates = await delivery_rates(options.reminders, urls)
    rows = [Row("e delivery", "-", "bare PTB send loop, 8 at a time", rates.bare, "msg/s")]
    for database, rate in rates.outbox.items():
        rows.append(
            Row(
                "e delivery",
                database,
                "outbox delivery, limits off",
                rate,
                "msg/s",
                ratio(rate, rates.bare),
                "bare PTB send loop",
                note=f"{rate / TELEGRAM_PER_S:.1f}x Telegram's 30 msg/s",
            )
        )
    return rows


RUNNERS: dict[str, Callable[[Options, Say], Awaitable[list[Row]]]] = {
    "commands": commands_rows,
    "process": process_rows,
    "fanout": fanout_rows,
    "scale": scale_rows,
    "digest": digest_rows,
    "delivery": delivery_rows,
}
