"""Scenario a: commands from 100 group chats, wgbot against a bare python-telegram-bot bot.

Each of 100 groups (every one linked to its own copy of the plan) has one member who
types a command, waits for the answer, types the next: /plan, /commitment <n>,
/deadlines, /update <milestone> <status> <note>, round and round, until N commands
have been answered. wgbot runs in-process through its real lifecycle (wgbot.harness
BotRun: polling over HTTP, its processor, its replies paced in the database's windows;
the windows are roomy here, as Telegram's 30 a second would otherwise be all we
measured; the real process below keeps Telegram's). The fake answers after 0 ms or
after 50 ms, Telegram's real round trip.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from benchmarks.plans import link_groups
from benchmarks.timing import Rates, Script, Stopwatch, TimedWgbotProcessor, drive
from fakebot import FakeTelegram
from storage.db import create_engine
from storage.planfile import PlanFile
from wgbot.harness import BotRun, settings_for

GROUPS = 100
CALIBRATION = (-2_999_999, 29_999)  # a chat of its own, for the answers' lengths
STATUS_WORDS = ("limited", "substantial", "complete", "not_started")


def group_chats(count: int = GROUPS) -> list[tuple[int, int]]:
    """(chat id, the user typing there)."""
    return [(-2_000_000 - i, 20_000 + i) for i in range(count)]


def populated_fake(chats: Sequence[tuple[int, int]], *, latency: float) -> FakeTelegram:
    fake = FakeTelegram(latency=latency)
    for chat_id, user_id in [*chats, CALIBRATION]:
        fake.add_user(user_id, f"Member {user_id}")
        fake.add_group(chat_id, f"Working group {chat_id}")
    return fake


@dataclasses.dataclass(frozen=True)
class Mix:
    """The four commands in turn; which commitment and milestone rotates per chat."""

    commitments: tuple[str, ...]
    milestones: tuple[str, ...]

    @classmethod
    def of(cls, plan: PlanFile) -> Mix:
        return cls(
            commitments=tuple(c.number for c in plan.commitments),
            milestones=tuple(m.number for c in plan.commitments for m in c.milestones),
        )

    def command(self, index: int, turn: int) -> str:
        k = index + turn // 4
        match turn % 4:
            case 0:
                return "/plan"
            case 1:
                return f"/commitment {self.commitments[k % len(self.commitments)]}"
            case 2:
                return "/deadlines"
            case _:
                milestone = self.milestones[k % len(self.milestones)]
                status = STATUS_WORDS[k % len(STATUS_WORDS)]
                return f"/update {milestone} {status} Reported at the meeting, turn {turn}"

    def samples(self) -> dict[str, str]:
        """One of each command, to learn the lengths of wgbot's answers."""
        return {"plan": "/plan", "commitment": self.command(0, 1), "deadlines": "/deadlines"} | {
            "update": self.command(0, 3)
        }

    @property
    def script(self) -> Script:
        return self.command


@dataclasses.dataclass(frozen=True)
class WgbotResult:
    rates: Rates
    lengths: dict[str, list[int]]  # the messages each command's answer had
    answered: bool  # every command got its answer in its chat


async def wgbot_rates(
    url: str,
    plan: PlanFile,
    *,
    latency: float,
    n: int,
    chats: Sequence[tuple[int, int]] | None = None,
) -> WgbotResult:
    """wgbot (BotRun on the empty, migrated database at `url`) answering `n` commands."""
    chats = list(chats or group_chats())
    mix = Mix.of(plan)
    engine = create_engine(url)
    try:
        ids = [c for c, _ in chats] + [CALIBRATION[0]]
        await link_groups(engine, plan, ids, dt.datetime.now(dt.UTC))
    finally:
        await engine.dispose()
    async with populated_fake(chats, latency=latency) as fake:
        run = BotRun(fake, settings_for(fake, url))
        stopwatch = Stopwatch()
        processor = TimedWgbotProcessor(run.settings.concurrent_updates)
        processor.stopwatch = stopwatch
        run.processor = processor  # before the lifecycle starts: it takes this one
        async with run:
            lengths: dict[str, list[int]] = {}
            for name, text in mix.samples().items():
                answer = await run.say(*CALIBRATION, text)
                lengths[name] = [len(m.raw_text or "") for m in answer]
            rates = await drive(fake, run.token, stopwatch, chats, mix.script, n)
        answered = _all_answered(fake, chats, stopwatch)
    return WgbotResult(rates=rates, lengths=lengths, answered=answered)


def _all_answered(
    fake: FakeTelegram, chats: Sequence[tuple[int, int]], stopwatch: Stopwatch
) -> bool:
    """Every command of the run has at least one bot message after it in its chat."""
    wanted = {c for c, _ in chats}
    last_user: dict[int, int | None] = {}
    answered = True
    for entry in fake.transcript():
        if entry.chat_id not in wanted:
            continue
        if entry.sender == "user":
            if last_user.get(entry.chat_id) is not None:
                answered = False  # the previous command got nothing
            last_user[entry.chat_id] = entry.update_id
        elif entry.kind == "message":
            last_user[entry.chat_id] = None
    sent = set(stopwatch.sent)
    return answered and all(v is None for v in last_user.values()) and len(sent) > 0
