# Congres — the two commands: `make run` (serve with demo data) and `make test` (everything).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test test-sqlite test-postgres lint bench bench-compare reliability scale-test screenshots system-deps system-deps-test translations translations-update worker clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.dev: pyproject.toml $(VENV)/.runtime
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

system-deps:
	@scripts/install_system_deps.sh runtime

system-deps-test:
	@scripts/install_system_deps.sh test

translations: $(VENV)/.runtime
	@$(BIN)/python scripts/translations.py compile >/dev/null

translations-update: $(VENV)/.runtime
	$(BIN)/python scripts/translations.py update

## make run: set everything up, migrate, load the demo data when empty, start the worker, serve.
run: export PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)
run: system-deps $(VENV)/.runtime node_modules/.installed translations
	$(BIN)/flask db upgrade
	$(BIN)/flask congress demo --if-empty
	@$(BIN)/flask congress worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	echo "Congres on $$PUBLIC_BASE_URL/ (PUBLIC_BASE_URL; serving 127.0.0.1:$(PORT), worker pid $$worker)"; \
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

worker: $(VENV)/.runtime
	$(BIN)/flask congress worker

## make lint: ruff, then import-linter's contracts (the layers and faces of docs/architecture.md, in pyproject.toml).
lint: $(VENV)/.dev
	$(BIN)/ruff check congress tests bench scripts config.py wsgi.py
	$(BIN)/lint-imports

## make test: ruff, then pytest on SQLite and on PostgreSQL (a throw-away server when DATABASE_URL gives none),
## each with a throw-away Redis (scripts/redis_test_server.sh) for the queue and rate-limit tests on Redis.
test: system-deps-test $(VENV)/.dev node_modules/.installed translations lint
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

# Redis for the tests: a throw-away server, stopped when the recipe ends; a missing one fails (never skips).
WITH_TEST_REDIS = redis_url=$$(scripts/redis_test_server.sh start); \
	trap 'scripts/redis_test_server.sh stop' EXIT; \
	export TEST_REDIS_URL="$$redis_url" CONGRESS_REQUIRE_REDIS=1

test-sqlite: $(VENV)/.dev
	@echo "== pytest on SQLite =="
	@set -e; $(WITH_TEST_REDIS); \
	env -u DATABASE_URL -u TEST_DATABASE_URL $(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS)

test-postgres: $(VENV)/.dev
	@echo "== pytest on PostgreSQL =="
	@set -e; \
	if [[ "$${DATABASE_URL:-}" == postgres* ]]; then url="$$DATABASE_URL"; started=0; \
	else url=$$(scripts/pg_test_server.sh start); started=1; fi; \
	redis_url=$$(scripts/redis_test_server.sh start); \
	trap '[ $$started = 1 ] && scripts/pg_test_server.sh stop; scripts/redis_test_server.sh stop' EXIT; \
	TEST_REDIS_URL="$$redis_url" CONGRESS_REQUIRE_REDIS=1 \
	TEST_DATABASE_URL="$$url" $(BIN)/pytest -p no:cacheprovider -m "not browser" $(PYTEST_ARGS)

## make bench: every benchmark under bench/, results written to docs/benchmarks.md.
bench: system-deps-test $(VENV)/.dev translations
	$(BIN)/python -m bench

## make bench-compare BASE=<git rev> [ONLY=registration_rush,checkin_scans] [ROUNDS=2]: the benchmarks on a
## throw-away checkout of BASE and on this working tree, interleaved, medians written to docs/bench-compare.md.
bench-compare: system-deps-test $(VENV)/.dev translations
	@test -n "$(BASE)" || { echo "usage: make bench-compare BASE=<git rev> [ONLY=a,b] [ROUNDS=2]" >&2; exit 2; }
	$(BIN)/python -m bench._compare "$(BASE)" --only "$(ONLY)" --rounds "$(or $(ROUNDS),2)"

## make scale-test: (as root) a simulated venue network of Linux namespaces — 3 app hosts, database/Redis/SMTP
## host, load host, 10 stations — registration opening with a host killed, door rush with 2 stations cut off;
## checks PASS/FAIL, figures into docs/scale.md between its markers; stops itself within 15 minutes.
## Not part of make test. SCALE_ARGS="--registrations 300 --scans 200" for a small run.
scale-test: $(VENV)/.dev translations
	$(BIN)/python scripts/scale_test.py $(SCALE_ARGS)

## make reliability: faults injected into a running installation (SQLite and PostgreSQL), written to docs/reliability.md.
reliability: system-deps-test $(VENV)/.dev translations
	$(BIN)/python scripts/reliability.py

## make screenshots: the README's screenshots (edition, registration and personal page at 375 and 1280 px)
## from a throw-away demo-data app, written to docs/screenshots/ (not part of make test).
screenshots: system-deps-test $(VENV)/.dev node_modules/.installed translations
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache
