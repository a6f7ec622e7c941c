"""Status words: every language, aliases, multi-word phrases, and never an exception."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.enums import Status
from domain.status_words import (
    ALIASES,
    AMBIGUOUS,
    Ambiguous,
    ParsedUpdate,
    Unknown,
    UsageError,
    evidence_url,
    lookup,
    parse_update,
)


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("not started", Status.NOT_STARTED),
        ("not_started", Status.NOT_STARTED),
        ("Not-Started", Status.NOT_STARTED),
        ("notstarted", Status.NOT_STARTED),
        ("TODO", Status.NOT_STARTED),
        ("limited", Status.LIMITED),
        ("Started", Status.LIMITED),
        ("begun", Status.LIMITED),
        ("substantial", Status.SUBSTANTIAL),
        ("mostly", Status.SUBSTANTIAL),
        ("advanced", Status.SUBSTANTIAL),
        ("complete", Status.COMPLETE),
        ("COMPLETED", Status.COMPLETE),
        ("done", Status.COMPLETE),
        ("finished", Status.COMPLETE),
        ("withdrawn", Status.WITHDRAWN),
        ("dropped", Status.WITHDRAWN),
        ("cancelled", Status.WITHDRAWN),
        ("эхлээгүй", Status.NOT_STARTED),
        ("Хязгаарлагдмал", Status.LIMITED),
        ("эхэлсэн", Status.LIMITED),
        ("их хэмжээнд", Status.SUBSTANTIAL),
        ("ИХЭНХ НЬ", Status.SUBSTANTIAL),
        ("бүрэн", Status.COMPLETE),
        ("дууссан", Status.COMPLETE),
        ("хийгдсэн", Status.COMPLETE),
        ("цуцлагдсан", Status.WITHDRAWN),
        ("хассан", Status.WITHDRAWN),
        ("хэрэгжилт эхлээгүй", Status.NOT_STARTED),
        ("хязгаарлагдмал хэрэгжсэн", Status.LIMITED),
        ("ихээхэн хэрэгжсэн", Status.SUBSTANTIAL),
        ("цуцалсан", Status.WITHDRAWN),
        ("no iniciado", Status.NOT_STARTED),
        ("Pendiente", Status.NOT_STARTED),
        ("limitado", Status.LIMITED),
        ("iniciado", Status.LIMITED),
        ("sustancial", Status.SUBSTANTIAL),
        ("casi terminado", Status.SUBSTANTIAL),
        ("completo", Status.COMPLETE),
        ("Completado", Status.COMPLETE),
        ("cumplido", Status.COMPLETE),
        ("retirado", Status.WITHDRAWN),
        ("cancelado", Status.WITHDRAWN),
        ("не начато", Status.NOT_STARTED),
        ("ограниченно", Status.LIMITED),
        ("выполнено ограниченно", Status.LIMITED),
        ("начато", Status.LIMITED),
        ("существенно", Status.SUBSTANTIAL),
        ("Выполнено существенно", Status.SUBSTANTIAL),
        ("почти готово", Status.SUBSTANTIAL),
        ("выполнено", Status.COMPLETE),
        ("завершено", Status.COMPLETE),
        ("завершён", Status.COMPLETE),
        ("выполнено полностью", Status.COMPLETE),
        ("отозвано", Status.WITHDRAWN),
        ("отменено", Status.WITHDRAWN),
    ],
)
def test_status_words_and_aliases(word: str, status: Status) -> None:
    assert lookup(word) == status
    parsed = parse_update(f"3.2 {word} the note")
    assert parsed == ParsedUpdate("3.2", status, "the note", None)


@pytest.mark.parametrize(
    "word",
    [
        "in progress",
        "In-Progress",
        "ongoing",
        "хийгдэж байна",
        "en curso",
        "En ejecución",
        "en ejecucion",
        "в процессе",
        "В работе",
        "ведется работа",
    ],
)
def test_words_that_name_no_single_status_are_ambiguous(word: str) -> None:
    parsed = parse_update(f"3.2 {word}: draft ready")
    assert isinstance(parsed, ParsedUpdate)
    assert parsed.status == Ambiguous(word)
    assert parsed.note == "draft ready"


def test_the_longest_phrase_wins_before_the_note_starts() -> None:
    assert parse_update("3.2 not started yet, waiting") == ParsedUpdate(
        "3.2", Status.NOT_STARTED, "yet, waiting", None
    )
    assert parse_update("3.2 mostly done — one hearing left") == ParsedUpdate(
        "3.2", Status.SUBSTANTIAL, "one hearing left", None
    )
    assert parse_update("1.1 бүрэн хэрэгжсэн") == ParsedUpdate("1.1", Status.COMPLETE, None, None)
    # "done" followed by an unrelated word: the word belongs to the note.
    assert parse_update("3.2 done finally") == ParsedUpdate("3.2", Status.COMPLETE, "finally", None)


def test_an_unknown_word_is_named() -> None:
    parsed = parse_update("3.2 halfway there")
    assert isinstance(parsed, ParsedUpdate)
    assert parsed.status == Unknown("halfway")


@pytest.mark.parametrize("text", ["", "   ", "3.2", "substantial 3.2", "<b> done"])
def test_too_little_is_a_usage_error(text: str) -> None:
    assert isinstance(parse_update(text), UsageError)


def test_the_note_keeps_its_lines_and_the_first_link_is_evidence() -> None:
    parsed = parse_update(
        "3.2 done Law adopted,\nsee https://legalinfo.mn/law/123?x=1&y=2. And http://b.example"
    )
    assert isinstance(parsed, ParsedUpdate)
    assert parsed.note == (
        "Law adopted,\nsee https://legalinfo.mn/law/123?x=1&y=2. And http://b.example"
    )
    assert parsed.evidence_url == "https://legalinfo.mn/law/123?x=1&y=2"


@pytest.mark.parametrize(
    ("note", "url"),
    [
        ("(see https://a.example/x).", "https://a.example/x"),
        ("no link here", None),
        ("ftp://a.example/x", None),
        ("https://", None),
        ('<a href="https://evil.example">x</a>', "https://evil.example"),
    ],
)
def test_evidence_links(note: str, url: str | None) -> None:
    assert evidence_url(note) == url


def test_no_alias_is_also_ambiguous() -> None:
    assert set(ALIASES) & AMBIGUOUS == set()
    # Nor once accents and case are folded away: "en ejecución" is "en ejecucion".
    folded = {lookup(phrase) for phrase in AMBIGUOUS}
    assert all(isinstance(result, Ambiguous) for result in folded)
    assert all(lookup(phrase) == status for phrase, status in ALIASES.items())


def test_accents_on_latin_letters_are_optional_and_cyrillic_letters_stay() -> None:
    assert lookup("SUSTANCÍAL") == Status.SUBSTANTIAL
    assert lookup("no inicíado") == Status.NOT_STARTED
    assert lookup("завершён") == lookup("завершен") == Status.COMPLETE
    # й is not и: Mongolian and Russian words keep their letters (but ү, ө typed on a
    # Russian keyboard layout as у, о are understood: tests/test_input_forms.py).
    assert lookup("хийгдсэн") == Status.COMPLETE
    assert lookup("хиигдсэн") is None
    assert lookup("бурэн") == Status.COMPLETE


def test_a_two_word_label_wins_over_its_first_word() -> None:
    assert parse_update("3.2 выполнено ограниченно: проект готов") == ParsedUpdate(
        "3.2", Status.LIMITED, "проект готов", None
    )
    assert parse_update("3.2 выполнено Закон принят") == ParsedUpdate(
        "3.2", Status.COMPLETE, "Закон принят", None
    )
    assert parse_update("1.1 хязгаарлагдмал хэрэгжсэн") == ParsedUpdate(
        "1.1", Status.LIMITED, None, None
    )
    assert parse_update("2.1 no iniciado, falta presupuesto") == ParsedUpdate(
        "2.1", Status.NOT_STARTED, "falta presupuesto", None
    )


@given(st.text())
def test_any_text_parses_or_is_a_usage_error(text: str) -> None:
    result = parse_update(text)
    assert isinstance(result, ParsedUpdate | UsageError)
    if isinstance(result, ParsedUpdate):
        assert result.milestone
        assert result.note is None or result.note.strip() == result.note
        assert result.evidence_url is None or result.evidence_url in (result.note or "")


words = st.sampled_from([*ALIASES, *AMBIGUOUS, "3.2", "x", "https://a.example/?q=<b>", "\n"])


@given(st.lists(words, max_size=8).map(" ".join))
def test_sentences_of_status_words_never_raise(text: str) -> None:
    result = parse_update(text)
    assert isinstance(result, ParsedUpdate | UsageError)
