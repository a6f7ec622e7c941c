"""YAML that would exhaust the stack or memory is one clear, located problem, never a crash."""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Any

import pytest

from storage.planfile import (
    CommitmentSpec,
    MilestoneSpec,
    PlanFile,
    PlanFileError,
    Problem,
    bounds,
    checks,
    dump_yaml,
    parse_plan_bytes,
)


def problems(text: str) -> list[tuple[str, str]]:
    with pytest.raises(PlanFileError) as info:
        parse_plan_bytes(text.encode(), "yaml")
    return [(p.location, p.message) for p in info.value.problems]


TOO_DEEP = ("line 1", "nested too deeply (more than 20 levels)")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[" * 10_000, id="flow lists"),
        pytest.param("a: " + "{a: " * 2_500, id="flow mappings"),
        pytest.param("commitments: " + "[" * 10_000 + "]" * 10_000, id="closed lists"),
    ],
)
def test_deep_nesting_is_a_problem_not_a_recursion_error(text: str) -> None:
    assert len(text) >= 10_000
    assert problems(text) == [TOO_DEEP]


def test_deep_block_nesting_names_the_line_where_it_goes_too_deep() -> None:
    text = "".join(f"{'  ' * level}a:\n" for level in range(30)) + "  " * 30 + "x\n"
    assert problems(text) == [("line 20", "nested too deeply (more than 20 levels)")]


def test_nesting_up_to_the_cap_is_read() -> None:
    inside = bounds.MAX_DEPTH - 2  # the top-level mapping and the innermost scalar
    text = "a: " + "[" * inside + "x" + "]" * inside + "\n"
    assert problems(text) == [
        ("a (line 1)", "unknown key 'a' (allowed: working_group, agencies, commitments, meetings)")
    ]
    deeper = "a: " + "[" * (inside + 1) + "x" + "]" * (inside + 1) + "\n"
    assert problems(deeper) == [TOO_DEEP]


def test_recursion_past_a_raised_cap_is_still_one_clear_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bounds, "MAX_DEPTH", 10**9)
    assert problems("[" * 10_000) == [("file", "nested too deeply to read")]


def test_aliases_are_refused_where_they_are_used() -> None:
    text = """\
working_group: {name: WG}
agencies:
  - &minerals {code: MRPAM, name: Minerals Authority}
  - *minerals
"""
    assert problems(text) == [
        ("line 4", "aliases (*minerals) are not allowed in a plan file: write the value out")
    ]


def test_an_alias_bomb_is_refused_before_it_expands() -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 10)]
    text = "\n".join(lines) + "\ncommitments: *a9\n"
    assert problems(text) == [
        ("line 2", "aliases (*a0) are not allowed in a plan file: write the value out")
    ]


def test_too_many_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bounds, "MAX_YAML_VALUES", 10)
    text = "agencies:\n" + "".join(f"  - {{code: A{n}, name: Agency {n}}}\n" for n in range(5))
    assert problems(text) == [
        ("line 3", "more than 10 values: too big for a plan file (is this the right file?)")
    ]


def test_a_yaml_file_over_the_size_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bounds, "MAX_FILE_BYTES", {**bounds.MAX_FILE_BYTES, "yaml": 1_000})
    text = "agencies:\n" + "".join(f"  - {{code: A{n}, name: Agency {n}}}\n" for n in range(40))
    with pytest.raises(PlanFileError) as info:
        parse_plan_bytes(text.encode(), "yml")
    assert info.value.problems == [
        Problem(
            "file",
            f"the file is {len(text):,} bytes: a .yaml plan file may be at most 1,000 bytes "
            "(is this the right file?)",
        )
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(
            "!!int abc",
            "Input should be a valid integer, unable to parse string as an integer",
            id="int tag on text",
        ),
        pytest.param(
            "!!float abc",
            "Input should be a valid integer, unable to parse string as an integer",
            id="float tag on text",
        ),
        pytest.param(
            "1" * 5_000,
            "Unable to parse input string as an integer, exceeded maximum size",
            id="integer of 5,000 digits",
        ),
    ],
)
def test_a_number_yaml_cannot_build_is_reported_at_its_field(value: str, expected: str) -> None:
    text = f"meetings:\n  - {{title: Meeting, when: 2022-06-30 10:00, duration_minutes: {value}}}\n"
    assert problems(text) == [("meetings[0].duration_minutes (line 2)", expected)]


def test_written_yaml_has_no_aliases_and_reads_back() -> None:
    day = dt.date(2022, 6, 30)  # one object in three fields: a plain dump would alias it
    plan = PlanFile(
        commitments=[
            CommitmentSpec(
                number="1",
                title="Extractives",
                start=day,
                end=day,
                milestones=[MilestoneSpec(number="1.1", title="Draft law", due=day)],
            )
        ]
    )
    text = dump_yaml(plan)
    assert "&" not in text and "*" not in text
    assert parse_plan_bytes(text.encode(), "yaml") == plan


def test_did_you_mean_searches_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each search compares with every known code; thousands of them took minutes."""
    monkeypatch.setattr(checks, "HINTS", 3)
    searches: list[str] = []
    close_matches = difflib.get_close_matches

    def counting(word: str, *args: Any, **kwargs: Any) -> list[str]:
        searches.append(word)
        return close_matches(word, *args, **kwargs)

    monkeypatch.setattr(difflib, "get_close_matches", counting)
    codes = ["ABD", "ABE", "ABF", "ABG", "ABD"]
    text = "agencies:\n  - {code: ABC, name: Agency}\ncommitments:\n" + "".join(
        f"  - {{number: '{n}', title: T, lead_agency: {code}}}\n" for n, code in enumerate(codes)
    )
    assert [message for _, message in problems(text)] == [
        "unknown agency code 'ABD' (did you mean 'ABC'?)",
        "unknown agency code 'ABE' (did you mean 'ABC'?)",
        "unknown agency code 'ABF' (did you mean 'ABC'?)",
        "unknown agency code 'ABG' (add it under agencies)",
        "unknown agency code 'ABD' (did you mean 'ABC'?)",
    ]
    assert searches == ["ABD", "ABE", "ABF"]
