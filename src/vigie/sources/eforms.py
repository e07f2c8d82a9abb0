"""Reader for EU eForms UBL contract award notices (``ContractAwardNotice``), plain or zipped.

The unit is the lot result (``efac:LotResult``): each contract it settles
(``efac:SettledContract``) is one record, with the winning tenders of that lot under that
contract; a result with winning tenders but no contract is one record; a result without a
winner is one rejection. Other eForms notices (contract notices, prior information, design
contest results, modifications) are one rejection each. See docs/inputs-ted.md.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from vigie.sources import fieldvalues as fv
from vigie.sources.eforms_parts import (
    NS,
    Notice,
    Tender,
    find_text,
    not_award_reason,
    notice_of,
)
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
    xpath_of,
)

FORMAT = "eforms-ubl"
WINNER_CHOSEN = "selec-w"
UBL_PREFIX = "urn:oasis:names:specification:ubl:schema:xsd:"
EFORMS_ROOTS = ("ContractAwardNotice", "ContractNotice", "PriorInformationNotice")


def sniff(head: bytes, name: str) -> bool:
    """Whether the first bytes of a file look like an eForms UBL notice (of any type)."""
    text = sniff_root(head)
    return UBL_PREFIX in text and any(f"<{root}" in text for root in EFORMS_ROOTS)


def read_eforms(
    path: Path, label: str | None = None, limits: Limits | None = None, *, sha256: str | None = None
) -> ReadResult:
    """Read an eForms UBL notice (or a zip of notices) into records and rejections."""
    limits = limits or Limits()
    label = label or path_label(path)
    result = ReadResult(label, sha256 or sha256_file(path), path.stat().st_size, FORMAT)
    for member in iter_notice_members(path, label, limits):
        if isinstance(member, MemberError):
            result.rejections.append(Rejection(member.label, "(file)", member.note))
        else:
            read_notice(member.label, member.data, limits, result)
    return result


def read_notice(label: str, data: bytes, limits: Limits, result: ReadResult) -> None:
    """Read one eForms notice document (bytes) into ``result``."""
    try:
        root, repaired = parse_xml_repairing(data, limits.max_member_bytes)
    except XmlRefused as exc:
        result.rejections.append(Rejection(label, "(file)", exc.note))
        return
    if repaired:
        result.warnings.append(Warning_(label, "(file)", Note.of("not_utf8", n=repaired)))
    namespace = etree.QName(root).namespace or ""
    if not namespace.startswith(UBL_PREFIX) or local(root) not in EFORMS_ROOTS:
        note = Note.of("eforms_not_eforms", root=local(root)[:60])
        result.rejections.append(Rejection(label, xpath_of(root), note))
        return
    reason = not_award_reason(root)
    if reason is not None:
        result.rejections.append(Rejection(label, xpath_of(root), reason))
        return
    notice = notice_of(label, root)
    counted: dict[str, str] = {}
    for notice_result in root.iterfind(".//efac:NoticeResult", NS):
        lot_results = notice_result.findall("efac:LotResult", NS)
        base = f"{xpath_of(notice_result)}/efac:LotResult"
        for index, lot_result in enumerate(lot_results, start=1):
            position = f"{base}[{index}]" if len(lot_results) > 1 else base
            _read_lot_result(notice, (lot_result, position), counted, result)


@dataclass(frozen=True, slots=True)
class _Unit:
    """One contract (or the winning tenders without a contract) of one lot result."""

    lot_result: etree._Element
    anchor: etree._Element
    position: str
    contract: etree._Element | None
    tenders: tuple[Tender, ...]


def _read_lot_result(
    notice: Notice,
    located: tuple[etree._Element, str],
    counted: dict[str, str],
    result: ReadResult,
) -> None:
    """Read one lot result (and its XPath); ``counted`` maps tenders already valued."""
    lot_result, position = located
    code = find_text(lot_result, "cbc:TenderResultCode") or "?"
    tender_ids = [
        text for e in lot_result.iterfind("efac:LotTender/cbc:ID", NS) if (text := e.text)
    ]
    if code != WINNER_CHOSEN or not tender_ids:
        note = Note.of("eforms_not_awarded", result=code[:40])
        result.rejections.append(Rejection(notice.label, position, note))
        return
    own = {t: notice.tenders[t] for t in tender_ids if t in notice.tenders}
    refs = lot_result.findall("efac:SettledContract", NS)
    units: list[_Unit] = []
    for index, ref in enumerate(refs, start=1):
        contract = notice.contracts.get(find_text(ref, "cbc:ID") or "")
        where = f"{position}/efac:SettledContract" + (f"[{index}]" if len(refs) > 1 else "")
        units.append(_Unit(lot_result, ref, where, contract, _contract_tenders(contract, own)))
    if not units:
        units.append(_Unit(lot_result, lot_result, position, None, tuple(own.values())))
    base = hashlib.sha256(notice.notice_id.encode() + b"\0" + canonical_bytes(lot_result))
    for unit in units:
        notes: list[Note] = []
        record = _record(notice, unit, (counted, base.copy()), notes)
        result.records.append(record)
        result.warnings.extend(Warning_(notice.label, record.position, n) for n in notes)


def _contract_tenders(
    contract: etree._Element | None, own: dict[str, Tender]
) -> tuple[Tender, ...]:
    """The lot result's winning tenders that the contract refers to (all if it names none)."""
    if contract is None:
        return tuple(own.values())
    ids = [e.text for e in contract.iterfind("efac:LotTender/cbc:ID", NS) if e.text]
    if not ids:
        return tuple(own.values())
    return tuple(own[i] for i in dict.fromkeys(ids) if i in own)


def _record(
    notice: Notice, unit: _Unit, state: tuple[dict[str, str], Any], notes: list[Note]
) -> ProcurementRecord:
    """The record of a unit; ``state`` holds the tenders already valued and a hash to extend."""
    counted, digest = state
    lot_id = find_text(unit.lot_result, "efac:TenderLot/cbc:ID")
    lot = notice.lots.get(lot_id or "")
    notes.extend(notice.buyer_notes)
    if notice.buyer.name is None and notice.buyer.id is None:
        notes.append(Note.of("xml_no_buyer"))
    suppliers = _suppliers(notice, unit.tenders, notes)
    result_id = find_text(unit.lot_result, "cbc:ID") or "?"
    contract_id = None if unit.contract is None else find_text(unit.contract, "cbc:ID")
    record_id = "/".join(p for p in (notice.notice_id, result_id, contract_id) if p)
    amount, currency = _value(unit, _uncounted(unit, record_id, counted, notes), notes)
    date, date_time = _date(notice, unit.contract, notes)
    main_raw, classifications = _classifications(notice, lot, notes)
    contract_title = notice.pick(unit.contract, "cbc:Title")
    digest.update(b"\0" + (contract_id or "").encode())
    return ProcurementRecord(
        source_file=notice.label,
        position=unit.position,
        line=unit.anchor.sourceline or 0,
        record_id=record_id,
        kind=notice.kind,
        buyer=notice.buyer,
        suppliers=suppliers,
        title=notice.pick(lot, "cac:ProcurementProject/cbc:Name")
        or contract_title
        or notice.pick(notice.project, "cbc:Name"),
        amount=amount,
        currency=currency,
        date=date,
        cpv=fv.cpv(main_raw, []),  # already noted when reading the classifications
        cpv_raw=main_raw,
        procedure=notice.procedure,
        content_hash=digest.hexdigest(),
        description=notice.pick(lot, "cac:ProcurementProject/cbc:Description")
        or notice.pick(notice.project, "cbc:Description"),
        classifications=classifications,
        date_time=date_time,
    )


def _suppliers(notice: Notice, tenders: tuple[Tender, ...], notes: list[Note]) -> tuple[Party, ...]:
    parties: dict[str, Party] = {}
    for tender in tenders:
        for org_id in notice.tenderers.get(tender.party_id or "", ()):
            party = notice.organisations.get(org_id)
            if party is None:
                notes.append(Note.of("eforms_unknown_org", id=org_id[:40]))
            elif org_id not in parties:
                parties[org_id] = party
                notes.extend(notice.org_notes.get(org_id, ()))
    if not parties:
        notes.append(Note.of("xml_no_contractor"))
    return tuple(parties.values())


def _uncounted(
    unit: _Unit, record_id: str, counted: dict[str, str], notes: list[Note]
) -> list[Tender]:
    """The unit's tenders whose value is not yet in an earlier record of the notice.

    A tender that wins several lots under one contract is referred to by each lot result;
    its value is kept once, in the first record, so that it is not added up several times.
    """
    fresh: list[Tender] = []
    for tender in unit.tenders:
        if tender.amount is None:
            continue
        if tender.id in counted:
            note = Note.of("eforms_value_counted", tender=tender.id, record=counted[tender.id])
            notes.append(note)
        else:
            counted[tender.id] = record_id
            fresh.append(tender)
    return fresh


def _value(unit: _Unit, valued: list[Tender], notes: list[Note]) -> tuple[float | None, str | None]:
    """The summed value of the tenders ``valued`` (or a note on why there is none)."""
    if not valued:
        if any(tender.amount is not None for tender in unit.tenders):
            return None, None  # already counted: noted by _uncounted
        low = unit.lot_result.find("cbc:LowerTenderAmount", NS)
        high = unit.lot_result.find("cbc:HigherTenderAmount", NS)
        if low is not None or high is not None:
            currency = next((e.get("currencyID") for e in (low, high) if e is not None), None)
            notes.append(
                Note.of(
                    "xml_value_range",
                    low=None if low is None else low.text,
                    high=None if high is None else high.text,
                    currency=currency or "?",
                )
            )
        else:
            notes.append(Note.of("no_amount"))
        return None, None
    amounts = [fv.amount(tender.amount, notes) for tender in valued]
    currencies = {fv.currency(tender.currency, notes) for tender in valued}
    if any(a is None for a in amounts) or len(currencies) != 1 or None in currencies:
        if len(currencies) > 1:
            notes.append(Note.of("xml_bad_currency", value="/".join(sorted(map(str, currencies)))))
        return None, None
    if len(valued) > 1:
        notes.append(Note.of("eforms_summed_tenders", n=len(valued)))
    return sum(a for a in amounts if a is not None), currencies.pop()


def _date(
    notice: Notice, contract: etree._Element | None, notes: list[Note]
) -> tuple[str | None, str | None]:
    for field in ("cbc:IssueDate", "cbc:AwardDate"):
        raw = None if contract is None else find_text(contract, field)
        if raw is not None:
            return fv.iso_date(raw, field, notes)
    date, date_time = fv.iso_date(notice.issue_date, "cbc:IssueDate", notes)
    if date is not None:
        notes.append(Note.of("xml_date_from_notice", date=date))
    else:
        notes.append(Note.of("no_date", field="efac:SettledContract/cbc:IssueDate"))
    return date, date_time


def _classifications(
    notice: Notice, lot: etree._Element | None, notes: list[Note]
) -> tuple[str | None, tuple[Classification, ...]]:
    """The raw main CPV code and every classification of the lot (main first)."""
    project = None if lot is None else lot.find("cac:ProcurementProject", NS)
    pairs: list[tuple[str, str]] = []
    for source in (project, notice.project):
        if source is None:
            continue
        main = source.find("cac:MainCommodityClassification/cbc:ItemClassificationCode", NS)
        if main is not None and main.text and main.text.strip():
            pairs.append(((main.get("listName") or "cpv").lower(), main.text.strip()))
            break
    if project is not None:
        path = "cac:AdditionalCommodityClassification/cbc:ItemClassificationCode"
        for element in project.iterfind(path, NS):
            if element.text and element.text.strip():
                pairs.append(((element.get("listName") or "cpv").lower(), element.text.strip()))
    main_raw = pairs[0][1] if pairs and pairs[0][0] == "cpv" else None
    cpvs = fv.cpv_classifications([code for scheme, code in pairs if scheme == "cpv"], {}, notes)
    others = tuple(dict.fromkeys(Classification(s.upper(), c[:40]) for s, c in pairs if s != "cpv"))
    return main_raw, cpvs + others
