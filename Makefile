# Keel: `make demo` to try it, `make test` to check it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test serve worker lint fmt lock clean soak

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.lock
	$(BIN)/pip install --quiet -r requirements-dev.lock
	touch $@

demo: $(VENV)/.installed
	$(BIN)/keel demo

# The suite runs on one pytest-xdist worker per core (at most 4; `make test
# TEST_WORKERS=0` runs it in one process). Each worker has its own test database.
# Tests marked xdist_group share a worker (the demo tests share one loaded demo).
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); echo $$(( n > 4 ? 4 : n )))

test: $(VENV)/.installed-dev
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

serve: $(VENV)/.installed
	$(BIN)/keel serve

worker: $(VENV)/.installed
	KEEL_TASKS=database $(BIN)/keel worker

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/keel makemigrations --check --dry-run

fmt: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The heavy reliability runs (faults, fuzzing, load, property and access-matrix runs);
# needs PostgreSQL's binaries. SOAK_ARGS="--only faults --orders 200" picks parts.
soak: $(VENV)/.installed-dev
	$(BIN)/python bench/soak/run.py $(SOAK_ARGS)

# Re-pin every dependency (needs pip-tools); commit both lock files.
lock: $(BIN)/python
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --output-file requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --extra dev --output-file requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) var/test-* .pytest_cache
