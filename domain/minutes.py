"""Minutes, MeetBot style: the pure rules (what a line is, when minutes close, which
scheduled occurrence they belong to, the words of `/action`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import re
from collections.abc import Iterable

# Minutes left open close themselves this long after they were opened.
AUTO_CLOSE = dt.timedelta(hours=4)
# `/meeting start` belongs to a scheduled occurrence starting within this of now.
ATTACH_WITHIN = dt.timedelta(hours=2)
LINE_MAX = 2000


class LineKind(enum.StrEnum):
    TOPIC = "topic"
    INFO = "info"
    AGREED = "agreed"
    LINK = "link"
    ACTION = "action"


# A line MeetBot style, when the bot reads the group's messages: "#agreed We meet monthly".
HASH_LINE = re.compile(r"^#(topic|info|agreed|link|action)\b[ \t:]*(.*)$", re.I | re.S)


def hash_line(text: str) -> tuple[LineKind, str] | None:
    """A `#topic …`, `#info …`, `#agreed …`, `#link …` or `#action …` line, else None."""
    match = HASH_LINE.match(text.strip())
    if match is None:
        return None
    return LineKind(match[1].lower()), match[2].strip()


def closes_at(opened_at: dt.datetime) -> dt.datetime:
    return opened_at + AUTO_CLOSE


def should_close(opened_at: dt.datetime, now: dt.datetime) -> bool:
    """Minutes opened at `opened_at` and still open at `now` close themselves."""
    return now >= closes_at(opened_at)


def nearest_occurrence(
    starts: Iterable[tuple[int, dt.datetime]], now: dt.datetime
) -> tuple[int, dt.datetime] | None:
    """Of (meeting id, start) pairs, the one nearest to `now` within ATTACH_WITHIN."""
    near = [(abs(start - now), start, mid) for mid, start in starts]
    near = [n for n in near if n[0] <= ATTACH_WITHIN]
    if not near:
        return None
    _, start, meeting_id = min(near)
    return meeting_id, start


_URL = re.compile(r"^(https?://\S+|www\.\S+|\S+\.\S+/\S*)$", re.I)


def parse_link(text: str) -> tuple[str, str] | None:
    """`<url> [text]` of /link; None without a URL first."""
    words = text.split(maxsplit=1)
    if not words or not _URL.match(words[0]):
        return None
    return words[0], words[1].strip() if len(words) == 2 else ""


# "by 2026-12-31" ends an action; the date in the forms people type (domain.when).
_BY = re.compile(r"\s+(?:by|до|para|хүртэл|until)\s+(\S+)\s*$", re.I)


@dataclasses.dataclass(frozen=True)
class ActionWords:
    words: tuple[str, ...]  # the agency (a code or a name, one or more words), then the text
    due_word: str | None  # the word after "by", to parse as a date

    def splits(self, longest: int = 8) -> list[tuple[str, str]]:
        """(agency, text) candidates, the longest agency first: a name may have words."""
        top = min(longest, len(self.words) - 1)
        return [(" ".join(self.words[:k]), " ".join(self.words[k:])) for k in range(top, 0, -1)]


def parse_action(text: str) -> ActionWords | None:
    """`<agency> <text> [by <date>]`; None when the agency or the text is missing."""
    text = text.strip()
    due_word = None
    match = _BY.search(text)
    if match is not None:
        due_word = match[1]
        text = text[: match.start()].strip()
    words = tuple(text.split())
    if len(words) < 2:
        return None
    return ActionWords(words=words, due_word=due_word)
