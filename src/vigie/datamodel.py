"""Base models shared by every validated data file (knowledge base, taxonomy, policies...)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    """A validated, immutable model that refuses unknown fields (typos are errors)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A user-facing text in both languages."""

    en: str = Field(min_length=1)
    fr: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        """The text in ``lang`` (``fr`` or ``en``)."""
        return self.fr if lang == "fr" else self.en
