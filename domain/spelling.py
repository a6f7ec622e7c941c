"""Mongolian without its own letters, as people type it: pure text functions.

On a Russian keyboard layout "ү" and "ө" are typed as "у" and "о" ("бурэн" for "бүрэн");
in chats, whole words are written in Latin letters ("buren", "duussan", "khiigdsen"), with
х as h or kh, ц as ts or c, ж as j or zh, ү and ө as u and o, й and ы as i. `plain` brings
what is typed, `spellings` a known Cyrillic phrase, to the same spellings.
"""

from __future__ import annotations

__all__ = ["plain", "spellings"]

_LATIN = str.maketrans(
    {
        **dict(zip("абвгдезийклмнопрстуфхыэ", "abvgdeziiklmnoprstufhie", strict=True)),
        "ж": "j",
        "ц": "c",
        "ч": "ch",
        "ш": "sh",
        "щ": "sh",
        "ю": "yu",
        "я": "ya",
        "ъ": "",
        "ь": "i",
    }
)


def plain(phrase: str) -> str:
    """A lower-case phrase in one spelling: Cyrillic keeps its script (ү as у, ө as о);
    Latin reads kh as h, ts as c, zh as j (accents are the caller's to take off)."""
    if phrase.isascii():
        return phrase.replace("kh", "h").replace("ts", "c").replace("zh", "j")
    return phrase.replace("ү", "у").replace("ө", "о")


def spellings(phrase: str) -> frozenset[str]:
    """The other spellings of a lower-case Cyrillic phrase, each as `plain` gives it: the
    Russian-layout one and the Latin one (none for a Latin phrase)."""
    if phrase.isascii():
        return frozenset()
    typed = plain(phrase)
    latin = plain(typed.translate(_LATIN))
    return frozenset(s for s in (typed, latin) if s != phrase and (s == typed or s.isascii()))
