# supportdesk: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs every suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV ?= $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
BACKEND := backend
FRONTEND := frontend
PYTEST_ARGS ?=
# Test processes (pytest-xdist), each with a database of its own; PYTEST_WORKERS=0 runs
# everything in this process. Tests are handed out one by one and an idle process takes
# from a busy one's queue (worksteal): whole files per process left one of them running the
# long schema property test alone for minutes while the other had finished.
PYTEST_WORKERS ?= 2
PYTEST := pytest -q -n $(PYTEST_WORKERS) --dist worksteal

.PHONY: help
help:
	@echo "make run          install, migrate, load demo data, build the web app, serve on :8000"
	@echo "make test         install and run every test suite (lint, unit, api, integration, web, e2e)"
	@echo "make lint         ruff, mypy, import rules, eslint, prettier, tsc, API client freshness"
	@echo "make gen-api      regenerate the web app's typed API client from the backend's OpenAPI"
	@echo "make test-integration  the database-facing tests (set TEST_DATABASE_URL / TEST_REDIS_URL)"
	@echo "make test-integration-pgbouncer  the same through PgBouncer (transaction pooling)"
	@echo "make test-scale        three replicas behind HAProxy on PostgreSQL, PgBouncer and Redis"

.PHONY: uv
uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

# Bytecode compiled once, as the image does it (Dockerfile): where PYTHONDONTWRITEBYTECODE
# is set, every process would otherwise compile each module it imports, holidays' large
# tables among them (~28 MB more at the peak of a worker's startup: bench/README.md).
.PHONY: install-backend
install-backend: uv
	cd $(BACKEND) && $(UV) sync --frozen --quiet --compile-bytecode

.PHONY: install-frontend
install-frontend:
	@if [ ! -d $(FRONTEND)/node_modules ] || [ $(FRONTEND)/package-lock.json -nt $(FRONTEND)/node_modules/.package-lock.json ]; then \
		cd $(FRONTEND) && npm ci --no-audit --no-fund --loglevel=error; fi

.PHONY: install
install: install-backend install-frontend

.PHONY: chromium
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

.PHONY: build-web
build-web: install-frontend
	cd $(FRONTEND) && npm run build --silent

.PHONY: migrate
migrate: install-backend
	cd $(BACKEND) && $(UV) run supportdesk migrate

.PHONY: seed
seed: install-backend
	cd $(BACKEND) && $(UV) run supportdesk seed-demo

.PHONY: run
run: install build-web migrate seed
	cd $(BACKEND) && $(UV) run supportdesk serve

.PHONY: gen-api
gen-api: install
	cd $(BACKEND) && $(UV) run supportdesk openapi > ../$(FRONTEND)/openapi.json
	cd $(FRONTEND) && npm run gen:api --silent

.PHONY: check-api
check-api: install
	@cd $(BACKEND) && $(UV) run supportdesk openapi > /tmp/supportdesk-openapi.json
	@diff -q /tmp/supportdesk-openapi.json $(FRONTEND)/openapi.json >/dev/null || { \
		echo "frontend/openapi.json is stale: run 'make gen-api' and commit"; exit 1; }
	cd $(FRONTEND) && npm run check:api --silent

.PHONY: lint-backend
lint-backend: install-backend
	cd $(BACKEND) && $(UV) run ruff check src tests && $(UV) run ruff format --check src tests
	cd $(BACKEND) && $(UV) run mypy src
	cd $(BACKEND) && $(UV) run lint-imports

.PHONY: lint-frontend
lint-frontend: install-frontend
	cd $(FRONTEND) && npm run typecheck --silent && npm run lint --silent

.PHONY: lint
lint: lint-backend lint-frontend check-api

.PHONY: test-backend
test-backend: install-backend
	cd $(BACKEND) && $(UV) run $(PYTEST) $(PYTEST_ARGS)

.PHONY: test-integration
test-integration: install-backend
	cd $(BACKEND) && $(UV) run $(PYTEST) tests/integration tests/api $(PYTEST_ARGS)

.PHONY: scale-tools
scale-tools:
	@command -v haproxy >/dev/null 2>&1 && command -v pgbouncer >/dev/null 2>&1 || { \
		echo "installing Debian's haproxy and pgbouncer for the scale tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy pgbouncer >/dev/null; }
	@bash deploy/pgbouncer/build.sh

# The database-facing tests through PgBouncer in transaction pooling mode on PGBOUNCER_PORT
# (TEST_DATABASE_URL must point there, with ?pgbouncer=true).
PGBOUNCER_PORT ?= 6432
.PHONY: test-integration-pgbouncer
test-integration-pgbouncer: install-backend scale-tools
	cd $(BACKEND) && $(UV) run python -m tests.scale.topology pgbouncer $(PGBOUNCER_PORT) -- \
		$(PYTEST) tests/integration tests/api $(PYTEST_ARGS)

# The production shape on this machine (tests/scale/topology.py): needs PostgreSQL on 5432
# and Redis on 6379 (SCALE_REDIS_URL, default database 9).
.PHONY: test-scale
test-scale: install-backend scale-tools
	cd $(BACKEND) && SUPPORTDESK_SCALE=1 $(UV) run pytest -q -s tests/scale $(PYTEST_ARGS)

.PHONY: test-frontend
test-frontend: install-frontend
	cd $(FRONTEND) && npm run test --silent

.PHONY: test-e2e
test-e2e: install chromium build-web
	cd $(FRONTEND) && npm run e2e --silent

.PHONY: test
test: lint test-backend test-frontend test-e2e
