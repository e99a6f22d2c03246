# Loupe. A newcomer needs two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

# Tests and benchmarks use the PostgreSQL and Redis on 127.0.0.1 (scripts/ensure-services).
TEST_DB ?= loupe
TEST_REDIS_DB ?= 15
TEST_ENV := DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(TEST_DB) \
	REDIS_URL=redis://127.0.0.1:6379/$(TEST_REDIS_DB) \
	SECRET_KEY=loupe-test-secret-key-not-for-production-use-4f1c9a \
	DEBUG=false HTTPS=false CONN_MAX_AGE=0 TIME_ZONE=America/New_York SITE_URL=http://testserver

.PHONY: run test pytest lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

## run: the whole system (web, worker, beat) on SQLite and a folder broker; Ctrl-C stops all.
run: $(VENV)/.installed
	mkdir -p var/celery/queue var/celery/processed
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py seed_demo
	DEBUG=true PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

## test: ruff, then pytest against real PostgreSQL and Redis (started if installed but stopped).
test: $(VENV)/.dev-installed
	bash scripts/ensure-services
	$(BIN)/ruff check .
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

## pytest: the tests alone (no lint), e.g. make pytest PYTEST_ARGS="tests/crm" TEST_DB=loupe_crm
pytest: $(VENV)/.dev-installed
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .

## bench: benchmarks against a separate PostgreSQL database (see README, Performance).
bench: $(VENV)/.dev-installed
	bash scripts/ensure-services
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var
