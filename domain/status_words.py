"""What a member types after `/update`: milestone, status word(s), note, evidence link.

Pure: text in, a parse result out; never raises on any input. Status words are
case-insensitive and come in every shipped language (en, mn, es, ru) with common aliases;
every status label of the catalogs is one of them. Accents on Latin letters are optional
("ejecución" = "ejecucion") and "ё" reads as "е". Mongolian is understood as it is
typed too: with "ү", "ө" as "у", "о" (a Russian keyboard layout: "бурэн", "эхлээгуй") and
in Latin letters ("duussan", "buren", "ehleegui", "hesegchlen", "khiigdsen"). A word
that only says "work is going on" ("in progress", "хийгдэж байна", "хийж байна",
"en curso", "в процессе") is deliberately not mapped: it could be limited or
substantial, so the bot asks instead of guessing.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata

from domain.enums import Status
from domain.spelling import plain, spellings

# Aliases as typed; matched after `_normalise` (lower case, "_" and "-" read as spaces,
# accents off Latin letters, "ё" as "е") on both sides.
ALIASES: dict[str, Status] = {
    # English
    "not started": Status.NOT_STARTED,
    "notstarted": Status.NOT_STARTED,
    "not yet started": Status.NOT_STARTED,
    "todo": Status.NOT_STARTED,
    "to do": Status.NOT_STARTED,
    "limited": Status.LIMITED,
    "started": Status.LIMITED,
    "begun": Status.LIMITED,
    "initiated": Status.LIMITED,
    "substantial": Status.SUBSTANTIAL,
    "substantially": Status.SUBSTANTIAL,
    "mostly": Status.SUBSTANTIAL,
    "mostly done": Status.SUBSTANTIAL,
    "almost done": Status.SUBSTANTIAL,
    "nearly done": Status.SUBSTANTIAL,
    "advanced": Status.SUBSTANTIAL,
    "complete": Status.COMPLETE,
    "completed": Status.COMPLETE,
    "done": Status.COMPLETE,
    "finished": Status.COMPLETE,
    "withdrawn": Status.WITHDRAWN,
    "withdraw": Status.WITHDRAWN,
    "dropped": Status.WITHDRAWN,
    "cancelled": Status.WITHDRAWN,
    "canceled": Status.WITHDRAWN,
    "abandoned": Status.WITHDRAWN,
    # Mongolian
    "эхлээгүй": Status.NOT_STARTED,
    "эхлээгүй байна": Status.NOT_STARTED,
    "хийгдээгүй": Status.NOT_STARTED,
    "хязгаарлагдмал": Status.LIMITED,
    "эхэлсэн": Status.LIMITED,
    "эхлүүлсэн": Status.LIMITED,
    "их хэмжээнд": Status.SUBSTANTIAL,
    "их хэмжээгээр": Status.SUBSTANTIAL,
    "ихэнх нь": Status.SUBSTANTIAL,
    "ихэнхдээ": Status.SUBSTANTIAL,
    "бүрэн": Status.COMPLETE,
    "бүрэн хэрэгжсэн": Status.COMPLETE,
    "хэрэгжсэн": Status.COMPLETE,
    "дууссан": Status.COMPLETE,
    "дуусгасан": Status.COMPLETE,
    "хийгдсэн": Status.COMPLETE,
    "биелсэн": Status.COMPLETE,
    "цуцлагдсан": Status.WITHDRAWN,
    "цуцалсан": Status.WITHDRAWN,
    "хассан": Status.WITHDRAWN,
    "хасагдсан": Status.WITHDRAWN,
    # Mongolian: the status labels of mn.po
    "хэрэгжилт эхлээгүй": Status.NOT_STARTED,
    "хэрэгжүүлж эхлээгүй": Status.NOT_STARTED,
    "хязгаарлагдмал хэрэгжсэн": Status.LIMITED,
    "ихээхэн": Status.SUBSTANTIAL,
    "ихээхэн хэрэгжсэн": Status.SUBSTANTIAL,
    "бүрэн хэрэгжүүлсэн": Status.COMPLETE,
    # Mongolian as coordinators write it in reports
    "хэрэгжээгүй": Status.NOT_STARTED,
    "хэрэгжээгүй байна": Status.NOT_STARTED,
    "хийгээгүй": Status.NOT_STARTED,
    "хийгээгүй байна": Status.NOT_STARTED,
    "хэсэгчлэн": Status.LIMITED,
    "хэсэгчлэн хэрэгжсэн": Status.LIMITED,
    "хэсэгчилсэн": Status.LIMITED,
    "хэсэгчилж": Status.LIMITED,
    "бараг дууссан": Status.SUBSTANTIAL,
    "бараг бүрэн": Status.SUBSTANTIAL,
    "бараг хэрэгжсэн": Status.SUBSTANTIAL,
    "ихэвчлэн": Status.SUBSTANTIAL,
    "хэрэгжүүлсэн": Status.COMPLETE,
    "гүйцэтгэсэн": Status.COMPLETE,
    "биелүүлсэн": Status.COMPLETE,
    "бүрэн биелсэн": Status.COMPLETE,
    "хүчингүй болсон": Status.WITHDRAWN,
    "хүчингүй болгосон": Status.WITHDRAWN,
    "зогсоосон": Status.WITHDRAWN,
    # Spanish (the IRM's Spanish scale: no iniciado, limitado, sustancial, completo)
    "no iniciado": Status.NOT_STARTED,
    "no iniciada": Status.NOT_STARTED,
    "sin iniciar": Status.NOT_STARTED,
    "no empezado": Status.NOT_STARTED,
    "sin empezar": Status.NOT_STARTED,
    "no comenzado": Status.NOT_STARTED,
    "pendiente": Status.NOT_STARTED,
    "limitado": Status.LIMITED,
    "limitada": Status.LIMITED,
    "iniciado": Status.LIMITED,
    "iniciada": Status.LIMITED,
    "empezado": Status.LIMITED,
    "comenzado": Status.LIMITED,
    "sustancial": Status.SUBSTANTIAL,
    "substancial": Status.SUBSTANTIAL,
    "avanzado": Status.SUBSTANTIAL,
    "avanzada": Status.SUBSTANTIAL,
    "muy avanzado": Status.SUBSTANTIAL,
    "casi terminado": Status.SUBSTANTIAL,
    "casi listo": Status.SUBSTANTIAL,
    "mayormente": Status.SUBSTANTIAL,
    "completo": Status.COMPLETE,
    "completa": Status.COMPLETE,
    "completado": Status.COMPLETE,
    "completada": Status.COMPLETE,
    "cumplido": Status.COMPLETE,
    "cumplida": Status.COMPLETE,
    "terminado": Status.COMPLETE,
    "terminada": Status.COMPLETE,
    "finalizado": Status.COMPLETE,
    "finalizada": Status.COMPLETE,
    "hecho": Status.COMPLETE,
    "listo": Status.COMPLETE,
    "retirado": Status.WITHDRAWN,
    "retirada": Status.WITHDRAWN,
    "cancelado": Status.WITHDRAWN,
    "cancelada": Status.WITHDRAWN,
    "descartado": Status.WITHDRAWN,
    "abandonado": Status.WITHDRAWN,
    "eliminado": Status.WITHDRAWN,
    # Russian
    "не начато": Status.NOT_STARTED,
    "не начат": Status.NOT_STARTED,
    "не начата": Status.NOT_STARTED,
    "не начаты": Status.NOT_STARTED,
    "не приступали": Status.NOT_STARTED,
    "ограниченно": Status.LIMITED,
    "ограниченное": Status.LIMITED,
    "выполнено ограниченно": Status.LIMITED,
    "ограниченно выполнено": Status.LIMITED,
    "ограниченное выполнение": Status.LIMITED,
    "начато": Status.LIMITED,
    "начат": Status.LIMITED,
    "начата": Status.LIMITED,
    "существенно": Status.SUBSTANTIAL,
    "существенное": Status.SUBSTANTIAL,
    "выполнено существенно": Status.SUBSTANTIAL,
    "существенно выполнено": Status.SUBSTANTIAL,
    "существенное выполнение": Status.SUBSTANTIAL,
    "в основном выполнено": Status.SUBSTANTIAL,
    "почти выполнено": Status.SUBSTANTIAL,
    "почти готово": Status.SUBSTANTIAL,
    "выполнено": Status.COMPLETE,
    "выполнен": Status.COMPLETE,
    "выполнена": Status.COMPLETE,
    "выполнено полностью": Status.COMPLETE,
    "полностью выполнено": Status.COMPLETE,
    "полностью": Status.COMPLETE,
    "завершено": Status.COMPLETE,
    "завершен": Status.COMPLETE,
    "завершена": Status.COMPLETE,
    "исполнено": Status.COMPLETE,
    "готово": Status.COMPLETE,
    "сделано": Status.COMPLETE,
    "отозвано": Status.WITHDRAWN,
    "отозван": Status.WITHDRAWN,
    "отозвана": Status.WITHDRAWN,
    "отменено": Status.WITHDRAWN,
    "отменен": Status.WITHDRAWN,
    "отменена": Status.WITHDRAWN,
    "снято": Status.WITHDRAWN,
    "исключено": Status.WITHDRAWN,
}

# "Work is going on": limited or substantial? Only the reporter knows.
AMBIGUOUS: frozenset[str] = frozenset(
    {
        "in progress",
        "inprogress",
        "progress",
        "ongoing",
        "on going",
        "underway",
        "under way",
        "wip",
        "working on it",
        "хийгдэж байна",
        "хийгдэж буй",
        "хэрэгжиж байна",
        "хэрэгжиж буй",
        "явагдаж байна",
        "үргэлжилж байна",
        "хэрэгжүүлж байна",
        "хэрэгжүүлж буй",
        "хийж байна",
        "хийж байгаа",
        "хийгдэж байгаа",
        "хэрэгжиж байгаа",
        "en curso",
        "en proceso",
        "en progreso",
        "en marcha",
        "en ejecución",
        "en desarrollo",
        "en implementación",
        "avanzando",
        "в процессе",
        "в работе",
        "в ходе выполнения",
        "в стадии выполнения",
        "выполняется",
        "реализуется",
        "ведётся работа",
    }
)
_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?)]}»”’"
_SEPARATORS = ":-–—,;. \t\n"
_EDGE_PUNCTUATION = "\"'“”‘’«».,;:!?()[]"
# The milestone is a plan number such as 3.2 (letters allowed: 1a.2), never a bare word.
_MILESTONE = re.compile(r"^[\w.\-/]{1,20}$")


@dataclasses.dataclass(frozen=True)
class Ambiguous:
    """A status word that names no single point of the scale."""

    word: str


@dataclasses.dataclass(frozen=True)
class Unknown:
    """Not a status word in any shipped language."""

    word: str


@dataclasses.dataclass(frozen=True)
class ParsedUpdate:
    """`/update <milestone> <status> [note]`, understood."""

    milestone: str
    status: Status | Ambiguous | Unknown
    note: str | None
    evidence_url: str | None


@dataclasses.dataclass(frozen=True)
class UsageError:
    """Too little to work with: answer with the usage line."""

    reason: str


def _fold(text: str) -> str:
    """Accents off Latin letters ("ejecución" -> "ejecucion"), "ё" as "е"; the Cyrillic
    letters й, ө, ү stay themselves."""
    kept: list[str] = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char) and kept and kept[-1].isascii():
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept)).replace("ё", "е")


def _normalise(phrase: str) -> str:
    words = _fold(phrase.casefold()).replace("_", " ").replace("-", " ").split()
    return " ".join(w.strip(_EDGE_PUNCTUATION) for w in words if w.strip(_EDGE_PUNCTUATION))


_ALIAS_INDEX: dict[str, Status] = {
    **{_normalise(phrase): status for phrase, status in ALIASES.items()},
    **{_normalise(status.value): status for status in Status},
}
_AMBIGUOUS_INDEX: frozenset[str] = frozenset(_normalise(phrase) for phrase in AMBIGUOUS)


def _spellings() -> tuple[dict[str, Status], frozenset[str]]:
    """Mongolian as typed without its own letters (domain.spelling): the indexes of every
    Cyrillic phrase by its other spellings (None for an ambiguous phrase); a spelling that
    two different meanings share is left out (a test asserts there is none)."""
    found: dict[str, set[Status | None]] = {}
    for key, meaning in [
        *_ALIAS_INDEX.items(),
        *((key, None) for key in _AMBIGUOUS_INDEX),
    ]:
        for spelling in spellings(key):
            found.setdefault(spelling, set()).add(meaning)
    single = {k: v.pop() for k, v in found.items() if len(v) == 1}
    return (
        {k: v for k, v in single.items() if v is not None},
        frozenset(k for k, v in single.items() if v is None),
    )


_SPELLED_INDEX, _SPELLED_AMBIGUOUS = _spellings()
_MAX_WORDS = max(len(phrase.split()) for phrase in (*_ALIAS_INDEX, *_AMBIGUOUS_INDEX))


def lookup(phrase: str) -> Status | Ambiguous | None:
    """One status phrase on its own (`Done`, `not_started`, `их хэмжээнд`, `Completado`)."""
    key = _normalise(phrase)
    if key in _AMBIGUOUS_INDEX:
        return Ambiguous(phrase.strip().strip(_EDGE_PUNCTUATION))
    if key in _ALIAS_INDEX:
        return _ALIAS_INDEX[key]
    typed = plain(key)
    if typed in _SPELLED_AMBIGUOUS:
        return Ambiguous(phrase.strip().strip(_EDGE_PUNCTUATION))
    return _SPELLED_INDEX.get(typed)


def evidence_url(note: str | None) -> str | None:
    """The first http(s) link in a note, without the punctuation that ends a sentence."""
    if not note:
        return None
    match = _URL.search(note)
    if match is None:
        return None
    url = match.group(0).rstrip(_URL_TRAILING)
    return url if len(url) > len("https://") else None


def clean_note(text: str | None) -> str | None:
    """A note as stored: trimmed, None when empty."""
    if text is None:
        return None
    note = text.strip()
    return note or None


def _split_words(text: str) -> list[tuple[int, int]]:
    """(start, end) of every whitespace-separated word."""
    return [m.span() for m in re.finditer(r"\S+", text)]


def parse_update(arguments: str) -> ParsedUpdate | UsageError:
    """Everything after `/update`: the longest status phrase wins, the rest is the note."""
    spans = _split_words(arguments)
    if not spans:
        return UsageError("empty")
    first = arguments[spans[0][0] : spans[0][1]].rstrip(".:,")
    if not first or not _MILESTONE.match(first) or not any(ch.isdigit() for ch in first):
        return UsageError("milestone")
    rest = spans[1:]
    if not rest:
        return UsageError("status")
    status: Status | Ambiguous | Unknown | None = None
    note_start = rest[0][1]
    for count in range(min(_MAX_WORDS, len(rest)), 0, -1):
        phrase = arguments[rest[0][0] : rest[count - 1][1]]
        found = lookup(phrase)
        if found is not None:
            status, note_start = found, rest[count - 1][1]
            break
    if status is None:
        typed = arguments[rest[0][0] : rest[0][1]]
        status = Unknown(typed.strip(_EDGE_PUNCTUATION) or typed)
    note = clean_note(arguments[note_start:].lstrip(_SEPARATORS))
    return ParsedUpdate(milestone=first, status=status, note=note, evidence_url=evidence_url(note))
