"""The taxonomy data file: load it, validate it (pydantic) and index it for classification."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

import yaml
from pydantic import ValidationError

from vigie.sources.taxonomy.codes import CodeIndex
from vigie.sources.taxonomy.cues import CueMatcher
from vigie.sources.taxonomy.model import Category, TaxonomyFile

DATA_FILE = "taxonomy.yaml"


class TaxonomyError(ValueError):
    """The taxonomy data file is unreadable or invalid; the message names the file and why."""


class Taxonomy:
    """A validated taxonomy, indexed for classification."""

    def __init__(self, data: TaxonomyFile) -> None:
        self.data = data
        self.categories: dict[str, Category] = {c.id: c for c in data.categories}
        self.rank = {c.id: i for i, c in enumerate(data.categories)}
        self.index = CodeIndex(data.codes)
        self.cues = CueMatcher(data.cues, [c.id for c in data.categories])

    @property
    def version(self) -> str:
        """The version of the data file."""
        return self.data.version

    def refines(self, cue_category: str, code_category: str) -> bool:
        """Whether a text cue of ``cue_category`` replaces a code's ``code_category``."""
        cue, code = self.categories[cue_category], self.categories[code_category]
        return (
            cue.specific
            and code.refinable
            and cue.id != code.id
            and self.rank[cue.id] < self.rank[code.id]
        )


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Load and validate a taxonomy file (the packaged ``data/taxonomy.yaml`` by default)."""
    name = str(path) if path is not None else DATA_FILE
    try:
        if path is None:
            raw = files("vigie.sources.taxonomy").joinpath("data", DATA_FILE).read_text("utf-8")
        else:
            raw = path.read_text(encoding="utf-8")
        document = yaml.safe_load(raw)
        return Taxonomy(TaxonomyFile.model_validate(document))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise TaxonomyError(f"{name}: cannot read: {error}") from error
    except ValidationError as error:
        raise TaxonomyError(f"{name}: invalid taxonomy: {error}") from error


@cache
def default_taxonomy() -> Taxonomy:
    """The packaged taxonomy, loaded once."""
    return load_taxonomy()
