"""Tiny versions of every `make bench` scenario, so the benchmarks cannot rot.

Each runs a few dozen messages or groups on each database and checks only that the
scenario did what it says (every command answered, every reminder delivered once, no
429, the same statement count for a small and a large plan); never how fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks import __main__ as bench_main
from benchmarks.bare import bare_rates
from benchmarks.commands import Mix, group_chats, populated_fake, wgbot_rates
from benchmarks.delivery import delivery_rates
from benchmarks.digests import digest_costs
from benchmarks.fanout import fanout
from benchmarks.plans import example_plan, generated_plan
from benchmarks.process import process_rates
from benchmarks.report import Row, Target, percentile, render
from benchmarks.scale import scale
from fakebot import FakeTelegram

CHATS = group_chats(6)


@pytest.mark.parametrize("latency", [0.0, 0.05])
async def test_commands_are_all_answered_by_wgbot_and_by_the_bare_bot(
    engine: AsyncEngine, db_url: str, latency: float
) -> None:
    plan = example_plan()
    ours = await wgbot_rates(db_url, plan, latency=latency, n=24, chats=CHATS)
    assert ours.answered
    assert ours.rates.commands == 24
    assert set(ours.lengths) == {"plan", "commitment", "deadlines", "update"}
    assert all(ours.lengths.values())
    async with populated_fake(CHATS, latency=latency) as fake:
        for concurrent in (1, 256):
            bare = await bare_rates(
                fake,
                concurrent=concurrent,
                lengths=ours.lengths,
                chats=CHATS,
                script=Mix.of(plan).script,
                n=12,
            )
            assert bare.commands == 12
    answers = [m for chat, _ in CHATS for m in fake.bot_messages(chat)]
    assert len(answers) == 24  # one message per command, as wgbot's answers had


async def test_a_200_commitment_plan_answers_every_command(
    engine: AsyncEngine, db_url: str
) -> None:
    plan = generated_plan(200)
    assert len(plan.commitments) == 200
    result = await wgbot_rates(db_url, plan, latency=0.0, n=8, chats=CHATS[:2])
    assert result.answered
    # 200 commitments do not fit one message: /plan answers the first page, whole.
    assert len(result.lengths["plan"]) == 1 and 2000 < result.lengths["plan"][0] < 4096


async def test_the_wgbot_run_process_answers_every_command(
    engine: AsyncEngine, db_url: str
) -> None:
    rates = await process_rates(db_url, 10, latency=0.0, chats=CHATS[:5])
    assert rates.answered
    assert rates.commands == 10


async def test_fanout_delivers_every_reminder_once_without_a_429(
    engine: AsyncEngine, db_url: str
) -> None:
    result = await fanout(db_url, 40)
    assert result.delivered_once
    assert result.refusals == 0
    assert result.peak_per_s <= 30


async def test_scale_measures_each_size_in_a_process_of_its_own(
    engine: AsyncEngine, db_url: str
) -> None:
    result = await scale(db_url, (3, 6))
    small, large = result.sizes
    assert (small.groups, large.groups) == (3, 6)
    assert small.steady_pass_s is not None and large.steady_pass_s is None
    assert small.written > 0 and large.written > 0  # the weekly meeting falls within 48 h
    assert small.peak_rss_mb > 0


async def test_a_digest_takes_as_many_statements_for_200_commitments_as_for_10(
    engine: AsyncEngine, db_url: str
) -> None:
    small, large = await digest_costs(db_url, repeats=1)
    assert (small.commitments, large.commitments) == (10, 200)
    assert 0 < small.statements == large.statements


async def test_outbox_delivery_and_the_bare_loop_send_everything(
    engine: AsyncEngine, db_url: str
) -> None:
    rates = await delivery_rates(30, {"db": db_url})
    assert rates.bare > 0 and rates.outbox["db"] > 0  # outbox_rate checks every row went


async def test_the_fake_keeps_its_latency_and_refuses_a_negative_one() -> None:
    async with FakeTelegram(latency=0.01) as fake:
        assert fake.state.latency == 0.01
    with pytest.raises(ValueError, match="latency"):
        FakeTelegram(latency=-1)


def test_the_table_says_which_targets_are_met() -> None:
    rows = [
        Row("a", "sqlite", "rate", 50.0, "updates/s", 0.5, "bare", Target(0.6)),
        Row("b", "-", "429s", 0, "", target=Target(0, "==", "value")),
        Row("c", "-", "plain", 1.5, "s"),
    ]
    assert [r.met for r in rows] == [False, True, None]
    text = render(rows)
    assert "NO" in text and "yes" in text
    assert render(rows, markdown=True).splitlines()[1].startswith("| ---")
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([], 99) == 0.0


def test_the_command_line_prints_one_table_and_writes_its_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results.json"
    argv = ["benchmarks", "--only", "digest", "--databases", "sqlite", "--digest-repeats", "1"]
    monkeypatch.setattr(sys, "argv", [*argv, "--json", str(out)])
    bench_main.main()
    printed = capsys.readouterr().out
    assert "SQL statements a digest" in printed
    document = json.loads(out.read_text())
    assert document["machine"]["cpus"] >= 1
    assert {r["scenario"] for r in document["rows"]} == {"d digest"}
