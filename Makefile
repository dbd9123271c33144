# Two commands: `make run` and `make test`. Each works on a fresh clone.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
STAMP := $(VENV)/.installed

.PHONY: run test chromium messages lint bench clean

$(PY):
	$(PYTHON) -m venv $(VENV) || { $(SUDO) apt-get update && $(SUDO) apt-get install -y python3-venv && $(PYTHON) -m venv $(VENV); }

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# Browser tests drive Debian's Chromium; Playwright's own browser download cannot work here.
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }

# The Spanish catalogues are kept as .po files and compiled here; compilemessages needs gettext.
messages: $(STAMP)
	@command -v msgfmt >/dev/null 2>&1 || { $(SUDO) apt-get update && $(SUDO) apt-get install -y gettext; }
	$(PY) manage.py compilemessages --ignore=.venv -v0

run: $(STAMP) messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py jobs_recover
	@echo "Serving http://127.0.0.1:8000 with a background-job worker (Ctrl-C stops both)."
	@$(PY) manage.py db_worker --no-reload --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:8000

test: $(STAMP) chromium messages
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .

bench: $(STAMP) chromium
	$(PY) bench/coding_page.py

clean:
	rm -rf $(VENV) staticfiles test-results
	find locale -name '*.mo' -delete
