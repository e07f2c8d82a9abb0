"""Text cues: compile the cue lists of the data file into patterns and find them in text.

Precision first (docs/taxonomy.md): a cue matches only as whole words (``cloud`` is not found
in ``Cloudy``), ignoring case and accents; an accented letter of a cue also matches U+FFFD, the
replacement character left where a source lost a letter (``vid\ufffdosurveillance``); spaces,
hyphens and apostrophes inside a cue may be up to three of these, or nothing (``vidéo
surveillance`` finds ``vidéosurveillance`` and ``video - surveillance``; the bound keeps long
runs of spaces from making the search slow); each word of three letters or more may
take a final ``s`` or ``x``. Acronyms keep their case. Exclusions are blanked from the text
before any cue is searched.

All cues of a kind are compiled into one regular expression shaped as a trie (cues sharing a
beginning share its pattern), so a text is scanned once, whatever the number of cues.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vigie.sources.taxonomy.model import CueSet

_SEPARATORS = re.compile(r"[\s\-\u2010\u2011'\u2019]+")
_GAP = "[\\s\\-\\u2010\\u2011'\\u2019]{0,3}"
_PLURAL = "(?:s|x)?"
_LEFT = r"(?<![\w\ufffd])"
_RIGHT = r"(?![\w\ufffd])"
_MIN_PLURAL_WORD = 3
_OPTIONAL = frozenset({_GAP, _PLURAL})
_END = ""
# The combining diacritical mark blocks (and their supplements).
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def strip_accents(text: str) -> str:
    """``text`` without diacritical marks (NFD), case kept; U+FFFD stays as it is.

    NFD, not NFKD: compatibility forms such as ``Ŀ`` (L and a middle dot) would otherwise
    turn a letter into punctuation and create a word boundary.
    """
    if text.isascii():
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFD", text))


def prepare(text: str) -> str:
    """Text ready for cue search: accents removed (case kept), typographic apostrophes plain."""
    return strip_accents(text).replace("\u2019", "'")


def _letter(char: str) -> str:
    base = strip_accents(char)
    if base != char:
        return f"(?:{re.escape(base)}|\ufffd)"
    return re.escape(char)


def cue_atoms(cue: str, *, plural: bool) -> list[str]:
    """The pattern of ``cue`` as a list of atoms (one per letter, separator or plural)."""
    atoms: list[str] = []
    for word in (w for w in _SEPARATORS.split(cue.strip()) if w):
        if atoms:
            atoms.append(_GAP)
        atoms.extend(_letter(c) for c in word)
        if plural and len(word) >= _MIN_PLURAL_WORD:
            atoms.append(_PLURAL)
    return atoms


def _cue_order(cue: str) -> tuple[int, int, str]:
    compact = _SEPARATORS.sub("", cue)
    return (-len(compact), len(cue) - len(compact), cue)


def _emit(node: Mapping[str, Any]) -> str:
    # Literal atoms before optional ones ("vidéoprotection" is reported before "vidéo
    # protection" for the same text); longer cues before the one ending here.
    atoms = sorted((a for a in node if a != _END), key=lambda a: a in _OPTIONAL)
    branches = [atom + _emit(node[atom]) for atom in atoms]
    if _END in node:
        branches.append(f"(?P<c{node[_END]}>){_RIGHT}")
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def trie_pattern(cues: Sequence[str], *, plural: bool, flags: int) -> re.Pattern[str] | None:
    """One pattern finding any of ``cues``; the group ``c<i>`` tells that ``cues[i]`` matched."""
    if not cues:
        return None
    root: dict[str, Any] = {}
    for index, cue in enumerate(cues):
        node = root
        for atom in cue_atoms(cue.lower() if flags & re.IGNORECASE else cue, plural=plural):
            node = node.setdefault(atom, {})
        node.setdefault(_END, index)
    return re.compile(_LEFT + _emit(root), flags)


@dataclass(frozen=True, slots=True)
class CueHit:
    """A cue found in a text: the category, the cue as written in the data, the text found."""

    category: str
    cue: str
    found: str
    start: int


@dataclass(frozen=True, slots=True)
class _Compiled:
    pattern: re.Pattern[str] | None
    cues: tuple[tuple[str, str], ...]  # (category, cue) by group index

    @classmethod
    def build(cls, entries: Iterable[tuple[str, str]], flags: int, plural: bool) -> _Compiled:
        unique = tuple(dict.fromkeys(entries))
        ordered = tuple(sorted(unique, key=lambda e: _cue_order(e[1])))
        pattern = trie_pattern([cue for _, cue in ordered], plural=plural, flags=flags)
        return cls(pattern, ordered)

    def hits(self, text: str) -> list[CueHit]:
        if self.pattern is None:
            return []
        out = []
        for match in self.pattern.finditer(text):
            if match.lastgroup is not None:
                category, cue = self.cues[int(match.lastgroup[1:])]
                out.append(CueHit(category, cue, match.group(0), match.start()))
        return out


class CueMatcher:
    """Every category's cues, compiled; :meth:`find` gives the deciding cue of a text."""

    def __init__(self, cue_sets: Mapping[str, CueSet], priority: Sequence[str]) -> None:
        self.rank = {category: i for i, category in enumerate(priority)}
        ordered = sorted(cue_sets.items(), key=lambda item: self.rank[item[0]])
        self._terms = _Compiled.build(
            ((c, t) for c, s in ordered for lang in sorted(s.terms) for t in s.terms[lang]),
            re.IGNORECASE,
            plural=True,
        )
        self._acronyms = _Compiled.build(
            ((c, a) for c, s in ordered for a in s.acronyms), 0, plural=False
        )
        exclusions = [e for _, s in ordered for e in s.exclude]
        self._exclude = trie_pattern(exclusions, plural=True, flags=re.IGNORECASE)

    def hits(self, text: str | None) -> list[CueHit]:
        """The cues found in ``text`` (after exclusions are blanked), in order of position.

        Left to right, the longest cue at each position, without overlap: a cue inside a
        longer one is not reported.
        """
        if not text or not text.strip():
            return []
        prepared = prepare(text)
        if self._exclude is not None:
            prepared = self._exclude.sub(lambda m: " " * len(m.group(0)), prepared)
        found = self._terms.hits(prepared) + self._acronyms.hits(prepared)
        return sorted(found, key=lambda h: h.start)

    def find(self, text: str | None) -> CueHit | None:
        """The first cue of the first category, in priority order, found in ``text``."""
        found = self.hits(text)
        return min(found, key=lambda h: (self.rank[h.category], h.start)) if found else None
