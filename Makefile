# Tin Cậy — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 5000
export PYTHONPATH := $(CURDIR)

.PHONY: run test test-sqlite test-postgres install translations lint bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed translations

translations: $(VENV)/.installed
	$(VENV)/bin/pybabel compile -d app/translations >/dev/null

## make run: the app with demo data on SQLite at http://127.0.0.1:$(PORT)
run: install
	$(VENV)/bin/flask --app wsgi setup
	$(VENV)/bin/flask --app wsgi seed-demo --if-empty
	$(VENV)/bin/flask --app wsgi run --host 127.0.0.1 --port $(PORT)

## make test: the whole suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set
test: install
	$(VENV)/bin/ruff check app tests bench
	$(VENV)/bin/lint-imports
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$TEST_DATABASE_URL" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL tests SKIPPED: TEST_DATABASE_URL is not set"; fi

test-sqlite:
	env -u TEST_DATABASE_URL $(PY) -m pytest -n 2 --dist loadfile

test-postgres:
	$(PY) -m pytest -n 2 --dist loadfile -m "not e2e"

lint: install
	$(VENV)/bin/ruff check app tests bench
	$(VENV)/bin/lint-imports

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache
