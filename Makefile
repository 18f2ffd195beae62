# Quiet Door. `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
LANGS  := $(notdir $(wildcard translations/*))

.DEFAULT_GOAL := help
.PHONY: help run test content-check test-fast lint format browser extract update compile translations init-lang i18n-check bench clean

help: ## List the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Quiet Door needs Python 3.11 or newer (found $$($(PYTHON) --version))."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

compile: $(VENV)/.installed ## Compile the message catalogues (.po to .mo)
	@$(BIN)/pybabel compile -d translations 2>&1 | grep -v '^compiling' || true

run: $(VENV)/.installed compile ## Start the demo site on PORT (default 5000); honours DATABASE_URL
	$(BIN)/flask --app webapp db upgrade
	$(BIN)/flask --app webapp run --host 127.0.0.1 --port $(PORT)

browser: ## Make sure a Chromium is there for the browser tests
	@bash .ci/ensure-browser $(BIN)/python

test: $(VENV)/.installed-test compile browser ## Install what the tests need and run the whole suite
	$(BIN)/ruff check webapp tests bench
	$(BIN)/lint-imports --no-cache
	QD_INSTANCE_PATH=$$(mktemp -d) $(BIN)/flask --app webapp content check
	$(BIN)/python -m pytest

content-check: $(VENV)/.installed ## Check every page and campaign under content/
	QD_INSTANCE_PATH=$$(mktemp -d) $(BIN)/flask --app webapp content check

test-fast: $(VENV)/.installed-test compile ## The suite without the browser tests
	$(BIN)/python -m pytest -m "not browser"

lint: $(VENV)/.installed-test ## Check the code with ruff, and the architecture with import-linter
	$(BIN)/ruff check webapp tests bench
	$(BIN)/ruff format --check webapp
	$(BIN)/lint-imports --no-cache

format: $(VENV)/.installed-test ## Format the code with ruff
	$(BIN)/ruff format webapp tests bench

extract: $(VENV)/.installed ## Collect the strings to translate into translations/messages.pot
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k N_ --no-location --sort-output \
	  --project "Quiet Door" --copyright-holder "Quiet Door" -o translations/messages.pot .

update: extract ## Bring every catalogue in line with messages.pot
	$(BIN)/pybabel -q update -i translations/messages.pot -d translations \
	  --no-fuzzy-matching --ignore-obsolete

init-lang: extract ## Start a new language: make init-lang LANG_CODE=pl
	$(BIN)/pybabel init -i translations/messages.pot -d translations -l $(LANG_CODE)

translations: update compile ## The whole cycle: extract, update, compile

i18n-check: $(VENV)/.installed-test ## Fail on untranslated or fuzzy entries, or a stale messages.pot
	$(BIN)/python -m pytest -q tests/unit/test_catalogues.py

bench: $(VENV)/.installed-test compile ## Print the page-weight, way back and publishing figures
	$(BIN)/python bench/page_weight.py
	$(BIN)/python bench/way_back.py
	$(BIN)/python bench/publishing.py

clean: ## Remove the virtual environment and compiled files
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find translations -name '*.mo' -delete
