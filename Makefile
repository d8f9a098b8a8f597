# Tin Cậy — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 5000
export PYTHONPATH := $(CURDIR)
# What mypy holds at zero errors: the whole of app/ since 7/12/2026 (a new module is checked from its first commit).
TYPED := app

.PHONY: typecheck run test test-sqlite test-postgres install translations lint lock bench clean

# Installed from the hashed lock only: every package, transitive ones included, pinned and checked by hash.
$(VENV)/.installed: requirements.lock requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

## make lock: after editing requirements.txt / requirements-dev.txt, pin everything again with hashes
lock:
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --no-strip-extras --no-emit-index-url \
		--no-emit-find-links -o requirements.lock requirements.txt
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --no-strip-extras --no-emit-index-url \
		--no-emit-find-links -o requirements-dev.lock requirements-dev.txt

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
	$(VENV)/bin/ruff format --check app tests bench
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy $(TYPED)
	$(PY) .ci/audit_deps.py requirements-dev.lock
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$TEST_DATABASE_URL" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL tests SKIPPED: TEST_DATABASE_URL is not set"; fi

# The tests' temporary files (their SQLite databases among them) live in memory-backed /dev/shm where there is
# one: every commit is an fsync (synchronous=FULL, as in production), and on a shared disk those waits were most of
# the sign-in throttling proofs' time. The pragmas are the same; only the disk under them is not. A container's
# /dev/shm is often 64 MB: it is used only with 2 GB free, else the usual temporary directory.
TMP_TESTS = shm=$$(df -Pk /dev/shm 2>/dev/null | awk 'NR==2 && $$4 > 2097152 {print "/dev/shm"}'); \
	tmp=$$(mktemp -d $${shm:-$${TMPDIR:-/tmp}}/tincay-tests.XXXXXX); trap 'rm -rf "$$tmp"' EXIT;

test-sqlite:
	@$(TMP_TESTS) set -x; \
	env -u TEST_DATABASE_URL $(PY) -m pytest -n 2 --dist loadfile --cov=app --cov-report= --basetemp="$$tmp"
	@echo "coverage of app/ (SQLite run): $$($(VENV)/bin/coverage report --format=total)% of lines"

# The PostgreSQL pass leaves out the access matrix's walk of every route for every profile (the SQLite pass runs
# it; the decisions are the same Python over the same ORM queries) to keep CI under 30 minutes on 2 cores.
test-postgres:
	@$(TMP_TESTS) set -x; \
	HOSTILE_EXAMPLES_PER_FORM=5 $(PY) -m pytest -n 2 --dist loadfile -m "not e2e" --basetemp="$$tmp" \
		--deselect tests/test_access_matrix.py::test_every_route_answers_each_profile_as_the_matrix_declares

typecheck:
	$(VENV)/bin/mypy $(TYPED)

lint: install
	$(VENV)/bin/ruff check app tests bench
	$(VENV)/bin/ruff format --check app tests bench
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy $(TYPED)

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache
