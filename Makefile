# Loupe. A newcomer needs two commands: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

# Tests and benchmarks use the PostgreSQL and Redis on 127.0.0.1 (scripts/ensure-services).
TEST_DB ?= loupe
TEST_REDIS_DB ?= 15
TEST_ENV := DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(TEST_DB) \
	REDIS_URL=redis://127.0.0.1:6379/$(TEST_REDIS_DB) \
	SECRET_KEY=loupe-test-secret-key-not-for-production-use-4f1c9a \
	DEBUG=false HTTPS=false CONN_MAX_AGE=0 TIME_ZONE=America/New_York SITE_URL=http://testserver

# pytest-xdist: one process per core (each with its own test database); tests that share the
# real Celery worker on Redis are kept in one process by their xdist_group.
PYTEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup --durations=15
# The layers point down (.importlinter); a broken contract fails with its name.
LINT_IMPORTS := $(BIN)/lint-imports --no-cache --no-logo
# A second moment, far from today, for the date-sensitive tests (make test-dates): a leap-day
# evening in the store's timezone that is already March 1 in UTC.
SECOND_NOW ?= 2028-02-29T20:30:00-05:00
DATE_SENSITIVE ?= tests/crm tests/followups tests/repairs tests/staff tests/sampledata tests/events \
	tests/appointments tests/insights

.PHONY: run test test-dates pytest lint bench clean

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
	mkdir -p var/celery/queue var/celery/processed var/celery/control
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py seed_demo
	DEBUG=true PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

## test: ruff and the layer contracts (.importlinter), then pytest against real PostgreSQL and
## Redis (started if installed but stopped).
test: $(VENV)/.dev-installed
	bash scripts/ensure-services
	$(BIN)/ruff check .
	$(LINT_IMPORTS)
	$(TEST_ENV) $(PYTEST) $(PYTEST_ARGS)

## test-dates: the date-sensitive tests again with the clock moved to SECOND_NOW (CI runs it).
test-dates: $(VENV)/.dev-installed
	bash scripts/ensure-services
	$(TEST_ENV) LOUPE_TEST_NOW=$(SECOND_NOW) $(PYTEST) $(DATE_SENSITIVE) $(PYTEST_ARGS)

## pytest: the tests alone (no lint), e.g. make pytest PYTEST_ARGS="tests/crm" TEST_DB=loupe_crm
pytest: $(VENV)/.dev-installed
	$(TEST_ENV) $(PYTEST) $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(LINT_IMPORTS)

## bench: benchmarks against a separate PostgreSQL database (see README, Performance).
bench: $(VENV)/.dev-installed
	bash scripts/ensure-services
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var
