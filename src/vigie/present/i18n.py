"""User-facing messages in French and English, from data files (``locales/{lang}/*.yaml``).

Each language is a directory of YAML files, one per area (``core.yaml``, ...); they are merged
and a key defined twice is an error, so areas can grow independently.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import yaml

from vigie.sources.records import Note, storable

LANGUAGES = ("fr", "en")


class Messages:
    """Messages of one language; missing keys raise so that gaps are caught by tests."""

    def __init__(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"unsupported language {lang!r}; choose one of {', '.join(LANGUAGES)}")
        self.lang = lang
        self._messages = _catalogue(lang)

    def __call__(self, key: str, **values: object) -> str:
        """The message for ``key``, formatted with ``values`` (made writable: a path may
        hold bytes of its name that are not valid UTF-8, as lone surrogates)."""
        text = self._messages[key]
        if not values:
            return text
        return storable(text.format(**values))

    def note(self, note: Note) -> str:
        """The text of a rejection reason or warning, from its code and parameters."""
        return self(f"note_{note.code}", **note.as_dict())

    def __contains__(self, key: object) -> bool:
        return key in self._messages

    def keys(self) -> set[str]:
        """Every key of the catalogue."""
        return set(self._messages)

    def number(self, value: float | int | None, decimals: int = 0) -> str:
        """A number with the language's separators (1 234,56 in French, 1,234.56 in English)."""
        if value is None:
            return "–"
        text = f"{value:,.{decimals}f}"
        if self.lang == "fr":
            text = text.replace(",", "\u202f").replace(".", ",")
        return text


def catalogue_files(lang: str) -> list[tuple[str, str]]:
    """(file name, text) of every catalogue file of a language, sorted by name."""
    folder = files("vigie.present").joinpath("locales", lang)
    entries = [e for e in folder.iterdir() if e.name.endswith(".yaml")]
    return [(e.name, e.read_text(encoding="utf-8")) for e in sorted(entries, key=lambda e: e.name)]


@cache
def _catalogue(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for name, raw in catalogue_files(lang):
        data = yaml.safe_load(raw)
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise ValueError(f"locale file {lang}/{name} must map keys to strings")
        for key, value in data.items():
            if str(key) in merged:
                raise ValueError(f"locale key {key!r} is defined twice ({lang}/{name})")
            merged[str(key)] = value.strip("\n")
    return merged
