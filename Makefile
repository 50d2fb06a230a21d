# Two commands on a fresh machine: `make run` and `make test`. Python 3.11 and make are all they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

# `make run` uses the embedded defaults: SQLite and the filesystem broker under var/, console e-mail.
RUN_ENV := DEBUG=1

.PHONY: run test install lint format migrate demo clean drill bench

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

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

# The speed benchmark (bench/run.py): seeds PostgreSQL at scale (kept between runs), serves with gunicorn,
# loads every page with wrk and prints the table. Not part of `make test`. About 20 minutes;
# `make bench BENCH_ARGS=--quick` takes a few. Needs PostgreSQL, Redis and wrk (apt-get install -y wrk).
bench: install
	@command -v wrk >/dev/null || { echo "make bench needs wrk: sudo apt-get install -y wrk"; exit 1; }
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf var .pytest_cache .ruff_cache
