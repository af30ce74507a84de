# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint install browser migrate seed clean
CHROMIUM := /usr/bin/chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e '.[test]'
	touch $(STAMP)

install: $(STAMP)
	mkdir -p var/mail var/celery/queue var/celery/control

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed
	@echo "Starting web, worker and beat on http://127.0.0.1:8000 (Ctrl-C stops all of them)"
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start

# The browser tests drive Debian's Chromium; install it when missing (needs root, as on CI machines).
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	  else echo "Chromium is missing: run 'sudo apt-get install -y chromium' for the browser tests." >&2; exit 1; fi; \
	fi

# Style (ruff), the import rule of docs/architecture.md (import-linter) and types (mypy with django-stubs).
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

test: install browser lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf var/celery var/mail var/staticfiles var/*.sqlite3*
