"""Text cues: compile the cue lists of the data file into patterns and find them in text.

Precision first (docs/taxonomy.md): a cue matches only as whole words (``cloud`` is not found
in ``Cloudy``), ignoring case and accents; an accented letter of a cue also matches U+FFFD, the
replacement character left where a source lost a letter (``vid\ufffdosurveillance``); spaces,
hyphens and apostrophes inside a cue may be any of these or nothing (``vidéo surveillance``
finds ``vidéosurveillance`` and ``video-surveillance``); each word may take a final ``s`` or
``x``. Acronyms keep their case. Exclusions are blanked from the text first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from vigie.sources.taxonomy.model import CueSet

_SEPARATORS = re.compile(r"[\s\-\u2010\u2011'\u2019]+")
_GAP = "[\\s\\-\\u2010\\u2011'\\u2019]*"
_LEFT = r"(?<![\w\ufffd])"
_RIGHT = r"(?![\w\ufffd])"
_PLURAL = "(?:s|x)?"
_MIN_PLURAL_WORD = 3


def strip_accents(text: str) -> str:
    """``text`` without combining marks (NFD), case kept; U+FFFD stays as it is.

    NFD, not NFKD: compatibility forms such as ``Ŀ`` (L and a middle dot) would otherwise
    turn a letter into punctuation and create a word boundary.
    """
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _letter(char: str) -> str:
    base = strip_accents(char)
    if base != char:
        return f"(?:{re.escape(base)}|\ufffd)"
    return re.escape(char)


def cue_regex(cue: str, *, plural: bool = True) -> str:
    """The regular expression (without flags) that finds ``cue`` as whole words."""
    words = [w for w in _SEPARATORS.split(cue.strip()) if w]
    parts = []
    for word in words:
        body = "".join(_letter(c) for c in word)
        suffix = _PLURAL if plural and len(word) >= _MIN_PLURAL_WORD else ""
        parts.append(body + suffix)
    return _LEFT + _GAP.join(parts) + _RIGHT


def _alternation(
    cues: Iterable[str], *, plural: bool, flags: int
) -> tuple[re.Pattern[str] | None, tuple[str, ...]]:
    unique = tuple(dict.fromkeys(cues))
    if not unique:
        return None, ()
    # Longer cues first, so that "cloud computing" is reported rather than "cloud"; between
    # cues of one length, the one written without separators ("vidéoprotection").
    ordered = tuple(sorted(unique, key=_cue_order))
    body = "|".join(f"(?P<c{i}>{cue_regex(c, plural=plural)})" for i, c in enumerate(ordered))
    return re.compile(body, flags), ordered


def _cue_order(cue: str) -> tuple[int, int, str]:
    compact = _SEPARATORS.sub("", cue)
    return (-len(compact), len(cue) - len(compact), cue)


@dataclass(frozen=True, slots=True)
class CueHit:
    """A cue found in a text: the category, the cue as written in the data, the text found."""

    category: str
    cue: str
    found: str
    start: int


@dataclass(frozen=True, slots=True)
class CompiledCues:
    """The cues of one category, compiled."""

    category: str
    terms: re.Pattern[str] | None
    term_list: tuple[str, ...]
    acronyms: re.Pattern[str] | None
    acronym_list: tuple[str, ...]
    exclude: re.Pattern[str] | None

    @classmethod
    def build(cls, category: str, cues: CueSet) -> CompiledCues:
        """Compile a category's cue set."""
        terms, term_list = _alternation(
            (t for lang in sorted(cues.terms) for t in cues.terms[lang]),
            plural=True,
            flags=re.IGNORECASE,
        )
        acronyms, acronym_list = _alternation(cues.acronyms, plural=False, flags=0)
        exclude, _ = _alternation(cues.exclude, plural=True, flags=re.IGNORECASE)
        return cls(category, terms, term_list, acronyms, acronym_list, exclude)

    def find(self, prepared: str) -> CueHit | None:
        """The first cue in ``prepared`` text (see :func:`prepare`), or None."""
        text = prepared
        if self.exclude is not None:
            text = self.exclude.sub(lambda m: " " * len(m.group(0)), text)
        hits = [
            hit
            for hit in (
                _first(self.terms, self.term_list, text, self.category),
                _first(self.acronyms, self.acronym_list, text, self.category),
            )
            if hit is not None
        ]
        return min(hits, key=lambda h: h.start) if hits else None


def _first(
    pattern: re.Pattern[str] | None, cues: tuple[str, ...], text: str, category: str
) -> CueHit | None:
    if pattern is None:
        return None
    match = pattern.search(text)
    if match is None or match.lastgroup is None:
        return None
    cue = cues[int(match.lastgroup[1:])]
    return CueHit(category, cue, match.group(0), match.start())


def prepare(text: str) -> str:
    """Text ready for cue search: accents removed (case kept), typographic apostrophes plain."""
    return strip_accents(text).replace("\u2019", "'")


def find_cue(compiled: Iterable[CompiledCues], text: str | None) -> CueHit | None:
    """The cue of the first category (in priority order) found in ``text``, or None."""
    if not text or not text.strip():
        return None
    prepared = prepare(text)
    for cues in compiled:
        hit = cues.find(prepared)
        if hit is not None:
            return hit
    return None
