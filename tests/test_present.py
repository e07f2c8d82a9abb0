"""Outputs and report: CSV contracts, formula safety, catalogues, and the offline HTML report."""

from __future__ import annotations

import csv
import dataclasses
import json
import re
import string
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from markupsafe import escape

from vigie.assess import (
    Finding,
    GroupDossier,
    GroupExposure,
    dossiers,
    exposure_by_group,
    find_supplier_matches,
)
from vigie.kb import KnowledgeBase, SourceType
from vigie.present import (
    FINDINGS_COLUMNS,
    LANGUAGES,
    REJECTED_COLUMNS,
    Messages,
    ReportContent,
    render_report,
    write_findings,
    write_json,
    write_rejected,
    write_warnings,
)
from vigie.present.i18n import catalogue_files
from vigie.present.outputs import WARNINGS_COLUMNS, safe_cell
from vigie.present.report import MAX_REJECTIONS_SHOWN, shortpath
from vigie.resolve import Matcher
from vigie.sources.codes import CODES, REJECTION_CODES, WARNING_CODES
from vigie.sources.records import Note, Party, ProcurementRecord, Rejection, Warning_

HOSTILE = "<script>alert(1)</script>"
NNBSP = "\u202f"


@pytest.fixture(scope="module")
def matcher(kb: KnowledgeBase) -> Matcher:
    return Matcher(kb)


def _record(
    position: str,
    *suppliers: str,
    amount: float | None = 51430.44,
    buyer: str = "SDIS BP",
    title: str = "Prestations de support technique ORACLE",
    source: str = "/data/decp/in.zip!marches.json",
) -> ProcurementRecord:
    return ProcurementRecord(
        source_file=source,
        position=position,
        line=1,
        record_id="2019A03000",
        kind="contract",
        buyer=Party("28060051100024", "SIRET", buyer),
        suppliers=tuple(Party("33509231800187", "SIRET", name) for name in suppliers),
        title=title,
        amount=amount,
        currency="EUR" if amount is not None else None,
        date="2019-03-18",
        cpv="30234000",
        cpv_raw="30234000-8",
        procedure="Procédure adaptée",
        content_hash="h" + position,
    )


def _summary(**changes: Any) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "records_read": 1234,
        "records_loaded": 1230,
        "records_rejected": 4,
        "findings": 2,
        "by_group": {},
        "kb_version": "kbversion123",
        "inputs": [{"path": "/data/decp/in.zip", "sha256": "ab" * 32}],
        "vigie_version": "9.9.9",
        "warnings": 3,
        "generated_at": "2026-01-01T00:00:00Z",
    }
    summary.update(changes)
    return summary


@dataclasses.dataclass
class _Screen:
    findings: list[Finding]
    exposures: list[GroupExposure]
    dossiers: list[GroupDossier]


def _screen(matcher: Matcher, kb: KnowledgeBase, records: list[ProcurementRecord]) -> _Screen:
    findings = find_supplier_matches(records, matcher)
    exposures = exposure_by_group(findings)
    return _Screen(findings, exposures, dossiers((e.group_id for e in exposures), kb))


def _render(
    kb: KnowledgeBase,
    screen: _Screen,
    lang: str,
    rejections: list[Rejection] | None = None,
    summary: dict[str, Any] | None = None,
) -> str:
    content = ReportContent(
        summary=summary or _summary(),
        exposures=screen.exposures,
        findings=screen.findings,
        dossiers=screen.dossiers,
        rejections=rejections or [],
        kb=kb,
    )
    return render_report(lang, content)


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


# --- column contracts ------------------------------------------------------------------------


def test_findings_columns() -> None:
    assert FINDINGS_COLUMNS == (
        "source_file",
        "record_id",
        "buyer_id",
        "buyer_name",
        "supplier_id",
        "supplier_name",
        "title",
        "amount",
        "currency",
        "date",
        "cpv",
        "match_kind",
        "matched_text",
        "company_id",
        "company_name",
        "group_id",
        "group_name",
        "score",
        "category",
        "category_reason",
    )


def test_rejected_and_warnings_columns() -> None:
    assert REJECTED_COLUMNS == ("source_file", "position", "reason", "excerpt")
    assert WARNINGS_COLUMNS == ("source_file", "position", "code", "message")


# --- CSV outputs ------------------------------------------------------------------------------


def test_write_findings(tmp_path: Path, matcher: Matcher) -> None:
    records = [
        _record("/marches/13", "ORACLE FRANCE"),
        _record("/marches/14", "Société Microsoft France", amount=None),
    ]
    findings = find_supplier_matches(records, matcher)
    path = tmp_path / "findings.csv"
    assert write_findings(path, findings) == 2
    rows = _read_csv(path)
    assert rows[0] == list(FINDINGS_COLUMNS)
    assert rows[1] == [
        "/data/decp/in.zip!marches.json",
        "2019A03000",
        "28060051100024",
        "SDIS BP",
        "33509231800187",
        "ORACLE FRANCE",
        "Prestations de support technique ORACLE",
        "51430.44",
        "EUR",
        "2019-03-18",
        "30234000",
        "supplier",
        "ORACLE FRANCE",
        "oracle-france",
        "Oracle France",
        "oracle",
        "Oracle Corporation",
        "1.0000",
        "",
        "",
    ]
    row = dict(zip(FINDINGS_COLUMNS, rows[2], strict=True))
    assert (row["amount"], row["currency"]) == ("", "")
    assert (row["company_id"], row["group_id"], row["score"]) == (
        "microsoft-france",
        "microsoft",
        "0.9200",
    )
    assert path.read_bytes().startswith(b"source_file,record_id,")  # UTF-8, no BOM


def test_write_findings_empty(tmp_path: Path) -> None:
    path = tmp_path / "findings.csv"
    assert write_findings(path, []) == 0
    assert _read_csv(path) == [list(FINDINGS_COLUMNS)]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+33 1 23", "'+33 1 23"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("ORACLE = FRANCE", "ORACLE = FRANCE"),  # only a leading sign is dangerous
        ("", ""),
        (None, ""),
        (51430.44, "51430.44"),
        (-12.5, "-12.50"),  # numbers are numbers
        (1e15, "1000000000000000.00"),
        ("'quoted", "'quoted"),
    ],
)
def test_safe_cell(value: object, cell: str) -> None:
    assert safe_cell(value) == cell


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@"])
def test_findings_csv_is_formula_safe(tmp_path: Path, matcher: Matcher, prefix: str) -> None:
    record = _record(
        "/marches/0",
        "ORACLE FRANCE",
        buyer=prefix + "cmd|' /C calc'!A0",
        title=prefix + "1+1",
    )
    (finding,) = find_supplier_matches([record], matcher)
    hostile = dataclasses.replace(
        finding, supplier=Party(prefix + "1", "SIRET", prefix + "ORACLE FRANCE")
    )
    path = tmp_path / "findings.csv"
    write_findings(path, [hostile])
    row = dict(zip(FINDINGS_COLUMNS, _read_csv(path)[1], strict=True))
    assert row["buyer_name"] == "'" + prefix + "cmd|' /C calc'!A0"
    assert row["title"] == "'" + prefix + "1+1"
    assert row["supplier_name"] == "'" + prefix + "ORACLE FRANCE"
    assert row["supplier_id"] == "'" + prefix + "1"
    for cell in _read_csv(path)[1]:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize(
    ("lang", "reason"),
    [
        ("fr", "doublon exact de /marches/6"),
        ("en", "exact duplicate of /marches/6"),
    ],
)
def test_write_rejected(tmp_path: Path, lang: str, reason: str) -> None:
    rejections = [
        Rejection("/in.json", "/marches/7", Note.of("duplicate", of="/marches/6"), '{"id": 1}'),
        Rejection("/in.json", "/marches/8", Note("missing_id"), "=cmd"),
    ]
    path = tmp_path / "rejected.csv"
    assert write_rejected(path, rejections, Messages(lang)) == 2
    rows = _read_csv(path)
    assert rows[0] == list(REJECTED_COLUMNS)
    assert rows[1] == ["/in.json", "/marches/7", reason, '{"id": 1}']
    assert rows[2][2] == Messages(lang)("note_missing_id")
    assert rows[2][3] == "'=cmd"


def test_write_warnings(tmp_path: Path) -> None:
    warnings = [
        Warning_("/in.json", "(file)", Note.of("lost_characters", n=13)),
        Warning_("/in.json", "/marches/1", Note.of("cpv_leading_zero", raw="9132100", fixed="1")),
    ]
    path = tmp_path / "warnings.csv"
    assert write_warnings(path, warnings, Messages("fr")) == 2
    rows = _read_csv(path)
    assert rows[0] == list(WARNINGS_COLUMNS)
    assert rows[1][:3] == ["/in.json", "(file)", "lost_characters"]
    assert rows[1][3].startswith("13 caractères étaient déjà perdus")
    assert rows[2] == [
        "/in.json",
        "/marches/1",
        "cpv_leading_zero",
        "le code CPV 9132100 a perdu son zéro initial ; lu comme 1",
    ]


def test_write_json(tmp_path: Path) -> None:
    path = tmp_path / "summary.json"
    data = {"b": 1, "a": "Société « x »", "n": None, "l": [1.5]}
    write_json(path, data)
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert "Société « x »" in text  # not \u-escaped
    assert json.loads(text) == data
    assert list(json.loads(text)) == ["b", "a", "n", "l"]


# --- catalogues -------------------------------------------------------------------------------


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _raw_keys(lang: str) -> list[str]:
    return [
        key
        for _, text in catalogue_files(lang)
        for key in re.findall(r"^([A-Za-z0-9_]+):", text, flags=re.MULTILINE)
    ]


def test_languages() -> None:
    assert LANGUAGES == ("fr", "en")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_has_no_duplicate_keys(lang: str) -> None:
    keys = _raw_keys(lang)
    assert len(keys) == len(set(keys))
    assert set(keys) == Messages(lang).keys()


def test_catalogues_have_the_same_keys() -> None:
    fr, en = Messages("fr"), Messages("en")
    assert fr.keys() - en.keys() == set()
    assert en.keys() - fr.keys() == set()


def test_catalogues_have_the_same_placeholders() -> None:
    fr, en = Messages("fr"), Messages("en")
    differing = {
        key: (_placeholders(fr(key)), _placeholders(en(key)))
        for key in sorted(fr.keys())
        if _placeholders(fr(key)) != _placeholders(en(key))
    }
    assert differing == {}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_values_are_non_empty(lang: str) -> None:
    t = Messages(lang)
    keys = sorted(t.keys())
    assert [k for k in keys if not t(k).strip()] == []


def test_every_code_has_a_message_in_both_languages() -> None:
    assert REJECTION_CODES | WARNING_CODES == CODES
    assert not REJECTION_CODES & WARNING_CODES
    for lang in LANGUAGES:
        keys = Messages(lang).keys()
        assert sorted(c for c in CODES if f"note_{c}" not in keys) == []
        # ...and no message for a code that no longer exists
        assert sorted(k for k in keys if k.startswith("note_") and k[5:] not in CODES) == []


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("code", sorted(CODES))
def test_note_is_formatted(lang: str, code: str) -> None:
    t = Messages(lang)
    names = sorted(_placeholders(t(f"note_{code}")))
    params = {name: f"<{name.upper()}-7>" for name in names}
    text = t.note(Note.of(code, **params))
    assert "{" not in text
    assert "}" not in text
    for value in params.values():
        assert value in text
    if not names:
        assert text == t(f"note_{code}")


def test_note_examples() -> None:
    note = Note.of("amount_out_of_range", value="1e99")
    assert Messages("fr").note(note) == "montant hors limites : 1e99"
    assert Messages("en").note(note) == "amount out of range: 1e99"
    assert Messages("fr").note(Note("no_amount")) == "pas de montant"


def test_note_with_a_missing_parameter_raises() -> None:
    with pytest.raises(KeyError):
        Messages("en").note(Note.of("broken_json", detail="x"))  # no {line}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_source_type_and_rule_has_a_label(lang: str) -> None:
    keys = Messages(lang).keys()
    assert {f"type_{t.value}" for t in SourceType} <= keys
    assert {"rule_exact", "rule_qualified", "rule_fuzzy"} <= keys


def test_unknown_language_and_key() -> None:
    with pytest.raises(ValueError, match="unsupported language 'de'"):
        Messages("de")
    with pytest.raises(KeyError):
        Messages("fr")("no_such_key")


def test_message_formatting() -> None:
    assert Messages("fr")("more_rejected", n=5) == "5 lignes de plus dans rejected.csv."
    assert Messages("en")("cli_report", path="/r.html") == "Report: /r.html"
    assert Messages("fr")("cli_report", path="/r.html") == "Rapport : /r.html"


@pytest.mark.parametrize(
    ("value", "decimals", "fr", "en"),
    [
        (1234567.891, 2, f"1{NNBSP}234{NNBSP}567,89", "1,234,567.89"),
        (51430.44, 2, f"51{NNBSP}430,44", "51,430.44"),
        (1234, 0, f"1{NNBSP}234", "1,234"),
        (999, 0, "999", "999"),
        (0, 2, "0,00", "0.00"),
        (-1234.5, 2, f"-1{NNBSP}234,50", "-1,234.50"),
        (0.5, 1, "0,5", "0.5"),
        (None, 2, "–", "–"),
    ],
)
def test_number_formatting(value: float | None, decimals: int, fr: str, en: str) -> None:
    assert Messages("fr").number(value, decimals) == fr
    assert Messages("en").number(value, decimals) == en


# --- the HTML report --------------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


@pytest.fixture(scope="module")
def oracle_screen(matcher: Matcher, kb: KnowledgeBase) -> _Screen:
    return _screen(
        matcher,
        kb,
        [
            _record("/marches/13", "ORACLE FRANCE"),
            _record("/marches/20", "Société Microsoft France", amount=1000.0),
        ],
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_report_language(kb: KnowledgeBase, oracle_screen: _Screen, lang: str) -> None:
    html = _render(kb, oracle_screen, lang)
    assert html.startswith("<!DOCTYPE html>\n")
    assert f'<html lang="{lang}">' in html
    t = Messages(lang)
    assert f"<title>{escape(t('report_title'))}</title>" in html
    assert str(escape(t("disclaimer"))) in html
    assert str(escape(t("method_text"))) in html
    assert html.rstrip().endswith("</html>")


def test_report_in_french_and_english_differ(kb: KnowledgeBase, oracle_screen: _Screen) -> None:
    fr = _render(kb, oracle_screen, "fr")
    en = _render(kb, oracle_screen, "en")
    assert "Rapport de criblage vigie" in fr
    assert "Rapport de criblage vigie" not in en
    assert "vigie screening report" in en


@pytest.mark.parametrize("lang", LANGUAGES)
def test_report_has_no_external_resources(
    kb: KnowledgeBase, oracle_screen: _Screen, lang: str
) -> None:
    html = _render(kb, oracle_screen, lang)
    resource_tags = {"link", "script", "img", "iframe", "embed", "object", "source", "audio"}
    resource_tags |= {"video", "track", "frame", "input", "image", "use", "base", "meta"}
    for tag, attrs in _tags(html):
        if tag in resource_tags:
            for name in ("src", "href", "srcset", "data", "content", "xlink:href"):
                value = attrs.get(name) or ""
                assert "http" not in value.lower(), (tag, name, value)
                assert not value.startswith("//"), (tag, name, value)
    assert "<script" not in html.lower()
    assert "<link" not in html.lower()
    assert "@import" not in html
    assert "url(" not in html
    # External links to the sources are plain links the reader may follow.
    links = [a["href"] for tag, a in _tags(html) if tag == "a" and a.get("href")]
    assert any(str(h).startswith("https://") for h in links)
    assert all(str(h).startswith(("https://", "http://", "#")) for h in links)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_report_escapes_hostile_text(kb: KnowledgeBase, matcher: Matcher, lang: str) -> None:
    record = _record(
        "/marches/0",
        "ORACLE FRANCE",
        buyer=HOSTILE,
        title='"><img src=x onerror=alert(2)>',
        source="/data/<svg onload=alert(3)>.json",
    )
    (finding,) = find_supplier_matches([record], matcher)
    hostile = dataclasses.replace(finding, supplier=Party('" onmouseover="x', "SIRET", HOSTILE))
    screen = _Screen([hostile], exposure_by_group([hostile]), dossiers(["oracle"], kb))
    rejections = [
        Rejection(
            "/data/<b>x</b>.json",
            "/marches/<i>1</i>",
            Note.of("not_decp", detail="<iframe src=//evil>"),
        )
    ]
    summary = _summary(inputs=[{"path": "/data/<svg onload=x>.json", "sha256": "<u>"}])
    html = _render(kb, screen, lang, rejections, summary)
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;svg onload=alert(3)&gt;.json" in html
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "<iframe" not in html
    assert "&lt;iframe src=//evil&gt;" in html
    assert "<svg onload" not in html
    assert "&lt;svg onload=x&gt;.json" in html
    assert "<b>x</b>" not in html
    assert "<i>1</i>" not in html
    assert 'onmouseover="x' not in html
    assert "<script" not in html.lower()
    assert [tag for tag, _ in _tags(html) if tag in ("script", "img", "iframe")] == []


def test_report_escapes_a_hostile_name_that_matches(kb: KnowledgeBase, matcher: Matcher) -> None:
    name = "Microsoft Ireland Operations <b>"
    screen = _screen(matcher, kb, [_record("/marches/0", name)])
    assert [f.match.company_id for f in screen.findings] == ["microsoft-ireland-operations"]
    html = _render(kb, screen, "en")
    assert "Microsoft Ireland Operations &lt;b&gt;" in html
    assert "<b>" not in html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_report_shows_attributed_evidence_for_a_matched_group(
    kb: KnowledgeBase, oracle_screen: _Screen, lang: str
) -> None:
    html = _render(kb, oracle_screen, lang)
    t = Messages(lang)
    assert '<h3 id="group-oracle">Oracle Corporation</h3>' in html
    assert '<a href="#group-oracle">Oracle Corporation</a>' in html
    item = kb.evidence["bds-2025-geneva-call"]
    source = kb.sources["bds-2025-07-geneva-call"]
    assert str(escape(item.claim.get(lang))) in html
    other = "en" if lang == "fr" else "fr"
    assert str(escape(item.claim.get(other))) not in html
    assert f"{escape(t('reported_by'))} {escape(source.publisher)}</strong>" in html
    assert f"({escape(t('type_advocacy'))}, 2025-07)" in html
    assert f"<cite>{escape(source.title)}</cite>" in html
    assert source.note is not None
    assert str(escape(source.note.get(lang))) in html
    assert str(escape(t("no_response"))) in html
    # The category and the context, in the report's language.
    for category in item.categories:
        assert str(escape(kb.categories[category].label.get(lang))) in html
    context = kb.contexts["israel-opt"]
    assert str(escape(context.name.get(lang))) in html
    for determination in context.determinations:
        assert str(escape(determination.summary.get(lang))) in html


def test_report_shows_the_companys_response(kb: KnowledgeBase, oracle_screen: _Screen) -> None:
    html = _render(kb, oracle_screen, "en")
    response = kb.responses["microsoft-2025-09-cease-imod-subscriptions"]
    assert str(escape(response.summary.en)) in html
    assert "<strong>Company response</strong> (Microsoft Corporation, 2025-09-25)" in html
    guardian = kb.evidence["guardian-2025-unit-8200-azure"]
    # The response follows the claim it answers.
    assert html.index(str(escape(guardian.claim.en))) < html.index(str(escape(response.summary.en)))


def test_report_evidence_order_most_recent_first(kb: KnowledgeBase, oracle_screen: _Screen) -> None:
    html = _render(kb, oracle_screen, "en")
    section = html[html.index('<h3 id="group-microsoft">') :]
    ids = [
        "guardian-2025-unit-8200-azure",
        "bds-2025-geneva-call",
        "unsr-2025-economy-of-genocide",
        "ap-2025-ai-models-in-war",
    ]
    positions = [section.index(str(escape(kb.evidence[i].claim.en))) for i in ids]
    assert positions == sorted(positions)


def test_report_numbers_in_french(kb: KnowledgeBase, oracle_screen: _Screen) -> None:
    fr = _render(kb, oracle_screen, "fr")
    en = _render(kb, oracle_screen, "en")
    assert f"51{NNBSP}430,44 EUR" in fr
    assert "51,430.44 EUR" in en
    assert f'<span class="n">1{NNBSP}234</span>' in fr
    assert '<span class="n">1,234</span>' in en


def test_report_findings_table(kb: KnowledgeBase, oracle_screen: _Screen) -> None:
    html = _render(kb, oracle_screen, "fr")
    assert "ORACLE FRANCE" in html
    assert "Oracle France<br>" in html
    assert '<span class="tag">alias exact</span>' in html
    assert '<span class="tag">alias avec qualificatifs</span>' in html
    assert "in.zip!marches.json /marches/13" in html  # directories are not shown
    assert "/data/decp/in.zip!marches.json" not in html
    # The explanation is available on the score cell.
    assert 'title="alias &#39;Oracle France&#39; of oracle-france: name_similarity' in html


def test_report_reconciliation(kb: KnowledgeBase, oracle_screen: _Screen) -> None:
    ok = _render(kb, oracle_screen, "en")
    assert str(escape(Messages("en")("reconciled"))) in ok
    bad = _render(kb, oracle_screen, "en", summary=_summary(records_rejected=5))
    assert Messages("en")("not_reconciled") in bad
    assert str(escape(Messages("en")("reconciled"))) not in bad


@pytest.mark.parametrize("lang", LANGUAGES)
def test_report_without_findings(kb: KnowledgeBase, lang: str) -> None:
    html = _render(kb, _Screen([], [], []), lang, summary=_summary(findings=0))
    assert str(escape(Messages(lang)("no_findings"))) in html
    assert "<svg" not in html
    assert 'id="evidence"' not in html


def test_report_lists_rejections_up_to_the_limit(kb: KnowledgeBase) -> None:
    extra = 7
    rejections = [
        Rejection("/d/in.json", f"/marches/{i}", Note("missing_id"))
        for i in range(MAX_REJECTIONS_SHOWN + extra)
    ]
    html = _render(kb, _Screen([], [], []), "fr", rejections)
    assert html.count("identifiant d&#39;enregistrement manquant (id)") == MAX_REJECTIONS_SHOWN
    assert f">/marches/{MAX_REJECTIONS_SHOWN - 1}<" in html
    assert f">/marches/{MAX_REJECTIONS_SHOWN}<" not in html
    assert f"{extra} lignes de plus dans rejected.csv." in html


def test_report_rejection_reasons_are_translated(kb: KnowledgeBase) -> None:
    rejections = [Rejection("/d/in.json", "/marches/7", Note.of("duplicate", of="/marches/6"))]
    fr = _render(kb, _Screen([], [], []), "fr", rejections)
    en = _render(kb, _Screen([], [], []), "en", rejections)
    assert "doublon exact de /marches/6" in fr
    assert "exact duplicate of /marches/6" in en
    assert "plus dans rejected.csv" not in fr


def test_report_reproducibility(kb: KnowledgeBase, oracle_screen: _Screen) -> None:
    html = _render(kb, oracle_screen, "en")
    assert '<td class="mono">kbversion123</td>' in html
    assert '<meta name="generator" content="vigie 9.9.9">' in html
    assert "/data/decp/in.zip<br>SHA-256 " + "ab" * 32 in html


@pytest.mark.parametrize(
    ("label", "short"),
    [
        ("/a/b/f.zip!m.json", "f.zip!m.json"),
        ("/a/b/f.json", "f.json"),
        ("f.json", "f.json"),
        ("/a/b/f.zip!dir/m.json", "f.zip!dir/m.json"),
        ("C:/data/f.zip!m!n.json", "f.zip!m!n.json"),
    ],
)
def test_shortpath(label: str, short: str) -> None:
    assert shortpath(label) == short


def test_locale_files_are_plain_string_maps() -> None:
    for lang in LANGUAGES:
        assert catalogue_files(lang)
        for _, text in catalogue_files(lang):
            data = yaml.safe_load(text)
            assert isinstance(data, dict)
            assert all(isinstance(k, str) and isinstance(v, str) for k, v in data.items())


def test_both_languages_have_the_same_files() -> None:
    assert [n for n, _ in catalogue_files("en")] == [n for n, _ in catalogue_files("fr")]
