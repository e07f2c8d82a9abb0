"""The bundled demo data: French DECP 2019 files (Licence Ouverte 2.0)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

DEMO_SUBDIR = "decp-2019"


def demo_files() -> list[Path]:
    """The DECP 2019 zip files shipped inside the package, sorted by name."""
    folder = Path(str(files("vigie").joinpath("demo_data", DEMO_SUBDIR)))
    return sorted(folder.glob("*.zip"))
