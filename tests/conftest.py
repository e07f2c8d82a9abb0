"""Shared fixtures: paths to the committed test data and a starter knowledge base."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from vigie.kb import KnowledgeBase, load_knowledge_base, starter_dir
from vigie.store import Workspace

# Timing is not a property under test: no per-example deadline, and no failure when a loaded
# machine generates examples slowly (the examples and their checks stay the same).
settings.register_profile(
    "vigie",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("vigie")

FIXTURES = Path(__file__).parent / "fixtures"
DECP_EXCERPT = FIXTURES / "decp-2019" / "excerpt.json"
NAMES_DEV = FIXTURES / "names" / "names-dev.csv"


@pytest.fixture(autouse=True)
def _no_user_knowledge(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests never read a user's ./vigie-data/kb: the user directory points at an empty place."""
    monkeypatch.setenv("VIGIE_KB_DIR", str(tmp_path_factory.getbasetemp() / "no-user-kb"))


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The starter knowledge base shipped with the package (loaded once)."""
    return load_knowledge_base([starter_dir()])


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """A fresh DuckDB workspace in a temporary directory."""
    with Workspace.open(tmp_path / "ws.duckdb") as ws:
        yield ws


@pytest.fixture(scope="session")
def decp_excerpt() -> Path:
    """16 real DECP 2019 records (see fixtures/decp-2019/README.md): 13 load, 3 are rejected."""
    return DECP_EXCERPT


@pytest.fixture(scope="session")
def names_dev() -> Path:
    """Labelled supplier names: name, expected group id (`-`: must not match)."""
    return NAMES_DEV
