# tbu-analysis. `make report` (default) and `make test` set up .venv by themselves.
# ROUND=2024-host selects one round; no ROUND means every round in data/raw/.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules

UV_VERSION := 0.13.9
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := .tools/uv/bin/uv
STAMP := $(VENV)/.installed
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export PYTHONWARNINGS := ignore::DeprecationWarning

ALL_ROUNDS := $(patsubst data/raw/%/manifest.yaml,%,$(wildcard data/raw/*/manifest.yaml))
ROUNDS := $(if $(ROUND),$(ROUND),$(ALL_ROUNDS))
SRC := $(shell find src -name '*.py' -o -name '*.css' -o -name '*.j2' -o -name '*.json' | sort)

.DEFAULT_GOAL := report
.PHONY: report data analysis test lint lab clean bench lock setup scenario

setup: $(STAMP)

$(UV):
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --target .tools/uv uv==$(UV_VERSION)

$(STAMP): pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --quiet
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (tbu-analysis)" >/dev/null
	touch $@

lock: | $(UV)
	$(UV) lock
	$(UV) export --frozen --no-hashes --no-emit-project --quiet -o requirements.lock

# --- data: raw tables -> tidy figures ------------------------------------------------------
FIGURES := $(foreach r,$(ROUNDS),data/processed/$(r)/figures.csv)
data: $(FIGURES)

.SECONDEXPANSION:
data/processed/%/figures.csv: $$(shell find data/raw/% -type f) data/raw/names.csv $(SRC) $(STAMP)
	$(PY) -m tbu_analysis.cli clean --round $*

report: data

test: $(STAMP)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests notebooks
	$(VENV)/bin/ruff format --check src tests

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

clean:
	rm -rf data/processed/* reports/* .pytest_cache .ruff_cache
