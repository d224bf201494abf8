# Every target sets up its own virtual environment first; a fresh clone needs only python3 (3.11+).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
# Tests run in this many processes (pytest-xdist); each gets its own PostgreSQL database beside TEST_DATABASE_URL.
# `loadgroup`: tests are handed out one by one, except a module marked `xdist_group`, which goes to one process whole
# (its shared server or demo run is then built once). A passed test's tmp_path is removed as it ends (files that young
# never reached the disk; removing a finished run's thousands of files later took seconds); a failed one's is kept.
TEST_JOBS ?= 2

.PHONY: help install demo test bench serve console upgrade clean

help:
	@echo "make demo    - set up and run the offline demo (SQLite, no Slack account), output in ./roi-demo"
	@echo "make test    - set up and run the tests (also on PostgreSQL when TEST_DATABASE_URL is set)"
	@echo "make bench   - generate the 1,000,000-order data set and run the benchmarks (SQLite and PostgreSQL)"
	@echo "make serve   - run the app in HTTP mode (needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET)"
	@echo "make console - type slash commands against DATABASE_URL and see the replies"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/roi-bot demo --out roi-demo

test: $(STAMP)
	$(BIN)/python -m pytest -q -n $(TEST_JOBS) --dist loadgroup -o tmp_path_retention_policy=failed $(PYTEST_ARGS)

# BENCH_ARGS=--no-pg for SQLite only; see bench/README.md. Not part of `make test`.
bench: $(STAMP)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

serve: $(STAMP)
	$(BIN)/roi-bot serve

console: $(STAMP)
	$(BIN)/roi-bot console

upgrade: $(STAMP)
	$(BIN)/roi-bot db upgrade

clean:
	rm -rf $(VENV) roi-demo roi-charts .pytest_cache .hypothesis *.egg-info
