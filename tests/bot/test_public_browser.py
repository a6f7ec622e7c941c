"""A real browser on a phone-sized screen opens the link `/settings publish on` answered.

Debian's Chromium (/usr/bin/chromium, which .ci/run installs) driven by Playwright, which
is pointed at it and never downloads a browser of its own. What a person sees is read
with JavaScript off (the page is complete without it); axe-core (the copy that the
axe-playwright-python package ships) then checks accessibility, with no serious or
critical violation allowed.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, ViewportSize, async_playwright
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.clock import FixedClock
from fakebot import FakeTelegram
from tests.bot.conftest import GROUP, OYUNA
from tests.bot.publishing import LINK, public_bot, real_reports

CHROMIUM = Path("/usr/bin/chromium")
PHONE = ViewportSize(width=360, height=740)


@pytest.fixture
def chromium() -> Path:
    """Debian's browser; under CI its absence fails (as PostgreSQL's does), else skips."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Debian's chromium at {CHROMIUM} (.ci/run installs it)")
        pytest.skip(f"no browser at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(chromium),
            # As root (CI's user) Chromium refuses to start its sandbox.
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        try:
            yield browser
        finally:
            await browser.close()


def axe_source() -> str:
    return (resources.files("axe_playwright_python") / "axe.min.js").read_text("utf-8")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_a_phone_shows_the_published_page_and_it_is_accessible(
    browser: Browser,
    fake: FakeTelegram,
    engine: AsyncEngine,
    db_url: str,
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    async with public_bot(fake, db_url, clock) as run:
        await real_reports(run, engine)
        reply = await run.unique_reply(GROUP, OYUNA, "/settings publish on")
        match = LINK.search(reply.text or "")
        assert match is not None
        address = match[0]  # exactly the link the coordinator was given

        # What a person sees, with JavaScript off.
        plain = await browser.new_context(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, java_script_enabled=False
        )
        page = await plain.new_page()
        answer = await page.goto(address)
        assert answer is not None and answer.status == 200
        assert await page.title() == "Mongolia OGP Working Group"
        assert await page.locator("h1").inner_text() == "Mongolia OGP Working Group"
        headings = await page.locator("h3").all_inner_texts()
        assert headings[0] == "1. Extractive Industry Transparency"
        first = page.locator("li.item").first
        assert await first.locator(".status").first.inner_text() == "complete"
        assert "Mineral Resources and Petroleum Authority of Mongolia" in await first.inner_text()
        assert await page.get_by_text("Overall progress").is_visible()
        chart = page.locator("svg.bar")
        assert await chart.is_visible()
        box = await chart.bounding_box()
        assert box is not None and 250 <= box["width"] <= 360 and box["height"] >= 20
        assert await chart.locator("rect").count() >= 3
        legend = await page.locator(".legend").inner_text()
        assert "complete: " in legend and "substantial: " in legend
        await page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
        if os.environ.get("WGBOT_SCREENSHOT"):
            await page.screenshot(path=os.environ["WGBOT_SCREENSHOT"], full_page=True)

        # A person switches the language with the link at the top.
        await page.get_by_role("link", name="Монгол").click()
        assert page.url == address + "?lang=mn"
        assert await page.get_by_role("heading", name="Нийт явц").is_visible()
        assert await first.locator(".status").first.inner_text() == "бүрэн хэрэгжсэн"
        await plain.close()

        # The same page with scripts on (for axe only): the style passed the CSP, nothing
        # is wider than the phone, and nothing serious is inaccessible.
        context = await browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
        page = await context.new_page()
        refused: list[str] = []
        page.on(
            "console",
            lambda message: (
                refused.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        await page.goto(address)
        styled = await page.evaluate("getComputedStyle(document.body).maxWidth")
        assert styled == "768px"  # page.css applied: the CSP allows our inline style
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        await page.evaluate(axe_source())
        results: dict[str, Any] = await page.evaluate(
            "axe.run(document, {resultTypes: ['violations']})"
        )
        serious = [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["html"] for n in v["nodes"]][:3]}
            for v in results["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], json.dumps(serious, indent=1)
        assert refused == []
        await context.close()
