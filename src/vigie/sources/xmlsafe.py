"""Parsing untrusted XML safely, and small helpers to read parsed notices.

Every XML input goes through :func:`parse_xml`: libxml2 (lxml) with entity substitution off,
no DTD loading or validation, no network access and its default (non-"huge") bounds on depth
and text size. A document that declares a document type (DTD) at all is refused: DTDs are what
billion-laughs and external-entity (XXE) attacks need, and procurement notices never carry one.
Failures are reported as a :class:`Note`, never raised past the reader.
"""

from __future__ import annotations

import codecs
import re

from lxml import etree

from vigie.sources.files import decode_text
from vigie.sources.records import Note

PROLOG_BYTES = 1 << 16
_DOCTYPE = re.compile(r"<!DOCTYPE", re.ASCII)
_ERROR_CHARS = 200
_XML_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")
_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")


class XmlRefused(Exception):
    """A document that cannot be read, with the reason as a coded note."""

    def __init__(self, note: Note) -> None:
        super().__init__(note.code)
        self.note = note


def _parser() -> etree.XMLParser:
    # A new parser per document: lxml parsers are not thread-safe and keep error logs.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
        recover=False,
    )


def parse_xml(data: bytes, max_bytes: int) -> etree._Element:
    """Parse ``data`` as XML and return the root element, or raise :class:`XmlRefused`.

    Refused: documents over ``max_bytes``, documents declaring a DTD (checked in the prolog
    before parsing, and again on the parsed document), and anything not well-formed.
    """
    if len(data) > max_bytes:
        raise XmlRefused(Note.of("file_too_large", size=len(data), limit=max_bytes))
    if prolog_declares_doctype(data):
        raise XmlRefused(Note.of("xml_dtd"))
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise XmlRefused(Note.of("xml_malformed", error=_clip(str(exc)))) from exc
    except (ValueError, LookupError, MemoryError) as exc:  # unknown encodings, odd input
        error = _clip(str(exc) or type(exc).__name__)
        raise XmlRefused(Note.of("xml_malformed", error=error)) from exc
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.doctype or docinfo.system_url:
        raise XmlRefused(Note.of("xml_dtd"))
    return root


def parse_xml_repairing(data: bytes, max_bytes: int) -> tuple[etree._Element, int]:
    """Like :func:`parse_xml`, and read stray non-UTF-8 bytes of a UTF-8 document as cp1252.

    Returns the root and the number of bytes repaired (0 when the document was valid).
    A document declaring another encoding is not repaired.
    """
    try:
        return parse_xml(data, max_bytes), 0
    except XmlRefused as refused:
        if refused.note.code != "xml_malformed" or not _utf8_with_bad_bytes(data, max_bytes):
            raise
    decoded = decode_text(data)
    text = _XML_DECLARATION.sub("", decoded.text, count=1)
    return parse_xml(text.encode("utf-8"), max_bytes), decoded.repaired_bytes


def _utf8_with_bad_bytes(data: bytes, max_bytes: int) -> bool:
    if len(data) > max_bytes or data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    declared = _ENCODING.search(data[:200])
    if declared is not None and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def prolog_declares_doctype(data: bytes) -> bool:
    """Whether a ``<!DOCTYPE`` appears before the first element (UTF-8/16/32 or 8-bit)."""
    head = data[:PROLOG_BYTES]
    text = _decode_head(head)
    for match in re.finditer(r"<([!?A-Za-z_:])", text):
        if match.group(1) in "!?":
            if _DOCTYPE.match(text, match.start()):
                return True
            continue
        return False  # the root element starts: no DTD can follow
    return False


def _decode_head(head: bytes) -> str:
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, errors="ignore")
    if head[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        return head.decode("utf-16-le" if head[0] == 0x3C else "utf-16-be", errors="ignore")
    return head.decode("latin-1")


def sniff_root(head: bytes) -> str:
    """The first bytes of a document as text (for format detection), BOMs and UTF-16 handled."""
    return _decode_head(head)


def local(element: etree._Element) -> str:
    """The local name of an element (without namespace)."""
    return etree.QName(element).localname


def xpath_of(element: etree._Element) -> str:
    """An XPath locating ``element`` in its document.

    Steps use the document's own prefixes (``efac:LotResult``); elements in the default
    namespace are written by their local name (``AWARD_CONTRACT``). ``[n]`` is added when the
    parent has several children of the same name, counted from 1.
    """
    steps: list[str] = []
    node: etree._Element | None = element
    while node is not None:
        name = local(node) if not node.prefix else f"{node.prefix}:{local(node)}"
        parent = node.getparent()
        if parent is not None:
            same = [child for child in parent if child.tag == node.tag]
            if len(same) > 1:
                name += f"[{same.index(node) + 1}]"
        steps.append(name)
        node = parent
    return "/" + "/".join(reversed(steps))


def text_of(element: etree._Element | None) -> str | None:
    """All text inside ``element`` with whitespace collapsed, or None when empty."""
    if element is None:
        return None
    parts = [part for part in element.itertext() if isinstance(part, str)]
    cleaned = " ".join(" ".join(parts).split())
    return cleaned or None


def canonical_bytes(element: etree._Element) -> bytes:
    """A serialisation of an element and its content, for content hashes.

    Plain serialisation, not C14N: libxml2's canonicalisation of a subtree walks the whole
    document, which made reading a notice quadratic in its number of awards.
    """
    return etree.tostring(element, encoding="utf-8", with_tail=False)


def _clip(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _ERROR_CHARS else flat[: _ERROR_CHARS - 1] + "…"
