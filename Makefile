# Two commands for a fresh machine with Python 3.11:  make run  /  make test
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench clean

run: $(VENV)/.installed  ## set up, migrate, seed demo data, serve + schedule on SQLite
	$(BIN)/partybot run

# pytest-xdist workers for `make test` (TEST_WORKERS=0: one process, no workers)
TEST_WORKERS ?= 2

# Tests marked `alone` time themselves against a wall clock: on two cores a test running
# beside them in the other worker would be measured too, so they run afterwards, alone.
test: $(VENV)/.installed  ## the test suite (PostgreSQL too when PARTYBOT_TEST_DATABASE_URL is set)
	$(BIN)/pytest -n $(TEST_WORKERS) -m "not alone"
	$(BIN)/pytest -m alone

lint: $(VENV)/.installed  ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(VENV)/.installed  ## the webhook throughput benchmark (needs wrk)
	$(BIN)/python benchmarks/webhook_rps.py

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

clean:
	rm -rf $(VENV) instance .pytest_cache
