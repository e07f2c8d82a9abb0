"""Which words around an alias are qualifiers (countries, "groupe", "international"...).

Countries and territories come from ``rigour.territories`` (names in many languages), word
classes from rigour's name symbols; the configuration adds the few regions rigour lacks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from normality import ascii_text
from rigour.names import NameTypeTag, analyze_names
from rigour.territories import lookup_territory
from rigour.text import is_stopword

from vigie.resolve.config import Qualifiers
from vigie.resolve.features import Extra

_WORD = re.compile(r"[a-z0-9]+")
LEADING = "leading"
TRAILING = "trailing"
STOP = "stop"
OTHER = "other"
_MAX_PLACE_WORDS = 3


@dataclass
class WordClassifier:
    """Classifies words with rigour; results are cached on the instance (no global state)."""

    config: Qualifiers
    _symbols: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)
    _places: dict[str, str | None] = field(default_factory=dict, repr=False)
    _territories: dict[str, str] | None = field(default=None, repr=False)

    def symbols(self, word: str) -> frozenset[str]:
        """rigour symbol ids of a single word (``CO``, ``GRP``, ``INTL``...)."""
        found = self._symbols.get(word)
        if found is None:
            names = analyze_names(NameTypeTag.ORG, [word])
            found = frozenset(s.symbol.id for n in names for s in n.spans)
            self._symbols[word] = found
        return found

    def place(self, words: tuple[str, ...]) -> str | None:
        """The country/territory code named by these words, if any (``pays bas`` -> ``nl``).

        Names in many languages come from rigour's territory database; codes (``uk``,
        ``usa``) are read only for the configured region words."""
        key = " ".join(words)
        if key in self._places:
            return self._places[key]
        code = self.config.nationalities.get(key)
        if code is None and key in self.config.trailing_words:
            territory = lookup_territory(key)
            code = territory.code if territory is not None else None
        elif code is None and len(key) >= 4:
            names = self.territory_names()
            code = names.get(key) or names.get("".join(words))  # "royaume-uni" is one key
        if code is not None:
            code = code.split("-")[0]
        self._places[key] = code
        return code

    def territory_names(self) -> dict[str, str]:
        """Every territory name known to rigour, as normalised words -> territory code."""
        if self._territories is None:
            self._territories = {}
            for name, territory in _rigour_territory_names().items():
                key = " ".join(_WORD.findall(ascii_text(name).lower()))
                self._territories.setdefault(key, territory.code)
        return self._territories

    def leading(self, words: tuple[str, ...], lost: bool = False) -> Extra:
        """Words before the alias: only company words ("compagnie", "groupe", "the").

        ``lost``: the name had letters lost at the source (U+FFFD); a word that is one of the
        leading words with one or two letters missing then counts ("Soci?t?" -> ``socit``)."""
        good = [
            w
            for w in words
            if w in self.config.leading_words
            or self.symbols(w) & self.config.leading_symbols
            or (lost and any(_lost_letters(w, q) for q in self.config.leading_words))
        ]
        bad = tuple(w for w in words if w not in good)
        return Extra(tuple(good), bad)

    def trailing(self, words: tuple[str, ...]) -> Extra:
        """Words after the alias: places, regions, "international", "operations", stop words."""
        good: list[str] = []
        bad: list[str] = []
        countries: list[str] = []
        pending_stops: list[str] = []
        i = 0
        while i < len(words):
            size, code = self._place_at(words, i)
            word = words[i]
            if size:
                good += [*pending_stops, *words[i : i + size]]
                pending_stops = []
                if code and code not in countries and code != "zz":
                    countries.append(code)
                i += size
                continue
            if is_stopword(word):
                pending_stops.append(word)
            elif word in self.config.trailing_words or (
                self.symbols(word) & self.config.trailing_symbols
            ):
                good += [*pending_stops, word]
                pending_stops = []
            else:
                bad += [*pending_stops, word]
                pending_stops = []
            i += 1
        bad += pending_stops  # stop words with no qualifier after them explain nothing
        return Extra(tuple(good), tuple(bad), tuple(countries))

    def _place_at(self, words: tuple[str, ...], start: int) -> tuple[int, str | None]:
        for size in range(min(_MAX_PLACE_WORDS, len(words) - start), 0, -1):
            span = words[start : start + size]
            if size == 1 and is_stopword(span[0]):
                return 0, None
            code = self.place(span)
            if code:
                return size, code
        return (1, None) if words[start] in self.config.trailing_words else (0, None)


def _rigour_territory_names() -> dict[str, Any]:
    """rigour's name -> territory table (names, other-language names and places), or an empty
    table if this rigour version does not have it (then only region words qualify)."""
    try:
        from rigour.territories.lookup import _get_territory_names  # noqa: PLC0415
    except ImportError:  # pragma: no cover - depends on the installed rigour
        return {}
    names: dict[str, Any] = _get_territory_names()
    return names


def _lost_letters(word: str, full: str) -> bool:
    """``word`` is ``full`` with one or two letters missing (in order)."""
    if not 0 < len(full) - len(word) <= 2:
        return False
    letters = iter(full)
    return all(c in letters for c in word)
