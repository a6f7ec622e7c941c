"""deploy/: what a newcomer copies to a server agrees with the code and the README.

There is no container engine here: `make lint` runs hadolint on the Dockerfile, and these
tests read the files: the image installs the package as the README does and copies every
package of the wheel, compose names real settings, the env template has every one, and the
image's health check, run as is, passes on a healthy bot and fails on a 503.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

import yaml

from domain.clock import FixedClock
from fakebot import FakeTelegram
from tests.conftest import ROOT
from wgbot.harness import BotRun, settings_for
from wgbot.settings import Settings

DEPLOY = ROOT / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
SETTINGS = {f"WGBOT_{name.upper()}" for name in Settings.model_fields}


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text("utf-8"))
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def args_of(word: str) -> list[str]:
    return [rest for w, rest in instructions() if w == word]


def pip_installs(text: str) -> list[str]:
    """What each `python -m pip install …` installs (its arguments, as written)."""
    return [m.group(1).strip() for m in re.finditer(r"python -m pip install ([^\n&;`]+)", text)]


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((DEPLOY / "compose.yaml").read_text("utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def env_template() -> dict[str, str | None]:
    """Every WGBOT_* variable of the template: its value, or None when commented out."""
    found: dict[str, str | None] = {}
    for line in (DEPLOY / "wgbot.env.example").read_text("utf-8").splitlines():
        match = re.fullmatch(r"(#\s*)?(WGBOT_[A-Z_]+)=(.*)", line.strip())
        if match:
            commented, name, value = match.groups()
            if commented is None or name not in found:
                found[name] = None if commented else value
    return found


def test_the_image_installs_the_package_as_the_readme_does() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    [image] = [pip_installs(rest) for rest in args_of("RUN") if "pip install" in rest]
    assert image == ["."]  # the package itself, without the development extras
    assert image == pip_installs(readme)


def test_the_image_is_slim_pinned_unprivileged_and_checks_its_health() -> None:
    [base] = args_of("FROM")
    assert re.fullmatch(r"python:3\.1[1-9]-slim(-[a-z]+)?", base), base
    [user] = args_of("USER")
    assert user.split(":")[0] not in ("root", "0")
    [health] = args_of("HEALTHCHECK")
    assert "/healthz" in health and "curl" not in health
    assert json.loads(args_of("CMD")[-1]) == ["wgbot", "run"]
    env = " ".join(args_of("ENV"))
    assert "WGBOT_HTTP_HOST=0.0.0.0" in env
    port = re.search(r"WGBOT_HTTP_PORT=(\d+)", env)
    assert port is not None and args_of("EXPOSE") == [port.group(1)]


def test_the_image_copies_every_package_of_the_wheel() -> None:
    """A new top-level package in pyproject.toml must reach the image (and get past
    .dockerignore), or `pip install .` there builds a bot without it."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    packages = project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    copied = {word.rstrip("/") for rest in args_of("COPY") for word in rest.split()[:-1]}
    assert {"pyproject.toml", "README.md", *packages} <= copied
    ignore = (ROOT / ".dockerignore").read_text("utf-8").splitlines()
    assert "*" in ignore
    for name in ("pyproject.toml", "README.md", *packages):
        assert f"!{name}" in ignore or f"!{name}/" in ignore, name


def test_an_installed_package_carries_the_demos_example_plan() -> None:
    """`wgbot demo` after `pip install .` (the image, a systemd venv) finds its plan
    inside the package, where wgbot.demo looks when there is no source tree beside it."""
    from wgbot.demo import EXAMPLE

    wheel = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]
    included = wheel["targets"]["wheel"]["force-include"]
    assert included[f"examples/{EXAMPLE}"] == f"wgbot/examples/{EXAMPLE}"
    assert (ROOT / "examples" / EXAMPLE).is_file()


def test_compose_runs_postgres_and_the_bot_with_real_settings() -> None:
    spec = compose()
    services = spec["services"]
    assert {"postgres", "bot"} <= set(services)
    postgres, bot = services["postgres"], services["bot"]
    assert postgres["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert any(v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"])
    assert set(spec["volumes"]) >= {v.split(":")[0] for v in postgres["volumes"]}
    assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert (DEPLOY / bot["build"]["context"] / bot["build"]["dockerfile"]).resolve() == DOCKERFILE
    assert "profiles" not in bot  # polling, by default
    assert bot["env_file"] == ["wgbot.env"]  # made from wgbot.env.example
    environment = bot["environment"]
    assert set(environment) <= SETTINGS, set(environment) - SETTINGS
    assert environment["WGBOT_DATABASE_URL"].startswith("postgresql+asyncpg://wgbot:")
    assert "@postgres:5432/wgbot" in environment["WGBOT_DATABASE_URL"]
    # The web port on this machine only; the proxy of the webhook profile faces outside.
    assert all(p.startswith("127.0.0.1:") for p in bot["ports"])
    proxy = services["proxy"]
    assert proxy["profiles"] == ["webhook"]
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    [forwarded] = [
        line.split()[2:]
        for line in (DEPLOY / "Caddyfile").read_text("utf-8").splitlines()
        if line.strip().startswith("@wgbot path")
    ]
    assert forwarded == ["/telegram", "/p/*", "/healthz"]  # /metrics stays inside


def test_the_env_template_has_every_setting_and_they_load() -> None:
    template = env_template()
    assert set(template) == SETTINGS
    given = {k.removeprefix("WGBOT_").lower(): v for k, v in template.items() if v is not None}
    settings = Settings(_env_file=None, **given)  # type: ignore[arg-type]
    assert settings.telegram_token is None  # left for the operator
    # Every commented example loads too.
    examples = {}
    for line in (DEPLOY / "wgbot.env.example").read_text("utf-8").splitlines():
        match = re.fullmatch(r"#\s*(WGBOT_[A-Z_]+)=(.+)", line.strip())
        if match and "PASSWORD" not in match.group(2):
            examples[match.group(1).removeprefix("WGBOT_").lower()] = match.group(2)
    examples.setdefault("webhook_secret", "x" * 32)
    Settings(_env_file=None, **(given | examples))


def test_the_systemd_unit_runs_the_readme_venv_and_the_env_file() -> None:
    unit = (DEPLOY / "wgbot.service").read_text("utf-8")
    assert "ExecStart=/opt/wgbot/.venv/bin/wgbot run" in unit
    assert "EnvironmentFile=/etc/wgbot/wgbot.env" in unit
    assert "User=wgbot" in unit
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "/opt/wgbot/.venv/bin/python -m pip install ." in readme
    assert "docs/deploy.md" in readme
    guide = (ROOT / "docs" / "deploy.md").read_text("utf-8")
    for topic in ("pg_dump", "pg_restore", ".backup", "wgbot migrate", "nginx", "Caddy"):
        assert topic in guide, topic


async def _health_check_exit(port: int) -> int:
    """The image's HEALTHCHECK command, run as the container would, against `port`."""
    [health] = args_of("HEALTHCHECK")
    command = json.loads(health[health.index("CMD") + 3 :].strip())
    assert command[0] == "python"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *command[1:],
        env={"WGBOT_HTTP_PORT": str(port), "PATH": "/usr/bin:/bin"},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    return await asyncio.wait_for(process.wait(), 30)


async def test_the_image_health_check_passes_and_fails_with_healthz(tmp_path: Path) -> None:
    clock = FixedClock(dt.datetime(2022, 9, 1, 2, 0, tzinfo=dt.UTC))
    async with FakeTelegram() as fake:
        settings = settings_for(fake, f"sqlite+aiosqlite:///{tmp_path / 'wgbot.db'}")
        async with BotRun(fake, settings, clock=clock, services=True) as run:
            await run.tick()
            assert await _health_check_exit(run.bot.port) == 0
            clock.advance(dt.timedelta(minutes=4))  # nobody planned since: 503
            assert await _health_check_exit(run.bot.port) != 0


def test_hadolint_is_part_of_make_lint() -> None:
    makefile = (ROOT / "Makefile").read_text("utf-8")
    lint = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "\t$(BIN)/hadolint deploy/Dockerfile\n" in lint + "\n"
