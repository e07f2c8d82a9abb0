"""Allow ``python -m vigie``."""

from vigie.cli import main

main()
