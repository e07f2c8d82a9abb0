"""classify(): codes by longest prefix (CPV and UNSPSC), text cues with precision, the rules
between them, reasons in both languages, and the helpers that apply it to records."""

from __future__ import annotations

from dataclasses import replace

import pytest

from vigie.present import Messages
from vigie.sources.records import Classification, Party, ProcurementRecord
from vigie.sources.taxonomy import (
    CategoryResult,
    categorize_records,
    category_totals,
    classify,
    default_taxonomy,
    reason_text,
)
from vigie.sources.taxonomy.codes import candidates, normalize_code
from vigie.sources.taxonomy.model import Scheme

CPV = "CPV"
UNSPSC = "UNSPSC"


def _cpv(code: str, title: str | None = None, description: str | None = None) -> CategoryResult:
    return classify((), code, title, description)


def _codes(*codes: tuple[str, str]) -> CategoryResult:
    return classify([Classification(s, c) for s, c in codes], None, None, None)


def _text(title: str | None, description: str | None = None) -> CategoryResult:
    return classify((), None, title, description)


def _en(result: CategoryResult) -> str:
    return reason_text(result.reason, Messages("en"))


def _fr(result: CategoryResult) -> str:
    return reason_text(result.reason, Messages("fr"))


# --- codes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("72000000", "it-services"),  # division
        ("72253200", "it-services"),  # under the division
        ("72310000", "cloud-data"),  # group 723 (data services) beats division 72
        ("72317000", "cloud-data"),
        ("72320000", "cloud-data"),
        ("72315000", "it-services"),  # category 72315 beats group 723
        ("72318000", "telecom"),
        ("72400000", "cloud-data"),
        ("72415000", "cloud-data"),  # web hosting
        ("72411000", "telecom"),  # ISP
        ("72413000", "it-services"),  # web design
        ("72212314", "ai"),  # voice recognition software development
        ("48000000", "software"),
        ("48610000", "software"),
        ("48820000", "hardware"),  # servers
        ("30200000", "hardware"),
        ("30213100", "hardware"),
        ("30233310", "surveillance-security"),  # fingerprint readers, under computer equipment
        ("64200000", "telecom"),
        ("64210000", "telecom"),
        ("32412100", "telecom"),
        ("32250000", "telecom"),
        ("32323500", "surveillance-security"),
        ("32235000", "surveillance-security"),
        ("35125000", "surveillance-security"),
        ("35125110", "surveillance-security"),
        ("35720000", "surveillance-security"),
        ("42961100", "surveillance-security"),
        ("50324000", "it-services"),
    ],
)
def test_cpv_longest_prefix(code: str, category: str) -> None:
    result = _cpv(code)
    assert (result.category, result.source) == (category, "code")


@pytest.mark.parametrize(
    "code",
    [
        "32000000",  # radio, television and telecom: the division mixes television and film
        "32354800",  # cling film, under division 32
        "32324100",  # colour televisions
        "35121500",  # seals, under surveillance and security systems: mapped to other
        "35121400",
        "35113400",  # protective clothing (35, not under 3512)
        "35100000",  # emergency and security equipment: mostly not technology
        "51314000",  # video equipment installation (other overrides 513 telecom installation)
        "48952000",  # public address systems, under software packages
        "79713000",  # guard services
        "79714000",  # surveillance services: used for guarding
        "79711000",  # alarm monitoring: used for alarms worn by the elderly
        "50324200",  # preventive maintenance, under PC support: used for any maintenance
        "50324100",
        "30234400",  # DVDs, under computer storage media: bought by libraries
        "32584000",  # "Supports d'informations": used for printed matter
        "64110000",  # postal services
        "45000000",
        "79100000",
        "15000000",
    ],
)
def test_cpv_outside_technology_is_other(code: str) -> None:
    result = _cpv(code)
    assert (result.category, result.source) == ("other", "code")
    assert result.reason.code == "taxonomy_reason_not_technology"


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("43211503", "hardware"),  # computers: family 4321
        ("43191500", "telecom"),  # communications devices: family 4319
        ("43222600", "telecom"),  # network equipment: family 4322
        ("43232104", "software"),  # family 4323
        ("43000000", "hardware"),  # the segment itself
        ("81111500", "it-services"),
        ("81111513", "cloud-data"),  # commodity beats family 8111
        ("81112003", "cloud-data"),  # class 811120 (data services)
        ("81112106", "cloud-data"),
        ("81112200", "it-services"),
        ("81162000", "cloud-data"),
        ("81161500", "it-services"),
        ("8111200301", "cloud-data"),  # with a business-function suffix
    ],
)
def test_unspsc_longest_prefix(code: str, category: str) -> None:
    assert _codes((UNSPSC, code)).category == category


@pytest.mark.parametrize("code", ["81100000", "81101500", "44120000", "46171600"])
def test_unspsc_outside_the_mapping_is_other(code: str) -> None:
    assert _codes((UNSPSC, code)).category == "other"


@pytest.mark.parametrize(
    ("scheme", "code", "expected"),
    [
        ("CPV", "72000000-5", (Scheme.CPV, "72000000")),
        ("cpv", " 72000000 - 5 ", (Scheme.CPV, "72000000")),
        ("CPV", "72000000", (Scheme.CPV, "72000000")),
        ("UNSPSC", "43211503", (Scheme.UNSPSC, "43211503")),
        ("unspsc", "4321150301", (Scheme.UNSPSC, "43211503")),
        ("CPV", "7200000", None),
        ("CPV", "72000000-55", None),
        ("CPV", "abc", None),
        ("CPV", "", None),
        ("UNSPSC", "432115", None),
        ("CPVS", "AA01", None),
        ("NAICS", "541511", None),
    ],
)
def test_normalize_code(scheme: str, code: str, expected: tuple[Scheme, str] | None) -> None:
    assert normalize_code(scheme, code) == expected


def test_candidates_main_cpv_first_each_code_once() -> None:
    found = candidates(
        [
            Classification("UNSPSC", "43211503", "Notebook computers"),
            Classification("CPV", "72000000-5", "IT services"),
            Classification("NAICS", "541511"),
        ],
        "72000000",
    )
    assert [(c.scheme, c.code) for c in found] == [
        (Scheme.CPV, "72000000"),
        (Scheme.UNSPSC, "43211503"),
    ]
    assert found[0].published_label == "IT services"


def test_the_first_category_in_priority_order_wins_between_codes() -> None:
    # A works contract whose other codes include IT services and a video-surveillance system.
    result = classify(
        [Classification(CPV, "72000000"), Classification(CPV, "32323500")], "45000000", "x", None
    )
    assert result.category == "surveillance-security"
    assert "32323500" in _en(result)


def test_between_codes_of_one_category_the_main_cpv_names_the_reason() -> None:
    result = classify([Classification(CPV, "72200000")], "72253200", None, None)
    assert _en(result).startswith("CPV 72253200 Systems support services")


def test_codes_of_other_schemes_are_ignored() -> None:
    result = _codes(("NAICS", "541511"))
    assert (result.category, result.source) == ("other", "none")


# --- text cues --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "category"),
    [
        ("Hébergement cloud des applications", "cloud-data"),
        ("HEBERGEMENT CLOUD", "cloud-data"),
        ("Cloud hosting for the ministry", "cloud-data"),
        ("Migration vers le Cloud", "cloud-data"),
        ("Solution SaaS de gestion", "cloud-data"),
        ("Hébergement de données de santé", "cloud-data"),
        ("Centre de données régional", "cloud-data"),
        ("Plateforme d'intelligence artificielle", "ai"),
        ("INTELLIGENCE ARTIFICIELLE", "ai"),
        ("Machine learning pilot", "ai"),
        ("IA générative pour les agents", "ai"),
        ("Künstliche Intelligenz für die Verwaltung", "ai"),
        ("Sztuczna inteligencja w urzędzie", "ai"),
        ("Vidéosurveillance de la commune", "surveillance-security"),
        ("Vidéoprotection urbaine", "surveillance-security"),
        ("VIDEO-PROTECTION", "surveillance-security"),
        ("Video surveillance of car parks", "surveillance-security"),
        ("Système de vidéo surveillance", "surveillance-security"),
        ("Caméras de surveillance", "surveillance-security"),
        ("CCTV maintenance", "surveillance-security"),
        ("Reconnaissance faciale", "surveillance-security"),
        ("Videovigilancia del municipio", "surveillance-security"),
        ("Videosorveglianza comunale", "surveillance-security"),
        ("Système LAPI", "surveillance-security"),
        ("Licences logicielles", "software"),
        ("Acquisition de licences logicielles bureautiques", "software"),
        ("Logiciel de gestion financière", "software"),
        ("Software licences renewal", "software"),
        ("Infogérance du système", "it-services"),
        ("Maintenance informatique", "it-services"),
        ("Audit de cybersécurité", "it-services"),
        ("IT support for schools", "it-services"),
        ("Achat d'ordinateurs portables", "hardware"),
        ("Matériel informatique", "hardware"),
        ("Téléphonie mobile", "telecom"),
        ("Déploiement de la fibre optique", "telecom"),
        ("Accès à internet", "telecom"),
        ("SERVICE DE TRANSPORT DE DONNEES ET D ACCES A INTERNET", "telecom"),
        ("FOURNITURE DES CONTROLES D ACCES", "surveillance-security"),
        # Titles of TED notices coded as technology, which earlier cues missed.
        ("CIE 7289 - Qualification System for Provision of Penetration Testing", "it-services"),
        ("Information and Communications Technology Services", "it-services"),
        ("Testeur de radiocommunication LTE pour 3.9G et 4.xG", "telecom"),
        ("Déploiement 5G", "telecom"),
        ("Erweiterung der Videoüberwachung", "surveillance-security"),
        ("Betrieb des Rechenzentrums", "cloud-data"),
        ("Servicio de alojamiento en centros de datos", "cloud-data"),
        ("Servizi di telecomunicazioni", "telecom"),
        ("Aanleg van glasvezel", "telecom"),
        ("Dostawa oprogramowania", "software"),
        ("Sistema de reconhecimento facial", "surveillance-security"),
    ],
)
def test_text_cues(title: str, category: str) -> None:
    result = _text(title)
    assert (result.category, result.source) == (category, "text"), _en(result)


@pytest.mark.parametrize(
    "title",
    [
        "Cloudy Bay wine",  # no "cloud" inside another word
        "Cloudberry jam",
        "SoundCloud",
        "Relevé nuage de points par scanner laser",
        "Lidar point cloud survey",
        "Navette vers Saas-Fee",
        "SAAS FEE hôtel",
        "Hébergement des élèves en internat",  # accommodation, not hosting
        "Hébergement hôtelier",
        "Surveillance des travaux",  # surveillance alone is not a cue
        "Surveillance de la qualité de l'eau",
        "Aanleg glasvezelnetwerk",  # a compound word: no boundary, so no cue (recall lost)
        "Télésurveillance des postes de relèvement",  # remote monitoring of pumps: no cue
        "Séquenceur très haut débit",
        "Service de navettes pour l'hippodrome de Saint-Cloud",
        "Serveur de restaurant",  # a waiter, not a server
        "Mise en conformité ERP",  # établissement recevant du public
        "Inspection académique IA-DASEN",
        "J'AI BESOIN DE FOURNITURES",
        "Logistique de l'événement",
        "Intelligence économique",
        "Fibres textiles artificielles",
        "Door hardware and fixings",
        "Printer cartridges",
        "Data",
        "",
        "   ",
    ],
)
def test_text_without_a_cue_is_other(title: str) -> None:
    result = _text(title)
    assert (result.category, result.source) == ("other", "none"), _en(result)


def test_lost_letters_still_match() -> None:
    # The DECP 2019 files lost accented letters (U+FFFD): "vid\ufffdosurveillance".
    assert _text("Syst\ufffdme de vid\ufffdosurveillance").category == "surveillance-security"
    assert _text("H\ufffdbergement des donn\ufffdes").category == "cloud-data"


def test_acronyms_keep_their_case() -> None:
    assert _text("Offre SaaS").category == "cloud-data"
    assert _text("Offre saas").category == "other"
    assert _text("Offre Lapi").category == "other"


def test_title_before_description() -> None:
    result = _text("Logiciel de paie", "hébergement dans le cloud du prestataire")
    assert (result.category, result.reason.code) == ("software", "taxonomy_reason_cue_title")
    result = _text("Marché 2024-17", "Hébergement cloud des applications")
    assert (result.category, result.reason.code) == (
        "cloud-data",
        "taxonomy_reason_cue_description",
    )


def test_a_cue_inside_a_longer_cue_does_not_count() -> None:
    result = _text("Audit de sécurité des systèmes d'information")
    assert result.category == "it-services"  # not software, for "système d'information"
    assert _text("Refonte du système d'information").category == "software"


def test_in_one_field_the_first_category_in_priority_order_wins() -> None:
    assert _text("Logiciel de vidéosurveillance").category == "surveillance-security"
    assert _text("Logiciel d'intelligence artificielle hébergé dans le cloud").category == "ai"


# --- codes and text together ------------------------------------------------------------------


def test_a_specific_cue_refines_a_broad_code() -> None:
    result = _cpv("72000000", "Plateforme d'intelligence artificielle")
    assert (result.category, result.source) == ("ai", "code+text")
    assert _en(result) == (
        "text cue 'intelligence artificielle' in title, more specific than "
        "CPV 72000000 IT services: consulting, software development, Internet and support"
    )
    assert _cpv("48000000", "Hébergement cloud").category == "cloud-data"
    assert _cpv("30200000", "Caméras de vidéosurveillance").category == "surveillance-security"
    assert _cpv("72310000", "Analyse par apprentissage automatique").category == "ai"


def test_a_broad_cue_does_not_override_a_code() -> None:
    assert _cpv("72000000", "Licences logicielles").category == "it-services"
    assert _cpv("48000000", "Maintenance informatique").category == "software"
    assert _cpv("35125000", "Hébergement cloud des images").category == "surveillance-security"
    assert _cpv("72310000", "Logiciel").category == "cloud-data"


def test_a_cue_decides_when_the_code_is_not_technology() -> None:
    result = _cpv("45000000", "Travaux d'installation de vidéoprotection")
    assert (result.category, result.source) == ("surveillance-security", "text")
    assert _en(result) == "text cue 'vidéoprotection' in title"
    assert _fr(result) == "indice textuel «\u00a0vidéoprotection\u00a0» dans le titre"


def test_cloudy_bay_under_a_food_code_is_other() -> None:
    result = _cpv("15000000", "Cloudy Bay wine")
    assert result.category == "other"
    assert _en(result) == (
        "CPV 15000000 Food, beverages, tobacco and related products: "
        "not a technology code, and no text cue"
    )


# --- reasons ----------------------------------------------------------------------------------


def test_reason_names_the_code_and_its_title_in_both_languages() -> None:
    result = _cpv("72000000")
    assert _en(result) == (
        "CPV 72000000 IT services: consulting, software development, Internet and support"
    )
    assert _fr(result) == (
        "CPV 72000000 Services de technologies de l'information, conseil, "
        "développement de logiciels, internet et appui"
    )
    under = _cpv("72253200")
    assert _en(under) == (
        "CPV 72253200 Systems support services, under CPV 72000000 IT services: consulting, "
        "software development, Internet and support"
    )
    assert _fr(under).startswith(
        "CPV 72253200 Services d'assistance relative aux systèmes, sous CPV 72000000"
    )


def test_unspsc_reason_uses_the_published_title_when_known() -> None:
    result = classify([Classification(UNSPSC, "81112003", "Data center services")], None, "", "")
    assert _en(result) == (
        "UNSPSC 81112003 Data center services, under UNSPSC 81112000 Data services"
    )
    bare = _codes((UNSPSC, "81112003"))
    assert _en(bare) == "UNSPSC 81112003, under UNSPSC 81112000 Data services"


def test_no_signal() -> None:
    result = classify((), None, None, None)
    assert (result.category, result.source) == ("other", "none")
    assert _en(result) == "no technology code and no text cue"
    assert _fr(result) == "ni code technologique ni indice textuel"


# --- applying to records ----------------------------------------------------------------------


def _record(position: str, cpv: str | None, title: str, amount: float | None = 10.0):
    return ProcurementRecord(
        source_file="f.json",
        position=position,
        line=1,
        record_id=position,
        kind="marche",
        buyer=Party("1", "SIRET", "Ville"),
        suppliers=(Party("2", "SIRET", "ACME"),),
        title=title,
        amount=amount,
        currency=None if amount is None else "EUR",
        date="2024-01-01",
        cpv=cpv,
        cpv_raw=cpv,
        procedure=None,
        content_hash=position,
    )


def test_categorize_records_fills_copies_and_leaves_the_originals() -> None:
    records = [_record("/0", "72000000", "Maintenance"), _record("/1", None, "Vidéoprotection")]
    done = categorize_records(records, Messages("fr"))
    assert [r.category for r in done] == ["it-services", "surveillance-security"]
    assert done[1].category_reason == "indice textuel «\u00a0vidéoprotection\u00a0» dans le titre"
    assert all(r.category is None and r.category_reason is None for r in records)
    assert done[0] == replace(
        records[0], category="it-services", category_reason=done[0].category_reason
    )


def test_category_totals() -> None:
    records = categorize_records(
        [
            _record("/0", "72000000", "a", 100.0),
            _record("/1", "72500000", "b", 50.5),
            _record("/2", "48000000", "c", None),
            _record("/3", "45000000", "d", 7.0),
        ],
        Messages("en"),
    )
    totals = category_totals(records, [records[0], records[0], records[2]])
    assert list(totals) == list(default_taxonomy().categories)
    assert totals["it-services"] == {
        "label": {"en": "IT services", "fr": "Services informatiques"},
        "records": 2,
        "amount": 150.5,
        "amount_by_currency": {"EUR": 150.5},
        "records_without_amount": 0,
        "findings": 2,
    }
    assert totals["software"]["records_without_amount"] == 1
    assert totals["software"]["findings"] == 1
    assert totals["other"]["records"] == 1
    assert totals["ai"]["records"] == 0
    assert sum(t["records"] for t in totals.values()) == len(records)


def test_category_totals_mixed_currencies_and_uncategorised() -> None:
    euro = replace(_record("/0", None, "x", 10.0), category="software")
    dollar = replace(_record("/1", None, "y", 5.0), category="software", currency="USD")
    raw = _record("/2", None, "z")
    totals = category_totals([euro, dollar, raw])
    assert totals["software"]["amount"] is None
    assert totals["software"]["amount_by_currency"] == {"EUR": 10.0, "USD": 5.0}
    assert totals["uncategorised"]["records"] == 1


@pytest.mark.parametrize(
    "town", ["Saint-Cloud", "SAINT CLOUD", "St-Cloud", "St. Cloud", "Saint\u2011Cloud"]
)
def test_exclusions_accept_the_same_spellings_as_cues(town: str) -> None:
    assert _text(f"Navettes pour l'hippodrome de {town}").category == "other"
    assert _text(f"Hébergement cloud, mairie de {town}").category == "cloud-data"


def test_separators_inside_a_cue_are_bounded() -> None:
    assert _text("video - surveillance").category == "surveillance-security"
    assert _text("video" + " " * 10 + "surveillance").category == "other"


def test_a_huge_text_is_classified() -> None:
    # Hostile input: a long run of near-cues ends, it does not hang (linear scan).
    text = "vidéo " * 20_000 + "video" + " " * 200_000 + "x"
    assert _text(text, text).category == "other"
    assert _text(text + " cloud").category == "cloud-data"
