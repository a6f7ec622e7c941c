"""The shipped example plan and a real plan nobody here wrote both load cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.enums import Language, Sector
from storage.planfile import PlanFile, dump_csv, dump_xlsx, dump_yaml, load_plan, parse_plan_bytes

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# A copy of the shared reference plan (public domain), kept with the tests.
US_PLAN = Path(__file__).resolve().parents[1] / "data" / "us-nap5-2022-2024.yaml"


@pytest.fixture(scope="module")
def mongolia() -> PlanFile:
    return load_plan(EXAMPLES / "mongolia-2021-2023.yaml")


def test_mongolia_example_is_the_plan_the_review_describes(mongolia: PlanFile) -> None:
    assert mongolia.working_group is not None
    assert mongolia.working_group.timezone == "Asia/Ulaanbaatar"
    assert mongolia.working_group.language is Language.MN
    assert [c.number for c in mongolia.commitments] == [str(n) for n in range(1, 10)]
    assert mongolia.commitments[2].title == "Public Engagement in Public Procurement"
    sectors = {a.code: a.sector for a in mongolia.agencies}
    assert sectors["DEC"] is sectors["SWB"] is Sector.CIVIL_SOCIETY
    responsible = {
        m.responsible or c.lead_agency for c in mongolia.commitments for m in c.milestones
    }
    assert responsible == set(sectors)  # so the CSV carries every agency's name and sector
    assert all(2 <= len(c.milestones) <= 4 for c in mongolia.commitments)
    assert mongolia.meetings[0].when == "every 2nd tue 10:00"


def test_example_csv_and_xlsx_carry_the_same_plan(mongolia: PlanFile) -> None:
    assert load_plan(EXAMPLES / "mongolia-2021-2023.xlsx") == mongolia
    assert load_plan(EXAMPLES / "mongolia-2021-2023.csv") == PlanFile(
        agencies=mongolia.agencies, commitments=mongolia.commitments
    )


def test_example_csv_is_what_the_writer_makes_now(mongolia: PlanFile) -> None:
    """Run examples/regenerate.py when this fails after a change to the YAML or the writer."""
    committed = (EXAMPLES / "mongolia-2021-2023.csv").read_bytes().decode("utf-8")
    assert committed == dump_csv(mongolia)


def test_us_plan_loads_and_survives_every_writer() -> None:
    plan = load_plan(US_PLAN)
    assert len(plan.commitments) == 36
    assert sum(len(c.milestones) for c in plan.commitments) == 70
    assert len(plan.agencies) == 34
    assert parse_plan_bytes(dump_yaml(plan).encode(), "yaml") == plan
    assert parse_plan_bytes(dump_xlsx(plan), "xlsx") == plan
    assert parse_plan_bytes(dump_csv(plan).encode(), "csv").commitments == plan.commitments
