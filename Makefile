# The two commands: `make run` and `make test`. Each sets up what it needs first.
VENV   := .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000
PYTHON ?= python3

.PHONY: install run test test-pg bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml scripts/system-packages.sh
	bash scripts/system-packages.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

run: install
	$(FLASK) db upgrade
	$(FLASK) demo seed --if-empty
	$(FLASK) serve --host $(HOST) --port $(PORT) $(if $(LAN),--lan)

# SQLite always; PostgreSQL too when TEST_DATABASE_URL is set.
test: install
	env -u TEST_DATABASE_URL $(PY) -m pytest $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then $(MAKE) --no-print-directory test-pg; fi

test-pg: install
	@test -n "$$TEST_DATABASE_URL" || { echo "Set TEST_DATABASE_URL=postgresql://user@host:port/db"; exit 2; }
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install
	$(PY) -m tests.bench

clean:
	rm -rf $(VENV) instance/tagtrail.db*
