"""Splitting long answers: every part must parse on its own, as Telegram parses it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render import esc, split_message, utf16_len
from fakebot.html import parse_html

BLANK_LINE = "\n\n"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["b", "i", "code"]),
            st.lists(
                st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=500),
                min_size=1,
                max_size=4,
            ),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_every_part_parses_and_fits(blocks: list[tuple[str, list[str]]]) -> None:
    # Markup that spans blank lines, as a long note in <i> with paragraphs does.
    text = "\n\n".join(
        f"<{tag}>{esc(BLANK_LINE.join(paragraphs))}</{tag}>" for tag, paragraphs in blocks
    )
    parts = split_message(text, limit=1000)
    for part in parts:
        assert utf16_len(part) <= 1100
        parse_html(part)  # raises like Telegram's "can't parse entities"
    joined = "".join(parse_html(part).text for part in parts)
    original = parse_html(text).text
    assert joined.replace("\n", "").replace(" ", "") == original.replace("\n", "").replace(" ", "")


def test_a_long_note_with_paragraphs_is_cut_into_parts_that_each_parse() -> None:
    note = "word " * 700 + "\n\n" + "other " * 700
    text = "<b>1.1 Submit the draft law</b>\n\n" + f"last update: <i>{esc(note)}</i>"
    parts = split_message(text)
    assert len(parts) >= 2
    for part in parts:
        assert utf16_len(part) <= 4096
        parse_html(part)
    assert parts[1].startswith("<i>")
