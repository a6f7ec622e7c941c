"""The `wgbot` console script as an operator uses it: exit codes, messages, files."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlalchemy.ext.asyncio import AsyncEngine

from fakebot import FakeTelegram
from tests.conftest import EXAMPLES, ROOT

EXAMPLE = EXAMPLES / "mongolia-2021-2023.yaml"
TOKEN = "4242:AAcliTokenThatMustNeverBeLogged_xyz"


def wgbot(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("WGBOT_")}
    return subprocess.run(
        [sys.executable, "-m", "wgbot.cli", *args],
        capture_output=True,
        text=True,
        env={**base, **(env or {})},
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def sqlite_env(tmp_path: Path) -> dict[str, str]:
    return {"WGBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("WGBOT_HTTP_PORT", "eighty", "WGBOT_HTTP_PORT: Input should be a valid integer"),
        ("WGBOT_DATABASE_URL", "mysql://x", "WGBOT_DATABASE_URL: must be sqlite+aiosqlite"),
        ("WGBOT_TIMEZONE", "Mars/Olympus", "WGBOT_TIMEZONE: unknown IANA time zone"),
        ("WGBOT_LANGUAGE", "fr", "WGBOT_LANGUAGE: Input should be 'en'"),
        ("WGBOT_TELEGRAM_TOKEN", "not-a-token-secret", "WGBOT_TELEGRAM_TOKEN: does not look like"),
    ],
)
def test_a_bad_setting_stops_with_one_line_and_exit_2(
    variable: str, value: str, message: str, sqlite_env: dict[str, str]
) -> None:
    result = wgbot("migrate", env={**sqlite_env, variable: value})
    assert result.returncode == 2
    assert result.stderr.startswith(f"wgbot: {message}")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert value not in result.stderr or variable != "WGBOT_TELEGRAM_TOKEN"


def test_run_without_a_token_names_the_variable(sqlite_env: dict[str, str]) -> None:
    result = wgbot("run", env=sqlite_env)
    assert result.returncode == 2
    assert result.stderr == (
        "wgbot: WGBOT_TELEGRAM_TOKEN: required by `wgbot run`; get one from @BotFather\n"
    )


def test_check_lists_every_problem_of_a_broken_plan(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "agencies:\n"
        "  - {code: MRPAM, name: Authority, sector: goverment}\n"
        "commitments:\n"
        "  - number: '1'\n"
        "    title: Transparency\n"
        "    lead_agency: NOPE\n"
        "    milestones:\n"
        "      - {number: '2.1', title: Law, due: 2022-13-01}\n"
        "      - {number: '1.2', title: Data, due: 2022-01-01, start: 2022-06-01, stauts: done}\n",
        encoding="utf-8",
    )
    result = wgbot("check", str(broken))
    assert result.returncode == 1
    problems = [line for line in result.stderr.splitlines() if line.startswith("  ")]
    assert len(problems) >= 6, result.stderr
    for where in (
        "agencies[0].sector",
        "commitments[0].lead_agency",
        "commitments[0].milestones[0].number",
        "commitments[0].milestones[0].due",
        "commitments[0].milestones[1].stauts",
    ):
        assert any(where in line for line in problems), (where, result.stderr)
    assert "nothing was changed" in result.stderr
    # The coordinator knows milestone 1.2 by its number, not by its place in the file.
    assert (
        "  milestone 1.2: due 2022-01-01 is before its start 2022-06-01 — "
        "commitments[0].milestones[1].due"
    ) in result.stderr


def test_a_meeting_that_never_happens_is_refused_by_check_and_import_with_its_name(
    tmp_path: Path, sqlite_env: dict[str, str]
) -> None:
    """30 February never comes: one located line naming the meeting, no traceback, exit 1.
    (What only the import can see, a rule with no date from today on, is refused the same
    way: tests/storage/test_plan_import.py, with a fixed today.)"""
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "agencies:\n"
        "  - {code: MOF, name: Ministry of Finance}\n"
        "commitments:\n"
        "  - number: '1'\n"
        "    title: Budget\n"
        "    milestones: [{number: '1.1', title: Law, due: 2030-01-01}]\n"
        "meetings:\n"
        "  - {title: Never, when: 'RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30 10:00'}\n",
        encoding="utf-8",
    )
    checked = wgbot("check", str(plan))
    imported = wgbot("import", str(plan), "--chat", "-100321", env=sqlite_env)
    for result in (checked, imported):
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert "  meeting 'Never': " in result.stderr and "meetings[0].when" in result.stderr


def test_check_accepts_the_examples() -> None:
    for suffix in ("yaml", "csv", "xlsx"):
        result = wgbot("check", str(EXAMPLE.with_suffix(f".{suffix}")))
        assert result.returncode == 0, result.stderr
        assert "OK: 9 commitments" in result.stdout


def test_import_export_and_grant(tmp_path: Path, sqlite_env: dict[str, str]) -> None:
    imported = wgbot("import", str(EXAMPLE), "--chat", "-100777", env=sqlite_env)
    assert imported.returncode == 0, imported.stderr
    assert "created working group 'Mongolia OGP Working Group' for chat -100777" in imported.stdout

    exported = wgbot("export", "--chat", "-100777", "--format", "csv", env=sqlite_env)
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert {r["commitment_number"] for r in rows} == {str(n) for n in range(1, 10)}

    again = tmp_path / "exported.csv"
    again.write_text(exported.stdout, encoding="utf-8")
    reimported = wgbot("import", str(again), "--chat", "-100777", env=sqlite_env)
    assert reimported.returncode == 0, reimported.stderr
    assert reimported.stdout.startswith("updated working group")

    md = wgbot(
        "export",
        "--chat",
        "-100777",
        "--format",
        "md",
        "-o",
        str(tmp_path / "p.md"),
        env=sqlite_env,
    )
    assert md.returncode == 0
    assert (
        (tmp_path / "p.md").read_text(encoding="utf-8").startswith("# Mongolia OGP Working Group")
    )

    ics = wgbot("export", "--chat", "-100777", "--format", "ics", env=sqlite_env)
    assert ics.returncode == 0, ics.stderr
    calendar = Calendar.from_ical(ics.stdout)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Ulaanbaatar"]
    uids = {str(event["UID"]).split("@")[0] for event in calendar.walk("VEVENT")}
    assert {"meeting-1", "meeting-2"} <= uids
    assert any(uid.startswith("milestone-") and uid.endswith("-3.2") for uid in uids)

    granted = wgbot("grant", "--chat", "-100777", "--user", "5001", env=sqlite_env)
    assert (granted.returncode, granted.stdout) == (
        0,
        "user 5001 is now a coordinator of 'Mongolia OGP Working Group'\n",
    )
    unknown = wgbot("grant", "--chat", "-1", "--user", "5001", env=sqlite_env)
    assert unknown.returncode == 1 and "no working group is linked to chat -1" in unknown.stderr


def test_a_broken_import_changes_nothing(tmp_path: Path, sqlite_env: dict[str, str]) -> None:
    assert wgbot("import", str(EXAMPLE), "--chat", "-5", env=sqlite_env).returncode == 0
    broken = tmp_path / "broken.csv"
    broken.write_text(
        "commitment_number,commitment_title,milestone_number,milestone_title,milestone_due\n"
        "1,Renamed,1.1,Law,2022-02-30\n",
        encoding="utf-8",
    )
    result = wgbot("import", str(broken), "--chat", "-5", env=sqlite_env)
    assert result.returncode == 1
    assert "row 2, milestone_due" in result.stderr
    exported = wgbot("export", "--chat", "-5", "--format", "md", env=sqlite_env)
    assert "Renamed" not in exported.stdout and "## 9." in exported.stdout


def test_demo_prints_a_transcript() -> None:
    result = wgbot("demo", timeout=60)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "not linked to a working group" in out
    assert "Bat: /plan" in out
    assert "Oyuna: /commitment 3" in out
    assert "Usage: /commitment <number>" in out
    assert "I don't know /frobnicate" in out
    # Within the scripted morning: an update, a refusal, the digest, a reminder firing.
    assert "Recorded: 3.2" in out
    assert "Only coordinators can do that" in out
    digest_at = out.index("— 09:00 in Ulaanbaatar")
    assert "bot: [photo] 📊" in out[digest_at:]
    assert "3.2 Adopt a corruption-risk check before contracts are awarded → limited · Bat" in out
    assert "starts in 1 hour" in out[digest_at:]
    assert "Starting now: Working group: procurement review" in out[out.index("— 10:00") :]


async def test_wgbot_run_answers_plan_in_a_group_linked_by_import(
    db_url: str, engine: AsyncEngine, tmp_path: Path
) -> None:
    """The done-when of the foundation: `wgbot import`, then `wgbot run` against a Bot API."""
    async with FakeTelegram(token=TOKEN, bot_username="ops_bot") as fake:
        fake.add_user(7, "Saraa")
        fake.add_group(-100123, "Working group", admins=[7])
        env = {k: v for k, v in os.environ.items() if not k.startswith("WGBOT_")}
        env |= {
            "WGBOT_DATABASE_URL": db_url,
            "WGBOT_TELEGRAM_TOKEN": TOKEN,
            "WGBOT_TELEGRAM_BASE_URL": fake.base_url,
            "WGBOT_HTTP_PORT": "0",
        }
        importer = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "wgbot.cli",
            "import",
            str(EXAMPLE),
            "--chat",
            "-100123",
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        _, err = await importer.communicate()
        assert importer.returncode == 0, err
        bot = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "wgbot.cli",
            "run",
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            update_id = fake.user_says(-100123, 7, "/plan")
            async with asyncio.timeout(30):
                # The bot is another process: poll the fake's transcript, briefly.
                while not fake.bot_messages(-100123, since_update=update_id):  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
        finally:
            bot.send_signal(signal.SIGTERM)
            out, err = await asyncio.wait_for(bot.communicate(), 30)
        [reply] = fake.bot_messages(-100123, since_update=update_id)
        assert reply.text is not None and "1. Extractive Industry Transparency" in reply.text
        assert bot.returncode == 0, err
        logs = (out + err).decode()
        assert "long polling as @ops_bot" in logs
        assert TOKEN not in logs and TOKEN.split(":")[1] not in logs


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"WGBOT_WEBHOOK_URL": "https://bot.example.org/telegram"},
            "wgbot: WGBOT_WEBHOOK_SECRET is required when WGBOT_WEBHOOK_URL is set",
        ),
        (
            {"WGBOT_WEBHOOK_URL": "https://bot.example.org/t", "WGBOT_WEBHOOK_SECRET": "short"},
            "wgbot: WGBOT_WEBHOOK_SECRET: must be 16-256 characters",
        ),
    ],
)
def test_webhook_mode_needs_a_proper_secret(
    extra: dict[str, str], message: str, sqlite_env: dict[str, str]
) -> None:
    result = wgbot("migrate", env={**sqlite_env, **extra})
    assert result.returncode == 2
    assert result.stderr.startswith(message)
    assert "short" not in result.stderr
