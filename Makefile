# The README's two commands: `make demo` and `make test`. Each installs what it needs first,
# from the lock files, so they work on a fresh machine with Python >= 3.11, Node >= 18 and make.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/shouwang
REDIS_TEST_URL ?= redis://127.0.0.1:6379/14

.PHONY: demo test install browser services-tools lint typecheck test-sqlite test-postgresql messages lock serve \
	screens clean

demo: install
	PORT=$(PORT) $(BIN)/shouwang demo --port $(PORT)

test: install browser services-tools lint typecheck test-sqlite test-postgresql

install: $(VENV)/.installed node_modules/.installed .env messages

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python >= 3.11 is required (found $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

.env: | $(VENV)/.installed
	$(BIN)/shouwang init-env

messages: $(VENV)/.installed
	@command -v msgfmt >/dev/null || { apt-get update -qq && apt-get install -y -qq gettext >/dev/null; } \
		|| { echo "msgfmt (GNU gettext) is needed to compile translations"; exit 1; }
	$(BIN)/shouwang compilemessages --ignore=.venv --ignore=node_modules --ignore=var -v0

# Browser tests drive Debian's Chromium (Playwright's own browser download cannot work here);
# CJK fonts so screenshots show Chinese. Installed when missing and we may (root, apt).
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "noto.*cjk"; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				chromium fonts-noto-cjk >/dev/null; \
		else echo "Chromium or CJK fonts missing and cannot install: browser tests will skip"; fi; \
	fi

# The production-layout test (cases/tests/test_nginx_processes.py) runs Debian's nginx in front of
# two server processes. Installed when missing and we may (root, apt).
services-tools:
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				nginx-light >/dev/null; \
		else echo "nginx missing and cannot install: the nginx test will skip"; fi; \
	fi

# Refreshes the screenshots in docs/screens from the browser tests.
screens: install browser
	SHOUWANG_SCREENS_DIR=docs/screens DATABASE_URL= $(BIN)/pytest -p no:cacheprovider -k browser

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed
	$(BIN)/mypy src/shouwang

# pytest exits 5 when it collected no tests; make treats any non-zero exit as failure.
# The browser and fuzz suites (test_browser*.py, test_fuzz_*.py) drive a live server through
# the same code on either database: they run once, in the PostgreSQL pass, to keep `make test`
# short; SQLite runs them when PostgreSQL is not there.
ONCE_SUITES := --ignore-glob='*/test_browser*.py' --ignore-glob='*/test_fuzz_*.py'
test-sqlite: install
	@if pg_isready -q -d "$(PG_TEST_URL)" 2>/dev/null || [ "$$SHOUWANG_REQUIRE_SERVICES" = "1" ]; then \
		DATABASE_URL= $(BIN)/pytest -p no:cacheprovider $(ONCE_SUITES); \
	else DATABASE_URL= $(BIN)/pytest -p no:cacheprovider; fi

# Runs when PostgreSQL answers; required (not skipped) under SHOUWANG_REQUIRE_SERVICES=1.
test-postgresql: install
	@if pg_isready -q -d "$(PG_TEST_URL)" 2>/dev/null || [ "$$SHOUWANG_REQUIRE_SERVICES" = "1" ]; then \
		DATABASE_URL="$(PG_TEST_URL)" REDIS_URL="$(REDIS_TEST_URL)" $(BIN)/pytest -p no:cacheprovider; \
	else echo "PostgreSQL not reachable at $(PG_TEST_URL): PostgreSQL run skipped"; fi

serve: install
	$(BIN)/shouwang serve --port $(PORT)

lock: $(BIN)/python
	$(BIN)/python -m pip freeze --exclude-editable | sed '1i # Exact versions installed by make; regenerate with: make lock' > requirements.lock

clean:
	rm -rf $(VENV) node_modules var
