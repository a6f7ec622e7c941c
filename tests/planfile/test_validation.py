"""Every kind of bad plan file, with the exact problem and place a coordinator is shown."""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from pathlib import Path

import openpyxl
import pytest

from domain.enums import Language, Sector, Status
from storage.planfile import PlanFileError, Problem, load_plan, parse_plan_bytes

GOOD = """\
working_group: {name: WG, timezone: Asia/Ulaanbaatar, language: mn}
agencies:
  - {code: MRPAM, name: Minerals Authority}
  - {code: DEC, name: Democracy Education Center, sector: civil society}
commitments:
  - number: 1
    title: Extractives
    ogp_id: MN0048
    lead_agency: MRPAM
    supporting_agencies: [DEC]
    start: 2022-01-01
    end: '2023-08-31'
    milestones:
      - {number: "1.1", title: Draft law, due: 2022-06-30, status: Not Started}
      - {number: "1.2", title: Hearings, due: '2022-04-30', responsible: DEC, status: COMPLETE}
meetings:
  - {title: Working group meeting, when: EVERY 2nd Tuesday 10:00}
"""


Found = tuple[str, str | None, str]
"""A problem's location, subject (what it is about) and message."""


def problems(text: str, fmt: str = "yaml") -> list[Found]:
    with pytest.raises(PlanFileError) as info:
        parse_plan_bytes(textwrap.dedent(text).encode(), fmt)
    return [(p.location, p.subject, p.message) for p in info.value.problems]


def test_good_yaml_is_read_kindly() -> None:
    plan = parse_plan_bytes(GOOD.encode(), "yaml")
    assert plan.working_group is not None
    assert plan.working_group.language is Language.MN
    assert plan.agencies[1].sector is Sector.CIVIL_SOCIETY
    commitment = plan.commitments[0]
    assert commitment.number == "1"  # an unquoted whole number is fine
    assert commitment.end == dt.date(2023, 8, 31)  # quoted date works as well as a YAML date
    assert [m.status for m in commitment.milestones] == [Status.NOT_STARTED, Status.COMPLETE]
    assert commitment.milestones[1].due == dt.date(2022, 4, 30)
    assert plan.meetings[0].when == "every 2nd tue 10:00"


def bad(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            bad("    lead_agency: MRPAM", "    lead_agency: MRPAM\n    leed: x"),
            [
                (
                    "commitments[0].leed (line 10)",
                    "commitment 1",
                    "unknown key 'leed' (allowed: number, title, "
                    "ogp_id, description, policy_area, lead_agency, supporting_agencies, start, "
                    "end, milestones)",
                )
            ],
            id="unknown key",
        ),
        pytest.param(
            bad("responsible: DEC", "responsible: DCE"),
            [
                (
                    "commitments[0].milestones[1].responsible (line 15)",
                    "milestone 1.2",
                    "unknown agency code 'DCE' (did you mean 'DEC'?)",
                )
            ],
            id="unknown agency code",
        ),
        pytest.param(
            bad("[DEC]", "[DEC, NOBODY]"),
            [
                (
                    "commitments[0].supporting_agencies[1] (line 10)",
                    "commitment 1",
                    "unknown agency code 'NOBODY' (add it under agencies)",
                )
            ],
            id="unknown supporting agency",
        ),
        pytest.param(
            bad("code: DEC", "code: MRPAM"),
            [
                (
                    "agencies[1].code (line 4)",
                    "2nd agency",
                    "duplicate agency code 'MRPAM' (first at agencies[0].code (line 3))",
                ),
                (
                    "commitments[0].supporting_agencies[0] (line 10)",
                    "commitment 1",
                    "unknown agency code 'DEC' (add it under agencies)",
                ),
                (
                    "commitments[0].milestones[1].responsible (line 15)",
                    "milestone 1.2",
                    "unknown agency code 'DEC' (add it under agencies)",
                ),
            ],
            id="duplicate agency",
        ),
        pytest.param(
            GOOD.replace("meetings:", "  - {number: '1', title: Again}\nmeetings:"),
            [
                (
                    "commitments[1].number (line 16)",
                    "2nd commitment",
                    "duplicate commitment number 1 (first at commitments[0].number (line 6))",
                )
            ],
            id="duplicate commitment",
        ),
        pytest.param(
            bad('"1.2"', '"1.1"'),
            [
                (
                    "commitments[0].milestones[1].number (line 15)",
                    "2nd milestone of commitment 1",
                    "duplicate milestone number 1.1 (first at commitments[0].milestones[0].number "
                    "(line 14))",
                )
            ],
            id="duplicate milestone",
        ),
        pytest.param(
            bad('"1.2"', '"2.2"'),
            [
                (
                    "commitments[0].milestones[1].number (line 15)",
                    "2nd milestone of commitment 1",
                    "2.2 is not a number under commitment 1: use 1.1, 1.2, …",
                )
            ],
            id="milestone not under its commitment",
        ),
        pytest.param(
            bad("due: 2022-06-30,", "start: 2022-07-01, due: 2022-06-30,"),
            [
                (
                    "commitments[0].milestones[0].due (line 14)",
                    "milestone 1.1",
                    "due 2022-06-30 is before its start 2022-07-01",
                )
            ],
            id="due before start",
        ),
        pytest.param(
            bad("end: '2023-08-31'", "end: 2021-12-31"),
            [
                (
                    "commitments[0].end (line 12)",
                    "commitment 1",
                    "end 2021-12-31 is before its start 2022-01-01",
                )
            ],
            id="end before start",
        ),
        pytest.param(
            bad("status: COMPLETE", "status: done-ish"),
            [
                (
                    "commitments[0].milestones[1].status (line 15)",
                    "milestone 1.2",
                    "unknown status 'done-ish': use one of not_started, limited, substantial, "
                    "complete, withdrawn",
                )
            ],
            id="unknown status",
        ),
        pytest.param(
            bad("Asia/Ulaanbaatar", "Asia/Ulan_Bator_City"),
            [
                (
                    "working_group.timezone (line 1)",
                    None,
                    "unknown time zone 'Asia/Ulan_Bator_City': use "
                    "an IANA name such as Asia/Ulaanbaatar",
                )
            ],
            id="bad time zone",
        ),
        pytest.param(
            bad("language: mn", "language: fr"),
            [
                (
                    "working_group.language (line 1)",
                    None,
                    "unknown language 'fr': use one of en, mn, es, ru",
                )
            ],
            id="bad language",
        ),
        pytest.param(
            bad("due: '2022-04-30'", "due: 2022-04-31"),
            [
                (
                    "commitments[0].milestones[1].due (line 15)",
                    "milestone 1.2",
                    "bad date '2022-04-31': use YYYY-MM-DD",
                )
            ],
            id="bad date",
        ),
        pytest.param(
            bad("due: '2022-04-30'", "due: 30/04/2022"),
            [
                (
                    "commitments[0].milestones[1].due (line 15)",
                    "milestone 1.2",
                    "bad date '30/04/2022': use YYYY-MM-DD",
                )
            ],
            id="bad date format",
        ),
        pytest.param(
            bad("MN0048", "MN48"),
            [
                (
                    "commitments[0].ogp_id (line 8)",
                    "commitment 1",
                    "bad OGP id 'MN48': two letters for the country and four digits, e.g. MN0048",
                )
            ],
            id="bad ogp_id",
        ),
        pytest.param(
            bad('"1.1"', "1.10"),
            [
                (
                    "commitments[0].milestones[0].number (line 14)",
                    "1st milestone of commitment 1",
                    "read as the decimal number 1.1, not text: put it in quotes (or format the "
                    "cell as text)",
                )
            ],
            id="unquoted decimal number",
        ),
        pytest.param(
            bad("title: Draft law", 'title: "  "'),
            [
                (
                    "commitments[0].milestones[0].title (line 14)",
                    "milestone 1.1",
                    "must not be empty",
                )
            ],
            id="empty title",
        ),
        pytest.param(
            bad("    title: Extractives\n", ""),
            [("commitments[0].title (line 6)", "commitment 1", "required, but missing")],
            id="missing title",
        ),
        pytest.param(
            bad("when: EVERY 2nd Tuesday 10:00", "when: every 2nd Tuesday 25:00"),
            [
                (
                    "meetings[0].when (line 17)",
                    "meeting 'Working group meeting'",
                    "Bad time '25:00': use HH:MM from 00:00 to 23:59.",
                )
            ],
            id="bad meeting time",
        ),
        pytest.param(
            bad("    title: Extractives\n", "    title: Extractives\n    title: Mining\n"),
            [("commitments[0].title (line 8)", "commitment 1", "key 'title' is given twice")],
            id="duplicate key",
        ),
        pytest.param(
            bad("agencies:\n", "agencies:\n  - [MRPAM\n"),
            [("line 4", None, "YAML syntax error: expected ',' or ']', but got '{'")],
            id="yaml syntax error",
        ),
        pytest.param(
            "- just\n- a list\n",
            [("top level (line 1)", None, "expected a mapping of keys to values")],
            id="not a mapping",
        ),
        pytest.param("# nothing\n", [("file", None, "the file is empty")], id="empty file"),
    ],
)
def test_yaml_problem_and_location(text: str, expected: list[Found]) -> None:
    assert problems(text) == expected


def test_every_problem_is_listed_in_file_order() -> None:
    text = """\
    working_group: {name: WG, timezone: Mars/Olympus, language: fr}
    agencies:
      - {code: A, name: Agency A, sector: alien}
      - {code: A, name: Again}
    commitments:
      - number: "1"
        title: T
        lead_agency: B
        start: 2022-05-01
        end: 2022-01-01
        milestones:
          - {number: "2.1", title: M, due: 2022-13-01, status: nope}
          - {number: "1.1", title: "", due: 2021-01-01, start: 2022-01-01, responsible: AA}
    """
    assert problems(text) == [
        (
            "working_group.timezone (line 1)",
            None,
            "unknown time zone 'Mars/Olympus': use an IANA name such as Asia/Ulaanbaatar",
        ),
        (
            "working_group.language (line 1)",
            None,
            "unknown language 'fr': use one of en, mn, es, ru",
        ),
        (
            "agencies[0].sector (line 3)",
            "agency A",
            "unknown sector 'alien': use one of government, civil_society, private, other",
        ),
        (
            "agencies[1].code (line 4)",
            "2nd agency",
            "duplicate agency code 'A' (first at agencies[0].code (line 3))",
        ),
        (
            "commitments[0].lead_agency (line 8)",
            "commitment 1",
            "unknown agency code 'B' (add it under agencies)",
        ),
        (
            "commitments[0].end (line 10)",
            "commitment 1",
            "end 2022-01-01 is before its start 2022-05-01",
        ),
        (
            "commitments[0].milestones[0].due (line 12)",
            "milestone 2.1",
            "bad date '2022-13-01': use YYYY-MM-DD",
        ),
        (
            "commitments[0].milestones[0].status (line 12)",
            "milestone 2.1",
            "unknown status 'nope': use one of not_started, limited, substantial, complete, "
            "withdrawn",
        ),
        (
            "commitments[0].milestones[0].number (line 12)",
            "1st milestone of commitment 1",
            "2.1 is not a number under commitment 1: use 1.1, 1.2, …",
        ),
        ("commitments[0].milestones[1].title (line 13)", "milestone 1.1", "must not be empty"),
        (
            "commitments[0].milestones[1].responsible (line 13)",
            "milestone 1.1",
            "unknown agency code 'AA' (did you mean 'A'?)",
        ),
        (
            "commitments[0].milestones[1].due (line 13)",
            "milestone 1.1",
            "due 2021-01-01 is before its start 2022-01-01",
        ),
    ]


HEADER = "commitment_number,commitment_title,milestone_number,milestone_title,milestone_due"


def test_csv_reads_bom_and_skips_empty_rows() -> None:
    text = "\ufeff" + HEADER + ",milestone_responsible,agency_name,agency_sector\n"
    text += "1,Extractives,1.1,Draft law,2022-06-30,MRPAM,Minerals Authority,Government\n"
    text += ",,,,,,,\n"
    text += "1,,1.2,Hearings,2022-04-30,DEC,Democracy Education Center,civil society\n"
    plan = parse_plan_bytes(text.encode(), "csv")
    assert plan.working_group is None
    assert [(a.code, a.name, a.sector) for a in plan.agencies] == [
        ("MRPAM", "Minerals Authority", Sector.GOVERNMENT),
        ("DEC", "Democracy Education Center", Sector.CIVIL_SOCIETY),
    ]
    assert [m.number for m in plan.commitments[0].milestones] == ["1.1", "1.2"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            HEADER + ",milestone_comment\n1,T,1.1,M,2022-06-30,x\n",
            [("row 1, milestone_comment", None, "unknown column 'milestone_comment'")],
            id="unknown column",
        ),
        pytest.param(
            "commitment_number,commitment_title,milestone_number,milestone_title\n1,T,1.1,M\n",
            [("row 1", None, "required column 'milestone_due' is missing")],
            id="missing column",
        ),
        pytest.param(
            HEADER.replace(",", ";") + "\n1;T;1.1;M;2022-06-30\n",
            [
                (
                    "row 1, " + HEADER.replace(",", ";"),
                    None,
                    "unknown column '"
                    + HEADER.replace(",", ";")
                    + "' (this file seems to use ';' between columns: save it with commas)",
                )
            ],
            id="semicolons",
        ),
        pytest.param(
            HEADER + ",commitment_lead_agency\n1,T,1.1,M,2022-06-30,A\n1,U,1.2,M,2022-07-30,B\n",
            [
                (
                    "row 3, commitment_title",
                    "commitment 1",
                    "differs from row 2 ('T'): repeated commitment cells must agree",
                ),
                (
                    "row 3, commitment_lead_agency",
                    "commitment 1",
                    "differs from row 2 ('A'): repeated commitment cells must agree",
                ),
            ],
            id="rows disagree",
        ),
        pytest.param(
            HEADER + ",milestone_responsible,agency_name\n1,T,1.1,M,2022-06-30,A,Alpha\n"
            "1,T,1.2,M,2022-07-30,A,Beta\n",
            [
                (
                    "row 3, agency_name",
                    "agency A",
                    "given name 'Alpha' on row 2: one agency, one name",
                )
            ],
            id="agency names disagree",
        ),
        pytest.param(
            HEADER + ",milestone_status,milestone_start\n1,T,1.1,M,2022-06-31,done,\n"
            "1,T,2.1,M,2022-07-30,,2022-08-01\n1,T,1.1,,2022-07-30,,\n,T,1.4,M,2022-07-30,,\n",
            [
                ("row 2, milestone_due", "milestone 1.1", "bad date '2022-06-31': use YYYY-MM-DD"),
                (
                    "row 2, milestone_status",
                    "milestone 1.1",
                    "unknown status 'done': use one of not_started, "
                    "limited, substantial, complete, withdrawn",
                ),
                (
                    "row 3, milestone_due",
                    "milestone 2.1",
                    "due 2022-07-30 is before its start 2022-08-01",
                ),
                (
                    "row 3, milestone_number",
                    "2nd milestone of commitment 1",
                    "2.1 is not a number under commitment 1: use 1.1, 1.2, …",
                ),
                ("row 4, milestone_title", "milestone 1.1", "required, but missing"),
                (
                    "row 4, milestone_number",
                    "3rd milestone of commitment 1",
                    "duplicate milestone number 1.1 (first at row 2, milestone_number)",
                ),
                ("row 5, commitment_number", "milestone 1.4", "required, but missing"),
            ],
            id="several problems",
        ),
        pytest.param(
            "", [("row 1", None, "a header row with the column names is required")], id="empty"
        ),
    ],
)
def test_csv_problem_and_location(text: str, expected: list[Found]) -> None:
    assert problems(text, "csv") == expected


def test_csv_that_is_not_utf8() -> None:
    with pytest.raises(PlanFileError) as info:
        parse_plan_bytes((HEADER + "\n1,Ülgii,1.1,M,2022-06-30\n").encode("latin-1"), "csv")
    assert info.value.problems == [
        Problem("file", "not UTF-8 text (byte 84): save the CSV as UTF-8")
    ]


def _workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.worksheets[0])
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


MILESTONES: list[object] = [
    "commitment_number",
    "milestone_number",
    "milestone_title",
    "milestone_due",
]


def test_xlsx_sheets_with_excel_dates_and_text_dates() -> None:
    data = _workbook(
        {
            "working_group": [["field", "value"], ["name", "WG"], ["language", "EN"]],
            "agencies": [["agency_code", "agency_name"], ["MOF", "Ministry of Finance"]],
            "commitments": [
                ["commitment_number", "commitment_title", "commitment_lead_agency"],
                [6, "Glass Account", "MOF"],
            ],
            "milestones": [
                MILESTONES,
                [6, "6.1", "Open data", dt.date(2022, 12, 31)],
                [6, "6.2", "Outreach", "2023-06-30"],
            ],
        }
    )
    plan = parse_plan_bytes(data, "xlsx")
    assert plan.working_group is not None
    assert plan.working_group.language is Language.EN
    assert [m.due for m in plan.commitments[0].milestones] == [
        dt.date(2022, 12, 31),
        dt.date(2023, 6, 30),
    ]


def test_xlsx_problems_name_sheet_row_and_column() -> None:
    data = _workbook(
        {
            "working_group": [
                ["field", "value"],
                ["name", "WG"],
                ["timezone", "Nowhere"],
                ["colour", "red"],
            ],
            "agencies": [["agency_code", "agency_name"], ["MOF", "Ministry of Finance"]],
            "commitments": [
                ["commitment_number", "commitment_title", "commitment_lead_agency"],
                ["6", "Glass Account", "MoF"],
            ],
            "milestones": [
                [*MILESTONES, "milestone_owner"],
                ["6", "6.1", "Open data", dt.date(2022, 12, 31)],
                [],
                ["6", "6.2", "Outreach", "2023-02-30"],
                ["7", "7.1", "Nowhere", "2023-01-01"],
            ],
            "notes": [["anything"]],
        }
    )
    with pytest.raises(PlanFileError) as info:
        parse_plan_bytes(data, "xlsx")
    assert [(p.location, p.subject, p.message) for p in info.value.problems] == [
        (
            "sheet working_group, row 3, value",
            None,
            "unknown time zone 'Nowhere': use an IANA name such as Asia/Ulaanbaatar",
        ),
        (
            "sheet working_group, row 4, value",
            None,
            "unknown key 'colour' (allowed: name, country, period, timezone, language)",
        ),
        (
            "sheet commitments, row 2, commitment_lead_agency",
            "commitment 6",
            "unknown agency code 'MoF' (did you mean 'MOF'?)",
        ),
        ("sheet milestones, row 1, milestone_owner", None, "unknown column 'milestone_owner'"),
        (
            "sheet milestones, row 4, milestone_due",
            "milestone 6.2",
            "bad date '2023-02-30': use YYYY-MM-DD",
        ),
        (
            "sheet milestones, row 5, commitment_number",
            "milestone 7.1",
            "no commitment 7 in the commitments sheet",
        ),
        (
            "sheet notes",
            None,
            "unknown sheet (use working_group, agencies, commitments, milestones, meetings)",
        ),
    ]


def test_xlsx_single_sheet_reads_like_csv() -> None:
    data = _workbook(
        {
            "Plan": [
                [*MILESTONES[:1], "commitment_title", *MILESTONES[1:]],
                [1, "T", "1.1", "M", dt.date(2022, 6, 30)],
                [1, "T", 1.2, "M", "2022-06-31"],
            ]
        }
    )
    with pytest.raises(PlanFileError) as info:
        parse_plan_bytes(data, "xlsx")
    assert [(p.location, p.subject, p.message) for p in info.value.problems] == [
        (
            "sheet Plan, row 3, milestone_number",
            "2nd milestone of commitment 1",
            "read as the decimal number 1.2, not text: put "
            "it in quotes (or format the cell as text)",
        ),
        # 1.2 read as a decimal is not a number: the milestone's place names it.
        (
            "sheet Plan, row 3, milestone_due",
            "2nd milestone of commitment 1",
            "bad date '2022-06-31': use YYYY-MM-DD",
        ),
    ]


def test_xlsx_that_is_not_a_workbook() -> None:
    with pytest.raises(PlanFileError) as info:
        parse_plan_bytes(b"not a zip", "xlsx")
    assert info.value.problems[0].location == "file"
    assert info.value.problems[0].message.startswith("not a readable .xlsx workbook")


def test_load_plan_dispatches_on_suffix(tmp_path: Path) -> None:
    (tmp_path / "plan.YML").write_text(GOOD, encoding="utf-8")
    assert load_plan(tmp_path / "plan.YML") == parse_plan_bytes(GOOD.encode(), "yaml")
    (tmp_path / "plan.txt").write_text(GOOD, encoding="utf-8")
    with pytest.raises(PlanFileError) as info:
        load_plan(tmp_path / "plan.txt")
    assert info.value.problems == [
        Problem("plan.txt", "unknown file type '.txt': use .yaml, .yml, .csv or .xlsx")
    ]
    with pytest.raises(PlanFileError) as info:
        load_plan(tmp_path / "missing.yaml")
    assert info.value.problems[0].message == "cannot read the file: No such file or directory"


def test_error_text_lists_every_problem() -> None:
    error = PlanFileError(
        [Problem("row 2, milestone_due", "bad", "milestone 1.1"), Problem("row 3", "worse")]
    )
    assert str(error) == (
        "2 problems in the plan file:\n  milestone 1.1: bad — row 2, milestone_due\n  row 3: worse"
    )
