"""The HTML parse mode accepts what Telegram documents and refuses the rest."""

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fakebot.errors import ApiError
from fakebot.html import parse_html, strip_html, utf16_len


def entities(source: str) -> list[tuple[str, int, int]]:
    return [(e["type"], e["offset"], e["length"]) for e in parse_html(source).entities]


def refusal(source: str) -> str:
    with pytest.raises(ApiError) as caught:
        parse_html(source)
    assert caught.value.code == 400
    return caught.value.description


def test_supported_tags_become_entities() -> None:
    parsed = parse_html("<b>bold</b> <i>it</i> <u>u</u> <s>s</s> <code>c</code>")
    assert parsed.text == "bold it u s c"
    assert entities("<b>bold</b> <i>it</i> <u>u</u> <s>s</s> <code>c</code>") == [
        ("bold", 0, 4),
        ("italic", 5, 2),
        ("underline", 8, 1),
        ("strikethrough", 10, 1),
        ("code", 12, 1),
    ]


def test_synonyms_nesting_and_attributes() -> None:
    source = (
        '<strong><em>x</em></strong><a href="https://e.org/?a=1&amp;b=2">link</a>'
        '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>'
        '<blockquote expandable>q</blockquote><pre><code class="language-python">p</code></pre>'
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    parsed = parse_html(source)
    assert parsed.text == "xlinkstqp👍"
    by_type = {e["type"]: e for e in parsed.entities}
    assert by_type["text_link"]["url"] == "https://e.org/?a=1&b=2"
    assert by_type["pre"]["language"] == "python"
    assert "code" not in by_type
    assert by_type["expandable_blockquote"]["offset"] == 7
    assert by_type["custom_emoji"]["length"] == 2  # one emoji, two UTF-16 units
    assert [e["type"] for e in parsed.entities][:2] == ["bold", "italic"]


def test_character_entities() -> None:
    assert parse_html("&lt;&gt;&amp;&quot;&#39;&#x1F600;").text == "<>&\"'😀"


def test_offsets_count_utf16_units() -> None:
    assert entities("😀 <b>x</b>") == [("bold", 3, 1)]
    assert utf16_len("😀a") == 3


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("a < b", 'unsupported start tag "" at byte offset 2'),
        ("<br>", 'unsupported start tag "br" at byte offset 0'),
        ("<b>x", 'can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "unexpected end tag at byte offset 1"),
        ("AT&T", 'bare "&" at byte offset 2'),
        ("&nbsp;", 'unsupported HTML entity "&nbsp;"'),
        ("3 > 2", 'bare ">" at byte offset 2'),
        ('<span class="x">y</span>', 'tag "span" must have class "tg-spoiler"'),
        ('<a href="x', "unclosed"),
        ("é<b", "unclosed start tag at byte offset 2"),
    ],
)
def test_refusals(source: str, reason: str) -> None:
    description = refusal(source)
    assert description.startswith("Bad Request: can't parse entities: ")
    assert reason in description


@given(st.text())
def test_escaped_text_always_parses_back(text: str) -> None:
    parsed = parse_html(html.escape(text))
    assert parsed.text == text
    assert parsed.entities == []


@given(st.text(), st.sampled_from(["b", "i", "u", "s", "code", "pre", "blockquote"]))
def test_escaped_text_in_a_tag(text: str, tag: str) -> None:
    parsed = parse_html(f"<{tag}>{html.escape(text)}</{tag}>")
    assert parsed.text == text
    assert len(parsed.entities) == (1 if text else 0)


def test_strip_html_for_display() -> None:
    assert strip_html("<b>3.2</b> &amp; 3.3") == "3.2 & 3.3"
    assert strip_html("not <html") == "not <html"
