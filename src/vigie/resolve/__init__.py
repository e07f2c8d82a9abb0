"""Resolve: match supplier names and contract texts to companies and corporate groups."""

from vigie.resolve.batch import match_columns, match_names, match_queries
from vigie.resolve.config import MatchingConfig, load_matching_config
from vigie.resolve.matcher import Match, Matcher, Query
from vigie.resolve.normalize import base_tokens

__all__ = [
    "Match",
    "Matcher",
    "MatchingConfig",
    "Query",
    "base_tokens",
    "load_matching_config",
    "match_columns",
    "match_names",
    "match_queries",
]
