"""Decide a record's technology category from its codes and text, and say why.

The rules (docs/taxonomy.md, "How the category is decided"):

1. Every recognised code (main CPV first, then the published classifications) is looked up,
   longest prefix first. Among codes mapped to a technology category, the category first in
   the taxonomy's priority order wins; between codes of one category, the main CPV, then the
   order of publication.
2. The title, then (only when the title has none) the description, is searched for text cues;
   the first category in priority order with a cue wins.
3. A technology code decides, unless a text cue names a ``specific`` category that comes before
   the code's ``refinable`` category (a cue for AI over CPV 72000000 IT services).
4. Without a technology code, a text cue decides; without either, the record is ``other``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from vigie.sources.records import Classification, Note
from vigie.sources.taxonomy.codes import Candidate, candidates
from vigie.sources.taxonomy.cues import CueHit
from vigie.sources.taxonomy.index import Taxonomy, default_taxonomy
from vigie.sources.taxonomy.model import OTHER, CodeMapping

TITLE = "title"
DESCRIPTION = "description"


@dataclass(frozen=True, slots=True)
class CategoryResult:
    """A record's category, why (a message code with its parameters) and what decided it.

    ``source`` is ``code``, ``text``, ``code+text`` (a cue refined a code) or ``none``.
    """

    category: str
    reason: Note
    source: str


@dataclass(frozen=True, slots=True)
class _CodeHit:
    candidate: Candidate
    mapping: CodeMapping


def best_code(taxonomy: Taxonomy, found: list[Candidate]) -> _CodeHit | None:
    """The code that decides the category (rule 1), or None when no code is technology."""
    best: tuple[int, int] | None = None
    hit: _CodeHit | None = None
    for position, candidate in enumerate(found):
        mapping = taxonomy.index.lookup(candidate.scheme, candidate.code)
        if mapping is None or mapping.category == OTHER:
            continue
        key = (taxonomy.rank[mapping.category], position)
        if best is None or key < best:
            best, hit = key, _CodeHit(candidate, mapping)
    return hit


def text_cue(
    taxonomy: Taxonomy, title: str | None, description: str | None
) -> tuple[CueHit, str] | None:
    """The deciding text cue and the field it was found in (rule 2), or None."""
    for field, text in ((TITLE, title), (DESCRIPTION, description)):
        hit = taxonomy.cues.find(text)
        if hit is not None:
            return hit, field
    return None


def _code_params(candidate: Candidate) -> dict[str, str]:
    return {
        "ref": f"{candidate.scheme.value} {candidate.code}",
        "ref_published": candidate.published_label or "",
    }


def _code_note(hit: _CodeHit) -> Note:
    candidate, mapping = hit.candidate, hit.mapping
    if candidate.code == mapping.code:
        return Note.of("taxonomy_reason_code", **_code_params(candidate))
    via = f"{mapping.scheme.value} {mapping.code}"
    return Note.of("taxonomy_reason_code_under", **_code_params(candidate), via=via)


def classify(
    classifications: Iterable[Classification],
    cpv: str | None,
    title: str | None,
    description: str | None,
    taxonomy: Taxonomy | None = None,
) -> CategoryResult:
    """The technology category of one record, with the reason and what decided it.

    Pure: the same arguments always give the same result. ``taxonomy`` defaults to the
    packaged one (:func:`default_taxonomy`).
    """
    taxonomy = taxonomy or default_taxonomy()
    found = candidates(classifications, cpv)
    code = best_code(taxonomy, found)
    cue = text_cue(taxonomy, title, description)
    if code is not None:
        if cue is not None and taxonomy.refines(cue[0].category, code.mapping.category):
            note = Note.of(
                f"taxonomy_reason_refined_{cue[1]}", cue=cue[0].cue, **_code_params(code.candidate)
            )
            return CategoryResult(cue[0].category, note, "code+text")
        return CategoryResult(code.mapping.category, _code_note(code), "code")
    if cue is not None:
        return CategoryResult(
            cue[0].category, Note.of(f"taxonomy_reason_cue_{cue[1]}", cue=cue[0].cue), "text"
        )
    if found:
        note = Note.of("taxonomy_reason_not_technology", **_code_params(found[0]))
        return CategoryResult(OTHER, note, "code")
    return CategoryResult(OTHER, Note.of("taxonomy_reason_no_signal"), "none")
