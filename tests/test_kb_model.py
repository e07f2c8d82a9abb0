"""The extended model: identifiers, products, dated ownership and group resolution by date."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from vigie.kb import KnowledgeBase
from vigie.kb.dates import end_of, in_force, start_of
from vigie.kb.identifiers import SCHEMES, normalise_identifier
from vigie.kb.model import Company, Identifier, KnowledgeBaseFile, Ownership, Product


@pytest.mark.parametrize(
    ("scheme", "raw", "canonical"),
    [
        ("siren", "552 120 222", "552120222"),
        ("siret", "552 120 222 00013", "55212022200013"),
        ("vat", "fr 40 303 265 045", "FR40303265045"),
        ("vat", "GB 980 7806 84", "GB980780684"),
        ("lei", "5493001kjtiigc8y1r12", "5493001KJTIIGC8Y1R12"),
        ("duns", "12-345-6789", "123456789"),
        ("wikidata", "q2283", "Q2283"),
        ("gb-coh", "1624297", "01624297"),
        ("gb-coh", "sc 123456", "SC123456"),
    ],
)
def test_identifiers_are_normalised(scheme: str, raw: str, canonical: str) -> None:
    assert Identifier(scheme=scheme, value=raw).value == canonical
    assert normalise_identifier(scheme, raw) == canonical


@pytest.mark.parametrize(
    ("scheme", "raw"),
    [
        ("siren", "552120223"),  # bad Luhn check digit
        ("siren", "55212022"),  # too short
        ("vat", "FR41303265045"),  # bad check
        ("lei", "5493001KJTIIGC8Y1R13"),  # bad mod 97-10 check
        ("wikidata", "P31"),
        ("duns", "12345"),
        ("gb-coh", "ABCDEFGH"),
        ("isin", "US0378331005"),  # unknown scheme
        ("siren", "   "),
    ],
)
def test_invalid_identifiers_are_rejected(scheme: str, raw: str) -> None:
    with pytest.raises(ValidationError):
        Identifier(scheme=scheme, value=raw)


@given(st.sampled_from(SCHEMES), st.text(max_size=40))
def test_normaliser_never_crashes(scheme: str, value: str) -> None:
    try:
        out = normalise_identifier(scheme, value)
    except ValueError:
        return
    assert normalise_identifier(scheme, out) == out  # idempotent


def test_partial_dates_as_period_bounds() -> None:
    assert start_of("2021") == "2021-01-01"
    assert end_of("2021") == "2022-01-01"
    assert end_of("2024-02") == "2024-03-01"
    assert end_of("2021-03-15") == "2021-03-15"
    assert in_force("2016", "2021", "2021-12-31")
    assert not in_force("2016", "2021", "2022-01-01")
    assert not in_force("2016-12-08", None, "2016-12-07")
    assert in_force(None, None, "1999-01-01")
    with pytest.raises(ValueError):
        start_of("2023-02-30")


def test_ownership_end_before_start_is_rejected() -> None:
    with pytest.raises(ValidationError, match="before start"):
        Ownership(child="a", parent="b", start="2020-05-01", end="2019")
    Ownership(child="a", parent="b", start="2021-05", end="2021")  # same year: allowed


def _kb(companies: list[Company], ownership: list[Ownership] | None = None) -> KnowledgeBase:
    part = KnowledgeBaseFile(companies=tuple(companies), ownership=tuple(ownership or ()))
    return KnowledgeBase.from_parts([("t.yaml", part)], version="v")


def _sold_subsidiary() -> KnowledgeBase:
    return _kb(
        [Company(id="group", name="G"), Company(id="sub", name="S"), Company(id="buyer", name="B")],
        [
            Ownership(child="sub", parent="group", start="2015-03-01", end="2021-06-30"),
            Ownership(child="sub", parent="buyer", start="2021-06-30"),
        ],
    )


def test_a_subsidiary_sold_in_2021_is_not_in_the_group_for_a_2023_contract() -> None:
    kb = _sold_subsidiary()
    assert kb.group_of("sub", at="2020-01-15").id == "group"
    assert kb.group_of("sub", at="2023-04-01").id == "buyer"
    assert kb.group_of("sub", at="2021-06-29").id == "group"
    assert kb.group_of("sub", at="2021-06-30").id == "buyer"
    assert kb.group_of("sub", at="2014-12-31").id == "sub"  # before the acquisition
    assert kb.subsidiaries("group", at="2020-01-01") == ["sub"]
    assert kb.subsidiaries("group", at="2023-01-01") == []
    assert kb.subsidiaries("buyer", at="2023-01-01") == ["sub"]
    assert kb.group_of("sub").id == "buyer"  # today's structure
    assert kb.check() == []


def test_parent_shorthand_is_an_undated_link() -> None:
    kb = _kb([Company(id="p", name="P"), Company(id="c", name="C", parent="p")])
    assert kb.group_of("c", at="1900-01-01").id == "p"
    assert kb.group_of("c").id == "p"
    assert kb.subsidiaries("p") == ["c"]


def test_minority_stake_does_not_make_a_group() -> None:
    kb = _kb(
        [Company(id="p", name="P"), Company(id="c", name="C")],
        [Ownership(child="c", parent="p", share=20)],
    )
    assert kb.group_of("c").id == "c"
    assert kb.subsidiaries("p") == []


def test_largest_share_wins_when_two_owners() -> None:
    kb = _kb(
        [Company(id="a", name="A"), Company(id="b", name="B"), Company(id="c", name="C")],
        [
            Ownership(child="c", parent="a", share=50),
            Ownership(child="c", parent="b", share=75),
        ],
    )
    assert kb.group_of("c").id == "b"


def test_dated_cycle_is_detected_and_group_of_stops() -> None:
    kb = _kb(
        [Company(id="a", name="A"), Company(id="b", name="B")],
        [
            Ownership(child="a", parent="b", start="2010"),
            Ownership(child="b", parent="a", start="2020"),
        ],
    )
    assert kb.group_of("a", at="2015-01-01").id == "b"
    assert kb.group_of("a", at="2022-01-01").id == "b"  # stops before coming back to a
    assert kb.group_of("b", at="2022-01-01").id == "a"
    assert kb.check() == [
        "t.yaml: company 'a': parent links form a cycle",
        "t.yaml: company 'b': parent links form a cycle",
    ]


def test_ownership_with_unknown_company_is_reported() -> None:
    kb = _kb([Company(id="a", name="A")], [Ownership(child="a", parent="zz", start="2019")])
    assert kb.check() == ["t.yaml: ownership[0] (a -> zz): unknown company 'zz'"]
    assert kb.group_of("a").id == "a"


def test_product_needs_terms_and_known_kind() -> None:
    Product(id="x", company="c", name="X", kind="brand", category="cloud", terms=("X",))
    with pytest.raises(ValidationError):
        Product(id="x", company="c", name="X", kind="gadget", category="cloud", terms=("X",))
    with pytest.raises(ValidationError):
        Product(id="x", company="c", name="X", kind="brand", category="cloud", terms=())
    with pytest.raises(ValidationError):
        Product(id="x", company="c", name="X", kind="brand", category="cloud", terms=(" ",))


def test_company_identifier_lookup() -> None:
    company = Company(
        id="c", name="C", identifiers=(Identifier(scheme="siren", value="552 120 222"),)
    )
    assert company.identifier("siren") == "552120222"
    assert company.identifier("lei") is None


_links = st.lists(
    st.tuples(
        st.sampled_from("abcde"),
        st.sampled_from("abcde"),
        st.sampled_from([None, "2010", "2015-06", "2020-01-01"]),
        st.sampled_from([None, "2016", "2021-03-04"]),
    ),
    max_size=8,
)


@given(_links)
def test_cycle_members_equals_brute_force(
    links: list[tuple[str, str, str | None, str | None]],
) -> None:
    companies = [Company(id=c, name=c.upper()) for c in "abcde"]
    ownership = []
    for child, parent, start, end in links:
        try:
            ownership.append(Ownership(child=child, parent=parent, start=start, end=end))
        except ValidationError:
            continue  # end before start
    kb = _kb(companies, ownership)
    days = ["1900-01-01", *kb.groups.change_days()]
    brute = {
        c
        for c in "abcde"
        for day in days
        if c in kb.groups.chain(c, day)
        and kb.groups.parent_of(kb.groups.chain(c, day)[-1], day) == c
    }
    assert kb.groups.cycle_members() == brute
    for c in "abcde":  # group_of never loops
        for day in days:
            assert kb.group_of(c, at=day).id in "abcde"
