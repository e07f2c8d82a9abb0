"""The ``vigie`` command line: thin wrappers over library functions.

Each area registers its commands on :data:`app` in its own module (``screen``, ``kb``...);
importing them here is what makes them part of the CLI.
"""

from vigie.cli import ai, kb, match, report, review, screen, web
from vigie.cli.app import app

__all__ = ["ai", "app", "kb", "main", "match", "report", "review", "screen", "web"]


def main() -> None:
    """Console-script entry point."""
    app()
