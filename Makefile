# tbu-analysis. `make report` (default) and `make test` set up .venv by themselves.
# ROUND=2024-host selects one round; no ROUND means every round in data/raw/. `make help`
# lists the front doors.
#
# Who writes what (one producer per file):
#   data/processed/<round>/{figures,corrections_applied,clean_log}.csv   `tbu clean`   (make data)
#   data/processed/<round>/{levels,growth,drivers,reconciliation}.csv,
#     run.json, tbu-<round>.xlsx                                         `tbu analyse` (make analysis)
#   reports/<round>/*.pdf, executed/*.ipynb                              `tbu report`  (make report)
# The notebooks only read data/processed. Make decides by content: .make/<round>.inputs holds
# the SHA-256 of every raw input and is rewritten only when that list changes (an edited,
# added or deleted file, whatever its mtime; names with spaces too).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
MAKEFLAGS += --no-builtin-rules

UV_VERSION := 0.13.9
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := .tools/uv/bin/uv
STAMP := $(VENV)/.installed
STAMPS := .make
PORT ?= 8888
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export PYTHONWARNINGS := ignore::DeprecationWarning

ALL_ROUNDS := $(patsubst data/raw/%/manifest.yaml,%,$(wildcard data/raw/*/manifest.yaml))
ROUNDS := $(if $(ROUND),$(ROUND),$(ALL_ROUNDS))
SRC := $(shell find src -type f \( -name '*.py' -o -name '*.css' -o -name '*.j2' -o -name '*.json' -o -name '*.otf' -o -name '*.ttf' \) | sort)
NOTEBOOKS := $(wildcard notebooks/*.ipynb)

.DEFAULT_GOAL := report
.PHONY: help report data analysis check round test test-fast lint lab clean bench lock setup scenario git-filter browser fonts

help: ## list the front doors
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) \
	  | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-9s %s\n", $$1, $$2}'
	@echo "  (ROUND=<runde> for one round; SCENARIO=..., PORT=... where the target says)"

setup: $(STAMP) ## create .venv from uv.lock, register the kernel, install the notebook git filter

$(UV):
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target .tools/uv uv==$(UV_VERSION)

# jupyter/ mirrors the environment's prefix: the save hook for every `jupyter lab` of .venv
# (notebooks saved as git stores them) and lab settings (no «official Jupyter news?» prompt).
JUPYTER_SETTINGS := $(shell find jupyter -type f | sort)
$(STAMP): pyproject.toml uv.lock $(JUPYTER_SETTINGS) | $(UV)
	$(UV) sync --locked --quiet --compile-bytecode
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (tbu-analysis)" >/dev/null
	cp -R jupyter/. $(VENV)/
	$(MAKE) --no-print-directory git-filter
	@$(font_install)
	touch $@

# nbstripout's git filter: git stores notebooks without outputs, so running one in JupyterLab
# never dirties the repository. In a linked worktree the git config is shared with the main
# checkout (and would point at this worktree's .venv), so it is left to the main checkout.
git-filter:
	@if [ ! -e .git ]; then echo "git-filter: ikke et git-repo; hopper over"; \
	elif [ "$$(git rev-parse --git-dir)" != "$$(git rev-parse --git-common-dir)" ]; then \
	  echo "git-filter: git worktree; installer filteret i hovedmappen ($$(git rev-parse --git-common-dir)/..)"; \
	else $(VENV)/bin/nbstripout --install --attributes .gitattributes \
	  && git config filter.nbstripout.extrakeys "$$($(PY) -m tbu_analysis.common.lab)"; fi

lock: | $(UV) ## update uv.lock and requirements.lock after changing dependencies
	$(UV) lock
	$(UV) export --frozen --no-hashes --no-emit-project --quiet -o requirements.lock

# --- content stamps (at parse time, so `make -n` and `make -q` see them too) ----------------
# A round's inputs: every file under data/raw/<round>/ (its names, index and billing units
# included), the previous round's files when the manifest names one that is there (the report
# compares the two), and every shared file under data/raw/ that belongs to no round (the
# cost-sharing keys). Another round's files are not among them.
define hash_inputs
{ find data/raw/$(1) -type f -print0; \
  prev=$$(sed -n 's/^previous_round:[[:space:]]*\([^[:space:]#]*\).*/\1/p' data/raw/$(1)/manifest.yaml 2>/dev/null); \
  if [ -n "$$prev" ] && [ -f "data/raw/$$prev/manifest.yaml" ]; then find "data/raw/$$prev" -type f -print0; fi; \
  find data/raw -type f $(foreach r,$(ALL_ROUNDS),-not -path 'data/raw/$(r)/*') -print0; } \
  | LC_ALL=C sort -z | xargs -0r sha256sum
endef
# An input that cannot be read (permissions) stops make with the file named, and no
# .inputs.new is left behind (else make would say "Nothing to be done" over stale outputs).
define stamp_inputs
[ -d data/raw/$(1) ] || exit 0; mkdir -p $(STAMPS); \
if ! err=$$( { set -o pipefail; $(call hash_inputs,$(1)) > $(STAMPS)/$(1).inputs.new; } 2>&1 ); then \
  rm -f $(STAMPS)/$(1).inputs.new; \
  echo "kan ikke lese inndata for runden $(1): $$(printf '%s' "$$err" | head -c 300 | tr '\n' ' ')"; exit 0; fi; \
if cmp -s $(STAMPS)/$(1).inputs.new $(STAMPS)/$(1).inputs; then rm $(STAMPS)/$(1).inputs.new; \
else mv $(STAMPS)/$(1).inputs.new $(STAMPS)/$(1).inputs; fi
endef
STAMP_ERRORS := $(strip $(foreach r,$(ROUNDS),$(shell $(call stamp_inputs,$(r)))))
ifneq ($(STAMP_ERRORS),)
$(error feil: $(STAMP_ERRORS))
endif
# What a round's provenance page says of the tree: which of the files it is made from git
# sees changed (the package, the notebooks, the lock, the round's raw data, its previous
# round's and the shared files). A commit of such a file renews the reports (they said
# «Lokale endringer: Ja» from the uncommitted tree); another round's files, or a commit
# that changes none of these, leave them as they are, byte for byte. Without git: constant.
define stamp_provenance
[ -d data/raw/$(1) ] || exit 0; mkdir -p $(STAMPS); \
prev=$$(sed -n 's/^previous_round:[[:space:]]*\([^[:space:]#]*\).*/\1/p' data/raw/$(1)/manifest.yaml 2>/dev/null); \
others=(); for r in $(ALL_ROUNDS); do [ "$$r" = "$(1)" ] || [ "$$r" = "$$prev" ] || others+=(":(exclude)data/raw/$$r"); done; \
git status --porcelain --untracked-files=all -- src notebooks pyproject.toml uv.lock data/raw \
  "$${others[@]}" > $(STAMPS)/$(1).provenance.new 2>/dev/null || : > $(STAMPS)/$(1).provenance.new; \
if cmp -s $(STAMPS)/$(1).provenance.new $(STAMPS)/$(1).provenance; then rm $(STAMPS)/$(1).provenance.new; \
else mv $(STAMPS)/$(1).provenance.new $(STAMPS)/$(1).provenance; fi
endef
$(foreach r,$(ROUNDS),$(shell $(call stamp_provenance,$(r))))
# Only a round that does not exist has no inputs stamp.
$(STAMPS)/%.inputs:
	@echo "feil: runden finnes ikke (data/raw/$*/ mangler)" >&2; exit 2
# A round's reports: the stamp lists the SHA-256 of each PDF, HTML edition and executed
# notebook; a deleted or changed one drops it.
$(foreach r,$(ROUNDS),$(shell [ ! -f $(STAMPS)/$(r).report ] || sha256sum --check --status $(STAMPS)/$(r).report 2>/dev/null || rm -f $(STAMPS)/$(r).report))

# --- data: raw tables -> tidy figures -> analysis -> reports ---------------------------------
clean_outputs = $(addprefix data/processed/$(1)/,figures.csv corrections_applied.csv clean_log.csv)
analysis_outputs = $(addprefix data/processed/$(1)/,levels.csv growth.csv drivers.csv reconciliation.csv underlying.csv comparison.csv run.json tbu-$(1).xlsx)

data: $(foreach r,$(ROUNDS),$(call clean_outputs,$(r))) ## clean the raw tables into data/processed/<round>/figures.csv
analysis: $(foreach r,$(ROUNDS),$(call analysis_outputs,$(r))) ## index, growth, drivers and reconciliation (CSV, Excel)
report: $(foreach r,$(ROUNDS),$(STAMPS)/$(r).report) ## the PDF reports in reports/<round>/ (runs data and analysis first)

# Each stage writes only files whose bytes changed; `touch` then tells make the stage is done
# (mtime only), so an input edited without changing the outputs reruns the stage once.
define round_rules
$(call clean_outputs,$(1)) &: $(STAMPS)/$(1).inputs $(SRC) $(STAMP)
	$(PY) -m tbu_analysis.cli clean --round $(1)
	touch $(call clean_outputs,$(1))

$(call analysis_outputs,$(1)) &: $(call clean_outputs,$(1)) $(STAMPS)/$(1).inputs $(SRC) $(STAMP)
	$(PY) -m tbu_analysis.cli analyse --round $(1)
	touch $(call analysis_outputs,$(1))

$(STAMPS)/$(1).report: $(call analysis_outputs,$(1)) $(STAMPS)/$(1).inputs $(STAMPS)/$(1).provenance \
  $(NOTEBOOKS) $(SRC) $(STAMP)
	@$$(font_check)
	$(PY) -m tbu_analysis.cli report --round $(1) --data-ready
	{ find reports/$(1) -maxdepth 1 -type f \( -name '*.pdf' -o -name '*.html' \) -print0; \
	  find reports/$(1)/executed -maxdepth 1 -type f -name '*.ipynb' -print0 2>/dev/null || :; } \
	  | LC_ALL=C sort -z | xargs -0r sha256sum > $$@.new && mv $$@.new $$@
endef
$(foreach r,$(ROUNDS),$(eval $(call round_rules,$(r))))

# An interrupted (Ctrl-C, SIGTERM) or failed stage never costs the outputs of the last good
# run: the CLI publishes a stage's files together or not at all, so make must not delete
# them ("Deleting file ...") for having been the targets of a recipe that was stopped.
.PRECIOUS: $(foreach r,$(ROUNDS),$(call clean_outputs,$(r)) $(call analysis_outputs,$(r)) $(STAMPS)/$(r).report)

# --- the font subsetter the PDFs are made with ------------------------------------------------
# WeasyPrint subsets the shipped fonts with libharfbuzz-subset when the system has it, else
# with fontTools: the PDFs read and look the same, but their bytes differ from the reference
# (tests, CI, another machine) and the main report writes several times slower. `make setup`
# (and so `make test`) installs it once (root with apt-get); `make report` only looks for it
# and says what to install. The look reads ldconfig's whole list (`grep -q` would stop early
# and, under pipefail, fail now and then by SIGPIPE).
FONT_PACKAGES := libharfbuzz-subset0
font_present = { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep libharfbuzz-subset >/dev/null
define font_check
if $(font_present); then :; else \
  echo "advarsel: $(FONT_PACKAGES) mangler: PDF-ene lages likevel (samme innhold, men andre bytes enn på maskiner som har den, og tregere); kjør 'make fonts' (eller 'sudo apt-get install $(FONT_PACKAGES)')" >&2; \
fi
endef
define font_install
if $(font_present); then :; \
elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
  echo "installerer $(FONT_PACKAGES) (apt-get): PDF-ene blir byte for byte som på andre maskiner"; \
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(FONT_PACKAGES) >/dev/null; } \
  || echo "advarsel: fikk ikke installert $(FONT_PACKAGES); PDF-ene lages likevel (samme innhold, andre bytes enn referansen, tregere)" >&2; \
else $(font_check); fi
endef
fonts: ## libharfbuzz-subset0 (same PDF bytes as tests and CI, faster PDFs), if missing
	@$(font_install)

# --- scenarios ------------------------------------------------------------------------------
SCENARIO ?= scenarios/baseline.yml
# ROUND, else the latest round by its manifest's year and season.
SCENARIO_ROUND = $(or $(ROUND),$(shell $(PY) -c 'from tbu_analysis.config import latest_round; print(latest_round())'))
scenario: $(STAMP) ## SCENARIO=scenarios/<name>.yml [ROUND=...]: reports/scenarios/<round>/<name>.pdf against the baseline
	$(MAKE) --no-print-directory data ROUND=$(SCENARIO_ROUND)
	$(PY) -m tbu_analysis.cli scenario $(SCENARIO) --round $(SCENARIO_ROUND)

# --- a new round ------------------------------------------------------------------------------
round: $(STAMP) ## NEW=<id> FROM=<previous> SOURCE=<text file>: data/raw/<id>/ from the previous round, with a review list
	@test -n "$(NEW)" -a -n "$(FROM)" -a -n "$(SOURCE)" || { echo "bruk: make round NEW=<id> FROM=<forrige> SOURCE=<kildetekst>" >&2; exit 2; }
	$(PY) -m tbu_analysis.cli new-round --new "$(NEW)" --from "$(FROM)" --source "$(SOURCE)"

check: $(STAMP) ## every input of a round checked in one pass (every stale quote listed), nothing written
	$(PY) -m tbu_analysis.cli check $(if $(ROUND),--round $(ROUND))

# HYPOTHESIS_PROFILE (tests/conftest.py): `full` draws every example a property test asks
# for; `fast` draws fewer. PYTHONDONTWRITEBYTECODE emptied: the package's and the rewritten
# test modules' bytecode is kept (__pycache__, ignored), so a run, each xdist worker and each
# `tbu` a test starts do not compile them again (about 3 s of collection per process).
TEST_ENV := PYTHONDONTWRITEBYTECODE=
# Both cores (xdist); a group of tests that share one rendered round or workbook stays on one
# worker (``xdist_group``, restored by conftest). Measured on this 2-core machine: about 4,5 min
# against 10 on one core.
test: $(STAMP) browser ## the whole test suite (what CI runs)
	$(TEST_ENV) HYPOTHESIS_PROFILE=full $(PY) -m pytest -q -n 2 --dist loadgroup

FAST := not (pdf or notebook or browser or make or slow)
test-fast: $(STAMP) ## the tests without PDFs, notebooks, browser or make (under a minute)
	$(TEST_ENV) HYPOTHESIS_PROFILE=fast $(PY) -m pytest -q -n 2 --dist loadgroup -m "$(FAST)"

bench: $(STAMP) ## time every stage against the toolchain's floor
	$(PY) benchmarks/bench_report.py $(if $(ROUND),--round $(ROUND))
	$(PY) benchmarks/bench_notebooks.py $(if $(ROUND),--round $(ROUND))
	$(PY) benchmarks/bench_scenarios.py

lint: $(STAMP) ## ruff, the layers contract (import-linter), and notebooks stored without outputs
	$(VENV)/bin/ruff check src tests notebooks benchmarks
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/nbstripout --verify --extra-keys "$$($(PY) -m tbu_analysis.common.lab)" notebooks/*.ipynb

# Notebooks are saved as git stores them (common/lab.py's hook, installed into .venv by
# setup), so a run leaves `git status` clean.
lab: $(STAMP) ## JupyterLab on the project's kernel at PORT (default 8888); works as root
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks --port=$(PORT) --ServerApp.port_retries=0 \
	  --no-browser --allow-root

clean: ## remove processed data, reports and make's stamps
	rm -rf data/processed/* data/processed/.[!.]* reports/* reports/.[!.]* $(STAMPS) .pytest_cache .ruff_cache

# --- browser for the accessibility tests (axe-core in Debian's chromium) ---------------------
# Playwright drives the system chromium; never `playwright install` (it downloads a browser).
# libharfbuzz-subset0 lets WeasyPrint subset the fonts itself (measured: the main report's
# PDF writes in 1,6 s instead of 7,9 s with fontTools), named here rather than left to
# chromium's dependencies.
CHROMIUM ?= /usr/bin/chromium
BROWSER_PACKAGES := chromium libharfbuzz-subset0
browser: ## Debian's chromium (and libharfbuzz-subset0) for the accessibility tests, if missing
	@if [ -x "$(CHROMIUM)" ] && ldconfig -p | grep libharfbuzz-subset >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installerer $(BROWSER_PACKAGES) (apt-get) for tilgjengelighetstestene"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; \
	else \
		echo "feil: testene trenger Debians $(BROWSER_PACKAGES): kjør 'sudo apt-get install $(BROWSER_PACKAGES)' (eller sett CHROMIUM=sti til nettleseren)" >&2; \
		exit 2; \
	fi
