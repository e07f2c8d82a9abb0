"""Reader for EU TED notices in the XML schema R2.0.9 (``TED_EXPORT``), plain or zipped.

The unit is the award: each ``AWARD_CONTRACT`` of the notice's original-language form is one
record, or one rejection when no contract was awarded for it. A notice with no award at all
(contract notices, prior information, corrigenda...) is one rejection, as is a contract
modification notice (F20), whose award is already counted by its award notice. See
docs/inputs-ted.md.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from vigie.sources import fieldvalues as fv
from vigie.sources.files import Limits, MemberError, sha256_file
from vigie.sources.notice_files import iter_notice_members
from vigie.sources.records import (
    Classification,
    Note,
    Party,
    ProcurementRecord,
    ReadResult,
    Rejection,
    Warning_,
    path_label,
)
from vigie.sources.xmlsafe import (
    XmlRefused,
    canonical_bytes,
    local,
    parse_xml_repairing,
    sniff_root,
    text_of,
    xpath_of,
)

FORMAT = "ted-r2.0.9"
# "http://publications.europa.eu/resource/schema/ted/R2.0.9/publication", and in 2018 exports
# the relative "ted/R2.0.9.S02/publication".
NAMESPACE = re.compile(r"(?:^|/)ted/R2\.0\.\d+(?:\.S\d+)?/publication$", re.ASCII)
CONCESSION_DIRECTIVE = "32014L0023"
_FORM_2014 = re.compile(r"^F\d\d_2014$", re.ASCII)
Find = Callable[[etree._Element | None, str], etree._Element | None]


def sniff(head: bytes, name: str) -> bool:
    """Whether the first bytes of a file look like a TED R2.0.x XML export."""
    text = sniff_root(head)
    return "<TED_EXPORT" in text and re.search(r"ted/R2\.0\.\d", text) is not None


def read_ted(
    path: Path, label: str | None = None, limits: Limits | None = None, *, sha256: str | None = None
) -> ReadResult:
    """Read a TED R2.0.9 XML notice (or a zip of notices) into records and rejections."""
    limits = limits or Limits()
    label = label or path_label(path)
    result = ReadResult(label, sha256 or sha256_file(path), path.stat().st_size, FORMAT)
    for member in iter_notice_members(path, label, limits):
        if isinstance(member, MemberError):
            result.rejections.append(Rejection(member.label, "(file)", member.note))
        else:
            read_notice(member.label, member.data, limits, result)
    return result


@dataclass(frozen=True, slots=True)
class _Notice:
    """What every award of one notice shares."""

    label: str
    ns: str
    doc_id: str
    form: etree._Element
    buyer: Party
    kind: str
    procedure: str | None
    notice_date: str | None
    cpv_labels: dict[str, str]
    buyer_notes: tuple[Note, ...] = ()
    lots: dict[str, etree._Element] = field(default_factory=dict)
    single_lot: etree._Element | None = None
    summary: tuple[str | None, str | None, str | None] = (None, None, None)
    """Title, short description and raw main CPV code of the whole procurement."""

    def q(self, path: str) -> str:
        """An ElementPath in the notice's namespace (``A/B`` -> ``{ns}A/{ns}B``)."""
        return "/".join(f"{{{self.ns}}}{step}" for step in path.split("/"))

    def find(self, element: etree._Element | None, path: str) -> etree._Element | None:
        """The first element at ``path`` under ``element`` (None-safe)."""
        return None if element is None else element.find(self.q(path))

    def text(self, element: etree._Element | None, path: str) -> str | None:
        """The collapsed text at ``path`` under ``element``."""
        return text_of(self.find(element, path))


def read_notice(label: str, data: bytes, limits: Limits, result: ReadResult) -> None:
    """Read one notice document (bytes) into ``result``."""
    try:
        root, repaired = parse_xml_repairing(data, limits.max_member_bytes)
    except XmlRefused as exc:
        result.rejections.append(Rejection(label, "(file)", exc.note))
        return
    if repaired:
        result.warnings.append(Warning_(label, "(file)", Note.of("not_utf8", n=repaired)))
    ns = etree.QName(root).namespace or ""
    if local(root) != "TED_EXPORT" or not NAMESPACE.search(ns):
        wrong = Note.of("ted_not_ted", root=local(root)[:60])
        result.rejections.append(Rejection(label, xpath_of(root), wrong))
        return
    form = _original_form(label, root, ns, result)
    if form is None:
        return
    awards = form.findall(f"{{{ns}}}AWARD_CONTRACT")
    note = _not_readable(root, ns, form, awards)
    if note is not None:
        result.rejections.append(Rejection(label, xpath_of(form), note))
        return
    notice = _notice(label, root, ns, form)
    base = f"{xpath_of(form)}/AWARD_CONTRACT"
    for index, award in enumerate(awards, start=1):
        position = f"{base}[{index}]" if len(awards) > 1 else base
        _read_award(notice, award, index, position, result)


def _original_form(
    label: str, root: etree._Element, ns: str, result: ReadResult
) -> etree._Element | None:
    """The form in the notice's original language (translations repeat it)."""
    section = root.find(f"{{{ns}}}FORM_SECTION")
    forms = [] if section is None else [child for child in section if isinstance(child.tag, str)]
    if not forms:
        result.rejections.append(Rejection(label, xpath_of(root), Note.of("ted_no_form")))
        return None
    for form in forms:
        if form.get("CATEGORY") == "ORIGINAL":
            return form
    original = text_of(root.find(f"{{{ns}}}CODED_DATA_SECTION/{{{ns}}}NOTICE_DATA/{{{ns}}}LG_ORIG"))
    chosen = next((f for f in forms if original and f.get("LG") == original), forms[0])
    note = Note.of("ted_translation_only", lang=chosen.get("LG") or "?")
    result.warnings.append(Warning_(label, xpath_of(chosen), note))
    return chosen


def _not_readable(
    root: etree._Element, ns: str, form: etree._Element, awards: list[etree._Element]
) -> Note | None:
    """Why a notice holds nothing to load as awards, or None when it does."""
    name = local(form)
    code = form.get("FORM") or name.split("_")[0]
    if not _FORM_2014.match(name):
        return Note.of("ted_unsupported_form", form=name[:40])
    if code == "F20":
        return Note.of("ted_modification", form=code)
    if not awards:
        path = f"{{{ns}}}CODED_DATA_SECTION/{{{ns}}}CODIF_DATA/{{{ns}}}TD_DOCUMENT_TYPE"
        kind = text_of(root.find(path)) or "?"
        return Note.of("ted_not_award", form=code, kind=kind[:80])
    return None


def _notice(label: str, root: etree._Element, ns: str, form: etree._Element) -> _Notice:
    bare = _Notice(label, ns, "", form, Party(None, None, None), "contract", None, None, {})
    doc_id = root.get("DOC_ID") or bare.text(root, "CODED_DATA_SECTION/NOTICE_DATA/NO_DOC_OJS")
    labels = {
        code: text_of(item) or ""
        for item in root.iterfind(bare.q("CODED_DATA_SECTION/NOTICE_DATA/ORIGINAL_CPV"))
        if (code := (item.get("CODE") or "").strip())
    }
    legal = bare.find(form, "LEGAL_BASIS")
    concession = form.get("FORM") == "F25" or (
        legal is not None and legal.get("VALUE") == CONCESSION_DIRECTIVE
    )
    dispatch = bare.text(form, "COMPLEMENTARY_INFO/DATE_DISPATCH_NOTICE")
    lots, single_lot = _lots(bare, form)
    obj = bare.find(form, "OBJECT_CONTRACT")
    main = bare.find(obj, "CPV_MAIN/CPV_CODE")
    main_raw = None if main is None else (main.get("CODE") or "").strip() or None
    summary = (bare.text(obj, "TITLE"), bare.text(obj, "SHORT_DESCR"), main_raw)
    buyer_notes: list[Note] = []
    buyer = _party(bare, bare.find(form, "CONTRACTING_BODY/ADDRESS_CONTRACTING_BODY"), buyer_notes)
    return _Notice(
        label=label,
        ns=ns,
        doc_id=doc_id or label,
        form=form,
        buyer=buyer,
        kind="concession" if concession else "contract",
        procedure=_procedure(bare, form),
        notice_date=dispatch,
        cpv_labels={k: v for k, v in labels.items() if v},
        buyer_notes=tuple(buyer_notes),
        lots=lots,
        single_lot=single_lot,
        summary=summary,
    )


def _procedure(notice: _Notice, form: etree._Element) -> str | None:
    """The procedure type from the ``PT_*`` element (``PT_OPEN`` -> ``open``)."""
    procedure = notice.find(form, "PROCEDURE")
    if procedure is None:
        return None
    for element in procedure.iter(etree.Element):
        name = local(element)
        if name.startswith("PT_"):
            return name[3:].lower()
    return None


def _party(notice: _Notice, address: etree._Element | None, notes: list[Note]) -> Party:
    if address is None:
        return Party(None, None, None)
    country_element = notice.find(address, "COUNTRY")
    country = None if country_element is None else country_element.get("VALUE")
    return Party(
        id=notice.text(address, "NATIONALID"),
        scheme=None,
        name=notice.text(address, "OFFICIALNAME"),
        country=fv.country(country, notes),
    )


def _read_award(
    notice: _Notice, award: etree._Element, index: int, position: str, result: ReadResult
) -> None:
    awarded = notice.find(award, "AWARDED_CONTRACT")
    if awarded is None:
        missing = notice.find(award, "NO_AWARDED_CONTRACT")
        reasons = [] if missing is None else [local(e) for e in missing.iter(etree.Element)]
        reason = reasons[1].lower() if len(reasons) > 1 else "?"
        note = Note.of("ted_not_awarded", reason=reason)
        excerpt = notice.text(award, "TITLE") or ""
        result.rejections.append(Rejection(notice.label, position, note, excerpt[:300]))
        return
    notes: list[Note] = []
    record = _record(notice, award, awarded, (index, position), notes)
    result.records.append(record)
    result.warnings.extend(Warning_(notice.label, position, note) for note in notes)


def _record(
    notice: _Notice,
    award: etree._Element,
    awarded: etree._Element,
    place: tuple[int, str],
    notes: list[Note],
) -> ProcurementRecord:
    index, position = place
    notes.extend(notice.buyer_notes)
    if notice.buyer.name is None and notice.buyer.id is None:
        notes.append(Note.of("xml_no_buyer"))
    suppliers = tuple(
        _party(notice, notice.find(contractor, "ADDRESS_CONTRACTOR"), notes)
        for contractor in awarded.iter(notice.q("CONTRACTOR"))
    )
    if not suppliers:
        notes.append(Note.of("xml_no_contractor"))
    lot = _lot(notice, award)
    amount, currency = _value(notice, awarded, notes)
    date, date_time = _date(notice, awarded, notes)
    main_raw, classifications = _classifications(notice, lot, notes)
    digest = hashlib.sha256(notice.doc_id.encode() + b"\0" + canonical_bytes(award))
    title, description, _ = notice.summary
    return ProcurementRecord(
        source_file=notice.label,
        position=position,
        line=award.sourceline or 0,
        record_id=f"{notice.doc_id}/{award.get('ITEM') or index}",
        kind=notice.kind,
        buyer=notice.buyer,
        suppliers=suppliers,
        title=notice.text(award, "TITLE") or notice.text(lot, "TITLE") or title,
        amount=amount,
        currency=currency,
        date=date,
        cpv=fv.cpv(main_raw, []),  # already noted when reading the classifications
        cpv_raw=main_raw,
        procedure=notice.procedure,
        content_hash=digest.hexdigest(),
        description=notice.text(lot, "SHORT_DESCR") or description,
        classifications=classifications,
        date_time=date_time,
    )


def _lot(notice: _Notice, award: etree._Element) -> etree._Element | None:
    """The lot (``OBJECT_DESCR``) an award is for: same ``LOT_NO``, or the only one."""
    number = notice.text(award, "LOT_NO")
    if number is not None:
        return notice.lots.get(number)
    return notice.single_lot


def _lots(
    notice: _Notice, form: etree._Element
) -> tuple[dict[str, etree._Element], etree._Element | None]:
    """The lots of a form by their number, and the lot when there is only one."""
    found = form.findall(notice.q("OBJECT_CONTRACT/OBJECT_DESCR"))
    by_number: dict[str, etree._Element] = {}
    for lot in found:
        number = notice.text(lot, "LOT_NO")
        if number is not None:
            by_number.setdefault(number, lot)
    return by_number, (found[0] if len(found) == 1 else None)


def _value(
    notice: _Notice, awarded: etree._Element, notes: list[Note]
) -> tuple[float | None, str | None]:
    total = notice.find(awarded, "VALUES/VAL_TOTAL")
    if total is None:
        total = notice.find(awarded, "VAL_TOTAL")
    if total is None:
        span = notice.find(awarded, "VALUES/VAL_RANGE_TOTAL")
        if span is not None:
            low, high = notice.text(span, "LOW"), notice.text(span, "HIGH")
            unit = span.get("CURRENCY") or "?"
            notes.append(Note.of("xml_value_range", low=low, high=high, currency=unit))
        else:
            notes.append(Note.of("no_amount"))
        return None, None
    amount = fv.amount(text_of(total), notes)
    if amount is None:
        return None, None
    currency = fv.currency(total.get("CURRENCY"), notes)
    return (amount, currency) if currency else (None, None)


def _date(
    notice: _Notice, awarded: etree._Element, notes: list[Note]
) -> tuple[str | None, str | None]:
    raw = notice.text(awarded, "DATE_CONCLUSION_CONTRACT")
    date, date_time = fv.iso_date(raw, "DATE_CONCLUSION_CONTRACT", notes)
    if date is None and raw is None:
        date, date_time = fv.iso_date(notice.notice_date, "DATE_DISPATCH_NOTICE", notes)
        if date is not None:
            notes.append(Note.of("xml_date_from_notice", date=date))
        else:
            notes.append(Note.of("no_date", field="DATE_CONCLUSION_CONTRACT"))
    return date, date_time


def _classifications(
    notice: _Notice, lot: etree._Element | None, notes: list[Note]
) -> tuple[str | None, tuple[Classification, ...]]:
    """The raw main CPV code and every CPV code (main first) of the award's lot."""
    main_raw = notice.summary[2]
    codes = [main_raw] if main_raw else []
    if lot is not None:
        for element in lot.iterfind(notice.q("CPV_MAIN/CPV_CODE")):
            codes.append(element.get("CODE") or "")
        for element in lot.iterfind(notice.q("CPV_ADDITIONAL/CPV_CODE")):
            codes.append(element.get("CODE") or "")
    return main_raw, fv.cpv_classifications(codes, notice.cpv_labels, notes)
