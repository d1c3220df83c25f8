# tbu-analysis. `make report` (default) and `make test` set up .venv by themselves.
# ROUND=2024-host selects one round; no ROUND means every round in data/raw/.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
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
SRC := $(shell find src -type f \( -name '*.py' -o -name '*.css' -o -name '*.j2' -o -name '*.json' \) | sort)

.DEFAULT_GOAL := report
.PHONY: report data analysis test lint lab clean bench lock setup scenario browser

setup: $(STAMP)

$(UV):
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target .tools/uv uv==$(UV_VERSION)

$(STAMP): pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --quiet
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (tbu-analysis)" >/dev/null
	touch $@

lock: | $(UV)
	$(UV) lock
	$(UV) export --frozen --no-hashes --no-emit-project --quiet -o requirements.lock

# --- data: raw tables -> tidy figures -> analysis -------------------------------------------
raw_inputs = $(shell find data/raw/$(1) -type f) data/raw/names.csv data/raw/index.csv
FIGURES := $(foreach r,$(ROUNDS),data/processed/$(r)/figures.csv)
ANALYSES := $(foreach r,$(ROUNDS),data/processed/$(r)/reconciliation.csv)
REPORTS := $(foreach r,$(ROUNDS),reports/$(r)/.built)
NOTEBOOKS := $(wildcard notebooks/*.ipynb)

data: $(FIGURES)
analysis: $(ANALYSES)
report: $(REPORTS)

.SECONDEXPANSION:
data/processed/%/figures.csv: $$(call raw_inputs,%) $(SRC) $(STAMP)
	$(PY) -m tbu_analysis.cli clean --round $*

data/processed/%/reconciliation.csv: data/processed/%/figures.csv $$(call raw_inputs,%) $(SRC)
	$(PY) -m tbu_analysis.cli analyse --round $*

# One process per round runs every notebook (cleaning and analysis included) in one kernel
# and renders the PDFs; a failed notebook keeps the old PDF and fails the target.
reports/%/.built: $$(call raw_inputs,%) $(NOTEBOOKS) $(SRC) $(STAMP)
	$(PY) -m tbu_analysis.cli report --round $*
	touch $@

# --- scenarios ------------------------------------------------------------------------------
SCENARIO ?= scenarios/baseline.yml
scenario: $(STAMP)
	$(PY) -m tbu_analysis.cli scenario $(SCENARIO)

# --- checks -----------------------------------------------------------------------------------
test: $(STAMP) browser
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) benchmarks/bench_report.py $(if $(ROUND),--round $(ROUND))
	$(PY) benchmarks/bench_scenarios.py

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests notebooks benchmarks
	$(VENV)/bin/nbstripout --verify notebooks/*.ipynb

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

clean:
	rm -rf data/processed/* reports/* .pytest_cache .ruff_cache

# --- browser for the accessibility tests (axe-core in Debian's chromium) ---------------------
# Playwright drives the system chromium; never `playwright install` (it downloads a browser).
# libharfbuzz-subset0 lets WeasyPrint subset the fonts itself (measured: the main report's
# PDF writes in 1,6 s instead of 7,9 s with fontTools), named here rather than left to
# chromium's dependencies.
CHROMIUM ?= /usr/bin/chromium
BROWSER_PACKAGES := chromium libharfbuzz-subset0
browser:
	@if [ -x "$(CHROMIUM)" ] && ldconfig -p | grep libharfbuzz-subset >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installerer $(BROWSER_PACKAGES) (apt-get) for tilgjengelighetstestene"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; \
	else \
		echo "feil: testene trenger Debians $(BROWSER_PACKAGES): kjør 'sudo apt-get install $(BROWSER_PACKAGES)' (eller sett CHROMIUM=sti til nettleseren)" >&2; \
		exit 2; \
	fi
