# The two commands: `make run` (the app on the demo data) and `make test` (every test).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DB     ?= data/demo.duckdb
STORE_FILE := data/operations.sqlite
PORT   ?= 8501

.PHONY: run test lint venv venv-dev demo-db bench clean lock deploy-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Installed from the lock files: every package pinned, every download checked by its hash.
$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

# After changing requirements.in or requirements-dev.in: recompile both lock files.
lock: | $(BIN)/python
	$(BIN)/pip install -q pip-tools==7.6.2
	$(BIN)/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
	    --no-emit-find-links -o requirements.txt requirements.in
	$(BIN)/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
	    --no-emit-find-links -o requirements-dev.txt requirements-dev.in

venv: $(VENV)/.runtime
venv-dev: $(VENV)/.dev

# The demo database is built once, with visible progress, if it is missing.
$(DB): | $(VENV)/.runtime
	$(BIN)/python -m supervision generate --db $(DB) --demo-users

# The demo logins live in the operational store; an older checkout's store gets them too.
$(STORE_FILE): | $(VENV)/.runtime $(DB)
	$(BIN)/python -m supervision users --db $(DB) demo

demo-db: $(DB) $(STORE_FILE)

run: $(VENV)/.runtime $(DB) $(STORE_FILE)
	SUPERVISION_DB=$(DB) $(BIN)/python -m supervision serve --server.port $(PORT)

lint: $(VENV)/.dev
	$(BIN)/ruff check .

test: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# The production setup of deploy/ (nginx, two app servers, PostgreSQL) started on this
# machine and driven in Chromium (tests/deploy; not part of `make test`). Needs Debian's
# nginx and openssl, and PostgreSQL: SUPERVISION_TEST_PG_URL, else one started as in CI
# (as root). Prints the failover figure last.
deploy-check: $(VENV)/.dev
	SUPERVISION_DEPLOY_CHECK=1 $(BIN)/python -m pytest -n 0 -p no:cacheprovider tests/deploy

bench: $(VENV)/.dev
	$(BIN)/python bench/bench.py

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts bench/out
