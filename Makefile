# Tiếng Dân — one task runner. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help install run test lint format bench model clean prod-local

CHROMIUM := /usr/bin/chromium
WRK := /usr/bin/wrk

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || PYTHON=python3; \
	  test -x $(BIN)/python || $${PYTHON:-python3} -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project with its dev tools

$(CHROMIUM): # the PWA's browser tests drive Debian's Chromium (never a downloaded browser)
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

$(WRK): # the HTTP benchmarks' load generator
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk

model: install ## Train the shipped classifier into var/models if none is there yet
	@test -f var/models/current/card.json || $(BIN)/tiengdan train --out var/models/current

run: install ## Start the whole product (embedded shape: SQLite, in-process queue) on http://127.0.0.1:8000
	mkdir -p var
	$(BIN)/tiengdan migrate
	$(MAKE) --no-print-directory model
	$(BIN)/tiengdan demo-data
	@echo "Tiếng Dân on http://127.0.0.1:8000 (API docs: /schema); e-mail to gopy@tiengdan.localhost on SMTP 127.0.0.1:2525"
	TIENGDAN_EMAIL_DOMAIN=$${TIENGDAN_EMAIL_DOMAIN:-tiengdan.localhost} \
	TIENGDAN_EMAIL_COMMUNE=$${TIENGDAN_EMAIL_COMMUNE:-00070} \
	$(BIN)/tiengdan serve

prod-local: install ## Production shape on loopback: PostgreSQL + Redis + 2 API + 2 workers (Ctrl-C stops)
	$(BIN)/python docker/prod_local.py

lint: install ## ruff (lint + format check) and mypy --strict
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install ## Apply ruff's formatting and safe fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint $(CHROMIUM) ## Lint, then the whole test suite (PostgreSQL/Redis too when DATABASE_URL/REDIS_URL are set)
	$(BIN)/pytest

bench: install $(WRK) ## Run the benchmarks and print their tables (needs PostgreSQL and Redis on 127.0.0.1)
	$(BIN)/python bench/intake.py
	$(BIN)/python bench/webhooks.py
	$(BIN)/python bench/classify.py
	$(BIN)/python bench/grouping.py
	$(BIN)/python bench/push.py
	$(BIN)/python bench/push_outbox.py
	$(BIN)/python bench/dashboards.py
	$(MAKE) --no-print-directory model
	$(BIN)/python bench/e2e.py

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
