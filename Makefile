# Cosmo: `make run` serves the three portals (embedded: SQLite + filesystem broker), `make test` runs the suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The suite runs on PostgreSQL and Redis (override to point elsewhere).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/cosmo
TEST_BROKER_URL ?= redis://127.0.0.1:6379/15
# The cache (login failures, throttles) of the suite: a Redis db of its own.
TEST_CACHE_URL ?= redis://127.0.0.1:6379/14
PYTEST_ARGS ?=
# Where `make run` serves (another port: make run ADDR=127.0.0.1:8013).
ADDR ?= 127.0.0.1:8000

.PHONY: run test test-long test-fast bench soak services install migrate demo clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	# The scheduler's tabu search runs compiled: compile it once here, into numba's cache.
	$(PY) -c "from production.scheduler.tabu import warm; warm()"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo --if-empty

# The demo's factory clock runs 600× real time (a factory day in 2.4 minutes) unless told otherwise.
# DEBUG is off unless set; the local demo turns it on (Django's debug pages, static files from the app).
run: export COSMO_CLOCK_SPEED ?= 600
run: export DEBUG ?= true
run: demo
	@echo "make run: DEBUG is on for this local demo (never in production: see README, Configuration)"
	$(PY) manage.py runstack --addr $(ADDR)

services:
	@bash scripts/services.sh

test: install services
	@bash scripts/browser.sh
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) COSMO_CACHE_URL=$(TEST_CACHE_URL) $(PY) -m pytest -m "not long" $(PYTEST_ARGS)

# The tests that take minutes each (fuzzing, the seeded simulation four times, the lock-order race).
test-long: install services
	@bash scripts/browser.sh
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) COSMO_CACHE_URL=$(TEST_CACHE_URL) $(PY) -m pytest -m long $(PYTEST_ARGS)

# The quick loop while developing: no browser, no real worker, no subprocesses.
test-fast: install services
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) COSMO_CACHE_URL=$(TEST_CACHE_URL) $(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

# The fault soak (scripts/soak.py): its own database and Redis db number, real gunicorn, worker and beat.
SOAK_ARGS ?=
soak: install services
	$(PY) scripts/soak.py $(SOAK_ARGS)

clean:
	rm -rf var bench/out staticfiles
