"""Store: the embedded DuckDB workspace and its versioned schema."""

from vigie.store.migrations import WorkspaceVersionError, available_migrations, migrate
from vigie.store.workspace import (
    DEFAULT_WORKSPACE,
    DuplicatePositionError,
    ImportInfo,
    ImportWriter,
    RunRecord,
    Workspace,
    WorkspacePathError,
)

__all__ = [
    "DEFAULT_WORKSPACE",
    "DuplicatePositionError",
    "ImportInfo",
    "ImportWriter",
    "RunRecord",
    "Workspace",
    "WorkspacePathError",
    "WorkspaceVersionError",
    "available_migrations",
    "migrate",
]
