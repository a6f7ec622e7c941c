"""The public page rendered from plain facts: an empty plan, links that are not http(s),
and every language's words."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.context import Deps
from bot.i18n import Translator
from domain.clock import FixedClock
from domain.enums import Language, Sector, Status
from storage.db import create_engine, create_sessionmaker
from storage.public import (
    PublicAgency,
    PublicCommitment,
    PublicMilestone,
    PublicPlan,
    PublicUpdate,
)
from wgbot.public.routes import PublicSite

NOW = dt.datetime(2022, 9, 1, 2, 0, tzinfo=dt.UTC)
DEC = PublicAgency(code="DEC", name="Democracy Education Center", sector=Sector.CIVIL_SOCIETY)
EMPTY = PublicPlan(
    group_id=1,
    name="Empty WG",
    country=None,
    period=None,
    timezone="Asia/Ulaanbaatar",
    language="en",
    agencies=(),
    commitments=(),
    meetings=(),
    action_items=(),
    last_updated=NOW,
    created_at=NOW,
)


def site() -> PublicSite:
    # Nothing connects: the page is rendered from the facts given.
    sessionmaker = create_sessionmaker(create_engine("sqlite+aiosqlite://"))
    return PublicSite(Deps(sessionmaker=sessionmaker, clock=FixedClock(NOW), default_language="en"))


def html(plan: PublicPlan, language: str = "en") -> str:
    return site()._html(plan, Translator(language), "s" * 32).body.decode()


def test_an_empty_plan_says_so_and_draws_no_chart() -> None:
    page = html(EMPTY)
    assert page.count("The plan has no commitments yet.") == 2
    assert "No meetings are scheduled." in page
    assert "<svg" not in page


def with_update(evidence: str | None, status: Status = Status.WITHDRAWN) -> PublicPlan:
    update = PublicUpdate(at=NOW, status=status, note="x", evidence_url=evidence, agency=DEC)
    milestone = PublicMilestone(
        number="1.1",
        title="T",
        responsible=None,
        start=None,
        due=dt.date(2022, 8, 1),
        status=status,
        updates=(update,),
    )
    commitment = PublicCommitment(
        number="1",
        ogp_id="MN0048",
        title="C",
        description=None,
        policy_area=None,
        lead=None,
        supporting=(),
        start=None,
        end=None,
        milestones=(milestone,),
    )
    return dataclasses.replace(EMPTY, commitments=(commitment,))


@pytest.mark.parametrize(
    ("evidence", "linked"),
    [
        ("https://example.org/report.pdf", True),
        ("http://example.org/a", True),
        ("javascript:alert(1)", False),
        ("data:text/html,<b>x</b>", False),
        ("https:///no-host", False),
    ],
)
def test_only_http_evidence_is_a_link(evidence: str, linked: bool) -> None:
    page = html(with_update(evidence))
    assert ('rel="nofollow noopener noreferrer">evidence</a>' in page) is linked
    assert "javascript:" not in page and "<b>x" not in page


def test_a_withdrawn_milestone_past_its_date_is_not_overdue_and_shows_its_ogp_id() -> None:
    page = html(with_update(None))
    assert '<span class="status status-withdrawn">withdrawn</span>' in page
    assert "status overdue" not in page
    assert "OGP id: MN0048" in page
    assert "Responsible</dt><dd>no agency named</dd>" in page
    late = html(with_update(None, Status.LIMITED))
    assert '<span class="status overdue">overdue</span>' in late


@pytest.mark.parametrize("language", [lang.value for lang in Language])
def test_every_language_renders_the_page_in_itself(language: str) -> None:
    page = html(with_update(None, Status.COMPLETE), language)
    assert page.startswith(f'<!doctype html>\n<html lang="{language}">')
    assert "{" not in page.split("<style>")[0] + page.split("</style>")[1]  # no placeholder left
