"""Reading one file in parts, one process per part (see :mod:`vigie.ingest_parts`)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

LINE_READ = 1
"""In a mask of lines (see :func:`vigie.sources.ocds_stream.iter_units`): the line is read."""
LINE_COUNTED = 2
"""In a mask of lines: the line's repaired bytes count in the file-level total of this read."""


@dataclass(frozen=True, slots=True)
class Part:
    """Part ``index`` of ``count`` of a file, for reading it in several processes at once.

    A part holds the contracting processes whose key (an OCDS ``ocid``) hashes to ``index``,
    so that every release of a process is merged in the same part; what has no key (a broken
    line) belongs to the part its line number falls in.

    ``exchange``: a folder shared by all the parts of one reading, which then run at once
    (:mod:`vigie.ingest_parts` starts them together and stops them all when one fails): each
    makes the first pass over one range of the file only and leaves there what it found for
    the others (:mod:`vigie.sources.ocds_count`). Without it, each part makes the whole first
    pass itself and needs no other.
    """

    index: int
    count: int
    exchange: str | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.index < self.count:
            raise ValueError(f"part {self.index} of {self.count}")

    def holds(self, key: str) -> bool:
        """Whether the process with this key is read in this part."""
        return part_of(key, self.count) == self.index

    def owns_line(self, line: int) -> bool:
        """Whether what line ``line`` brings without a key is reported by this part."""
        return line % self.count == self.index


def part_of(key: str, count: int) -> int:
    """The index of the part, of ``count``, that holds the process with this key."""
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % count
