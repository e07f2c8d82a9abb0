"""Name normalisation for matching: transliteration, legal forms, punctuation, case.

Libraries do the language work: normality transliterates to ASCII, rigour removes legal forms
with its multilingual list. What is left is splitting on anything that is not a letter or digit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from normality import ascii_text
from rigour.names import remove_org_types

_DOTTED = re.compile(r"(?<![a-z0-9])((?:[a-z]\.\s?){2,})")
_WORD = re.compile(r"[a-z0-9]+")
LOST_CHARACTER = "\ufffd"


def _undot(match: re.Match[str]) -> str:
    return match.group(1).replace(".", "").replace(" ", "") + " "


def base_tokens(name: str, max_length: int = 100_000) -> tuple[str, ...]:
    """Tokens of a name: ASCII, lower case, dotted abbreviations joined, legal forms removed.

    Characters lost at the source (U+FFFD) are dropped. Legal forms are removed with rigour's
    multilingual list ("SARL", "GmbH", "Unlimited Company", "B.V. & Co. KG"...). Only the
    first ``max_length`` characters (after dropping lost characters) are read.
    """
    text = name.replace(LOST_CHARACTER, "") if LOST_CHARACTER in name else name
    text = text[:max_length]
    if not text.isascii():
        text = ascii_text(text)
    text = text.lower()
    if "." in text:
        text = _DOTTED.sub(_undot, text)
    text = remove_org_types(text)
    return tuple(_WORD.findall(text))


def strip_endings(tokens: tuple[str, ...], endings: Sequence[tuple[str, ...]]) -> tuple[str, ...]:
    """Remove trailing token sequences (extra legal forms) repeatedly, keeping one token."""
    if len(tokens) < 2 or all(tokens[-1] != e[-1] for e in endings if e):
        return tokens
    changed = True
    while changed:
        changed = False
        for ending in endings:
            n = len(ending)
            if len(tokens) > n and tokens[-n:] == ending:
                tokens = tokens[:-n]
                changed = True
    return tokens
