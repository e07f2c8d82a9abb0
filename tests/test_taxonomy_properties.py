"""Property tests for the taxonomy: classify never crashes, is deterministic, always gives a
known category with a reason that renders in both languages; cues need word boundaries."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigie.present import Messages
from vigie.sources.records import Classification
from vigie.sources.taxonomy import classify, default_taxonomy, reason_text
from vigie.sources.taxonomy.cues import CueMatcher, strip_accents

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MESSAGES = (Messages("en"), Messages("fr"))
CATEGORIES = frozenset(default_taxonomy().categories)
SOURCES = frozenset({"code", "text", "code+text", "none"})

# Codes near the mapped ones (digits, check digits, junk), schemes as sources write them.
code_text = st.one_of(
    st.text(alphabet="0123456789", min_size=0, max_size=10),
    st.builds(
        lambda d, c: f"{d}-{c}",
        st.text(alphabet="0123456789", min_size=8, max_size=8),
        st.integers(0, 9),
    ),
    st.sampled_from(["72000000-5", "48000000", "32323500", "43211503", "8111200301", "35121500"]),
    st.text(max_size=20),
)
schemes = st.sampled_from(["CPV", "cpv", "UNSPSC", "unspsc", "CPVS", "NAICS", "", " CPV "])
classification = st.builds(
    Classification, schemes, code_text, st.one_of(st.none(), st.text(max_size=40))
)
# Text mixing cue words, accents, U+FFFD, punctuation and anything else.
words = st.sampled_from(
    [
        "cloud",
        "Cloudy",
        "vidéo",
        "protection",
        "surveillance",
        "intelligence",
        "artificielle",
        "SaaS",
        "Saas",
        "Fee",
        "logiciel",
        "IA",
        "d'",
        "-",
        " ",
        "\ufffd",
        "é",
        "CCTV",
        "point",
    ]
)
free_text = st.one_of(
    st.none(),
    st.text(max_size=200),
    st.lists(st.one_of(words, st.text(max_size=5)), max_size=30).map(" ".join),
    st.lists(words, max_size=12).map("".join),
)


@SETTINGS
@given(
    st.lists(classification, max_size=5),
    st.one_of(st.none(), code_text),
    free_text,
    free_text,
)
def test_classify_never_crashes_and_is_deterministic(
    classifications: list[Classification],
    cpv: str | None,
    title: str | None,
    description: str | None,
) -> None:
    first = classify(classifications, cpv, title, description)
    second = classify(list(classifications), cpv, title, description)
    assert first == second
    assert first.category in CATEGORIES
    assert first.source in SOURCES
    for messages in MESSAGES:
        text = reason_text(first.reason, messages)
        assert text
        assert not any(f"{{{p}}}" in text for p in ("ref", "via", "cue")), text


@SETTINGS
@given(
    st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=8),
    st.text(alphabet=st.characters(categories=["P", "Z", "N", "S"]), max_size=20),
)
def test_a_cue_glued_to_a_letter_or_digit_is_not_found(glue: str, around: str) -> None:
    taxonomy = default_taxonomy()
    cloud = CueMatcher({"cloud-data": taxonomy.data.cues["cloud-data"]}, ["cloud-data"])
    before = [f"{glue}cloud"]
    plural = strip_accents(glue).lower() in {"s", "x"}  # a plural is allowed, accents ignored
    after = [] if plural else [f"cloud{glue}"]
    for text in before + after:
        hit = cloud.find(text)
        assert hit is None or hit.cue != "cloud", (text, hit)
    # Separated from letters by anything else (spaces, punctuation, digits), it is found.
    hit = cloud.find(f"{around} cloud {around}")
    assert hit is not None and hit.cue == "cloud"


@SETTINGS
@given(free_text)
def test_text_alone_never_gives_a_code_source(title: str | None) -> None:
    result = classify((), None, title, None)
    assert result.source in {"text", "none"}
    assert (result.source == "none") == (result.category == "other")
