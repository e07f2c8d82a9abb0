"""Knowledge base: companies, groups, products, sources, evidence, responses and contexts."""

from vigie.datamodel import Text
from vigie.kb.base import KnowledgeBase
from vigie.kb.loader import (
    KnowledgeBaseError,
    default_directories,
    load_knowledge_base,
    starter_dir,
    user_dir,
)
from vigie.kb.model import (
    Company,
    Confidence,
    Evidence,
    Identifier,
    Ownership,
    Product,
    ProductKind,
    Relationship,
    Response,
    Source,
    SourceType,
)

__all__ = [
    "Company",
    "Confidence",
    "Evidence",
    "Identifier",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Ownership",
    "Product",
    "ProductKind",
    "Relationship",
    "Response",
    "Source",
    "SourceType",
    "Text",
    "default_directories",
    "load_knowledge_base",
    "starter_dir",
    "user_dir",
]
