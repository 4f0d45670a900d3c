# The two commands of the README: `make run` (set up and serve the demo) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test install install-dev lint clean

run: install
	DJANGO_DEMO=1 $(BIN)/python scripts/run.py

test: install-dev
	bash scripts/test.sh

install: $(VENV)/.installed-base

install-dev: $(VENV)/.installed-dev

$(VENV)/.python-ok:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	touch $@

$(VENV)/.installed-base: $(VENV)/.python-ok requirements/base.in requirements/constraints.txt
	$(BIN)/pip install -q -r requirements/base.in -c requirements/constraints.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-base requirements/dev.in
	$(BIN)/pip install -q -r requirements/dev.in -c requirements/constraints.txt
	touch $@

# ruff, mypy, then the one-door rules: the import contracts (pyproject.toml) and no ORM write
# outside an app's services package (lint/writes.py).
lint: install-dev
	$(BIN)/python scripts/prepare.py
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && DJANGO_TESTING=1 $(BIN)/mypy .
	$(BIN)/lint-imports --no-cache && $(BIN)/python lint/writes.py

clean:
	rm -rf $(VENV) var
