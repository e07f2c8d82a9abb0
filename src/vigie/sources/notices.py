"""Reader for TED notices of either schema, one per file or in zips and TED packages.

TED's packages hold R2.0.9 notices until 2023 and eForms notices since, and some hold both.
This reader sends each notice to the reader of its schema (:mod:`vigie.sources.ted` or
:mod:`vigie.sources.eforms`), so a mixed package is read in one pass with every notice
counted once. A member that is neither is rejected by the TED reader as ``ted_not_ted``.
"""

from __future__ import annotations

from pathlib import Path

from vigie.sources import eforms, ted
from vigie.sources.files import Limits, MemberError, sha256_file
from vigie.sources.notice_files import iter_notice_members
from vigie.sources.records import ReadResult, Rejection, path_label

FORMAT = "ted-notices"
SNIFF_BYTES = 4096
_TAR_MAGIC_OFFSET = 257


def sniff(head: bytes, name: str) -> bool:
    """Whether the first bytes are a TED or eForms notice, or an uncompressed tar archive."""
    is_tar = head[_TAR_MAGIC_OFFSET : _TAR_MAGIC_OFFSET + 5] == b"ustar"
    return is_tar or ted.sniff(head, name) or eforms.sniff(head, name)


def read_notices(
    path: Path, label: str | None = None, limits: Limits | None = None, *, sha256: str | None = None
) -> ReadResult:
    """Read every notice of ``path`` (a notice, a zip or a tar package) with its schema's reader."""
    limits = limits or Limits()
    label = label or path_label(path)
    result = ReadResult(label, sha256 or sha256_file(path), path.stat().st_size, FORMAT)
    for member in iter_notice_members(path, label, limits):
        if isinstance(member, MemberError):
            result.rejections.append(Rejection(member.label, "(file)", member.note))
        elif eforms.sniff(member.data[:SNIFF_BYTES], member.label):
            eforms.read_notice(member.label, member.data, limits, result)
        else:
            ted.read_notice(member.label, member.data, limits, result)
    return result
