# OpenAIMS: `make run` serves the app with a demo organization; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The suite runs on every core, a test file at a time per worker; PYTEST_WORKERS=0 runs it in one
PYTEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile

.PHONY: run test test-sqlite test-postgres bench lint browser-deps java-deps clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-base: requirements/base.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed-test: requirements/test.txt $(VENV)/.installed-base
	$(BIN)/pip install --quiet -r requirements/test.txt
	touch $@

run: $(VENV)/.installed-base
	$(BIN)/aims run --port $(PORT)

# Browser tests drive Debian's Chromium (Playwright's own browser download is not used).
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "Installing Chromium from Debian packages for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

# The Spark tests (tests/test_metrics_spark.py) run PySpark in local mode on Debian's Java.
java-deps:
	@if ! command -v java >/dev/null 2>&1; then \
		echo "Installing Java from Debian packages for the Spark tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq default-jre-headless >/dev/null; \
	fi

# The README's screenshots of the demo dashboard at 390 px and 1,400 px (docs/dashboard-*.png),
# taken from the demo loaded into a temporary data folder.
screenshots: $(VENV)/.installed-test browser-deps
	$(BIN)/python scripts/screenshots.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check aims tests bench
	$(BIN)/ruff format --check aims tests bench

# The whole suite twice: on SQLite (the default) and on PostgreSQL, in a throwaway cluster that
# scripts/with-postgres starts from the Debian package and removes after (installs it if missing).
test: $(VENV)/.installed-test browser-deps java-deps
	$(BIN)/ruff check aims tests bench
	$(BIN)/ruff format --check aims tests bench
	$(BIN)/mypy
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(PYTEST)
	scripts/with-postgres $(PYTEST)

test-sqlite: $(VENV)/.installed-test browser-deps java-deps
	$(PYTEST)

test-postgres: $(VENV)/.installed-test browser-deps java-deps
	scripts/with-postgres $(PYTEST)

# Speed targets, each compared in the same run with its reference (ratios printed).
# Every benchmark runs, whatever the one before found; make fails at the end if a target was missed.
BENCHES = pages search metrics_fairness metrics_drift metrics_cli metrics_spark
bench: $(VENV)/.installed-test
	@missed=""; for b in $(BENCHES); do \
		echo "== bench/$$b.py"; $(BIN)/python bench/$$b.py || missed="$$missed $$b"; \
	done; \
	if [ -n "$$missed" ]; then echo "targets missed in:$$missed"; exit 1; fi

clean:
	rm -rf $(VENV) data staticfiles
