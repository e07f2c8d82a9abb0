"""Name normalisation for matching: transliteration, legal forms, punctuation, case."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from normality import ascii_text, normalize
from rigour.names import remove_org_types

_DOTTED = re.compile(r"(?<![a-z0-9])((?:[a-z]\.\s?){2,})")
LOST_CHARACTER = "\ufffd"


def _undot(match: re.Match[str]) -> str:
    return match.group(1).replace(".", "").replace(" ", "") + " "


@lru_cache(maxsize=1 << 16)
def base_tokens(name: str) -> tuple[str, ...]:
    """Tokens of a name: ASCII, lower case, dotted abbreviations joined, legal forms removed.

    Characters lost at the source (U+FFFD) are dropped. Legal forms are removed with rigour's
    multilingual list ("SARL", "GmbH", "Unlimited Company", "B.V. & Co. KG"...).
    """
    text = ascii_text(name.replace(LOST_CHARACTER, "")).lower()
    text = _DOTTED.sub(_undot, text)
    text = remove_org_types(text)
    cleaned = normalize(text)
    return tuple(cleaned.split()) if cleaned else ()


def strip_endings(tokens: tuple[str, ...], endings: Sequence[tuple[str, ...]]) -> tuple[str, ...]:
    """Remove trailing token sequences (extra legal forms) repeatedly, keeping one token."""
    changed = True
    while changed:
        changed = False
        for ending in endings:
            n = len(ending)
            if len(tokens) > n and tokens[-n:] == ending:
                tokens = tokens[:-n]
                changed = True
    return tokens
