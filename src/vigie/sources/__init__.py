"""Sources: read procurement files into records, rejections and warnings."""

from vigie.sources.decp import read_decp
from vigie.sources.files import Limits
from vigie.sources.records import Party, ProcurementRecord, ReadResult, Rejection, Warning_

__all__ = [
    "Limits",
    "Party",
    "ProcurementRecord",
    "ReadResult",
    "Rejection",
    "Warning_",
    "read_decp",
]
