"""Knowledge base: companies, groups, sources, evidence, responses and contexts as data."""

from vigie.kb.base import KnowledgeBase
from vigie.kb.loader import KnowledgeBaseError, load_knowledge_base, starter_dir
from vigie.kb.model import Company, Evidence, Response, Source, SourceType, Text

__all__ = [
    "Company",
    "Evidence",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Response",
    "Source",
    "SourceType",
    "Text",
    "load_knowledge_base",
    "starter_dir",
]
