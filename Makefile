# The two commands of the README (`make run`, `make test`) work on a fresh machine with only
# Python, make and git: the virtualenv is created on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test bench lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: install
	$(BIN)/coopflow db upgrade
	$(BIN)/coopflow demo --if-empty
	$(BIN)/coopflow serve --host $(HOST) --port $(PORT) --demo-outbox

test: install
	$(BIN)/pytest

bench: install
	$(BIN)/python -m tests.benchmarks

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy workflows cases rules notifications api

clean:
	rm -rf $(VENV) coopflow.db coopflow.db-wal coopflow.db-shm
