"""The one rule for a student's name on a shared screen: first name(s) and the family initial.

A door kiosk (its REST answers and its /ws frames) and a locked phone's notification show a
student as, for example, "Mary Ann S.": enough for the student at the door to recognise
themselves, not enough for a passer-by to learn a classmate's family name. Every place that
shortens a name calls `short_name`, so the door, the socket and the lock screen agree.
"""

from __future__ import annotations

import unicodedata

import regex

# What a family name may join a particle to its core with: d'Angelo, dell\u2019Acqua, al-Hassan.
_JOINERS = "'\u2019\u02bc-"


def _words(text: str) -> list[str]:
    """Return the words of a name typed any way: NFC (so é is one character), single spaces."""
    return unicodedata.normalize("NFC", text).split()


def _core(word: str) -> str:
    """Return a family-name word without a joined lowercase particle (d'Angelo -> Angelo).

    Only a lowercase prefix before a capitalised rest is a particle: O'Brien keeps its O, and
    Smith-Jones its Smith.
    """
    for mark in _JOINERS:
        prefix, found, rest = word.partition(mark)
        if found and rest and prefix.islower() and not rest[:1].islower():
            return rest
    return word


def _initial(word: str) -> str:
    """Return the first user-perceived character (a grapheme: a letter with its combining
    marks, a whole Hangul syllable), upper case where the script has case."""
    match = regex.match(r"\X", word)
    first = match.group() if match else word[:1]
    upper = first.upper()
    # Upper-casing may change a grapheme's length (ß -> SS): keep the letter as typed then.
    return upper if len(upper) == len(first) else first


def family_initial(last_name: str) -> str:
    """Return the initial of a family name, skipping the lowercase particles before its core.

    "de la Cruz" -> "C", "van der Berg" -> "B", "d'Angelo" -> "A", "al-Hassan" -> "H": a
    lowercase particle is
    not what the family is called or sorted by, and a school calls Ana de la Cruz "Ana C.",
    the way a class list sorts her under C. A capitalised particle is part of the name the
    family uses ("Van Buren" -> "V", "De Luca" -> "D"); the last word is never skipped, so a
    name typed all in lower case still has an initial. Scripts without case have no
    particles to skip: their first word's initial is the family's.
    """
    words = [_core(word) for word in _words(last_name)]
    if not words:
        return ""
    core = next((word for word in words[:-1] if not word[:1].islower()), words[-1])
    return _initial(core)


def short_name(first_name: str, last_name: str) -> str:
    """Return "First L.": every first name as written, and the family name's initial.

    Multi-word and hyphenated first names are kept whole ("Mary Ann S.", "Jean-Luc P."): they
    are what the student is called. With no family name, the first name alone; with no first
    name (a single name typed in the family field), the initial alone, so a shared screen never
    shows more of a family name than its initial. Blank parts count as missing.
    """
    first = " ".join(_words(first_name))
    initial = family_initial(last_name)
    if not initial:
        return first
    return f"{first} {initial}." if first else f"{initial}."
