# Two commands on a fresh machine: `make run` and `make test`. Python 3.11 and make are all they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

# `make run` uses the embedded defaults: SQLite and the filesystem broker under var/, console e-mail.
RUN_ENV := DEBUG=1

.PHONY: run test install lint format migrate demo clean drill lock upgrade

# Installs are reproducible: every package, pip and setuptools included, comes from a lock file with hashes
# (requirements/dev.lock: the runtime plus the dev extra; requirements/prod.lock: the runtime alone, e.g.
# `make install LOCK=requirements/prod.lock` on a server). pyproject.toml keeps the compatible ranges;
# `make lock` turns them into the lock files, `make upgrade` moves every pin to the newest allowed release.
LOCK ?= requirements/dev.lock
LOCK_FLAGS := --quiet --generate-hashes --allow-unsafe --all-build-deps --strip-extras \
	--no-emit-find-links --no-emit-index-url

$(STAMP): $(LOCK) pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# The accessibility test's checkers (axe-core, the Nu HTML checker) come from npm; without Node.js this step
# is left out and `make run` works as before (the test then skips, or fails under REQUIRE_SERVICES=1).
NODE_STAMP := node_modules/.package-lock.json

$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --ignore-scripts --no-audit --no-fund; \
	else echo "npm not found: the accessibility test's checkers are not installed (apt-get install nodejs npm)"; fi

install: $(STAMP) $(NODE_STAMP)

# Runs pip-compile (in the venv: the dev lock has it). Keeps every pin that still fits pyproject.toml's
# ranges; the dev lock is constrained by the prod lock, so both name the same versions.
lock: install
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile $(LOCK_FLAGS) $(LOCK_ARGS) \
		-o requirements/prod.lock pyproject.toml
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile $(LOCK_FLAGS) $(LOCK_ARGS) --extra dev \
		-c requirements/prod.lock -o requirements/dev.lock pyproject.toml

upgrade:
	$(MAKE) lock LOCK_ARGS=--upgrade

migrate: install
	mkdir -p var
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput

demo: migrate
	$(RUN_ENV) $(BIN)/python manage.py demo

run: demo
	@echo ""
	@echo "  Mend is starting on http://127.0.0.1:$(PORT)/  (web, worker and beat; Ctrl-C stops all three)"
	@echo "  Demo logins are printed above."
	@echo ""
	$(RUN_ENV) PATH="$(CURDIR)/$(BIN):$$PATH" PORT=$(PORT) $(BIN)/honcho start

test: install
	DEBUG=1 $(BIN)/pytest $(PYTEST_ARGS)

# The outbox fault drill (bench/faults.py): its own PostgreSQL, Redis and mail server, about 50 minutes.
# Not part of `make test`. `make drill DRILL_ARGS=--quick` shortens the long outages; `--only N` runs one.
drill: install
	DEBUG=1 $(BIN)/python bench/faults.py $(DRILL_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf var .pytest_cache .ruff_cache
