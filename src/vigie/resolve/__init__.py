"""Resolve: match supplier names to companies and corporate groups of the knowledge base."""

from vigie.resolve.config import MatchingConfig, load_matching_config
from vigie.resolve.matcher import Match, Matcher, match_names
from vigie.resolve.normalize import base_tokens

__all__ = [
    "Match",
    "Matcher",
    "MatchingConfig",
    "base_tokens",
    "load_matching_config",
    "match_names",
]
