# PQM — the two commands of the README are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO_DB ?= demo.sqlite3
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: demo test check lint install system-deps bench clean

demo: install  ## install everything and open the app on the demo data
	@[ -s "$(DEMO_DB)" ] || $(BIN)/pqm --db "$(DEMO_DB)" seed-demo
	$(BIN)/pqm --db "$(DEMO_DB)"

test: install  ## the one gate: lint, format, strict typing of the whole package, the whole test suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict pqm_tui
	$(BIN)/python -m pytest -q -n auto --dist worksteal

check: test  ## kept as an alias of the full gate

install: system-deps $(VENV)/.installed

system-deps:
	@bash scripts/install-system-deps.sh

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	@touch $@

bench: install  ## the benchmark scripts (figures, not tests)
	for script in bench/[!_]*.py; do $(BIN)/python $$script; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache dist build
