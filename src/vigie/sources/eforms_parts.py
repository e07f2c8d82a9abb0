"""The parts of an eForms notice that its lot results refer to by identifier.

Organisations (``efac:Organizations``), tendering parties, tenders (``efac:LotTender``),
settled contracts and lots are indexed once per notice so that each lot result can be
resolved without searching the document again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from vigie.sources import fieldvalues as fv
from vigie.sources.records import Note, Party
from vigie.sources.xmlsafe import local, text_of

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
}
EXTENSION = "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension"
CONCESSION_DIRECTIVE = "32014L0023"
MODIFICATION = "can-modif"
DESIGN_CONTEST = "can-desg"


@dataclass(frozen=True, slots=True)
class Tender:
    """A tender (``efac:LotTender``): its value as published and who submitted it."""

    id: str
    amount: str | None
    currency: str | None
    party_id: str | None


@dataclass(frozen=True, slots=True)
class Notice:
    """What the lot results of one notice refer to."""

    label: str
    notice_id: str
    lang: str | None
    kind: str
    procedure: str | None
    issue_date: str | None
    buyer: Party
    buyer_id: str | None
    project: etree._Element | None
    organisations: dict[str, Party] = field(default_factory=dict)
    org_notes: dict[str, tuple[Note, ...]] = field(default_factory=dict)
    tenderers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    tenders: dict[str, Tender] = field(default_factory=dict)
    contracts: dict[str, etree._Element] = field(default_factory=dict)
    lots: dict[str, etree._Element] = field(default_factory=dict)

    @property
    def buyer_notes(self) -> tuple[Note, ...]:
        """Notes on the buyer's organisation (an unknown country code)."""
        return self.org_notes.get(self.buyer_id or "", ())

    def pick(self, element: etree._Element | None, path: str) -> str | None:
        """The text at ``path``, in the notice's language when several languages are given."""
        if element is None:
            return None
        found = element.findall(path, NS)
        for candidate in found:
            if self.lang and candidate.get("languageID") == self.lang:
                return text_of(candidate)
        return next((text for e in found if (text := text_of(e))), None)


def find_text(element: etree._Element | None, path: str) -> str | None:
    """The collapsed text at ``path`` (eForms prefixes) under ``element``."""
    return None if element is None else text_of(element.find(path, NS))


def not_award_reason(root: etree._Element) -> Note | None:
    """Why an eForms notice holds no award to load, or None for a contract award notice."""
    code = find_text(root, "cbc:NoticeTypeCode") or "?"
    if local(root) != "ContractAwardNotice":
        return Note.of("eforms_not_award", kind=f"{local(root)}, {code}"[:80])
    if code == MODIFICATION:
        return Note.of("eforms_modification", kind=code)
    if code == DESIGN_CONTEST:
        return Note.of("eforms_not_award", kind=f"design contest results, {code}")
    return None


def notice_of(label: str, root: etree._Element) -> Notice:
    """Index the parts of a contract award notice."""
    extension = root.find(EXTENSION, NS)
    publication = find_text(extension, "efac:Publication/efbc:NoticePublicationID")
    organisations, org_notes = _organisations(extension)
    buyer_id = find_text(root, "cac:ContractingParty/cac:Party/cac:PartyIdentification/cbc:ID")
    domain = find_text(root, "cbc:RegulatoryDomain")
    result = None if extension is None else extension.find("efac:NoticeResult", NS)
    return Notice(
        label=label,
        notice_id=publication or find_text(root, "cbc:ID") or label,
        lang=find_text(root, "cbc:NoticeLanguageCode"),
        kind="concession" if domain == CONCESSION_DIRECTIVE else "contract",
        procedure=find_text(root, "cac:TenderingProcess/cbc:ProcedureCode"),
        issue_date=find_text(root, "cbc:IssueDate"),
        buyer=organisations.get(buyer_id or "", Party(None, None, None)),
        buyer_id=buyer_id,
        project=root.find("cac:ProcurementProject", NS),
        organisations=organisations,
        org_notes=org_notes,
        tenderers=_tenderers(result),
        tenders=_tenders(result),
        contracts=_by_id(result, "efac:SettledContract"),
        lots=_by_id(root, "cac:ProcurementProjectLot"),
    )


def _by_id(parent: etree._Element | None, path: str) -> dict[str, etree._Element]:
    if parent is None:
        return {}
    found: dict[str, etree._Element] = {}
    for element in parent.iterfind(path, NS):
        key = find_text(element, "cbc:ID")
        if key is not None:
            found.setdefault(key, element)
    return found


def _organisations(
    extension: etree._Element | None,
) -> tuple[dict[str, Party], dict[str, tuple[Note, ...]]]:
    parties: dict[str, Party] = {}
    org_notes: dict[str, tuple[Note, ...]] = {}
    if extension is None:
        return parties, org_notes
    for company in extension.iterfind("efac:Organizations/efac:Organization/efac:Company", NS):
        key = find_text(company, "cac:PartyIdentification/cbc:ID")
        if key is None or key in parties:
            continue
        country = find_text(company, "cac:PostalAddress/cac:Country/cbc:IdentificationCode")
        notes: list[Note] = []
        legal = company.find("cac:PartyLegalEntity/cbc:CompanyID", NS)
        parties[key] = Party(
            id=text_of(legal),
            scheme=None if legal is None else legal.get("schemeName"),
            name=find_text(company, "cac:PartyName/cbc:Name"),
            country=fv.country(country, notes),
        )
        org_notes[key] = tuple(notes)
    return parties, org_notes


def _tenderers(result: etree._Element | None) -> dict[str, tuple[str, ...]]:
    parties: dict[str, tuple[str, ...]] = {}
    if result is None:
        return parties
    for party in result.iterfind("efac:TenderingParty", NS):
        key = find_text(party, "cbc:ID")
        if key is not None:
            ids = (text_of(e) for e in party.iterfind("efac:Tenderer/cbc:ID", NS))
            parties[key] = tuple(i for i in ids if i)
    return parties


def _tenders(result: etree._Element | None) -> dict[str, Tender]:
    tenders: dict[str, Tender] = {}
    if result is None:
        return tenders
    for element in result.iterfind("efac:LotTender", NS):
        key = find_text(element, "cbc:ID")
        if key is None or key in tenders:
            continue
        value = element.find("cac:LegalMonetaryTotal/cbc:PayableAmount", NS)
        tenders[key] = Tender(
            id=key,
            amount=None if value is None else text_of(value),
            currency=None if value is None else value.get("currencyID"),
            party_id=find_text(element, "efac:TenderingParty/cbc:ID"),
        )
    return tenders
