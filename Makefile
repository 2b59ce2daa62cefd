# Cocreate: `make run` serves the site with demo data; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
export COCREATE_ENV ?= development

RUNS ?= 20

# Links in mail sent outside a request (expert routing, digests) point where `make run` serves,
# unless SITE_URL says otherwise; a wildcard address is reached as localhost, IPv6 in brackets.
RUN_HOST = $(if $(filter 0.0.0.0 :: [::],$(HOST)),localhost,$(if $(findstring :,$(HOST)),[$(HOST)],$(or $(HOST),127.0.0.1)))
RUN_SITE_URL = http://$(RUN_HOST):$(or $(PORT),5000)

.PHONY: run test test-cluster cluster cluster-stop cluster-deps stress install install-dev browser-deps translations configuration-tables extract-messages lint format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

# PostgreSQL's driver, Redis's client and gunicorn: what `make cluster` runs.
$(VENV)/.installed-cluster: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[postgres,scale]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed translations
install-dev: $(VENV)/.installed-dev translations

translations: $(VENV)/.installed
	@$(BIN)/pybabel -q compile -d translations

configuration-tables: $(VENV)/.installed  # the tables docs/configuration.md must show
	@$(BIN)/python -c "from community.config import SECTIONS, Config; \
	    from community.envvars import settings_markdown; print(settings_markdown(SECTIONS, Config))"

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg --ignore-dirs='.*' -k _l -k lazy_gettext -k lazy_ngettext:1,2 --no-location --sort-output \
	    -o translations/messages.pot .
	$(BIN)/pybabel -q update --no-fuzzy-matching -i translations/messages.pot -d translations

run: install
	$(FLASK) db upgrade
	$(FLASK) demo load
	@$(FLASK) search check >/dev/null 2>&1 || $(FLASK) search rebuild
	SITE_URL="$${SITE_URL:-$(RUN_SITE_URL)}" $(FLASK) serve

# Chromium and CJK fonts for the browser tests: installed when missing and we are root.
browser-deps:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "noto.*cjk"; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing chromium and fonts-noto-cjk for the browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	else \
	    echo "NOTE: chromium or fonts-noto-cjk is missing and we are not root: browser tests will be skipped."; \
	fi

# tests/cluster runs on its own after the rest: one cluster for all its tests (under xdist,
# each worker would start one).
test: install-dev browser-deps cluster-deps
	COCREATE_ENV=testing $(BIN)/pytest -n auto --ignore=tests/cluster
	COCREATE_ENV=testing $(BIN)/pytest tests/cluster

# Two instances behind nginx, with PostgreSQL and Redis (tests/cluster; part of `make test`).
test-cluster: install-dev cluster-deps
	COCREATE_ENV=testing $(BIN)/pytest tests/cluster

# PostgreSQL, Redis, nginx and openssl for `make cluster` and tests/cluster: installed from
# Debian's packages when missing and we are root.
CLUSTER_PACKAGES = $(shell $(PYTHON) deploy/cluster.py missing)
cluster-deps:
	@missing="$(CLUSTER_PACKAGES)"; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing $$missing for the cluster..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
	    echo "NOTE: $$missing missing and we are not root: the cluster cannot start (tests/cluster is skipped)."; \
	fi

# PostgreSQL, Redis, two instances under gunicorn, a job worker and nginx (TLS, self-signed) on
# loopback ports, with the demo loaded; everything in .cluster/. CLUSTER_PORT: nginx's port.
cluster: $(VENV)/.installed-cluster translations cluster-deps
	$(BIN)/python deploy/cluster.py start $(if $(CLUSTER_PORT),--port $(CLUSTER_PORT))

# Stops exactly what `make cluster` started (by its pid files in .cluster/pids).
cluster-stop:
	@$(PYTHON) deploy/cluster.py stop

# The race tests, RUNS times each, while other tests, SQLite writers and busy loops load the
# machine (bench/stress.py); PostgreSQL too when TEST_POSTGRES_URL is set or we are root.
stress: install-dev browser-deps
	@if [ -z "$$TEST_POSTGRES_URL" ] && [ "$$(id -u)" = "0" ]; then \
	    TEST_POSTGRES_URL="$$(bash .ci/postgres.sh | tail -n 1)"; export TEST_POSTGRES_URL; fi; \
	$(BIN)/python bench/stress.py --runs $(RUNS)

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-results
