"""Every problem about a commitment, milestone, agency or meeting names it as the coordinator
knows it (milestone 1.3), beside the place in the file, in what `wgbot check` lists."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from storage.planfile import (
    AgencySpec,
    CommitmentSpec,
    MilestoneSpec,
    PlanFile,
    PlanFileError,
    Problem,
    dump_csv,
    dump_xlsx,
    dump_yaml,
    load_plan,
    parse_plan_bytes,
)


def _broken_plan() -> PlanFile:
    """Milestone 1.3 is due before it starts (model_copy does not validate, so it can be)."""
    draft = MilestoneSpec(number="1.1", title="Draft law", due=dt.date(2025, 6, 30))
    data = MilestoneSpec(number="1.2", title="Open data", due=dt.date(2025, 9, 30))
    hearings = MilestoneSpec(number="1.3", title="Hearings", due=dt.date(2025, 3, 1))
    hearings = hearings.model_copy(update={"start": dt.date(2025, 12, 1)})
    commitment = CommitmentSpec(
        number="1",
        title="Extractives",
        lead_agency="MRPAM",
        milestones=[draft, data, hearings],
    )
    return PlanFile(
        agencies=[AgencySpec(code="MRPAM", name="Minerals Authority")], commitments=[commitment]
    )


def _check(path: Path) -> list[str]:
    """The problem lines of the plan file at `path`, as `wgbot check` lists them."""
    with pytest.raises(PlanFileError) as info:
        load_plan(path)
    lines = str(info.value).splitlines()
    assert lines[1:] == [f"  {problem}" for problem in info.value.problems]
    return [line.removeprefix("  ") for line in lines[1:]]


DUE = "milestone 1.3: due 2025-03-01 is before its start 2025-12-01"


def test_yaml_names_the_milestone_beside_its_path_and_line(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(dump_yaml(_broken_plan()), encoding="utf-8")
    assert path.read_text(encoding="utf-8").splitlines()[20] == "    due: 2025-03-01"
    assert _check(path) == [f"{DUE} — commitments[0].milestones[2].due (line 21)"]


def test_csv_names_the_milestone_beside_its_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text(dump_csv(_broken_plan()), encoding="utf-8")
    assert _check(path) == [f"{DUE} — row 4, milestone_due"]


def test_xlsx_names_the_milestone_beside_its_sheet_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    path.write_bytes(dump_xlsx(_broken_plan()))
    assert _check(path) == [f"{DUE} — sheet milestones, row 4, milestone_due"]


def _problems(text: str, fmt: str = "yaml") -> list[str]:
    with pytest.raises(PlanFileError) as info:
        parse_plan_bytes(textwrap.dedent(text).encode(), fmt)
    return [str(problem) for problem in info.value.problems]


def test_a_milestone_or_commitment_without_a_number_is_named_by_its_position() -> None:
    text = """\
    commitments:
      - number: "1"
        title: Extractives
        milestones:
          - {number: "1.1", title: Draft law, due: 2025-06-30}
          - {number: "1.2", title: Open data, due: 2025-09-30}
          - {title: Hearings, due: 2025-03-01, start: 2025-12-01}
      - title: Freedom of information
        milestones:
          - {number: "2.1", title: Evaluate, due: 2025-13-01}
          - {number: "", title: Amend, due: 2025-06-30, status: done}
    """
    assert _problems(text) == [
        "3rd milestone of commitment 1: required, but missing"
        " — commitments[0].milestones[2].number (line 7)",
        "3rd milestone of commitment 1: due 2025-03-01 is before its start 2025-12-01"
        " — commitments[0].milestones[2].due (line 7)",
        "2nd commitment: required, but missing — commitments[1].number (line 8)",
        # Its own number still names a milestone of a commitment without one.
        "milestone 2.1: bad date '2025-13-01': use YYYY-MM-DD"
        " — commitments[1].milestones[0].due (line 10)",
        "2nd milestone of the 2nd commitment: must not be empty"
        " — commitments[1].milestones[1].number (line 11)",
        "2nd milestone of the 2nd commitment: unknown status 'done': use one of not_started, "
        "limited, substantial, complete, withdrawn — commitments[1].milestones[1].status (line 11)",
    ]


def test_a_row_without_a_milestone_number_is_named_by_its_position() -> None:
    text = """\
    commitment_number,commitment_title,milestone_number,milestone_title,milestone_due
    1,Extractives,1.1,Draft law,2025-06-30
    1,Extractives,,Hearings,2025-02-30
    ,Extractives,1.4,Audit,2025-06-30
    """
    assert _problems(text, "csv") == [
        "2nd milestone of commitment 1: required, but missing — row 3, milestone_number",
        "2nd milestone of commitment 1: bad date '2025-02-30': use YYYY-MM-DD"
        " — row 3, milestone_due",
        # A row without its commitment's number is still named by its milestone's.
        "milestone 1.4: required, but missing — row 4, commitment_number",
    ]


def test_a_number_that_is_the_problem_does_not_name_its_milestone() -> None:
    """Two milestones 1.1: "milestone 1.1" would not say which one is wrong."""
    text = """\
    agencies:
      - {code: MRPAM, name: Minerals Authority}
      - {code: MRPAM, name: Again}
    commitments:
      - number: "1"
        title: Extractives
        milestones:
          - {number: "1.1", title: Draft law, due: 2025-06-30}
          - {number: "1.1", title: Open data, due: 2025-09-30}
          - {number: "2.1", title: Hearings, due: 2025-10-30}
    """
    assert _problems(text) == [
        "2nd agency: duplicate agency code 'MRPAM' (first at agencies[0].code (line 2))"
        " — agencies[1].code (line 3)",
        "2nd milestone of commitment 1: duplicate milestone number 1.1 (first at "
        "commitments[0].milestones[0].number (line 8)) — commitments[0].milestones[1].number "
        "(line 9)",
        "3rd milestone of commitment 1: 2.1 is not a number under commitment 1: use 1.1, 1.2, …"
        " — commitments[0].milestones[2].number (line 10)",
    ]


def test_positions_read_as_ordinals() -> None:
    milestones = "".join(
        f"      - {{number: '9.{n}', title: M, due: 2025-06-30}}\n" for n in range(1, 24)
    )
    text = f"commitments:\n  - number: '1'\n    title: T\n    milestones:\n{milestones}"
    with pytest.raises(PlanFileError) as info:
        parse_plan_bytes(text.encode(), "yaml")
    subjects = [problem.subject for problem in info.value.problems]
    assert len(subjects) == 23
    assert [subjects[n - 1] for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23)] == [
        f"{nth} milestone of commitment 1"
        for nth in ("1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd")
    ]


def test_meetings_are_named_by_title_and_long_titles_are_cut() -> None:
    long = "Working group meeting on the extractives law and its open data"
    text = f"""\
    meetings:
      - {{title: Monthly, when: every 2nd Tuesday 25:00}}
      - {{title: "{long}", when: every 2nd Tuesday 10:00, duration_minutes: 0}}
      - {{title: "", when: every 2nd Tuesday 10:00}}
    """
    assert [line.split(": ", 1)[0] for line in _problems(text)] == [
        "meeting 'Monthly'",
        "meeting 'Working group meeting on the extractive…'",
        "3rd meeting",
    ]


def test_a_cell_that_fills_two_fields_is_named_by_the_one_the_coordinator_wrote() -> None:
    """A CSV's milestone_responsible is also the code of the agency the row creates: the
    problem is said once, and about the milestone (a CSV has no list of agencies)."""
    header = "commitment_number,commitment_title,milestone_number,milestone_title,milestone_due"
    text = f"{header},milestone_responsible\n1,T,1.1,M,2025-06-30,{'C' * 65}\n"
    assert _problems(text, "csv") == [
        "milestone 1.1: too long: 65 characters (at most 64) — row 2, milestone_responsible"
    ]
    text = f"{header},commitment_lead_agency\n1,T,1.1,M,2025-06-30,{'C' * 65}\n"
    assert _problems(text, "csv") == [
        "commitment 1: too long: 65 characters (at most 64) — row 2, commitment_lead_agency"
    ]


def test_a_problem_without_a_subject_reads_as_before() -> None:
    assert str(Problem("row 1", "required column 'milestone_due' is missing")) == (
        "row 1: required column 'milestone_due' is missing"
    )
    named = Problem("row 4, milestone_due", "bad date", "milestone 1.3")
    assert str(named) == "milestone 1.3: bad date — row 4, milestone_due"
    assert named == Problem("row 4, milestone_due", "bad date", "milestone 1.3")
    assert named != Problem("row 4, milestone_due", "bad date")
