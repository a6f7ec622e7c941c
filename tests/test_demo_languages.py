"""`wgbot demo` plays the scripted morning in the language WGBOT_LANGUAGE names."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("language", "narration", "reply"),
    [
        ("es", "Demostración de wgbot", "Registrado"),
        ("ru", "Демонстрация wgbot", "по Улан-Батору"),
        ("mn", "wgbot demo: жинхэнэ бот", "Улаанбаатарын цагаар"),
    ],
)
def test_the_demo_speaks_the_chosen_language(language: str, narration: str, reply: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WGBOT_")}
    result = subprocess.run(
        [sys.executable, "-m", "wgbot.cli", "demo"],
        capture_output=True,
        text=True,
        env={**env, "WGBOT_LANGUAGE": language},
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(narration)
    assert reply in result.stdout
    for english in ("the scheduler plans and delivers", "Next: get a token", "created working"):
        assert english not in result.stdout
