# PQM — the two commands of the README are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO_DB ?= demo.sqlite3
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: demo test check lint install system-deps bench bench-quick bench-all clean

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

bench: install  ## the goal benchmarks, side by side; rewrites the README's figures table (~25 min)
	$(BIN)/python bench/figures.py

bench-quick: install  ## a smoke run of the goal benchmarks (a few minutes; the table says so)
	$(BIN)/python bench/figures.py --quick

bench-all: bench  ## the goal benchmarks, then every other script in bench/ (figures, not tests)
	set -e; for script in bench/[!_]*.py; do case $$script in \
	  */figures.py|*/walk.py|*/pdf.py|*/review.py|*/db_sync.py) ;; \
	  *) echo "$$ $$script"; $(BIN)/python $$script;; esac; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache dist build
