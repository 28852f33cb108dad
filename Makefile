# failwell: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export FAILWELL_DATABASE_URL ?= sqlite:///var/failwell.db

.PHONY: install run test test-fast lint format bench screenshots clean

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit("failwell needs Python 3.11+, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## Migrate the SQLite database under ./var, load the demo organisation if empty, serve on 127.0.0.1:8000.
run: install
	$(BIN)/failwell serve --demo

## The whole suite; PostgreSQL tests run when a server answers at 127.0.0.1:5432 (required in CI).
## Three workers on two cores: the suite waits on servers, browsers and subprocesses (about 1.2
## cores busy with two workers), so a third keeps it well under 10 minutes (594 s -> 534 s here).
test: install
	$(BIN)/pytest -q -n 3 --dist loadfile

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

format: install
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

## Every benchmark, both databases; each records itself in bench/RESULTS.md (about 25 minutes).
bench: install
	$(BIN)/python -m bench
	$(BIN)/python -m bench --only pages
	$(BIN)/python -m bench --only recurrence
	$(BIN)/python -m bench --only broadcast

## Browser tests on SQLite, saving the main pages as PNGs under docs/screenshots/ (for the README).
screenshots: install
	FAILWELL_SCREENSHOTS=1 $(BIN)/pytest -q -p no:xdist tests/e2e -k sqlite

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache bench/out
