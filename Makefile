# Two entry points for newcomers: `make demo` and `make test`.
# Each creates its own virtual environment (.venv) when missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.vigie-installed

.PHONY: demo test lint typecheck unit browser bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "vigie needs Python 3.11 or later / vigie nécessite Python 3.11 ou plus")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/vigie demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest

# The browser tests drive Debian's Chromium headless: install it when absent and possible
# (root with apt-get); otherwise those tests are skipped with their reason.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	{ [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null 2>&1 && \
	  echo "Chromium installed for the browser tests / Chromium installé pour les tests du navigateur"; } || \
	echo "Chromium absent: browser tests skipped / Chromium absent : tests du navigateur ignorés"

test: lint typecheck browser unit

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_screen.py

clean:
	rm -rf $(VENV) vigie-data vigie-demo .pytest_cache .mypy_cache .ruff_cache
